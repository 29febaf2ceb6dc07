-- pushq_later.lua -- acknowledge a stream entry and keep its fields for a
-- retry at a due time (pushq_later).
-- ARGV: platform, dir (in|out), entry id, due (ms), field, value, ...
local s = 'dvcbot:push:' .. ARGV[1] .. ':' .. ARGV[2]
redis.call('XACK', s, 'dvcbot', ARGV[3])
redis.call('XDEL', s, ARGV[3])
local f = {}
for i = 5, #ARGV do f[#f + 1] = ARGV[i] end
redis.call('ZADD', s .. ':later', tonumber(ARGV[4]), ARGV[3] .. ' ' .. cjson.encode(f))
return 1
