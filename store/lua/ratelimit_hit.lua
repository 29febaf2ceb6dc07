-- ratelimit_hit.lua -- one request against N fixed-window budgets
-- (ratelimit_hit). ARGV: key, limit, window_s, repeated N times.
-- A request that any budget refuses counts nowhere (a flood does not push
-- the window on); an accepted one counts in every budget.
-- Returns {1, 0} accepted, or {0, ms until the fullest refusing window ends}.
local wait = -1
for i = 1, #ARGV, 3 do
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
if wait >= 0 then return {0, wait} end
for i = 1, #ARGV, 3 do
  if redis.call('INCR', ARGV[i]) == 1 then
    redis.call('EXPIRE', ARGV[i], ARGV[i + 2])
  end
end
return {1, 0}
