-- agentq_enqueue.lua -- hand a conversation to the operators (agentq_enqueue).
-- ARGV: conv, reason, now (epoch s), client address ('' = none), hand-offs
--       an hour of the conversation and of the address (0 = no budget).
-- The conversation's log starts from its session's hand-off history
-- (dvcbot:sess-recent:{conv}, JSON lines written by sessions_commit.lua).
-- Returns 1 when it was queued already, 0 when queued now, 2 when a budget
-- is spent (nothing queued).
--! const AGENTQ_LOG_MAX AGENTQ_LOG_TTL_S
local k = 'dvcbot:agent:conv:' .. ARGV[1]
if redis.call('EXISTS', k) == 1 then return 1 end
local budgets = {}
if tonumber(ARGV[5]) > 0 then
  budgets[#budgets + 1] = {'dvcbot:rl:handoff:' .. ARGV[1], tonumber(ARGV[5])}
  if ARGV[4] ~= '' then
    budgets[#budgets + 1] = {'dvcbot:rl:handoff-addr:' .. ARGV[4], tonumber(ARGV[6])}
  end
end
for _, b in ipairs(budgets) do
  if tonumber(redis.call('GET', b[1]) or '0') >= b[2] then return 2 end
end
for _, b in ipairs(budgets) do
  if redis.call('INCR', b[1]) == 1 then redis.call('EXPIRE', b[1], 3600) end
end
redis.call('HSET', k, 'state', 'waiting', 'since', ARGV[3], 'operator', '', 'reason', ARGV[2],
  'addr', ARGV[4])
redis.call('ZADD', 'dvcbot:agent:waiting', ARGV[3], ARGV[1])
local lines = redis.call('LRANGE', 'dvcbot:sess-recent:' .. ARGV[1], 0, -1)
if #lines > 0 then
  local lk = 'dvcbot:agent:log:' .. ARGV[1]
  redis.call('DEL', lk)
  redis.call('RPUSH', lk, unpack(lines))
  redis.call('LTRIM', lk, -AGENTQ_LOG_MAX, -1)
  redis.call('EXPIRE', lk, AGENTQ_LOG_TTL_S)
end
return 0
