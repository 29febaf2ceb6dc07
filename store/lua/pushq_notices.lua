-- pushq_notices.lua -- move the chat notices of push-channel users into the
-- out stream (pushq_notices). ARGV: platform, cursor (rank), count, now (ms),
-- window (ms). Users not seen within the window leave the seen set.
-- Returns the next cursor, 0 when the set was walked to its end.
local p = 'dvcbot:push:' .. ARGV[1]
local c, n = tonumber(ARGV[2]), tonumber(ARGV[3])
if c == 0 then
  redis.call('ZREMRANGEBYSCORE', p .. ':seen', '-inf', tonumber(ARGV[4]) - tonumber(ARGV[5]))
end
local users = redis.call('ZRANGE', p .. ':seen', c, c + n - 1)
for _, u in ipairs(users) do
  local k = 'dvcbot:notices:' .. ARGV[1] .. ':' .. u
  local list = redis.call('LRANGE', k, 0, 19)
  if #list > 0 then
    redis.call('LTRIM', k, #list, -1)
    for _, j in ipairs(list) do
      redis.call('XADD', p .. ':out', '*', 'kind', 'notice', 'user', u, 'notice', j)
    end
  end
end
if #users < n then return 0 end
return c + n
