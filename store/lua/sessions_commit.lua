-- sessions_commit.lua -- write a session and give its lease back, only while the
-- lease is still the caller's (sessions_commit).
-- KEYS[1] the session, KEYS[2] its lease; ARGV[1] the owner token, ARGV[2] the
-- session JSON, ARGV[3] its TTL in seconds.
-- Returns 1 written (and the lease deleted), 0 the lease expired or is another
-- owner's: nothing written (another turn may have read the session since).
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
