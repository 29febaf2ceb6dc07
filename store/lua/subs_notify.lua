-- subs_notify.lua -- a dossier changed status: move the by-status counters,
-- notify the applicant, and record the subscribers' fan-out as a job
-- (subs_notify_dossier_changed, first step; the subscribers follow in
-- batches, subs_fanout.lua, resumable by any instance: lib_fanout.lua).
-- ARGV: code, old status, new status, applicant msisdn, event id, SMS text,
--       notice text, batch size, owner.
-- The dossiers-by-status counters follow the status last counted for the
-- code (dvcbot:stats:dossier-status), so a replayed change counts nothing.
-- Returns {messages queued (0 or 1), 1 when the caller runs the batches
-- (a job was created; 0: no subscriber, or the job is already under way)}.
--! use lib_outbox.lua lib_fanout.lua
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
local queued = 0
if ARGV[4] ~= '' and redis.call('SISMEMBER', 'dvcbot:optout', ARGV[4]) == 0 then
  local _, created = outbox_enqueue(ARGV[4], ARGV[6], 'notify',
    'dossier:' .. ARGV[1] .. ':' .. ev .. ':' .. ARGV[4], ARGV[1])
  queued = created
end
local id = ARGV[1] .. '|' .. ev
local job = 'dvcbot:fanout:job:' .. id
if redis.call('SCARD', 'dvcbot:subs:' .. ARGV[1]) == 0 or redis.call('EXISTS', job) == 1 then
  return {queued, 0}
end
redis.call('HSET', job, 'code', ARGV[1], 'old', ARGV[2], 'new', ARGV[3], 'event', ARGV[5],
  'sms', ARGV[6], 'notice', ARGV[7], 'cursor', '0', 'batch', ARGV[8])
fanout_lease(id, ARGV[9])
return {queued, 1}
