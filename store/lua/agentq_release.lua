-- agentq_release.lua -- hand the conversation back to the bot (agentq_release).
-- ARGV: conv, operator, notice JSON. Returns 0 released, 1 not held by them.
--! use lib_outbox.lua lib_agentq_split.lua
local k = 'dvcbot:agent:conv:' .. ARGV[1]
local h = redis.call('HMGET', k, 'state', 'operator')
if h[1] ~= 'held' or h[2] ~= ARGV[2] then return 1 end
redis.call('DEL', k)
redis.call('ZREM', 'dvcbot:agent:held', ARGV[1])
local ch, user = split(ARGV[1])
notice_push(ch, user, ARGV[3], '')
-- [web] the citizen may rate this help once, within a day (csat_put.lua)
redis.call('SET', 'dvcbot:csat:pending:' .. ARGV[1], ARGV[2], 'EX', 86400)
return 0
