-- agentq_enqueue.lua -- hand a conversation to the operators (agentq_enqueue).
-- ARGV: conv, reason, now (epoch s), client address ('' = none), hand-offs
--       an hour of the conversation and of the address (0 = no budget).
-- The conversation's log starts from its hand-off history: the last lines of
-- the web chat's log (dvcbot:chatlog:{conv}, written by sessions_commit.lua)
-- in the operator's format (store/agent_queue.h), or, for a conversation an
-- earlier version wrote, its list dvcbot:sess-recent:{conv}.
-- Returns 1 when it was queued already, 0 when queued now, 2 when a budget
-- is spent (nothing queued).
--! const AGENTQ_LOG_MAX AGENTQ_LOG_TTL_S AGENTQ_HISTORY_MAX AGENTQ_TEXT_MAX
-- s cut to AGENTQ_TEXT_MAX bytes, never inside a UTF-8 sequence
local function cut(s)
  if #s <= AGENTQ_TEXT_MAX then return s end
  local n = AGENTQ_TEXT_MAX
  while n > 0 and string.byte(s, n + 1) >= 0x80 and string.byte(s, n + 1) < 0xC0 do
    n = n - 1
  end
  return string.sub(s, 1, n)
end
-- the chat log's lines as the operator's: "me" is the citizen, the bot's
-- lines of one turn (no citizen's line between them) one line
local function history(conv)
  local raw = redis.call('LRANGE', 'dvcbot:chatlog:' .. conv, -4 * AGENTQ_HISTORY_MAX, -1)
  if #raw == 0 then
    return redis.call('LRANGE', 'dvcbot:sess-recent:' .. conv, -AGENTQ_HISTORY_MAX, -1)
  end
  local out = {}
  for _, l in ipairs(raw) do
    local ok, e = pcall(cjson.decode, l)
    if ok and type(e) == 'table' and type(e.text) == 'string' then
      local from = e.from == 'me' and 'citizen' or 'bot'
      local at = type(e.at) == 'number' and e.at or nil
      local last = out[#out]
      if from == 'bot' and last and last.from == 'bot' then
        if e.text ~= '' then
          last.text = last.text == '' and e.text or last.text .. '\n' .. e.text
        end
      else
        out[#out + 1] = {from = from, text = e.text, at = at}
      end
    end
  end
  local lines = {}
  for i = math.max(1, #out - AGENTQ_HISTORY_MAX + 1), #out do
    out[i].text = cut(out[i].text)
    if out[i].from ~= 'bot' or out[i].text ~= '' then
      lines[#lines + 1] = cjson.encode(out[i])
    end
  end
  return lines
end
local k = 'dvcbot:agent:conv:' .. ARGV[1]
if redis.call('EXISTS', k) == 1 then return 1 end
local budgets = {}
if tonumber(ARGV[5]) > 0 then
  budgets[#budgets + 1] = {'dvcbot:rl:handoff:' .. ARGV[1], tonumber(ARGV[5])}
  if ARGV[4] ~= '' then
    budgets[#budgets + 1] = {'dvcbot:rl:handoff-addr:' .. ARGV[4], tonumber(ARGV[6])}
  end
end
for _, b in ipairs(budgets) do
  if tonumber(redis.call('GET', b[1]) or '0') >= b[2] then return 2 end
end
for _, b in ipairs(budgets) do
  if redis.call('INCR', b[1]) == 1 then redis.call('EXPIRE', b[1], 3600) end
end
redis.call('HSET', k, 'state', 'waiting', 'since', ARGV[3], 'operator', '', 'reason', ARGV[2],
  'addr', ARGV[4])
redis.call('ZADD', 'dvcbot:agent:waiting', ARGV[3], ARGV[1])
local lines = history(ARGV[1])
if #lines > 0 then
  local lk = 'dvcbot:agent:log:' .. ARGV[1]
  redis.call('DEL', lk)
  redis.call('RPUSH', lk, unpack(lines))
  redis.call('LTRIM', lk, -AGENTQ_LOG_MAX, -1)
  redis.call('EXPIRE', lk, AGENTQ_LOG_TTL_S)
end
return 0
