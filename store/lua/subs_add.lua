-- subs_add.lua -- follow a dossier's changes (subs_add).
-- ARGV: code, member, msisdn ('' for chat: removed from opt-out otherwise).
-- Returns 0 added, 1 already, 2 no such dossier, 3 too many.
--! const SUBS_MAX_PER_MEMBER
if redis.call('EXISTS', 'dvcbot:dossier:' .. ARGV[1]) == 0 then return 2 end
if ARGV[3] ~= '' then redis.call('SREM', 'dvcbot:optout', ARGV[3]) end
local by = 'dvcbot:subs-by:' .. ARGV[2]
if redis.call('SISMEMBER', by, ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', by) >= SUBS_MAX_PER_MEMBER then return 3 end
redis.call('SADD', 'dvcbot:subs:' .. ARGV[1], ARGV[2])
redis.call('SADD', by, ARGV[1])
return 0
