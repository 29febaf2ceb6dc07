-- smsmo_take.lua -- claim an MO's Kannel id for this instance, or say who
-- has it (smsmo_take, smsmo_take_pages). ARGV: id, instance, and for
-- smsmo_take_pages the msisdn whose pages record comes with a claim. The
-- claim lives SMSMO_CLAIM_TTL_S (store/smsmo.h).
-- Returns {0} claimed now (first seen); {1, answer} answered (the bytes after
-- "D"); {2} taken over: the claim was this instance's own failed attempt, or
-- its owner's heartbeat (dvcbot:inst:{owner}) is gone; {3} a live instance
-- is processing it. With a msisdn, {0, pages} and {2, pages}: pages is the
-- record's fields and values (pages_get).
--! use lib_smspages.lua
--! const SMSMO_CLAIM_TTL_S
local k = 'dvcbot:smsmo:' .. ARGV[1]
local v = redis.call('GET', k)
if v and string.sub(v, 1, 1) == 'D' then return {1, string.sub(v, 2)} end
local code = 0
if v then
  local owner = string.sub(v, 2)
  if owner ~= ARGV[2] and redis.call('EXISTS', 'dvcbot:inst:' .. owner) == 1 then
    return {3}
  end
  code = 2
end
redis.call('SET', k, 'P' .. ARGV[2], 'EX', SMSMO_CLAIM_TTL_S)
if ARGV[3] then return {code, pages_get('dvcbot:smspages:' .. ARGV[3])} end
return {code}
