-- smsmo_save.lua -- what one answered MO leaves behind, in one call
-- (smsmo_save): the number's pages record, then the answer for retries of
-- the Kannel id.
-- ARGV: id ('' = none), answer, answer TTL, op and msisdn in one argument
-- (its first byte the op: 'k' keep, 'd' delete, 'w' write, 'n' next only;
-- the msisdn after it); then for 'n' and 'w': next; for 'w' also: pages
-- TTL, cmd, np, the np pages, then the buttons' payloads. (Only what the op
-- uses is sent: every argument costs the sender ~600 instructions.)
-- Returns 1.
--! use lib_smspages.lua
local op = string.sub(ARGV[4], 1, 1)
local pk = 'dvcbot:smspages:' .. string.sub(ARGV[4], 2)
if op == 'd' then
  redis.call('DEL', pk)
elseif op == 'n' then
  if redis.call('TYPE', pk).ok == 'hash' then redis.call('HSET', pk, 'next', ARGV[5]) end
elseif op == 'w' then
  local np = tonumber(ARGV[8])
  local pages, buttons = {}, {}
  for i = 1, np do pages[i] = ARGV[8 + i] end
  for i = 9 + np, #ARGV do buttons[#buttons + 1] = ARGV[i] end
  pages_put(pk, ARGV[7], ARGV[5], pages, buttons, tonumber(ARGV[6]))
end
if ARGV[1] ~= '' then
  redis.call('SET', 'dvcbot:smsmo:' .. ARGV[1], 'D' .. ARGV[2], 'EX', ARGV[3])
end
return 1
