-- outbox_drain_recover.lua -- messages claimed before cutoff and still
-- "sending": left by a dead worker (at start, cutoff = now), or whose result
-- could not be recorded (Redis failed; cutoff = now - request timeout). They
-- are queued again, or marked sent when a delivery report proves Kannel took
-- them (outbox_drain_recover). ARGV: now (ms), cutoff (ms). Returns how many.
--! use lib_outbox_release.lua
local ids = redis.call('ZRANGEBYSCORE', 'dvcbot:outbox:sending', '-inf', ARGV[2])
local n = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', 'dvcbot:outbox:sending', id)
  local mk = 'dvcbot:outbox:msg:' .. id
  local h = redis.call('HMGET', mk, 'status', 'kind', 'dlr', 'to')
  if h[1] == 'sending' then
    n = n + 1
    if h[3] then
      redis.call('HSET', mk, 'status', 'sent', 'sent_at', ARGV[1])
      release(h[4], id)
    else
      redis.call('HINCRBY', mk, 'attempts', -1)
      redis.call('HSET', mk, 'status', 'queued')
      redis.call('LPUSH', 'dvcbot:outbox:q:' .. (h[2] or 'notify'), id)
    end
  end
end
return n
