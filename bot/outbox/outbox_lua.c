/* outbox_lua.c -- the Lua scripts of the outbox worker: every state change of
 * an outbound message is one atomic script (see outbox_worker.h and
 * store/README.md, "Outbox: delivery"). Keys are built inside the scripts
 * from the fixed prefix; ids, numbers and texts are ARGV (binary safe). */
#include "bot/outbox/outbox_int.h"

#define OBX_RELEASE                                                              \
    "local function release(to, id)\n"                                           \
    "  local bk = 'dvcbot:outbox:busy:' .. to\n"                                 \
    "  if redis.call('GET', bk) ~= id then return end\n"                         \
    "  redis.call('DEL', bk)\n"                                                  \
    "  while true do\n"                                                          \
    "    local nxt = redis.call('LPOP', 'dvcbot:outbox:wait:' .. to)\n"          \
    "    if not nxt then return end\n"                                           \
    "    local h = redis.call('HMGET', 'dvcbot:outbox:msg:' .. nxt, 'status', 'kind')\n" \
    "    if h[1] == 'queued' then\n"                                             \
    "      redis.call('SET', bk, nxt)\n"                                         \
    "      redis.call('LPUSH', 'dvcbot:outbox:q:' .. (h[2] or 'notify'), nxt)\n" \
    "      return\n"                                                             \
    "    end\n"                                                                  \
    "  end\n"                                                                    \
    "end\n"

/* ARGV: max, now (ms). Returns {{id, to, text, kind, attempts}, ...}. */
const char OBX_CLAIM[] = OBX_RELEASE
    "local max, now, out, scanned = tonumber(ARGV[1]), ARGV[2], {}, 0\n"
    "for _, q in ipairs({'reply', 'notify'}) do\n"
    "  while #out < max and scanned < max * 4 do\n"
    "    local id = redis.call('LPOP', 'dvcbot:outbox:q:' .. q)\n"
    "    if not id then break end\n"
    "    scanned = scanned + 1\n"
    "    local mk = 'dvcbot:outbox:msg:' .. id\n"
    "    local m = redis.call('HMGET', mk, 'to', 'text', 'kind', 'status')\n"
    "    if m[1] and m[4] == 'queued' then\n"
    "      local bk = 'dvcbot:outbox:busy:' .. m[1]\n"
    "      local b = redis.call('GET', bk)\n"
    "      if b and b ~= id then\n"
    "        redis.call('RPUSH', 'dvcbot:outbox:wait:' .. m[1], id)\n"
    "      elseif m[3] == 'notify' and redis.call('SISMEMBER', 'dvcbot:optout', m[1]) == 1 then\n"
    "        redis.call('HSET', mk, 'status', 'skipped', 'done_at', now)\n"
    "        release(m[1], id)\n"
    "      else\n"
    "        redis.call('SET', bk, id)\n"
    "        local a = redis.call('HINCRBY', mk, 'attempts', 1)\n"
    "        redis.call('HSET', mk, 'status', 'sending', 'sending_at', now)\n"
    "        redis.call('ZADD', 'dvcbot:outbox:sending', now, id)\n"
    "        out[#out + 1] = {id, m[1], m[2] or '', m[3] or 'notify', a}\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return out\n";

