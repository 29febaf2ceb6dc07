-- dossiers_pay.lua -- record a payment of a dossier's fee, once per
-- transaction id (dossiers_pay).
-- KEYS: dossier, its payments hash.
-- ARGV: code, transaction_id, amount (VND digits), paid_at, status ('' =
--       unchanged), note ('' = none), now (ISO), SMS text, notice text.
-- Returns {'missing'}, or {outcome ('recorded'|'duplicate'|'conflict'),
-- record, payment entry}. When the payment leaves the status as it is, the
-- notification is queued here (applicant's number, chat subscribers); a
-- status change is notified by the caller (subs_notify_dossier_changed).
--! use lib_outbox.lua
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing'} end
local amount = tonumber(ARGV[3])
local prev = redis.call('HGET', KEYS[2], ARGV[2])
if prev then
  local p = cjson.decode(prev)
  if p.amount_vnd == amount then return {'duplicate', raw, prev} end
  return {'conflict', raw, prev}
end
local rec = cjson.decode(raw)
local p = {transaction_id = ARGV[2], amount_vnd = amount, paid_at = ARGV[4],
  recorded_at = ARGV[7]}
if ARGV[5] ~= '' and ARGV[5] ~= rec.status then
  p.old_status, p.status = rec.status, ARGV[5]
  rec.status = ARGV[5]
  local note = nil
  if ARGV[6] ~= '' then note = ARGV[6] end
  table.insert(rec.history, {status = ARGV[5], at = ARGV[7], note = note})
  while #rec.history > 100 do table.remove(rec.history, 1) end
end
if rec.fee then
  rec.fee.paid_vnd = (rec.fee.paid_vnd or 0) + amount
  rec.fee.paid_at = ARGV[4]
end
rec.last_payment = {transaction_id = ARGV[2], amount_vnd = amount, paid_at = ARGV[4],
  recorded_at = ARGV[7]}
rec.updated_at = ARGV[7]
local out, entry = cjson.encode(rec), cjson.encode(p)
redis.call('SET', KEYS[1], out)
redis.call('HSET', KEYS[2], ARGV[2], entry)
if not p.status then
  local base = 'dossier:' .. ARGV[1] .. ':payment:' .. ARGV[2] .. ':'
  local to = rec.applicant_phone
  if to and redis.call('SISMEMBER', 'dvcbot:optout', to) == 0 then
    outbox_enqueue(to, ARGV[8], 'notify', base .. to, ARGV[1])
  end
  for _, m in ipairs(redis.call('SMEMBERS', 'dvcbot:subs:' .. ARGV[1])) do
    local ch, user = string.match(m, '^([^:]+):(.+)$')
    if ch and ch ~= 'sms' then
      notice_push(ch, user, cjson.encode({type = 'notice', kind = 'payment_recorded',
        code = ARGV[1], status = rec.status, amount_vnd = amount, text = ARGV[9]}),
        base .. m)
    end
  end
end
return {'recorded', out, entry}
