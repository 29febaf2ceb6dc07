-- pushq_token_put.lua -- store a refreshed token pair and release the refresh
-- lock, only for the lock's owner (pushq_token_put).
-- ARGV: platform, owner, access ('' = only release), refresh, expires_at (ms).
local k = 'dvcbot:push:' .. ARGV[1] .. ':token'
if redis.call('GET', k .. ':lock') ~= ARGV[2] then return 0 end
if ARGV[3] ~= '' then
  redis.call('HSET', k, 'access', ARGV[3], 'refresh', ARGV[4], 'expires_at', ARGV[5])
end
redis.call('DEL', k .. ':lock')
return 1
