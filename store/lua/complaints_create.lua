-- complaints_create.lua -- file a complaint (PAKN) with its indexes and
-- counters in one step (complaints_create).
-- ARGV: day (yyMMdd), agency, channel, user, contact, topic, text,
--       dossier_code, created_at (ISO), now (epoch s), token ('' = none).
-- Returns {code, created}: created 0 when the token had filed it already.
if ARGV[11] ~= '' then
  local prev = redis.call('GET', 'dvcbot:complaint-token:' .. ARGV[11])
  if prev then return {prev, 0} end
end
local code, key
repeat
  local n = redis.call('INCR', 'dvcbot:seq:complaint:' .. ARGV[1])
  if n > 9999 then return redis.error_reply('ERR complaint sequence exhausted') end
  code = 'PA-' .. ARGV[1] .. '-' .. string.format('%04d', n)
  key = 'dvcbot:complaint:' .. code
until redis.call('EXISTS', key) == 0
redis.call('HSET', key, 'code', code, 'channel', ARGV[3], 'user', ARGV[4],
  'contact', ARGV[5], 'topic', ARGV[6], 'text', ARGV[7], 'dossier_code', ARGV[8],
  'agency', ARGV[2], 'status', 'open', 'created_at', ARGV[9], 'answer', '',
  'answered_at', '')
redis.call('ZADD', 'dvcbot:complaints-idx:' .. ARGV[2] .. ':open', ARGV[10], code)
local ich = ARGV[3]
if ich == 'ussd' then ich = 'sms' end
redis.call('ZADD', 'dvcbot:complaints-by:' .. ich .. ':' .. ARGV[4], ARGV[10], code)
redis.call('HINCRBY', 'dvcbot:stats:complaints', ARGV[2] .. ':received', 1)
if ARGV[11] ~= '' then
  redis.call('SET', 'dvcbot:complaint-token:' .. ARGV[11], code, 'EX', 86400)
end
return {code, 1}
