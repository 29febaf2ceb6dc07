-- subs_stop.lua -- HUY/STOP: every subscription of a member ends, and the
-- number opts out (subs_stop). ARGV: member, msisdn ('' = no opt-out).
-- Returns how many subscriptions ended.
local by = 'dvcbot:subs-by:' .. ARGV[1]
local codes = redis.call('SMEMBERS', by)
for _, c in ipairs(codes) do redis.call('SREM', 'dvcbot:subs:' .. c, ARGV[1]) end
redis.call('DEL', by)
if ARGV[2] ~= '' then redis.call('SADD', 'dvcbot:optout', ARGV[2]) end
return #codes