/* ARGV: id, outcome (sent|failed|retry|requeue), now, due (ms), error. */
const char OBX_FINISH[] = OBX_RELEASE
    "local id, o, now = ARGV[1], ARGV[2], ARGV[3]\n"
    "local mk = 'dvcbot:outbox:msg:' .. id\n"
    "local m = redis.call('HMGET', mk, 'to', 'kind', 'status')\n"
    "if m[3] ~= 'sending' then return 0 end\n"
    "redis.call('ZREM', 'dvcbot:outbox:sending', id)\n"
    "if o == 'sent' then\n"
    "  redis.call('HSET', mk, 'status', 'sent', 'sent_at', now)\n"
    "  release(m[1], id)\n"
    "elseif o == 'failed' then\n"
    "  redis.call('HSET', mk, 'status', 'failed', 'done_at', now, 'last_error', ARGV[5])\n"
    "  release(m[1], id)\n"
    "elseif o == 'retry' then\n"
    "  redis.call('HSET', mk, 'status', 'retry', 'last_error', ARGV[5])\n"
    "  redis.call('ZADD', 'dvcbot:outbox:retry', ARGV[4], id)\n"
    "else\n"
    "  redis.call('HINCRBY', mk, 'attempts', -1)\n"
    "  redis.call('HSET', mk, 'status', 'queued', 'last_error', ARGV[5])\n"
    "  redis.call('LPUSH', 'dvcbot:outbox:q:' .. (m[2] or 'notify'), id)\n"
    "end\n"
    "return 1\n";

/* ARGV: now (ms), max. Retries whose time has come go back to the front. */
const char OBX_PUMP[] =
    "local ids = redis.call('ZRANGEBYSCORE', 'dvcbot:outbox:retry', '-inf', ARGV[1],\n"
    "  'LIMIT', 0, tonumber(ARGV[2]))\n"
    "for _, id in ipairs(ids) do\n"
    "  redis.call('ZREM', 'dvcbot:outbox:retry', id)\n"
    "  local mk = 'dvcbot:outbox:msg:' .. id\n"
    "  local h = redis.call('HMGET', mk, 'status', 'kind')\n"
    "  if h[1] == 'retry' then\n"
    "    redis.call('HSET', mk, 'status', 'queued')\n"
    "    redis.call('LPUSH', 'dvcbot:outbox:q:' .. (h[2] or 'notify'), id)\n"
    "  end\n"
    "end\n"
    "return #ids\n";

/* ARGV: now (ms), cutoff (ms). Messages claimed before cutoff and still
 * "sending": left by a dead worker (at start, cutoff = now), or whose result
 * could not be recorded (Redis failed; cutoff = now - request timeout). */
const char OBX_RECOVER[] = OBX_RELEASE
    "local ids = redis.call('ZRANGEBYSCORE', 'dvcbot:outbox:sending', '-inf', ARGV[2])\n"
    "local n = 0\n"
    "for _, id in ipairs(ids) do\n"
    "  redis.call('ZREM', 'dvcbot:outbox:sending', id)\n"
    "  local mk = 'dvcbot:outbox:msg:' .. id\n"
    "  local h = redis.call('HMGET', mk, 'status', 'kind', 'dlr', 'to')\n"
    "  if h[1] == 'sending' then\n"
    "    n = n + 1\n"
    "    if h[3] then\n"
    "      redis.call('HSET', mk, 'status', 'sent', 'sent_at', ARGV[1])\n"
    "      release(h[4], id)\n"
    "    else\n"
    "      redis.call('HINCRBY', mk, 'attempts', -1)\n"
    "      redis.call('HSET', mk, 'status', 'queued')\n"
    "      redis.call('LPUSH', 'dvcbot:outbox:q:' .. (h[2] or 'notify'), id)\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return n\n";

/* ARGV: id, state, rank, now. -1 unknown id, 0 not forward, 1 recorded. */
const char OBX_DLR[] =
    "local mk = 'dvcbot:outbox:msg:' .. ARGV[1]\n"
    "if redis.call('EXISTS', mk) == 0 then return -1 end\n"
    "local ranks = {submitted = 4, buffered = 5, delivered = 6, undelivered = 6, rejected = 6}\n"
    "local cur = redis.call('HGET', mk, 'dlr')\n"
    "local cr = (cur and ranks[cur]) or 0\n"
    "if tonumber(ARGV[3]) <= cr then return 0 end\n"
    "redis.call('HSET', mk, 'dlr', ARGV[2], 'dlr_at', ARGV[4])\n"
    "return 1\n";
