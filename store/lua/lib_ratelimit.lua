-- lib_ratelimit.lua -- prelude: fixed-window budgets (store/ratelimit.h),
-- shared by ratelimit_hit.lua and sessions_begin.lua. The budgets are ARGV
-- triples (key, limit, window_s) from index a to the end.
--   rl_take(a) -> -1 when every budget had room (the request is counted in
--                 every one), else the ms until the fullest refusing window
--                 ends (the request is counted nowhere)
-- A request that any budget refuses counts nowhere (a flood does not push
-- the window on); an accepted one counts in every budget. Each budget is
-- counted first (INCR: one call where a read and a count took two) and the
-- counts are taken back when one refuses; the script runs atomically, so
-- no other request sees the counts in between.
local function rl_undo(a, upto, counts)
  for i = a, upto, 3 do
    if counts[i] == 1 then
      redis.call('DEL', ARGV[i])
    else
      redis.call('DECR', ARGV[i])
    end
  end
end

local function rl_take(a)
  local wait, counts = -1, {}
  for i = a, #ARGV, 3 do
    local n = redis.call('INCR', ARGV[i])
    counts[i] = n
    if n == 1 then
      redis.call('EXPIRE', ARGV[i], ARGV[i + 2])
    end
    if n > tonumber(ARGV[i + 1]) then
      local ttl = redis.call('PTTL', ARGV[i])
      if ttl < 0 then
        ttl = tonumber(ARGV[i + 2]) * 1000
        redis.call('PEXPIRE', ARGV[i], ttl)
      end
      if ttl > wait then wait = ttl end
    end
  end
  if wait >= 0 then rl_undo(a, #ARGV, counts) end
  return wait
end
