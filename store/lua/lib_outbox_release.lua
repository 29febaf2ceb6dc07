-- lib_outbox_release.lua -- prelude of the drainer scripts: release(to, id)
-- frees the number `to` held by message `id` (dvcbot:outbox:busy:{to}) and
-- streams the next queued id waiting for it (dvcbot:outbox:wait:{to})
-- (store/outbox_drain.h).
--! use lib_outbox_head.lua
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
      outbox_xadd(h[2] or 'notify', nxt)
      return
    end
  end
end
