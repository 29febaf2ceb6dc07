-- ratings_put.lua -- one rating per dossier per member, with the aggregates
-- moved in step (ratings_put). ARGV: code, agency, member, score (1-5).
-- Returns {0, 0} new, {1, old score} replaced, {2, 0} no such dossier.
local dk = 'dvcbot:dossier:' .. ARGV[1]
local t = redis.call('TYPE', dk)['ok']
if t == 'none' then return {2, 0} end
local proc = ''
if t == 'hash' then
  proc = redis.call('HGET', dk, 'procedure_code') or ''
elseif t == 'string' then
  local ok, d = pcall(cjson.decode, redis.call('GET', dk))
  if ok and type(d) == 'table' and type(d.procedure_code) == 'string' then
    proc = d.procedure_code
  end
end
local st = 'dvcbot:stats:ratings'
local function add(p, a, c, v)
  -- [web] the score's bucket (distribution on /thong-ke): v / c is the score
  local b = ':s' .. string.format('%d', v / c)
  redis.call('HINCRBY', st, 'agency:' .. a .. b, c)
  if p ~= '' then redis.call('HINCRBY', st, 'procedure:' .. a .. ':' .. p .. b, c) end
  redis.call('HINCRBY', st, 'all:count', c)
  redis.call('HINCRBY', st, 'all:sum', v)
  redis.call('HINCRBY', st, 'agency:' .. a .. ':count', c)
  redis.call('HINCRBY', st, 'agency:' .. a .. ':sum', v)
  if p ~= '' then
    redis.call('HINCRBY', st, 'procedure:' .. a .. ':' .. p .. ':count', c)
    redis.call('HINCRBY', st, 'procedure:' .. a .. ':' .. p .. ':sum', v)
  end
end
local rk = 'dvcbot:rating:' .. ARGV[1]
local prev = redis.call('HGET', rk, ARGV[3])
local old = 0
if prev then
  local os, op = string.match(prev, '^(%d)|(.*)$')
  if os then
    old = tonumber(os)
    add(op, ARGV[2], -1, -old)
  end
end
local score = tonumber(ARGV[4])
redis.call('HSET', rk, ARGV[3], ARGV[4] .. '|' .. proc)
add(proc, ARGV[2], 1, score)
if prev then return {1, old} end
return {0, 0}
