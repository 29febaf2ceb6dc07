-- ratings_put.lua -- one rating per dossier per member, with the aggregates
-- moved in step (ratings_put). ARGV: code, agency, member, score (1-5),
-- msisdn of the member ('' for chat), then the 5 miss arguments of
-- lib_miss.lua (from ARGV[6]). Only a returned dossier (status done or
-- returned) is rated, and only by its applicant's number or by a member who
-- looked it up after it was returned (dvcbot:rating-ok:{code}:{member}).
-- Returns {0, 0} new, {1, old score} replaced, {2, 0} no such dossier (a
-- miss counted), {3, 0} not returned yet, {4, 0} not the applicant and no
-- lookup, {5, 0} the miss limit is reached.
--! use lib_miss.lua lib_dossier.lua
if miss_limited(6) then return {5, 0} end
local d = dossier_read(ARGV[1])
if not d then
  miss_count(6)
  return {2, 0}
end
if d.status ~= 'done' and d.status ~= 'returned' then return {3, 0} end
if not (ARGV[5] ~= '' and d.applicant_phone == ARGV[5]) and
   redis.call('EXISTS', 'dvcbot:rating-ok:' .. ARGV[1] .. ':' .. ARGV[3]) == 0 then
  return {4, 0}
end
local proc = ''
if type(d.procedure_code) == 'string' then proc = d.procedure_code end
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
