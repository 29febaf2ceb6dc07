-- dossiers_lookup.lua -- a citizen looks a dossier up; unknown codes are
-- counted and limited (dossiers_lookup).
-- KEYS: dossier, miss counter. ARGV: limit, window_s.
-- Returns {'found', record}, {'missing'} or {'limited'}.
local m = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if m >= tonumber(ARGV[1]) then return {'limited'} end
local raw = redis.call('GET', KEYS[1])
if raw then return {'found', raw} end
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return {'missing'}
