-- pushq_pump.lua -- put the retries whose time has come back into their
-- stream (pushq_pump). ARGV: platform, dir, now (ms), max. Returns how many.
local s = 'dvcbot:push:' .. ARGV[1] .. ':' .. ARGV[2]
local due = redis.call('ZRANGEBYSCORE', s .. ':later', '-inf', ARGV[3], 'LIMIT', 0,
  tonumber(ARGV[4]))
for _, m in ipairs(due) do
  local sp = string.find(m, ' ', 1, true)
  local f = cjson.decode(string.sub(m, sp + 1))
  redis.call('XADD', s, '*', unpack(f))
  redis.call('ZREM', s .. ':later', m)
end
return #due
