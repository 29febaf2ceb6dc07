-- ratelimit_hit.lua -- one request against N fixed-window budgets
-- (ratelimit_hit). ARGV: key, limit, window_s, repeated N times.
-- Returns {1, 0} accepted (counted in every budget), or {0, ms until the
-- fullest refusing window ends} (counted nowhere).
--! use lib_ratelimit.lua
local wait = rl_take(1)
if wait >= 0 then return {0, wait} end
return {1, 0}
