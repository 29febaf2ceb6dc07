-- sessions_claim.lua -- take the lease of one session and read it (sessions_claim).
-- KEYS[1] the session dvcbot:sess:{channel}:{user}, KEYS[2] its lease
-- dvcbot:sess-lease:{channel}:{user}. ARGV[1] the owner token, ARGV[2] the lease in ms.
-- Returns {1, session or nil} when the lease is now the caller's (taken, or
-- already its own: renewed), {0, ms left} when another owner holds it.
local cur = redis.call('GET', KEYS[2])
if cur and cur ~= ARGV[1] then
  return {0, redis.call('PTTL', KEYS[2])}
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {1, redis.call('GET', KEYS[1])}
