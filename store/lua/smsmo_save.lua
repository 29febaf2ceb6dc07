-- smsmo_save.lua -- what one answered MO leaves behind, in one call
-- (smsmo_save): the number's pages record, then the answer for retries of
-- the Kannel id. (An MO answered by a session turn has them written by that
-- turn's sessions_commit.lua instead, with the same arguments: mo_save of
-- lib_smsmo.lua.)
-- ARGV: id ('' = none), answer, answer TTL, op and msisdn in one argument
-- (its first byte the op: 'k' keep, 'd' delete, 'w' write, 'n' next only;
-- the msisdn after it); then for 'n' and 'w': next; for 'w' also: pages
-- TTL, cmd, np, the np pages, then the buttons' payloads. (Only what the op
-- uses is sent: every argument costs the sender ~600 instructions.)
-- Returns 1.
--! use lib_smsmo.lua
mo_save(1, #ARGV, 'dvcbot:smspages:' .. string.sub(ARGV[4], 2))
return 1
