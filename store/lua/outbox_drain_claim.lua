-- outbox_drain_claim.lua -- claim stream entries read by this consumer
-- (outbox_drain_claim), in order, within the fleet's send budget.
-- ARGV: owner ("{consumer}|{boot}"), now (ms), lease (ms), rate (segments/s
-- for the whole fleet), debt (segments sent beyond one per message since the
-- last call), retention (s: how long a skipped or sent record is kept), then
-- triples kind, entry id, message id.
-- A queued message becomes "sending" (owner, entry, attempts + 1) when a
-- token is left in dvcbot:outbox:budget; a "sending" one is taken over when
-- its owner is an earlier run of this consumer or its lease ran out (or it
-- is marked sent when a delivery report proves Kannel took it); a live
-- owner's entry is left alone; any other entry is stale: acknowledged.
-- Returns {done, wait_ms, {id, to, text, kind, attempts}...}: done entries
-- were handled; the rest wait for the budget (wait_ms until a token).
--! use lib_outbox_release.lua
local me, now, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local rate, debt, keep = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local burst = math.max(1, rate / 5)
local t = redis.call('TIME')
local tnow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bud = redis.call('HMGET', 'dvcbot:outbox:budget', 'tokens', 'at')
local tokens, at = tonumber(bud[1]) or burst, tonumber(bud[2]) or tnow
tokens = math.min(burst, tokens + rate * math.max(0, tnow - at) / 1000) - debt
local mycons = string.match(me, '^(.*)|') or me
local out, done, wait = {}, 0, 0

local function dead(owner, since)
  if owner == nil then return true end
  local cons = string.match(owner, '^(.*)|') or owner
  if cons == mycons and owner ~= me then return true end
  return now - (tonumber(since) or 0) >= lease
end

for i = 7, #ARGV - 2, 3 do
  local kind, entry, id = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local mk = 'dvcbot:outbox:msg:' .. id
  local m = redis.call('HMGET', mk, 'to', 'text', 'kind', 'status', 'owner', 'sending_at', 'dlr')
  local st, send, again = m[4], false, false
  if m[1] and st == 'sending' and m[7] and dead(m[5], m[6]) then
    redis.call('HSET', mk, 'status', 'sent', 'sent_at', now)
    redis.call('EXPIRE', mk, keep)
    release(m[1], id)
    outbox_entry_done(kind, entry)
  elseif m[1] and st == 'sending' then
    if dead(m[5], m[6]) then
      send, again = true, true
    end -- else a live owner's: it acknowledges the entry itself
  elseif m[1] and st == 'queued' then
    local b = redis.call('GET', 'dvcbot:outbox:busy:' .. m[1])
    if b and b ~= id then -- another message of the number is ahead
      redis.call('RPUSH', 'dvcbot:outbox:wait:' .. m[1], id)
      outbox_entry_done(kind, entry)
    elseif m[3] == 'notify' and redis.call('SISMEMBER', 'dvcbot:optout', m[1]) == 1 then
      redis.call('HSET', mk, 'status', 'skipped', 'done_at', now)
      redis.call('EXPIRE', mk, keep)
      release(m[1], id)
      outbox_entry_done(kind, entry)
    else
      send = true
    end
  else
    outbox_entry_done(kind, entry) -- sent, failed, retry, gone: a stale entry
  end
  if send and tokens < 1 then
    wait = math.ceil((1 - tokens) * 1000 / rate)
    break
  end
  if send then
    tokens = tokens - 1
    redis.call('SET', 'dvcbot:outbox:busy:' .. m[1], id)
    local a = redis.call('HINCRBY', mk, 'attempts', again and 0 or 1)
    redis.call('HSET', mk, 'status', 'sending', 'sending_at', now, 'owner', me, 'entry', entry)
    out[#out + 1] = {id, m[1], m[2] or '', m[3] or 'notify', a}
  end
  done = done + 1
end
redis.call('HSET', 'dvcbot:outbox:budget', 'tokens', tostring(tokens), 'at', tnow)
return {done, wait, out}
