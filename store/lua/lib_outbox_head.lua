-- lib_outbox_head.lua -- prelude: how a message becomes ready to send
-- (store/outbox.h, store/README.md "Outbox"). One message per number is in a
-- stream at a time, so any number of consumers keep each number's order:
--   outbox_xadd(kind, id)    the id on dvcbot:outbox:stream:{kind}, read by
--                            the consumer group "senders"
--   outbox_ready(to, id, kind)  the number's head (dvcbot:outbox:busy:{to}
--                            = id, streamed) when the number is free, else
--                            appended to dvcbot:outbox:wait:{to}
--   outbox_entry_done(kind, entry)  XACK + XDEL of a consumed stream entry
local function outbox_xadd(kind, id)
  redis.call('XADD', 'dvcbot:outbox:stream:' .. kind, '*', 'id', id)
end
local function outbox_ready(to, id, kind)
  local bk = 'dvcbot:outbox:busy:' .. to
  local b = redis.call('GET', bk)
  if b and b ~= id then
    redis.call('RPUSH', 'dvcbot:outbox:wait:' .. to, id)
    return 0
  end
  redis.call('SET', bk, id)
  outbox_xadd(kind, id)
  return 1
end
local function outbox_entry_done(kind, entry)
  if not entry or entry == '' then return end
  local sk = 'dvcbot:outbox:stream:' .. kind
  redis.call('XACK', sk, 'senders', entry)
  redis.call('XDEL', sk, entry)
end
