-- subs_fanout_claim.lua -- take over one fan-out whose owner stopped
-- renewing its lease (a process killed mid-way, or stalled), for
-- subs_fanout_resume: the oldest job past its deadline gets this owner and
-- a new lease; the old owner's next batch finds it is no longer its own.
-- ARGV: owner.
-- Returns {} when no job is waiting, else {job id, code, old, new, event,
-- SMS text, notice text, cursor, batch}.
--! use lib_fanout.lua
local ids = redis.call('ZRANGEBYSCORE', 'dvcbot:fanout:jobs', '-inf', fanout_now(), 'LIMIT', 0, 1)
if #ids == 0 then return {} end
local id = ids[1]
local f = redis.call('HMGET', 'dvcbot:fanout:job:' .. id, 'code', 'old', 'new', 'event', 'sms',
  'notice', 'cursor', 'batch')
if not f[1] then
  redis.call('ZREM', 'dvcbot:fanout:jobs', id) -- its record expired
  return {}
end
fanout_lease(id, ARGV[1])
return {id, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]}
