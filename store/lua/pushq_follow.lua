-- pushq_follow.lua -- opt a push-channel user in (followed, started) or out
-- (unfollowed, blocked) (pushq_follow). ARGV: platform, user, on (1|0).
local p = 'dvcbot:push:' .. ARGV[1]
if ARGV[3] == '1' then
  redis.call('SADD', p .. ':optin', ARGV[2])
  redis.call('SREM', p .. ':optout', ARGV[2])
else
  redis.call('SREM', p .. ':optin', ARGV[2])
  redis.call('SADD', p .. ':optout', ARGV[2])
end
return 1
