-- complaints_create.lua -- file a complaint (PAKN) with its indexes and
-- counters in one step (complaints_create).
-- ARGV: day (yyMMdd), agency, channel, user, contact, topic, text,
--       dossier_code, created_at (ISO), now (epoch s), token ('' = none),
--       the sender's budget key ('' = none) and limit, the address's budget
--       key ('' = none) and limit (both a day), the portal's agency e-id.
-- A complaint naming a dossier dvcbot does not know goes to the portal (an
-- e-id typed by the citizen may belong to nobody who can answer it). The
-- code is PA-{day}-{n}, n at least 4 digits and as many more as the day
-- needs: codes never run out.
-- Returns {code, created}: created 0 when the token had filed it already;
-- {'', 2} when a budget is spent (nothing written).
if ARGV[11] ~= '' then
  local prev = redis.call('GET', 'dvcbot:complaint-token:' .. ARGV[11])
  if prev then return {prev, 0} end
end
for i = 12, 14, 2 do
  if ARGV[i] ~= '' and
     tonumber(redis.call('GET', ARGV[i]) or '0') >= tonumber(ARGV[i + 1]) then
    return {'', 2}
  end
end
for i = 12, 14, 2 do
  if ARGV[i] ~= '' and redis.call('INCR', ARGV[i]) == 1 then
    redis.call('EXPIRE', ARGV[i], 86400)
  end
end
if ARGV[8] ~= '' and ARGV[2] ~= ARGV[16] and
   redis.call('EXISTS', 'dvcbot:dossier:' .. ARGV[8]) == 0 then
  ARGV[2] = ARGV[16]
end
local code, key
repeat
  local n = redis.call('INCR', 'dvcbot:seq:complaint:' .. ARGV[1])
  if n == 1 then redis.call('EXPIRE', 'dvcbot:seq:complaint:' .. ARGV[1], 3 * 86400) end
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
