-- sessions_commit.lua -- the end of a turn, in one call (sessions_commit):
-- write the session and give its lease back, only while the lease is still
-- the caller's, and append the turn's lines to the session's hand-off
-- history (read only when the citizen asks for a person).
-- KEYS[1] the session, KEYS[2] its lease, KEYS[3] its history list;
-- ARGV[1] the owner token, ARGV[2] the session (store/sesscodec.h), ARGV[3]
-- its TTL in seconds, ARGV[4..] history lines (JSON texts) to append.
-- Returns 1 written (and the lease deleted), 0 the lease expired or is another
-- owner's: nothing written (another turn may have read the session since).
--! const SESSIONS_RECENT_MAX
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[2])
if #ARGV > 3 then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, 4))
  redis.call('LTRIM', KEYS[3], -SESSIONS_RECENT_MAX, -1)
  redis.call('EXPIRE', KEYS[3], ARGV[3])
end
return 1
