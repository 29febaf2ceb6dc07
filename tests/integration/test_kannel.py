"""test_kannel.py -- SMS through the REAL Kannel: a fake SMSC (spoken to
directly from Python) -> bearerbox -> smsbox -> dvcbot (ASan build) -> back,
and dvcbot's outbox -> smsbox /cgi-bin/sendsms -> fake SMSC, with delivery
reports back to dvcbot. Covers the citizen dialogs by SMS, segment budgets,
notifications and DLRs, Kannel stopped mid-queue (nothing lost or
duplicated), dvcbot killed while smsbox is sending (the retry is answered
once), and a clean SIGTERM exit."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from harness import ROOT, Dvcbot, Redis, done, ok, sanitizer_clean
from kannel import FakeSMSC, Kannel, outbox_get, outbox_put

AGENCY = "000.00.12.H18"
CODE = AGENCY + "-240520-0001"
PHONE = "84912345678"
CITIZEN = "84901234567"
MAX_SEG = 2


def is_gsm_ascii(t):
    return all(0x20 <= ord(c) < 0x7f or c == "\n" for c in t)


def api(bot, method, path, body, key):
    st, _, raw = bot.request(method, path, body, {"Authorization": "Bearer " + key})
    try:
        return st, json.loads(raw)
    except ValueError:
        return st, {"raw": raw}


def make_key(redis):
    env = dict(os.environ, DVCBOT_REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
    p = subprocess.run([os.path.join(ROOT, "build/asan/dvcbot"), "keys", "create", "--agency",
                        AGENCY], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    return p.stdout.strip()


def ask(smsc, sender, text, what, check, timeout=10):
    smsc.send_mo(sender, text)
    got = smsc.take(receiver=sender, count=1, timeout=timeout)
    reply = got[0][2] if got else ""
    parts = got[0][3] if got else 0
    ok(got and 0 < parts <= MAX_SEG and reply.strip() and check(reply),
       f"{what}: answered in {parts} segment(s)", f"{text[:60]!r} -> {reply!r}")
    return reply


def dialogs(bot, redis, smsc, key):
    st, _ = api(bot, "PUT", "/api/v1/dossiers/" + CODE,
                {"procedure_code": "1.001193", "status": "received", "received_at": "2024-05-20",
                 "due_at": "2099-06-05T17:00:00+07:00", "applicant_phone": PHONE}, key)
    ok(st in (200, 201), "dossier created through the agency API", st)
    ask(smsc, CITIZEN, "TRACUU " + CODE, "status lookup", lambda r: CODE in r and is_gsm_ascii(r))
    ask(smsc, CITIZEN, "TT khai sinh", "procedure question", is_gsm_ascii)
    r = ask(smsc, CITIZEN, "PAKN Duong Nguyen Trai bi ngap nuoc 3 ngay nay", "complaint PAKN",
            lambda r: "PA-" in r)
    ok(redis.cli("--scan", "--pattern", "dvcbot:complaint:PA-*") != "", "complaint stored", r)
    ask(smsc, CITIZEN, f"DG {CODE} 5", "rating DG", is_gsm_ascii)
    ask(smsc, CITIZEN, "Xin chào, tôi muốn hỏi thủ tục đăng ký kết hôn cần giấy tờ gì",
        "Vietnamese with diacritics: folded reply", is_gsm_ascii)
    long_text = ("Tôi muốn phản ánh việc cấp giấy phép xây dựng chậm trễ quá hạn nhiều tháng. " * 12)[:800]
    ask(smsc, CITIZEN, long_text, "an 800-character message", is_gsm_ascii)
    smsc.send_mo_data(CITIZEN, b"")
    got = smsc.take(receiver=CITIZEN, count=1, timeout=10)
    ok(got and "TRACUU" in got[0][2] and got[0][3] <= MAX_SEG, "an empty message gets the help",
       got)
    ask(smsc, "84987654321", "HUY", "HUY (opt-out)", is_gsm_ascii)
    ok(redis.cli("SISMEMBER", "dvcbot:optout", "84987654321") == "1", "HUY recorded the opt-out")


def notifications(bot, redis, smsc, key):
    st, _ = api(bot, "PUT", "/api/v1/dossiers/" + CODE,
                {"procedure_code": "1.001193", "status": "done", "received_at": "2024-05-20",
                 "due_at": "2099-06-05T17:00:00+07:00", "applicant_phone": PHONE}, key)
    ok(st == 200, "dossier status changed to done", st)
    got = smsc.take(receiver=PHONE, count=1, timeout=10)
    ok(got and CODE in got[0][2] and got[0][3] <= MAX_SEG,
       "status notification arrives at the fake SMSC", got)
    ids = [outbox_put(redis, "84911111111", f"Thong bao so {i}") for i in range(4)]
    skip = outbox_put(redis, "84987654321", "Khong duoc gui vi da HUY")
    got = smsc.take(receiver="84911111111", count=4, timeout=10)
    ok([g[2] for g in got] == [f"Thong bao so {i}" for i in range(4)],
       "notifications to one number arrive in order", got)
    end = time.time() + 10
    while time.time() < end:
        states = [outbox_get(redis, i).get("dlr") for i in ids]
        if all(s == "delivered" for s in states):
            break
        time.sleep(0.1)
    ok(all(s == "delivered" for s in states), "delivery reports recorded (delivered)", states)
    end = time.time() + 10
    while outbox_get(redis, skip).get("status") != "skipped" and time.time() < end:
        time.sleep(0.05)
    ok(outbox_get(redis, skip).get("status") == "skipped" and
       not smsc.take(receiver="84987654321", count=1, timeout=0.5),
       "a notification to an opted-out number is skipped at send time", outbox_get(redis, skip))


def kannel_down(bot, redis, smsc, kannel):
    texts = [f"Tin {n} so {i}" for i in range(8) for n in range(10)]
    ids = [outbox_put(redis, f"8491222222{n}", t) for t, n in
           zip(texts, [n for i in range(8) for n in range(10)])]
    end = time.time() + 10
    while len([m for m in smsc.all() if m[2].startswith("Tin ")]) < 3 and time.time() < end:
        time.sleep(0.01)
    kannel.stop()
    smsc.close()
    first = [m for m in smsc.all() if m[2].startswith("Tin ")]
    time.sleep(1.5)
    kannel.start()
    smsc2 = FakeSMSC(kannel.smsc_port).connect()
    end = time.time() + 40
    while time.time() < end:
        st = [outbox_get(redis, i).get("status") for i in ids]
        got = smsc2.all()
        if all(s == "sent" for s in st) and len(first) + len(got) >= len(texts):
            break
        time.sleep(0.2)
    time.sleep(1)
    got = [m[2] for m in first] + [m[2] for m in smsc2.all() if m[2].startswith("Tin ")]
    ok(0 < len(first) < len(texts), f"the outage hit mid-queue ({len(first)} before the stop)")
    ok(sorted(got) == sorted(texts),
       f"Kannel stopped mid-queue: all {len(texts)} messages arrive exactly once",
       f"got {len(got)}: missing {sorted(set(texts) - set(got))}, "
       f"dups {[t for t in set(got) if got.count(t) > 1]}, status {st}")
    per = {}
    for t in got:
        per.setdefault(t.split()[1], []).append(int(t.split()[3]))
    ok(all(v == sorted(v) for v in per.values()), "per-number order kept across the outage", per)
    smsc2.clear()
    return smsc2


def dvcbot_killed(bot, redis, smsc, kannel):
    n = 10
    for i in range(n):
        smsc.send_mo(f"8493333333{i}", f"PAKN kiem tra so {i} den giao thong hong")
    smsc.take(count=1, timeout=10)
    bot.stop(signal.SIGKILL)
    bot2 = Dvcbot(redis.port, env=bot.env)
    bot2.port = bot.port
    bot2.start()
    got = smsc.take(count=n - 1, timeout=25)
    time.sleep(2)
    extra = smsc.all()
    ok(len(got) == n - 1 and not extra, f"dvcbot killed while smsbox sends: {n} MOs answered once",
       f"{len(got)} + extra {extra}")
    texts = []
    for k in redis.cli("--scan", "--pattern", "dvcbot:complaint:PA-*").split():
        t = redis.cli("HGET", k, "text")
        if t.startswith("kiem tra so"):
            texts.append(t)
    ok(len(texts) == n and len(set(texts)) == n, "each MO filed one complaint", sorted(texts))
    return bot2


def unicode_mode(bot, redis, smsc):
    rc = bot.stop()
    ok(rc == 0 and sanitizer_clean(bot.stderr()), "restarted dvcbot: clean SIGTERM exit",
       bot.stderr()[-2000:])
    bot3 = Dvcbot(redis.port, env=dict(bot.env, DVCBOT_SMS_UNICODE="true"))
    bot3.port = bot.port
    bot3.start()
    smsc.clear()
    r = ask(smsc, "84944444444", "xin chào", "sms.unicode: X-Kannel-Coding 2 honoured by Kannel",
            lambda r: "Bạn" in r or "Tôi" in r)
    outbox_put(redis, "84944444444", "Hồ sơ đã có kết quả")
    got = smsc.take(receiver="84944444444", count=1, timeout=10)
    ok(got and got[0][2] == "Hồ sơ đã có kết quả", "sms.unicode: a notification keeps its diacritics",
       (got, smsc.unknown[-3:]))
    return bot3


def main():
    redis = Redis().start()
    rundir = tempfile.mkdtemp(prefix="dvc-kannel-")
    bot = Dvcbot(redis.port, env={"DVCBOT_SMS_SEGMENTS_PER_S": "10",
                                  "DVCBOT_SMS_RETRY_BASE_MS": "200",
                                  "DVCBOT_SMS_RETRY_MAX_MS": "1000"})
    kannel = Kannel(rundir, f"http://127.0.0.1:{bot.port}", secret=bot.secret)
    smsc = None
    t0 = time.time()
    try:
        kannel.start()
        bot.env["DVCBOT_SMS_KANNEL_SENDSMS_URL"] = kannel.sendsms_url
        bot.start()
        smsc = FakeSMSC(kannel.smsc_port).connect()
        key = make_key(redis)
        ok(key.startswith("dvc_"), "agency key created", key)
        dialogs(bot, redis, smsc, key)
        notifications(bot, redis, smsc, key)
        smsc = kannel_down(bot, redis, smsc, kannel)
        bot = dvcbot_killed(bot, redis, smsc, kannel)
        bot = unicode_mode(bot, redis, smsc)
        rc = bot.stop()
        err = bot.stderr()
        ok(rc == 0 and sanitizer_clean(err), "SIGTERM: clean exit, no sanitizer report",
           err[-2000:])
        ok(not re.search(r"849\d{8}", err), "no full phone number in dvcbot's log",
           re.findall(r".{40}849\d{8}.{10}", err)[:3])
        ok(time.time() - t0 < 120, f"Kannel suite took {time.time() - t0:.0f}s (< 120)")
    finally:
        if smsc:
            smsc.close()
        if bot.proc and bot.proc.poll() is None:
            bot.stop()
        kannel.stop()
        redis.close()
        if os.environ.get("DVC_KEEP") is None:
            shutil.rmtree(rundir, ignore_errors=True)
    done()


if __name__ == "__main__":
    main()
