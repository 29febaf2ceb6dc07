-- lib_agentq_split.lua -- prelude: split(conv) -> channel, user of a
-- conversation id "{channel}:{user}" (store/agent_queue.h).
local function split(conv)
  local i = string.find(conv, ':', 1, true)
  return string.sub(conv, 1, i - 1), string.sub(conv, i + 1)
end
