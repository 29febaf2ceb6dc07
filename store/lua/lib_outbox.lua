-- lib_outbox.lua -- prelude: the outbox's Lua functions, for scripts that
-- queue an SMS or a chat notice atomically with their own writes
-- (store/outbox.h, store/README.md "Outbox").
--   outbox_enqueue(to, text, kind, dedupe, ref) -> id, created (1|0)
--     kind 'reply' or 'notify'; dedupe '' means no deduplication
--   notice_push(channel, user, json, dedupe) -> 1 pushed, 0 deduplicated;
--     also PUBLISHed on dvcbot:ev:notice as "{channel}:{user}\n{json}" for
--     the instances holding a connection of that user (store/pubsub.h)
--! const OUTBOX_DEDUPE_TTL_S NOTICES_MAX
--! use lib_outbox_head.lua
local function outbox_enqueue(to, text, kind, dedupe, ref)
  local dk = nil
  if dedupe ~= '' then
    dk = 'dvcbot:outbox:dedupe:' .. dedupe
    local prev = redis.call('GET', dk)
    if prev then return tonumber(prev), 0 end
  end
  local id = redis.call('INCR', 'dvcbot:outbox:seq')
  local t = redis.call('TIME')
  local ms = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
  redis.call('HSET', 'dvcbot:outbox:msg:' .. id, 'id', id, 'to', to, 'text', text,
    'kind', kind, 'status', 'queued', 'attempts', 0, 'created_at', ms,
    'dedupe', dedupe, 'ref', ref)
  if dk then redis.call('SET', dk, id, 'EX', OUTBOX_DEDUPE_TTL_S) end
  outbox_ready(to, id, kind)
  return id, 1
end
local function notice_push(channel, user, json, dedupe)
  if dedupe ~= '' then
    local ok = redis.call('SET', 'dvcbot:outbox:dedupe:notice:' .. dedupe, '1', 'NX',
      'EX', OUTBOX_DEDUPE_TTL_S)
    if not ok then return 0 end
  end
  local k = 'dvcbot:notices:' .. channel .. ':' .. user
  redis.call('RPUSH', k, json)
  redis.call('LTRIM', k, -NOTICES_MAX, -1)
  redis.call('EXPIRE', k, OUTBOX_DEDUPE_TTL_S)
  redis.call('PUBLISH', 'dvcbot:ev:notice', channel .. ':' .. user .. '\n' .. json)
  return 1
end
