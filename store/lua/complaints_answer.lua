-- complaints_answer.lua -- an agency answers a complaint, and the citizen is
-- notified in the same step (complaints_answer).
-- ARGV: code, agency, answer, answered_at (ISO), now (epoch s), SMS text,
--       notice text.
-- Returns {0, record} answered now, {1, record} same answer again, {2} no
-- such complaint, {3} another agency's, {4} answered differently before.
--! use lib_outbox.lua
local key = 'dvcbot:complaint:' .. ARGV[1]
local c = redis.call('HMGET', key, 'agency', 'status', 'answer', 'channel', 'user')
if not c[1] then return {2} end
if c[1] ~= ARGV[2] then return {3} end
if c[2] == 'answered' then
  if c[3] == ARGV[3] then return {1, redis.call('HGETALL', key)} end
  return {4}
end
redis.call('HSET', key, 'status', 'answered', 'answer', ARGV[3], 'answered_at', ARGV[4])
-- [web] seconds from filing to answer, the last 1000 (median on /thong-ke)
local t0 = redis.call('ZSCORE', 'dvcbot:complaints-idx:' .. c[1] .. ':open', ARGV[1])
if t0 then
  redis.call('LPUSH', 'dvcbot:stats:answer-s', math.max(0, tonumber(ARGV[5]) - tonumber(t0)))
  redis.call('LTRIM', 'dvcbot:stats:answer-s', 0, 999)
end
redis.call('ZREM', 'dvcbot:complaints-idx:' .. c[1] .. ':open', ARGV[1])
redis.call('ZADD', 'dvcbot:complaints-idx:' .. c[1] .. ':answered', ARGV[5], ARGV[1])
redis.call('HINCRBY', 'dvcbot:stats:complaints', c[1] .. ':answered', 1)
local dd = 'complaint:' .. ARGV[1] .. ':answer'
if c[4] == 'sms' or c[4] == 'ussd' then
  if redis.call('SISMEMBER', 'dvcbot:optout', c[5]) == 0 then
    outbox_enqueue(c[5], ARGV[6], 'notify', dd, ARGV[1])
  end
else
  notice_push(c[4], c[5], cjson.encode({type = 'notice', kind = 'complaint_answered',
    code = ARGV[1], text = ARGV[7], answer = ARGV[3], at = ARGV[4]}), dd)
end
return {0, redis.call('HGETALL', key)}
