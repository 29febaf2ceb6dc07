-- pushq_accept.lua -- accept a push-channel webhook event once (pushq_accept).
-- ARGV: platform, event id, user, event JSON, active (1|0), dedup TTL (s), now (ms).
-- Returns 1 when appended to the in stream now, 0 for a replay.
local p = 'dvcbot:push:' .. ARGV[1]
if not redis.call('SET', p .. ':ev:' .. ARGV[2], '1', 'NX', 'EX', tonumber(ARGV[6])) then
  return 0
end
redis.call('XADD', p .. ':in', '*', 'ev', ARGV[4])
if ARGV[5] == '1' then
  redis.call('ZADD', p .. ':seen', tonumber(ARGV[7]), ARGV[3])
end
return 1
