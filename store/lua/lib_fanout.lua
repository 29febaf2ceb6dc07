-- lib_fanout.lua -- prelude: the durable record of a dossier change's
-- fan-out in progress (store/subscriptions.h "resumable fan-out").
--   dvcbot:fanout:job:{code}|{event}  hash: code, old, new, event, sms,
--     notice, cursor (SSCAN cursor of the next batch), batch, owner
--   dvcbot:fanout:jobs  zset: job id -> lease deadline (ms); any instance
--     may take a job whose deadline passed (subs_fanout_claim.lua)
--   fanout_now() -> Redis time in ms
--   fanout_lease(id, owner) renews the lease of job id for owner
--! const SUBS_FANOUT_LEASE_MS SUBS_FANOUT_JOB_TTL_S
local function fanout_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fanout_lease(id, owner)
  local job = 'dvcbot:fanout:job:' .. id
  redis.call('HSET', job, 'owner', owner)
  redis.call('EXPIRE', job, SUBS_FANOUT_JOB_TTL_S)
  redis.call('ZADD', 'dvcbot:fanout:jobs', fanout_now() + SUBS_FANOUT_LEASE_MS, id)
end
