-- sessions_commit.lua -- the end of a turn, in one call (sessions_commit):
-- write the session and give its lease back, only while the lease is still
-- the caller's, and append the turn's lines to the web chat's log
-- (store/chatlog.h), which is also the conversation's hand-off history.
-- KEYS[1] the session, KEYS[2] its lease, KEYS[3] the chat log ('' when
-- none); ARGV[1] the owner token, ARGV[2] the session (store/sesscodec.h),
-- ARGV[3] its TTL in seconds, then the chat log's lines (JSON texts).
-- An SMS MO's turn also leaves its answer record (store/smsmo.h, mo_save of
-- lib_smsmo.lua) in the same write: then KEYS[4] is the number's pages key,
-- and the last ARGV is k, the count of smsmo_save's arguments before it.
-- Returns 1 written (and the lease deleted), 0 the lease expired or is another
-- owner's: nothing written (another turn may have read the session since).
--! const CHATLOG_KEEP
--! use lib_smsmo.lua
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[2])
local last = #ARGV
if KEYS[4] then
  last = #ARGV - 1 - tonumber(ARGV[#ARGV])
  mo_save(last + 1, #ARGV - 1, KEYS[4])
end
if last >= 4 and KEYS[3] ~= '' then
  if redis.call('RPUSH', KEYS[3], unpack(ARGV, 4, last)) > CHATLOG_KEEP then
    redis.call('LTRIM', KEYS[3], -CHATLOG_KEEP, -1)
  end
  redis.call('EXPIRE', KEYS[3], ARGV[3])
end
return 1
