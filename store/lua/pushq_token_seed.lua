-- pushq_token_seed.lua -- store the configured first token pair unless one is
-- stored (pushq_token_seed). ARGV: platform, access, refresh, expires_at (ms).
local k = 'dvcbot:push:' .. ARGV[1] .. ':token'
if redis.call('EXISTS', k) == 1 then return 0 end
redis.call('HSET', k, 'access', ARGV[2], 'refresh', ARGV[3], 'expires_at', ARGV[4])
return 1
