-- sessions_release.lua -- give a session's lease back without writing
-- (sessions_release): a turn that failed. KEYS[1] the lease, ARGV[1] the owner token.
-- Returns 1 released, 0 it was not the caller's (expired, or another owner's).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
