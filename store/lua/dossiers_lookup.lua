-- dossiers_lookup.lua -- a citizen looks a dossier up; unknown codes are
-- counted and limited per identity and per client address (dossiers_lookup).
-- KEYS: dossier. ARGV: the 5 miss arguments of lib_miss.lua, then the
-- rating mark key ('' = none) and its TTL: set when the dossier found is
-- returned (status done or returned), so that this citizen may rate it.
-- Returns {'found', record}, {'missing'} or {'limited'}.
--! use lib_miss.lua
if miss_limited(1) then return {'limited'} end
local raw = redis.call('GET', KEYS[1])
if not raw then
  miss_count(1)
  return {'missing'}
end
if ARGV[6] ~= '' then
  local ok, d = pcall(cjson.decode, raw)
  if ok and type(d) == 'table' and (d.status == 'done' or d.status == 'returned') then
    redis.call('SET', ARGV[6], '1', 'EX', ARGV[7])
  end
end
return {'found', raw}
