-- subs_notify.lua -- a dossier changed status: move the by-status counters
-- and notify the applicant and every subscriber (notify_dossier_changed).
-- ARGV: code, old status, new status, applicant msisdn, event id, SMS text,
--       notice text. The dossiers-by-status counters follow the status last
-- counted for the code (dvcbot:stats:dossier-status), so a replayed change
-- counts nothing. Returns how many messages and notices were queued.
--! use lib_outbox.lua
local ag = string.match(ARGV[1], '^([^-]+)-') or ''
local counted = redis.call('HGET', 'dvcbot:stats:dossier-status', ARGV[1])
if counted ~= ARGV[3] then
  if counted then
    redis.call('HINCRBY', 'dvcbot:stats:dossiers', ag .. ':' .. counted, -1)
  end
  redis.call('HINCRBY', 'dvcbot:stats:dossiers', ag .. ':' .. ARGV[3], 1)
  redis.call('HSET', 'dvcbot:stats:dossier-status', ARGV[1], ARGV[3])
end
local ev = ARGV[5]
if ev == '' then ev = ARGV[2] .. '>' .. ARGV[3] end
local base = 'dossier:' .. ARGV[1] .. ':' .. ev .. ':'
local seen, n = {}, 0
local function sms(to)
  if seen[to] then return end
  seen[to] = true
  if redis.call('SISMEMBER', 'dvcbot:optout', to) == 1 then return end
  local _, created = outbox_enqueue(to, ARGV[6], 'notify', base .. to, ARGV[1])
  n = n + created
end
if ARGV[4] ~= '' then sms(ARGV[4]) end
for _, m in ipairs(redis.call('SMEMBERS', 'dvcbot:subs:' .. ARGV[1])) do
  local ch, user = string.match(m, '^([^:]+):(.+)$')
  if ch == 'sms' then sms(user)
  elseif ch then
    n = n + notice_push(ch, user, cjson.encode({type = 'notice',
      kind = 'dossier_changed', code = ARGV[1], status = ARGV[3],
      old_status = ARGV[2], text = ARGV[7]}), base .. m)
  end
end
return n
