-- smsmo_take.lua -- claim an MO's Kannel id for this instance, or say who
-- has it (smsmo_take, smsmo_take_pages; an MO that goes to a session turn
-- is claimed by that turn's sessions_begin.lua instead: mo_claim of
-- lib_smsmo.lua). ARGV: id, instance, and for smsmo_take_pages the msisdn
-- whose pages record comes with a claim. The claim lives SMSMO_CLAIM_TTL_S
-- (store/smsmo.h).
-- Returns {0} claimed now (first seen); {1, answer} answered (the bytes after
-- "D"); {2} taken over: the claim was this instance's own failed attempt, or
-- its owner's heartbeat (dvcbot:inst:{owner}) is gone; {3} a live instance
-- is processing it. With a msisdn, {0, pages} and {2, pages}: pages is the
-- record's fields and values (pages_get).
--! use lib_smsmo.lua
local code, answer = mo_claim('dvcbot:smsmo:' .. ARGV[1], ARGV[2])
if code == 1 then return {1, answer} end
if code == 3 then return {3} end
if ARGV[3] then return {code, pages_get('dvcbot:smspages:' .. ARGV[3])} end
return {code}
