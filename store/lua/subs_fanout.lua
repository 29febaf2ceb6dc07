-- subs_fanout.lua -- one batch of a dossier change's subscribers
-- (subs_notify_dossier_changed): SSCAN from a cursor, an outbox message for
-- each "sms:" member (opted-out numbers skipped) and a notice for each chat
-- member, every one deduplicated per (change, member), so a member SSCAN
-- returns twice, or the applicant who also subscribed, is told once.
-- ARGV: code, old status, new status, event id, SMS text, notice text,
--       cursor, batch size.
-- Returns {next cursor ('0' = done), messages and notices queued}.
--! use lib_outbox.lua
local ev = ARGV[4]
if ev == '' then ev = ARGV[2] .. '>' .. ARGV[3] end
local base = 'dossier:' .. ARGV[1] .. ':' .. ev .. ':'
local page = redis.call('SSCAN', 'dvcbot:subs:' .. ARGV[1], ARGV[7], 'COUNT', ARGV[8])
local notice = cjson.encode({type = 'notice', kind = 'dossier_changed', code = ARGV[1],
  status = ARGV[3], old_status = ARGV[2], text = ARGV[6]})
local n = 0
for _, m in ipairs(page[2]) do
  local ch, user = string.match(m, '^([^:]+):(.+)$')
  if ch == 'sms' then
    if redis.call('SISMEMBER', 'dvcbot:optout', user) == 0 then
      local _, created = outbox_enqueue(user, ARGV[5], 'notify', base .. user, ARGV[1])
      n = n + created
    end
  elseif ch then
    n = n + notice_push(ch, user, notice, base .. m)
  end
end
return {page[1], n}
