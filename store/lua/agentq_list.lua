-- agentq_list.lua -- the waiting and held conversations, oldest first, at
-- most 100 of each, with their last log line (agentq_list). No ARGV.
-- Returns a JSON array text.
local out = {}
for _, idx in ipairs({'waiting', 'held'}) do
  for _, conv in ipairs(redis.call('ZRANGE', 'dvcbot:agent:' .. idx, 0, 99)) do
    local h = redis.call('HMGET', 'dvcbot:agent:conv:' .. conv, 'state', 'since', 'operator', 'reason')
    if h[1] then
      local last = redis.call('LINDEX', 'dvcbot:agent:log:' .. conv, -1)
      out[#out + 1] = {conv = conv, state = h[1], since = tonumber(h[2]), operator = h[3],
        reason = h[4], last = last and cjson.decode(last) or cjson.null}
    end
  end
end
if #out == 0 then return '[]' end
return cjson.encode(out)
