-- outbox_drain_pump.lua -- retries whose time has come are streamed again
-- (their number is still held), and records of the list-based outbox of
-- earlier versions are moved over: ids on dvcbot:outbox:q:{kind} become
-- ready (outbox_ready), ids left in dvcbot:outbox:sending for longer than
-- the lease are queued again, or marked sent when a delivery report proves
-- Kannel took them (outbox_drain_pump). ARGV: now (ms), max, lease (ms).
-- Returns how many were moved.
--! use lib_outbox_release.lua
local now, max, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local n = 0
local ids = redis.call('ZRANGEBYSCORE', 'dvcbot:outbox:retry', '-inf', now, 'LIMIT', 0, max)
for _, id in ipairs(ids) do
  redis.call('ZREM', 'dvcbot:outbox:retry', id)
  local mk = 'dvcbot:outbox:msg:' .. id
  local h = redis.call('HMGET', mk, 'status', 'kind')
  if h[1] == 'retry' then
    redis.call('HSET', mk, 'status', 'queued')
    outbox_xadd(h[2] or 'notify', id)
  end
  n = n + 1
end
local old = redis.call('ZRANGEBYSCORE', 'dvcbot:outbox:sending', '-inf', now - lease,
  'LIMIT', 0, max)
for _, id in ipairs(old) do
  redis.call('ZREM', 'dvcbot:outbox:sending', id)
  local mk = 'dvcbot:outbox:msg:' .. id
  local h = redis.call('HMGET', mk, 'status', 'kind', 'dlr', 'to')
  if h[1] == 'sending' and h[3] then
    redis.call('HSET', mk, 'status', 'sent', 'sent_at', now)
    release(h[4], id)
  elseif h[1] == 'sending' then
    redis.call('HINCRBY', mk, 'attempts', -1)
    redis.call('HSET', mk, 'status', 'queued')
    outbox_ready(h[4], id, h[2] or 'notify')
  end
  n = n + 1
end
for _, q in ipairs({'reply', 'notify'}) do
  while n < max do
    local id = redis.call('LPOP', 'dvcbot:outbox:q:' .. q)
    if not id then break end
    local h = redis.call('HMGET', 'dvcbot:outbox:msg:' .. id, 'status', 'to')
    if h[1] == 'queued' and h[2] then outbox_ready(h[2], id, q) end
    n = n + 1
  end
end
return n
