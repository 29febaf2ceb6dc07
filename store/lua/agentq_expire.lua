-- agentq_expire.lua -- drop conversations waiting since before a time, with
-- a notice to each citizen (agentq_expire). ARGV: before (epoch s), notice
-- JSON. Returns how many (at most 100 per call).
--! use lib_outbox.lua lib_agentq_split.lua
local old = redis.call('ZRANGEBYSCORE', 'dvcbot:agent:waiting', '-inf', '(' .. ARGV[1], 'LIMIT', 0, 100)
for _, conv in ipairs(old) do
  redis.call('DEL', 'dvcbot:agent:conv:' .. conv)
  redis.call('ZREM', 'dvcbot:agent:waiting', conv)
  local ch, user = split(conv)
  notice_push(ch, user, ARGV[2], '')
end
return #old
