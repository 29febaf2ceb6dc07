-- agentq_enqueue.lua -- hand a conversation to the operators (agentq_enqueue).
-- ARGV: conv, reason, now (epoch s), history (JSON array of log lines).
-- Returns 1 when it was queued already, 0 when queued now.
--! const AGENTQ_LOG_MAX AGENTQ_LOG_TTL_S
local k = 'dvcbot:agent:conv:' .. ARGV[1]
if redis.call('EXISTS', k) == 1 then return 1 end
redis.call('HSET', k, 'state', 'waiting', 'since', ARGV[3], 'operator', '', 'reason', ARGV[2])
redis.call('ZADD', 'dvcbot:agent:waiting', ARGV[3], ARGV[1])
local ok, lines = pcall(cjson.decode, ARGV[4])
if ok and type(lines) == 'table' and #lines > 0 then
  local lk = 'dvcbot:agent:log:' .. ARGV[1]
  redis.call('DEL', lk)
  for _, l in ipairs(lines) do redis.call('RPUSH', lk, cjson.encode(l)) end
  redis.call('LTRIM', lk, -AGENTQ_LOG_MAX, -1)
  redis.call('EXPIRE', lk, AGENTQ_LOG_TTL_S)
end
return 0
