-- lib_smspages.lua -- prelude: write the SMS pages hash (store/smsmo.h) of
-- key from its parts: pages_put(key, cmd, next, pages, buttons, ttl_s).
-- The hash: cmd, next, np, nb, p1..p{np}, b1..b{nb}.
local function pages_put(key, cmd, next, pages, buttons, ttl)
  redis.call('DEL', key)
  local f = {'cmd', cmd, 'next', next, 'np', #pages, 'nb', #buttons}
  for i, p in ipairs(pages) do f[#f + 1] = 'p' .. i; f[#f + 1] = p end
  for i, b in ipairs(buttons) do f[#f + 1] = 'b' .. i; f[#f + 1] = b end
  redis.call('HSET', key, unpack(f))
  if ttl > 0 then redis.call('EXPIRE', key, ttl) end
end
