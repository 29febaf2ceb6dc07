-- agentq_list.lua -- the waiting and held conversations with their last log
-- line (agentq_list). No ARGV. Returns a JSON array text.
-- Held: the 100 oldest. Waiting: 100 of the 1,000 oldest, taken in turns
-- by client address (the oldest of each address, then the second of each,
-- ...; a conversation without an address is its own turn), so a flood of
-- hand-offs from one address cannot push a real citizen off the list.
-- [web] also the citizen's own last line ("said") and the dossier or
-- complaint code last named in the recent lines ("about"), for the console.
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
local function add(conv)
  local h = redis.call('HMGET', 'dvcbot:agent:conv:' .. conv, 'state', 'since', 'operator',
    'reason')
  if h[1] then
    local last = redis.call('LINDEX', 'dvcbot:agent:log:' .. conv, -1)
    local said, about = scan(conv)
    out[#out + 1] = {conv = conv, state = h[1], since = tonumber(h[2]), operator = h[3],
      reason = h[4], last = last and cjson.decode(last) or cjson.null, said = said,
      about = about}
  end
end
local groups, order = {}, {}
for _, conv in ipairs(redis.call('ZRANGE', 'dvcbot:agent:waiting', 0, 999)) do
  local a = redis.call('HGET', 'dvcbot:agent:conv:' .. conv, 'addr')
  if not a or a == '' then a = 'conv:' .. conv end
  if not groups[a] then
    groups[a] = {}
    order[#order + 1] = a
  end
  local g = groups[a]
  g[#g + 1] = conv
end
local picked, round = 0, 1
while picked < 100 do
  local any = false
  for _, a in ipairs(order) do
    local conv = groups[a][round]
    if conv and picked < 100 then
      add(conv)
      picked = picked + 1
      any = true
    end
  end
  if not any then break end
  round = round + 1
end
for _, conv in ipairs(redis.call('ZRANGE', 'dvcbot:agent:held', 0, 99)) do add(conv) end
if #out == 0 then return '[]' end
return cjson.encode(out)
