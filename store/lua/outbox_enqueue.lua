-- outbox_enqueue.lua -- queue one outbound SMS (store/outbox.h outbox_enqueue).
-- ARGV: to, text, kind ('reply'|'notify'), dedupe ('' = none), ref.
-- Returns {id, created}: created 0 when the dedupe key had queued it already.
--! use lib_outbox.lua
if ARGV[3] ~= 'reply' and ARGV[3] ~= 'notify' then
  return redis.error_reply('ERR outbox kind')
end
local id, created = outbox_enqueue(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return {id, created}
