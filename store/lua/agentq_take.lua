-- agentq_take.lua -- an operator takes a waiting conversation (agentq_take).
-- ARGV: conv, operator, notice JSON for the citizen, now.
-- Returns 0 taken, 1 not waiting (any more).
--! use lib_outbox.lua lib_agentq_split.lua
local k = 'dvcbot:agent:conv:' .. ARGV[1]
if redis.call('HGET', k, 'state') ~= 'waiting' then return 1 end
redis.call('HSET', k, 'state', 'held', 'operator', ARGV[2], 'since', ARGV[4])
redis.call('ZREM', 'dvcbot:agent:waiting', ARGV[1])
redis.call('ZADD', 'dvcbot:agent:held', ARGV[4], ARGV[1])
local ch, user = split(ARGV[1])
notice_push(ch, user, ARGV[3], '')
return 0
