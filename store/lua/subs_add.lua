-- subs_add.lua -- follow a dossier's changes (subs_add).
-- ARGV: code, member, msisdn ('' for chat: removed from opt-out otherwise),
--       confirm ('1': a number that is not the applicant's must confirm by
--       SMS), max subscribers of the dossier, max dossiers of the member,
--       then the 5 miss arguments of lib_miss.lua (from ARGV[7]).
-- Returns 0 added, 1 already, 2 no such dossier (a miss counted), 3 the
-- member follows too many, 4 the dossier has too many subscribers, 5 the
-- miss limit is reached, 6 confirm by SMS.
--! use lib_miss.lua lib_dossier.lua
if miss_limited(7) then return 5 end
local d = dossier_read(ARGV[1])
if not d then
  miss_count(7)
  return 2
end
local by = 'dvcbot:subs-by:' .. ARGV[2]
local subs = 'dvcbot:subs:' .. ARGV[1]
if redis.call('SISMEMBER', by, ARGV[1]) == 1 then return 1 end
if ARGV[4] == '1' then
  if d.applicant_phone ~= ARGV[3] then return 6 end
end
if redis.call('SCARD', by) >= tonumber(ARGV[6]) then return 3 end
if redis.call('SCARD', subs) >= tonumber(ARGV[5]) then return 4 end
if ARGV[3] ~= '' then redis.call('SREM', 'dvcbot:optout', ARGV[3]) end
redis.call('SADD', subs, ARGV[2])
redis.call('SADD', by, ARGV[1])
return 0
