-- outbox_drain_finish.lua -- record the outcome of one send
-- (outbox_drain_finish). ARGV: id, outcome (sent|failed|retry|requeue),
-- now (ms), due (ms, for retry), error, owner (the claim's), retention (s:
-- how long a sent or failed record is kept). Returns 1
-- recorded, 0 not sending or taken over by another owner. The stream entry
-- is acknowledged; a requeued message gets a new one (its number stays held).
--! use lib_outbox_release.lua
local id, o, now = ARGV[1], ARGV[2], ARGV[3]
local mk = 'dvcbot:outbox:msg:' .. id
local m = redis.call('HMGET', mk, 'to', 'kind', 'status', 'owner', 'entry')
if m[3] ~= 'sending' or m[4] ~= ARGV[6] then return 0 end
local kind = m[2] or 'notify'
outbox_entry_done(kind, m[5])
redis.call('HDEL', mk, 'owner', 'entry')
if o == 'sent' then
  redis.call('HSET', mk, 'status', 'sent', 'sent_at', now)
  redis.call('EXPIRE', mk, tonumber(ARGV[7]))
  release(m[1], id)
elseif o == 'failed' then
  redis.call('HSET', mk, 'status', 'failed', 'done_at', now, 'last_error', ARGV[5])
  redis.call('EXPIRE', mk, tonumber(ARGV[7]))
  release(m[1], id)
elseif o == 'retry' then
  redis.call('HSET', mk, 'status', 'retry', 'last_error', ARGV[5])
  redis.call('ZADD', 'dvcbot:outbox:retry', ARGV[4], id)
else
  redis.call('HINCRBY', mk, 'attempts', -1)
  redis.call('HSET', mk, 'status', 'queued', 'last_error', ARGV[5])
  outbox_xadd(kind, id)
end
return 1
