-- lib_outbox_release.lua -- prelude of the drainer scripts: release(to, id)
-- frees the number `to` held by message `id` (dvcbot:outbox:busy:{to}) and
-- moves the next queued id waiting for it (dvcbot:outbox:wait:{to}) to the
-- front of its queue (store/outbox_drain.h).
local function release(to, id)
  local bk = 'dvcbot:outbox:busy:' .. to
  if redis.call('GET', bk) ~= id then return end
  redis.call('DEL', bk)
  while true do
    local nxt = redis.call('LPOP', 'dvcbot:outbox:wait:' .. to)
    if not nxt then return end
    local h = redis.call('HMGET', 'dvcbot:outbox:msg:' .. nxt, 'status', 'kind')
    if h[1] == 'queued' then
      redis.call('SET', bk, nxt)
      redis.call('LPUSH', 'dvcbot:outbox:q:' .. (h[2] or 'notify'), nxt)
      return
    end
  end
end
