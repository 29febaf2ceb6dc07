"""test_fanout_resume.py -- a dossier notification fan-out cut short by a stop is
resumed (issue 12, leftover of finding 3; store/subscriptions.h "Resumable").

A real redis-server and a real dvcbot: a dossier with thousands of chat
subscribers and some SMS subscribers changes status; the fan-out runs one
subscriber per batch (limits.fanout_batch 1) and the process is SIGKILLed right
after the agency got its 200, in the middle of it. A new process on the same
Redis (another instance, or the same one restarted by systemd) takes the job
over once its lease has run out (subs_fanout_resume, bot/outbox/fanout_sweep.c):
every subscriber then has exactly one notice of that change (chat) or one
queued SMS (numbers), none twice, and the job record is gone. Before: the
members not reached at the kill never heard of the change."""
import json
import os
import time

from harness import Dvcbot, Redis, done, ok

SLOW = bool(os.environ.get("DVC_WRAP"))
AGENCY = "000.00.12.H18"
CODE = AGENCY + "-240801-0042"
N_CHAT = 600 if SLOW else 6000
N_SMS = 40
ENV = {"DVCBOT_SMS_OUTBOX": "false", "DVCBOT_LIMITS_FANOUT_BATCH": "1"}

COUNT_CHAT = """
local reached, once, n = 0, 0, tonumber(ARGV[1])
for i = 1, n do
  local l = redis.call('LRANGE', 'dvcbot:notices:chat:fr-' .. i, 0, -1)
  local k = 0
  for _, v in ipairs(l) do
    if string.find(v, ARGV[2], 1, true) and string.find(v, 'dossier_changed', 1, true) then
      k = k + 1
    end
  end
  if k > 0 then reached = reached + 1 end
  if k == 1 then once = once + 1 end
end
return {reached, once}
"""
COUNT_SMS = """
local by = {}
for _, k in ipairs(redis.call('KEYS', 'dvcbot:outbox:msg:*')) do
  local m = redis.call('HMGET', k, 'to', 'ref', 'kind')
  if m[2] == ARGV[1] and m[3] == 'notify' then by[m[1]] = (by[m[1]] or 0) + 1 end
end
local numbers, once = 0, 0
for _, c in pairs(by) do
  numbers = numbers + 1
  if c == 1 then once = once + 1 end
end
return {numbers, once}
"""


def counts(redis):
    chat = redis.cli("EVAL", COUNT_CHAT, "0", str(N_CHAT), CODE).split("\n")
    sms = redis.cli("EVAL", COUNT_SMS, "0", CODE).split("\n")
    return int(chat[0]), int(chat[1]), int(sms[0]), int(sms[1])


def put(bot, key, status):
    return bot.api("PUT", "/api/v1/dossiers/" + CODE,
                   {"procedure_code": "1.001193", "status": status, "received_at": "2024-08-01"},
                   key=key)[0]


def main():
    redis = Redis().start()
    bot = bot2 = None
    try:
        bot = Dvcbot(redis.port, env=ENV).start()
        _, ka, _ = bot.keys("create", "--agency", AGENCY)
        st0 = put(bot, ka, "processing")
        redis.cli("EVAL", "for i = 1, tonumber(ARGV[1]) do redis.call('SADD', KEYS[1], "
                  "'chat:fr-' .. i) end for i = 1, tonumber(ARGV[2]) do redis.call('SADD', "
                  "KEYS[1], 'sms:8491270' .. string.format('%04d', i)) end", "1",
                  "dvcbot:subs:" + CODE, str(N_CHAT), str(N_SMS))
        st = put(bot, ka, "done")
        bot.proc.kill()                       # SIGKILL, right after the agency's 200
        bot.proc.wait()
        reached, _, numbers, _ = counts(redis)
        jobs = int(redis.cli("ZCARD", "dvcbot:fanout:jobs") or 0)
        total = N_CHAT + N_SMS
        ok(st0 in (200, 201) and st == 200 and 0 < reached + numbers < total,
           f"the status change answered 200, then dvcbot SIGKILLed mid-fan-out: "
           f"{reached + numbers} of {total} subscribers reached", (st0, st, reached, numbers))
        ok(jobs == 1, "the unfinished fan-out is left in Redis as a job (dvcbot:fanout:jobs)", jobs)
        t0 = time.time()
        bot2 = Dvcbot(redis.port, env=ENV).start()
        end = t0 + (300 if SLOW else 60)
        while time.time() < end:
            reached, once, numbers, sms_once = counts(redis)
            if reached == N_CHAT and numbers == N_SMS:
                break
            time.sleep(0.5)
        took = time.time() - t0
        time.sleep(1.0)                       # nothing more may come after "all reached"
        reached, once, numbers, sms_once = counts(redis)
        ok(reached == N_CHAT and once == N_CHAT,
           f"after the restart, all {N_CHAT} chat subscribers have exactly one notice of the "
           f"change ({reached} reached, {once} once, in {took:.1f} s)", (reached, once))
        ok(numbers == N_SMS and sms_once == N_SMS,
           f"all {N_SMS} SMS subscribers have exactly one notification queued", (numbers, sms_once))
        left = (redis.cli("ZCARD", "dvcbot:fanout:jobs"),
                redis.cli("EVAL", "return #redis.call('KEYS', 'dvcbot:fanout:job:*')", "0"))
        ok(left == ("0", "0"), "the job record is gone once done", left)
        resumed = [ln for ln in bot2.stderr().splitlines() if "fanout: resumed" in ln]
        ok(len(resumed) == 1 and json.loads(resumed[0]).get("level") == "info",
           "the new process says once that it resumed a fan-out", resumed)
        st = put(bot2, ka, "processing")
        ok(st == 200, "the next status change is served as usual", st)
        rc = bot2.stop(timeout=120 if SLOW else 20)
        ok(rc == 0, f"SIGTERM -> exit {rc} (the sweeper's timer closed)", bot2.stderr()[-800:])
    finally:
        for b in (bot, bot2):
            if b and b.proc and b.proc.poll() is None:
                b.stop()
        redis.kill()
    done()


if __name__ == "__main__":
    main()
