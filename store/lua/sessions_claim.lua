-- sessions_claim.lua -- take the lease of one session and read it (sessions_claim).
-- KEYS[1] the session dvcbot:sess:{channel}:{user}, KEYS[2] its lease
-- dvcbot:sess-lease:{channel}:{user}. ARGV[1] the owner token, ARGV[2] the lease in ms.
-- Returns {1, session or nil} when the lease was free and is now the caller's,
-- {0, ms left} when an owner (another, or the caller's own earlier claim) holds it.
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('GET', KEYS[1])}
end
return {0, redis.call('PTTL', KEYS[2])}
