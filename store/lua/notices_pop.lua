-- notices_pop.lua -- take up to N chat notices, oldest first (notices_pop).
-- ARGV: channel, user, N. Returns the JSON texts.
local k = 'dvcbot:notices:' .. ARGV[1] .. ':' .. ARGV[2]
local n = tonumber(ARGV[3])
local r = redis.call('LRANGE', k, 0, n - 1)
redis.call('LTRIM', k, n, -1)
return r
