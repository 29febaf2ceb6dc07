-- sessions_commit.lua -- the end of a turn, in one call (sessions_commit):
-- write the session and give its lease back, only while the lease is still
-- the caller's, and append the turn's lines to the session's hand-off
-- history (read only when the citizen asks for a person) and to the web
-- chat's visible log (store/chatlog.h).
-- KEYS[1] the session, KEYS[2] its lease, KEYS[3] its history list, KEYS[4]
-- the chat log ('' when none); ARGV[1] the owner token, ARGV[2] the session
-- (store/sesscodec.h), ARGV[3] its TTL in seconds, ARGV[4] n, the number of
-- history lines that follow (JSON texts), then the chat log's lines.
-- An SMS MO's turn also leaves its answer record (store/smsmo.h, mo_save of
-- lib_smsmo.lua) in the same write: then KEYS[5] is the number's pages key,
-- and the last ARGV is k, the count of smsmo_save's arguments before it.
-- Returns 1 written (and the lease deleted), 0 the lease expired or is another
-- owner's: nothing written (another turn may have read the session since).
--! const SESSIONS_RECENT_MAX CHATLOG_KEEP
--! use lib_smsmo.lua
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[2])
local last = #ARGV
if KEYS[5] then
  last = #ARGV - 1 - tonumber(ARGV[#ARGV])
  mo_save(last + 1, #ARGV - 1, KEYS[5])
end
local function append(key, from, to, keep)
  if to < from then return end
  if redis.call('RPUSH', key, unpack(ARGV, from, to)) > keep then
    redis.call('LTRIM', key, -keep, -1)
  end
  redis.call('EXPIRE', key, ARGV[3])
end
local nh = tonumber(ARGV[4])
append(KEYS[3], 5, 4 + nh, SESSIONS_RECENT_MAX)
append(KEYS[4], 5 + nh, last, CHATLOG_KEEP)
return 1
