-- outbox_drain_pump.lua -- retries whose time has come go back to the front
-- of their queue (outbox_drain_pump). ARGV: now (ms), max. Returns how many.
local ids = redis.call('ZRANGEBYSCORE', 'dvcbot:outbox:retry', '-inf', ARGV[1],
  'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('ZREM', 'dvcbot:outbox:retry', id)
  local mk = 'dvcbot:outbox:msg:' .. id
  local h = redis.call('HMGET', mk, 'status', 'kind')
  if h[1] == 'retry' then
    redis.call('HSET', mk, 'status', 'queued')
    redis.call('LPUSH', 'dvcbot:outbox:q:' .. (h[2] or 'notify'), id)
  end
end
return #ids
