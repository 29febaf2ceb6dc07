-- lib_smsmo.lua -- prelude: the once-per-Kannel-id record of an SMS MO
-- (store/smsmo.h), shared by smsmo_take.lua and sessions_begin.lua (the
-- claim), smsmo_save.lua and sessions_commit.lua (what an answered MO leaves).
--   mo_claim(k, inst) -> code, answer: k is dvcbot:smsmo:{id}; 0 claimed for
--     inst now (first seen), 2 taken over (the claim was inst's own failed
--     attempt, or its owner's heartbeat dvcbot:inst:{owner} is gone), both
--     leaving "P"..inst for SMSMO_CLAIM_TTL_S; 1 answered (answer: the bytes
--     after "D"); 3 a live instance is processing it (nothing written)
--   mo_save(a, z, pk) writes smsmo_save's arguments ARGV[a..z] (id, answer,
--     its TTL, op; for 'n' and 'w' next; for 'w' the pages' TTL, cmd, np,
--     the pages, the buttons; smsmo_save.lua tells) and pk, the number's
--     pages key: the pages record, then the answer
--! use lib_smspages.lua
--! const SMSMO_CLAIM_TTL_S
local function mo_claim(k, inst)
  local v = redis.call('GET', k)
  if v and string.sub(v, 1, 1) == 'D' then return 1, string.sub(v, 2) end
  local code = 0
  if v then
    local owner = string.sub(v, 2)
    if owner ~= inst and redis.call('EXISTS', 'dvcbot:inst:' .. owner) == 1 then
      return 3
    end
    code = 2
  end
  redis.call('SET', k, 'P' .. inst, 'EX', SMSMO_CLAIM_TTL_S)
  return code
end

local function mo_save(a, z, pk)
  local op = string.sub(ARGV[a + 3], 1, 1)
  if op == 'd' then
    redis.call('DEL', pk)
  elseif op == 'n' then
    if redis.call('TYPE', pk).ok == 'hash' then redis.call('HSET', pk, 'next', ARGV[a + 4]) end
  elseif op == 'w' then
    local np = tonumber(ARGV[a + 7])
    local pages, buttons = {}, {}
    for i = 1, np do pages[i] = ARGV[a + 7 + i] end
    for i = a + 8 + np, z do buttons[#buttons + 1] = ARGV[i] end
    pages_put(pk, ARGV[a + 6], ARGV[a + 4], pages, buttons, tonumber(ARGV[a + 5]))
  end
  if ARGV[a] ~= '' then
    redis.call('SET', 'dvcbot:smsmo:' .. ARGV[a], 'D' .. ARGV[a + 1], 'EX', ARGV[a + 2])
  end
end
