-- dossiers_list.lua -- the dossiers of a phone number (dossiers_by_phone).
-- KEYS: phone index. ARGV: max. Returns the records (JSON texts).
local out = {}
for _, c in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local raw = redis.call('GET', 'dvcbot:dossier:' .. c)
  if raw then out[#out + 1] = raw end
  if #out >= tonumber(ARGV[1]) then break end
end
return out
