-- agentq_notices_waiting.lua -- which users of a channel have notices
-- waiting (agentq_notices_waiting). ARGV: channel, user... Returns 0/1 each.
local r = {}
for i = 2, #ARGV do
  r[i - 1] = redis.call('EXISTS', 'dvcbot:notices:' .. ARGV[1] .. ':' .. ARGV[i])
end
return r
