-- agentq_history.lua -- a conversation's operator log as one JSON array text
-- (agentq_history). ARGV: conv.
local l = redis.call('LRANGE', 'dvcbot:agent:log:' .. ARGV[1], 0, -1)
return '[' .. table.concat(l, ',') .. ']'
