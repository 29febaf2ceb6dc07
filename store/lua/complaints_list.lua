-- complaints_list.lua -- the latest complaints of an index (complaints_list_*).
-- ARGV: index key (dvcbot:complaints-idx:... or -by:...), max.
-- Returns the HGETALL arrays, newest first.
local codes = redis.call('ZREVRANGE', ARGV[1], 0, tonumber(ARGV[2]) - 1)
local out = {}
for _, c in ipairs(codes) do
  local h = redis.call('HGETALL', 'dvcbot:complaint:' .. c)
  if #h > 0 then out[#out + 1] = h end
end
return out
