-- lib_miss.lua -- prelude: the dossier/complaint code miss limit shared by
-- every code-taking command (TRACUU, DK, DG, TTPA; store/ratelimit.h).
-- The miss arguments are 5 ARGV from index a: identity counter key,
-- address counter key ('' = none), identity limit, address limit, window_s.
--   miss_limited(a) -> true when either counter reached its limit
--   miss_count(a)   counts one miss in both (TTL window_s, renewed)
local function miss_limited(a)
  if tonumber(redis.call('GET', ARGV[a]) or '0') >= tonumber(ARGV[a + 2]) then
    return true
  end
  if ARGV[a + 1] ~= '' and
     tonumber(redis.call('GET', ARGV[a + 1]) or '0') >= tonumber(ARGV[a + 3]) then
    return true
  end
  return false
end
local function miss_count(a)
  for _, k in ipairs({ARGV[a], ARGV[a + 1]}) do
    if k ~= '' then
      redis.call('INCR', k)
      redis.call('EXPIRE', k, ARGV[a + 4])
    end
  end
end
