-- agentq_say.lua -- an operator's line to the citizen (agentq_say).
-- ARGV: conv, operator, text, notice JSON, now.
-- Returns 0 said, 1 not held by that operator.
--! use lib_outbox.lua lib_agentq_split.lua
--! const AGENTQ_LOG_MAX AGENTQ_LOG_TTL_S
local k = 'dvcbot:agent:conv:' .. ARGV[1]
local h = redis.call('HMGET', k, 'state', 'operator')
if h[1] ~= 'held' or h[2] ~= ARGV[2] then return 1 end
local lk = 'dvcbot:agent:log:' .. ARGV[1]
redis.call('RPUSH', lk, cjson.encode({from = 'operator', operator = ARGV[2], text = ARGV[3],
  at = tonumber(ARGV[5])}))
redis.call('LTRIM', lk, -AGENTQ_LOG_MAX, -1)
redis.call('EXPIRE', lk, AGENTQ_LOG_TTL_S)
local ch, user = split(ARGV[1])
notice_push(ch, user, ARGV[4], '')
return 0
