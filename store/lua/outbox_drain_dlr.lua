-- outbox_drain_dlr.lua -- record a delivery report if it is a step forward
-- (outbox_drain_dlr). ARGV: id, state, rank, now (ms).
-- Returns -1 unknown id, 0 not a step forward, 1 recorded.
local mk = 'dvcbot:outbox:msg:' .. ARGV[1]
if redis.call('EXISTS', mk) == 0 then return -1 end
local ranks = {submitted = 4, buffered = 5, delivered = 6, undelivered = 6, rejected = 6}
local cur = redis.call('HGET', mk, 'dlr')
local cr = (cur and ranks[cur]) or 0
if tonumber(ARGV[3]) <= cr then return 0 end
redis.call('HSET', mk, 'dlr', ARGV[2], 'dlr_at', ARGV[4])
return 1
