-- subs_notify.lua -- a dossier changed status: move the by-status counters
-- and notify the applicant (subs_notify_dossier_changed, first step; the
-- subscribers follow in batches, subs_fanout.lua).
-- ARGV: code, old status, new status, applicant msisdn, event id, SMS text.
-- The dossiers-by-status counters follow the status last counted for the
-- code (dvcbot:stats:dossier-status), so a replayed change counts nothing.
-- Returns how many messages were queued (0 or 1).
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
if ARGV[4] == '' or redis.call('SISMEMBER', 'dvcbot:optout', ARGV[4]) == 1 then return 0 end
local _, created = outbox_enqueue(ARGV[4], ARGV[6], 'notify',
  'dossier:' .. ARGV[1] .. ':' .. ev .. ':' .. ARGV[4], ARGV[1])
return created
