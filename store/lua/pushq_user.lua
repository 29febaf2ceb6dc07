-- pushq_user.lua -- what the push sender needs to know of a user (pushq_user).
-- ARGV: platform, user. Returns {optin 1|0, optout 1|0, linked number or '',
-- last interaction (ms) or '0', 1|0 an SMS link code is pending}.
local p = 'dvcbot:push:' .. ARGV[1]
return {redis.call('SISMEMBER', p .. ':optin', ARGV[2]),
  redis.call('SISMEMBER', p .. ':optout', ARGV[2]),
  redis.call('HGET', p .. ':link', ARGV[2]) or '',
  redis.call('ZSCORE', p .. ':seen', ARGV[2]) or '0',
  redis.call('EXISTS', p .. ':code:' .. ARGV[2])}
