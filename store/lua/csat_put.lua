-- csat_put.lua -- the citizen's rating (1-5) of the operator who last handed
-- the conversation back (csat_put). KEYS: none. ARGV: conv, score.
-- The pending key (set by agentq_release.lua) is used up: one rating per
-- hand-back. Returns the operator's name, or false when nothing is pending.
local k = 'dvcbot:csat:pending:' .. ARGV[1]
local op = redis.call('GET', k)
if not op then return false end
redis.call('DEL', k)
local st = 'dvcbot:stats:csat'
redis.call('HINCRBY', st, op .. ':count', 1)
redis.call('HINCRBY', st, op .. ':sum', ARGV[2])
redis.call('HINCRBY', st, op .. ':s' .. ARGV[2], 1)
redis.call('HINCRBY', st, 'all:count', 1)
redis.call('HINCRBY', st, 'all:sum', ARGV[2])
redis.call('HINCRBY', st, 'all:s' .. ARGV[2], 1)
return op
