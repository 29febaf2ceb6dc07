-- agentq_log.lua -- append lines to a conversation's operator log (agentq_log).
-- ARGV: conv, now, then from, text pairs. Returns 0.
--! const AGENTQ_LOG_MAX AGENTQ_LOG_TTL_S
local k = 'dvcbot:agent:log:' .. ARGV[1]
for i = 3, #ARGV, 2 do
  redis.call('RPUSH', k, cjson.encode({from = ARGV[i], text = ARGV[i + 1], at = tonumber(ARGV[2])}))
end
redis.call('LTRIM', k, -AGENTQ_LOG_MAX, -1)
redis.call('EXPIRE', k, AGENTQ_LOG_TTL_S)
return 0
