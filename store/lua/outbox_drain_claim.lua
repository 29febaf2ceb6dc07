-- outbox_drain_claim.lua -- claim up to max queued messages to send, replies
-- first (outbox_drain_claim). ARGV: max, now (ms).
-- Returns {{id, to, text, kind, attempts}, ...}.
--! use lib_outbox_release.lua
local max, now, out, scanned = tonumber(ARGV[1]), ARGV[2], {}, 0
for _, q in ipairs({'reply', 'notify'}) do
  while #out < max and scanned < max * 4 do
    local id = redis.call('LPOP', 'dvcbot:outbox:q:' .. q)
    if not id then break end
    scanned = scanned + 1
    local mk = 'dvcbot:outbox:msg:' .. id
    local m = redis.call('HMGET', mk, 'to', 'text', 'kind', 'status')
    if m[1] and m[4] == 'queued' then
      local bk = 'dvcbot:outbox:busy:' .. m[1]
      local b = redis.call('GET', bk)
      if b and b ~= id then
        redis.call('RPUSH', 'dvcbot:outbox:wait:' .. m[1], id)
      elseif m[3] == 'notify' and redis.call('SISMEMBER', 'dvcbot:optout', m[1]) == 1 then
        redis.call('HSET', mk, 'status', 'skipped', 'done_at', now)
        release(m[1], id)
      else
        redis.call('SET', bk, id)
        local a = redis.call('HINCRBY', mk, 'attempts', 1)
        redis.call('HSET', mk, 'status', 'sending', 'sending_at', now)
        redis.call('ZADD', 'dvcbot:outbox:sending', now, id)
        out[#out + 1] = {id, m[1], m[2] or '', m[3] or 'notify', a}
      end
    end
  end
end
return out
