-- payproof_check.lua -- a web-chat citizen proves a dossier with the last 4
-- digits of its applicant_phone; wrong tries are counted per dossier and per
-- identity, across sessions (payproof_check, store/payproof.h).
-- KEYS: dossier, dossier counter, identity counter.
-- ARGV: digits, dossier limit, identity limit, window_s.
-- Returns {'right', record}, {'wrong', tries left (0: now locked)},
-- {'locked'} (no comparison made) or {'missing'}.
local d = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local i = tonumber(redis.call('GET', KEYS[3]) or '0') or 0
local dl, il = tonumber(ARGV[2]), tonumber(ARGV[3])
if d >= dl or i >= il then return {'locked'} end
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing'} end
local ok, rec = pcall(cjson.decode, raw)
local phone = ok and type(rec) == 'table' and rec['applicant_phone']
if type(phone) == 'string' and #phone >= 4 and string.sub(phone, -4) == ARGV[1] then
  return {'right', raw}
end
d = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
i = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return {'wrong', tostring(math.max(0, math.min(dl - d, il - i)))}
