-- lib_dossier.lua -- prelude: read a dossier inside another module's script.
--   dossier_read(code) -> table {procedure_code, status, applicant_phone, ...}
--     or nil when there is none; a record is a JSON string (dossiers_put) or,
--     for older data, a hash with the same field names.
local function dossier_read(code)
  local dk = 'dvcbot:dossier:' .. code
  local t = redis.call('TYPE', dk)['ok']
  if t == 'string' then
    local ok, d = pcall(cjson.decode, redis.call('GET', dk))
    if ok and type(d) == 'table' then return d end
    return {}
  elseif t == 'hash' then
    local f = redis.call('HGETALL', dk)
    local d = {}
    for i = 1, #f, 2 do d[f[i]] = f[i + 1] end
    return d
  end
  return nil
end
