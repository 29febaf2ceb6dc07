-- sessions_begin.lua -- the start of a turn, in one call (sessions_begin):
-- the turn's budgets, the session's lease and the session itself.
-- KEYS[1] the session, KEYS[2] its lease; ARGV[1] the owner token, ARGV[2]
-- the lease in ms, ARGV[3..] budgets as lib_ratelimit.lua's triples (none on
-- a retry: the first attempt counted them).
-- An SMS MO's turn claims its Kannel id first (store/smsmo.h, mo_claim of
-- lib_smsmo.lua): then KEYS[3] is dvcbot:smsmo:{id}, ARGV[3] the instance
-- and the budgets start at ARGV[4]; a retry of an answered id returns
-- {3, 0, answer} and one a live instance processes {4, 0}, both before
-- anything is counted or taken.
-- Returns {2, ms} refused by a budget (nothing counted, no lease),
-- {1, 0} the lease is another owner's (budgets counted; nothing read),
-- {0, 0, value or nil} the lease is the caller's now, with the session.
--! use lib_ratelimit.lua lib_smsmo.lua
local b = 3
if KEYS[3] then
  local code, answer = mo_claim(KEYS[3], ARGV[3])
  if code == 1 then return {3, 0, answer} end
  if code == 3 then return {4, 0} end
  b = 4
end
local wait = rl_take(b)
if wait >= 0 then return {2, wait} end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, 0}
end
return {0, 0, redis.call('GET', KEYS[1])}
