-- lib_ratelimit.lua -- prelude: fixed-window budgets (store/ratelimit.h),
-- shared by ratelimit_hit.lua and sessions_begin.lua. The budgets are ARGV
-- from index a to the end, each a triple (limit, window_s, key) packed in one
-- argument as "<limit> <window_s> <key>" (the key is everything after the
-- second space: any bytes; one argument instead of three costs the sender
-- ~1,300 instructions less).
--   rl_wait(a)  -> -1 when every budget has room, else the ms until the
--                  fullest refusing window ends
--   rl_count(a) -> counts one request in every budget
-- A request that any budget refuses counts nowhere (a flood does not push
-- the window on); an accepted one counts in every budget.
local function rl_budget(s)
  local x = string.find(s, ' ', 1, true)
  local y = string.find(s, ' ', x + 1, true)
  return string.sub(s, y + 1), tonumber(string.sub(s, 1, x - 1)),
         tonumber(string.sub(s, x + 1, y - 1))
end

local function rl_wait(a)
  local wait = -1
  for i = a, #ARGV do
    local key, limit, window = rl_budget(ARGV[i])
    local n = tonumber(redis.call('GET', key) or '0') or 0
    if n >= limit then
      local ttl = redis.call('PTTL', key)
      if ttl < 0 then
        ttl = window * 1000
        redis.call('PEXPIRE', key, ttl)
      end
      if ttl > wait then wait = ttl end
    end
  end
  return wait
end

local function rl_count(a)
  for i = a, #ARGV do
    local key, _, window = rl_budget(ARGV[i])
    if redis.call('INCR', key) == 1 then
      redis.call('EXPIRE', key, window)
    end
  end
end
