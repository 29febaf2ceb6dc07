-- subs_fanout.lua -- one batch of a dossier change's subscribers
-- (subs_notify_dossier_changed, subs_fanout_resume): SSCAN from the job's
-- cursor, an outbox message for each "sms:" member (opted-out numbers
-- skipped) and a notice for each chat member, every one deduplicated per
-- (change, member), so a member SSCAN returns twice, or the applicant who
-- also subscribed, is told once. The job's cursor moves in the same script
-- as the batch's messages, so a process killed between two batches leaves
-- a job that resumes exactly after the last batch done (lib_fanout.lua).
-- ARGV: code, old status, new status, event id, SMS text, notice text,
--       batch size, job id, owner.
-- Returns {next cursor ('0' = done, or the job is gone or now another
-- owner's: stop), messages and notices queued}.
--! use lib_outbox.lua lib_fanout.lua
local job = 'dvcbot:fanout:job:' .. ARGV[8]
local st = redis.call('HMGET', job, 'owner', 'cursor')
if st[1] ~= ARGV[9] then return {'0', 0} end
local ev = ARGV[4]
if ev == '' then ev = ARGV[2] .. '>' .. ARGV[3] end
local base = 'dossier:' .. ARGV[1] .. ':' .. ev .. ':'
local page = redis.call('SSCAN', 'dvcbot:subs:' .. ARGV[1], st[2], 'COUNT', ARGV[7])
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
if page[1] == '0' then
  redis.call('DEL', job)
  redis.call('ZREM', 'dvcbot:fanout:jobs', ARGV[8])
else
  redis.call('HSET', job, 'cursor', page[1])
  fanout_lease(ARGV[8], ARGV[9])
end
return {page[1], n}
