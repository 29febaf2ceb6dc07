-- complaints_lookup.lua -- a citizen asks about a complaint code (TTPA):
-- unknown codes count in the citizen's miss limit (complaints_lookup).
-- ARGV: code, then the 5 miss arguments of lib_miss.lua (from ARGV[2]).
-- Returns {'found', HGETALL of the record}, {'missing'} or {'limited'}.
--! use lib_miss.lua
if miss_limited(2) then return {'limited'} end
local rec = redis.call('HGETALL', 'dvcbot:complaint:' .. ARGV[1])
if #rec == 0 then
  miss_count(2)
  return {'missing'}
end
return {'found', rec}
