-- outbox_drain_pending.lua -- stream entries this consumer should look at
-- again (outbox_drain_pending): its own pending entries (min_idle -1: at
-- start, what an earlier run of this consumer left), or those of any
-- consumer idle for min_idle ms and more, taken over with XAUTOCLAIM (a dead
-- instance's). Creates the group "senders" on both streams when missing.
-- ARGV: consumer, min_idle (ms, or -1), count.
-- Returns {kind, entry id, message id, ...}, replies first.
local cons, idle, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for _, kind in ipairs({'reply', 'notify'}) do
  local sk = 'dvcbot:outbox:stream:' .. kind
  pcall(redis.call, 'XGROUP', 'CREATE', sk, 'senders', '0', 'MKSTREAM')
  local entries
  if idle < 0 then
    local r = redis.call('XREADGROUP', 'GROUP', 'senders', cons, 'COUNT', count,
      'STREAMS', sk, '0')
    entries = r and r[1] and r[1][2] or {}
  else
    entries = redis.call('XAUTOCLAIM', sk, 'senders', cons, idle, '0-0', 'COUNT', count)[2]
  end
  for _, e in ipairs(entries) do
    local f = e[2]
    if f and f[1] == 'id' then
      out[#out + 1] = kind
      out[#out + 1] = e[1]
      out[#out + 1] = f[2]
    elseif not f then -- deleted meanwhile
      redis.call('XACK', sk, 'senders', e[1])
    end
  end
end
return out
