-- smsmo_pages.lua -- the pages record of a number (smsmo_pages).
-- ARGV[1] the msisdn. Returns the hash's fields and values (pages_get: a
-- JSON string of an earlier version is rewritten as the hash first).
--! use lib_smspages.lua
return pages_get('dvcbot:smspages:' .. ARGV[1])
