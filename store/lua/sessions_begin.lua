-- sessions_begin.lua -- the start of a turn, in one call (sessions_begin):
-- the turn's budgets, the session's lease and the session itself.
-- KEYS[1] the session, KEYS[2] its lease; ARGV[1] the owner token, ARGV[2]
-- the lease in ms, ARGV[3..] budgets as lib_ratelimit.lua's triples (none on
-- a retry: the first attempt counted them).
-- Returns {2, ms} refused by a budget (nothing counted, no lease),
-- {1, 0} the lease is another owner's (budgets counted; nothing read),
-- {0, 0, value or nil} the lease is the caller's now, with the session.
--! use lib_ratelimit.lua
local wait = rl_take(3)
if wait >= 0 then return {2, wait} end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, 0}
end
return {0, 0, redis.call('GET', KEYS[1])}
