-- lib_smspages.lua -- prelude: the SMS pages hash (store/smsmo.h) of a
-- number. The hash: cmd, next, np, nb, p1..p{np}, b1..b{nb}.
--   pages_put(key, cmd, next, pages, buttons, ttl_s) writes it from its parts
--   pages_get(key) -> its fields and values (HGETALL); a record stored by an
--     earlier version as a JSON string {"cmd","pages","next","buttons"} is
--     rewritten as the hash first (its TTL kept), anything else there is
--     dropped
local function pages_put(key, cmd, next, pages, buttons, ttl)
  redis.call('DEL', key)
  local f = {'cmd', cmd, 'next', next, 'np', #pages, 'nb', #buttons}
  for i, p in ipairs(pages) do f[#f + 1] = 'p' .. i; f[#f + 1] = p end
  for i, b in ipairs(buttons) do f[#f + 1] = 'b' .. i; f[#f + 1] = b end
  redis.call('HSET', key, unpack(f))
  if ttl > 0 then redis.call('EXPIRE', key, ttl) end
end

local function pages_get(key)
  if redis.call('TYPE', key).ok == 'string' then
    local ttl = redis.call('TTL', key)
    local ok, rec = pcall(cjson.decode, redis.call('GET', key))
    redis.call('DEL', key)
    if ok and type(rec) == 'table' and type(rec.pages) == 'table' then
      local pages, buttons = {}, {}
      for _, p in ipairs(rec.pages) do
        if type(p) == 'string' then pages[#pages + 1] = p end
      end
      for _, b in ipairs(type(rec.buttons) == 'table' and rec.buttons or {}) do
        if type(b) == 'string' then buttons[#buttons + 1] = b end
      end
      local cmd = type(rec.cmd) == 'string' and rec.cmd or ''
      pages_put(key, cmd, tostring(tonumber(rec.next) or 2), pages, buttons, ttl)
    end
  end
  return redis.call('HGETALL', key)
end
