-- agentq_list.lua -- the waiting and held conversations, oldest first, at
-- most 100 of each, with their last log line (agentq_list). No ARGV.
-- [web] also the citizen's own last line ("said") and the dossier or
-- complaint code last named in the recent lines ("about"), for the console.
-- Returns a JSON array text.
local DOSSIER = '%d%d%d%.%d%d%.%d%d%.[%w]+%-%d%d%d%d%d%d%-%d%d%d%d'
local PAKN = 'PA%-%d%d%d%d%d%d%-%d+'
local function scan(conv)
  local said, about = cjson.null, cjson.null
  local lines = redis.call('LRANGE', 'dvcbot:agent:log:' .. conv, -20, -1)
  for i = #lines, 1, -1 do
    local ok, l = pcall(cjson.decode, lines[i])
    if ok and type(l) == 'table' and type(l.text) == 'string' then
      if said == cjson.null and l.from == 'citizen' then said = l end
      if about == cjson.null then
        about = string.match(l.text, PAKN) or string.match(l.text, DOSSIER) or cjson.null
      end
    end
    if said ~= cjson.null and about ~= cjson.null then break end
  end
  return said, about
end
local out = {}
for _, idx in ipairs({'waiting', 'held'}) do
  for _, conv in ipairs(redis.call('ZRANGE', 'dvcbot:agent:' .. idx, 0, 99)) do
    local h = redis.call('HMGET', 'dvcbot:agent:conv:' .. conv, 'state', 'since', 'operator', 'reason')
    if h[1] then
      local last = redis.call('LINDEX', 'dvcbot:agent:log:' .. conv, -1)
      local said, about = scan(conv)
      out[#out + 1] = {conv = conv, state = h[1], since = tonumber(h[2]), operator = h[3],
        reason = h[4], last = last and cjson.decode(last) or cjson.null, said = said,
        about = about}
    end
  end
end
if #out == 0 then return '[]' end
return cjson.encode(out)
