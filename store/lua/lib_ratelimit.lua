-- lib_ratelimit.lua -- prelude: fixed-window budgets (store/ratelimit.h),
-- shared by ratelimit_hit.lua and sessions_begin.lua. The budgets are ARGV
-- triples (key, limit, window_s) from index a to the end.
--   rl_wait(a)  -> -1 when every budget has room, else the ms until the
--                  fullest refusing window ends
--   rl_count(a) -> counts one request in every budget
-- A request that any budget refuses counts nowhere (a flood does not push
-- the window on); an accepted one counts in every budget.
local function rl_wait(a)
  local wait = -1
  for i = a, #ARGV, 3 do
    local n = tonumber(redis.call('GET', ARGV[i]) or '0') or 0
    if n >= tonumber(ARGV[i + 1]) then
      local ttl = redis.call('PTTL', ARGV[i])
      if ttl < 0 then
        ttl = tonumber(ARGV[i + 2]) * 1000
        redis.call('PEXPIRE', ARGV[i], ttl)
      end
      if ttl > wait then wait = ttl end
    end
  end
  return wait
end

local function rl_count(a)
  for i = a, #ARGV, 3 do
    if redis.call('INCR', ARGV[i]) == 1 then
      redis.call('EXPIRE', ARGV[i], ARGV[i + 2])
    end
  end
end
