-- smsmo_pages.lua -- the pages record of a number (smsmo_pages).
-- ARGV[1] the msisdn. Returns the hash's fields and values (HGETALL); a
-- record stored by an earlier version as a JSON string
-- {"cmd","pages","next","buttons"} is rewritten as the hash first (its TTL
-- kept), anything else there is dropped.
--! use lib_smspages.lua
local pk = 'dvcbot:smspages:' .. ARGV[1]
if redis.call('TYPE', pk).ok == 'string' then
  local ttl = redis.call('TTL', pk)
  local ok, rec = pcall(cjson.decode, redis.call('GET', pk))
  redis.call('DEL', pk)
  if ok and type(rec) == 'table' and type(rec.pages) == 'table' then
    local pages, buttons = {}, {}
    for _, p in ipairs(rec.pages) do
      if type(p) == 'string' then pages[#pages + 1] = p end
    end
    for _, b in ipairs(type(rec.buttons) == 'table' and rec.buttons or {}) do
      if type(b) == 'string' then buttons[#buttons + 1] = b end
    end
    local cmd = type(rec.cmd) == 'string' and rec.cmd or ''
    pages_put(pk, cmd, tostring(tonumber(rec.next) or 2), pages, buttons, ttl)
  end
end
return redis.call('HGETALL', pk)
