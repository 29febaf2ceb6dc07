-- pushq_code_try.lua -- a code typed by a push-channel user who asked for an
-- SMS link code (pushq_code_try). ARGV: platform, user, code, max tries.
-- The record is "{msisdn} {code} {tries}". Returns {1, msisdn} when the code
-- matches (the number is linked, the record gone), {0, tries left} when not
-- (the record is gone after max tries), {-1} when there is no record.
local p = 'dvcbot:push:' .. ARGV[1]
local k = p .. ':code:' .. ARGV[2]
local rec = redis.call('GET', k)
if not rec then return {-1} end
local msisdn, code, tries = string.match(rec, '^(%S+) (%S+) (%d+)$')
if not msisdn then
  redis.call('DEL', k)
  return {-1}
end
if code == ARGV[3] then
  redis.call('HSET', p .. ':link', ARGV[2], msisdn)
  redis.call('DEL', k)
  return {1, msisdn}
end
tries = tonumber(tries) + 1
if tries >= tonumber(ARGV[4]) then
  redis.call('DEL', k)
  return {0, 0}
end
redis.call('SET', k, msisdn .. ' ' .. code .. ' ' .. tries, 'KEEPTTL')
return {0, tonumber(ARGV[4]) - tries}
