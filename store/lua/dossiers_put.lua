-- dossiers_put.lua -- create or update a dossier: read, compare, write and
-- keep the phone index in step (dossiers_put).
-- KEYS: dossier, new phone index (any key when no phone).
-- ARGV: code, agency, procedure_code, status, received_at, due_at, phone,
--       note ('' = none for the last three), now (ISO), fee (JSON, '' = none),
--       status changes allowed per window (0 = no limit), window_s.
-- Returns {outcome ('created'|'updated'|'unchanged'), old status, record},
-- or {'limited', ms until a change is allowed, ''} when this change of
-- status is one too many in the window (dvcbot:rl:status:{code}): nothing
-- is written.
-- A fee equal to the stored one (amount, description, account, reference,
-- due date) keeps what was paid of it; any other fee starts unpaid.
local function opt(v) if v == '' then return nil end return v end
local function fee_same(a, b)
  if a == nil or b == nil then return a == b end
  local x, y = a.account or {}, b.account or {}
  return a.amount_vnd == b.amount_vnd and a.description == b.description and
    a.reference == b.reference and a.due_at == b.due_at and
    x.bank_bin == y.bank_bin and x.number == y.number and x.name == y.name
end
local fee = nil
if ARGV[10] ~= '' then fee = cjson.decode(ARGV[10]) end
local new = {procedure_code = ARGV[3], status = ARGV[4], received_at = ARGV[5],
  due_at = opt(ARGV[6]), applicant_phone = opt(ARGV[7]), note = opt(ARGV[8])}
local fields = {'procedure_code', 'status', 'received_at', 'due_at',
  'applicant_phone', 'note'}
local raw = redis.call('GET', KEYS[1])
local old = raw and cjson.decode(raw) or nil
if old then
  local same = true
  for _, f in ipairs(fields) do if old[f] ~= new[f] then same = false end end
  if not fee_same(old.fee, fee) then same = false end
  if same then return {'unchanged', old.status, raw} end
end
if old and old.status ~= new.status and tonumber(ARGV[11]) > 0 then
  local fk = 'dvcbot:rl:status:' .. ARGV[1]
  local n = tonumber(redis.call('GET', fk) or '0')
  if n >= tonumber(ARGV[11]) then
    local ttl = redis.call('PTTL', fk)
    if ttl < 0 then ttl = tonumber(ARGV[12]) * 1000 end
    return {'limited', tostring(ttl), ''}
  end
  if redis.call('INCR', fk) == 1 then redis.call('EXPIRE', fk, ARGV[12]) end
end
local rec = old or {code = ARGV[1], agency = ARGV[2], created_at = ARGV[9], history = {}}
local old_status, old_phone = '', nil
if old then old_status, old_phone = old.status, old.applicant_phone end
local hist = (not old) or old.status ~= new.status or old.note ~= new.note
for _, f in ipairs(fields) do rec[f] = new[f] end
if not fee_same(rec.fee, fee) then rec.fee = fee end
rec.updated_at = ARGV[9]
if hist then
  table.insert(rec.history, {status = new.status, at = ARGV[9], note = new.note})
  while #rec.history > 100 do table.remove(rec.history, 1) end
end
local out = cjson.encode(rec)
redis.call('SET', KEYS[1], out)
if old_phone ~= new.applicant_phone then
  if old_phone then redis.call('SREM', 'dvcbot:phone-idx:' .. old_phone, ARGV[1]) end
  if new.applicant_phone then redis.call('SADD', KEYS[2], ARGV[1]) end
end
-- [web] monthly counters of GET /api/v1/stats/public (dvcbot:stats:dossiers-month,
-- {agency}:{yyyy-mm of received_at}:received|on_time|late): received once at
-- creation; on_time / late once, when the dossier first reaches done or
-- returned (finished on or before due_at, or no due_at: on time).
local sm, month = 'dvcbot:stats:dossiers-month', string.sub(rec.received_at or '', 1, 7)
if not old then redis.call('HINCRBY', sm, ARGV[2] .. ':' .. month .. ':received', 1) end
if (new.status == 'done' or new.status == 'returned') and
    redis.call('HSETNX', 'dvcbot:stats:dossier-done', ARGV[1], '1') == 1 then
  local late = new.due_at and string.sub(ARGV[9], 1, 10) > string.sub(new.due_at, 1, 10)
  redis.call('HINCRBY', sm, ARGV[2] .. ':' .. month .. (late and ':late' or ':on_time'), 1)
end
return {old and 'updated' or 'created', old_status, out}
