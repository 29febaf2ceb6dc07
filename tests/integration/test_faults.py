"""test_faults.py -- process faults with real processes (issue 7, point 3):

1. redis-server (appendonly yes, appendfsync always) killed with SIGKILL while
   N complaints are filed concurrently by SMS, restarted from its AOF: every
   complaint acknowledged with a code exists with its text, sender and indexes;
   no text filed twice (refused MOs are retried with the same Kannel id, as
   smsbox does: a complaint by SMS is idempotent per Kannel id); records >=
   acknowledged; the counters and indexes match the records (each script all
   or nothing); codes issued after the restart are new.
2. dvcbot killed with SIGKILL and restarted under SMS load through the real
   Kannel while notifications drain: every MO answered exactly once (one MT per
   MO; smsbox retries the same Kannel id), each Kannel id filed one complaint,
   every queued notification delivered, none twice except the few whose
   sendsms 2xx was lost at the kill (the documented at-least-once edge).
3. Kannel's bearerbox stopped under outbound load, restarted after an outage:
   every queued notification delivered exactly once, order per number kept.

Sizes: DVC_SOAK=1 (make soak) files 1,000 complaints and stops bearerbox for
10 s; make test uses 300 complaints and a 4 s outage."""
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from harness import Dvcbot, Redis, done, ok, sanitizer_clean
from kannel import FakeSMSC, Kannel, outbox_get, outbox_put

SOAK = os.environ.get("DVC_SOAK") == "1"
N_COMPLAINTS = 1000 if SOAK else 300
N_MO = 200 if SOAK else 60
N_NOTIFY = 200 if SOAK else 60
OUTAGE_S = 10 if SOAK else 4
PACE_S = 0.01           # one complaint started every 10 ms: the kill lands mid-stream
PORTAL = "000.00.00.G22"
CODE_RX = re.compile(r"PA-\d{6}-\d{4}")


def wait(pred, timeout, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def complaint_texts(redis, prefix):
    """code -> (text, user) of every complaint whose text starts with prefix."""
    keys = [k for k in redis.cli("--scan", "--pattern", "dvcbot:complaint:PA-*").split()]
    texts = redis.pipe([["HGET", k, "text"] for k in keys])
    users = redis.pipe([["HGET", k, "user"] for k in keys])
    return {k.split(":", 2)[2]: (t, u) for k, t, u in zip(keys, texts, users)
            if t.startswith(prefix)}


def mo_get(bot, sender, mid, text):
    """An MO as smsbox's get-url sends it: (status, body text, complaint code or None)."""
    q = urllib.parse.urlencode({"from": sender, "to": "1900", "id": mid, "text": text})
    try:
        st, _, raw = bot.request("GET", "/sms/kannel?" + q, timeout=20)
    except OSError as e:
        st, raw = 0, str(e).encode()
    body = raw.decode("utf-8", "replace")
    m = CODE_RX.search(body) if st == 200 else None
    return st, body, m.group(0) if m else None


def redis_killed():
    """Fault 1: SIGKILL of redis-server in the middle of N concurrent complaints."""
    redis = Redis(aof=True).start()
    bot = Dvcbot(redis.port, env={"DVCBOT_SMS_OUTBOX": "false",
                                  "DVCBOT_REDIS_RECONNECT_MAX_MS": "200"}).start()
    acked = {}          # i -> code
    refused = []
    lock = threading.Lock()
    killed = threading.Event()
    t0 = time.time()

    def file(i):
        """One MO as smsbox sends it; refused -> retried with the same Kannel id, as
        smsbox does, until acknowledged or the deadline."""
        time.sleep(max(0, t0 + i * PACE_S - time.time()))
        end = time.time() + 20
        while True:
            st, _, code = mo_get(bot, f"8497{i:07d}", f"flt-{i}",
                                 f"PAKN su co so {i} tai to dan pho {i % 37}")
            with lock:
                if code:
                    acked[i] = code
                    return
                refused.append((i, st))
            if time.time() > end:
                return
            time.sleep(0.3)

    def killer():
        wait(lambda: len(acked) >= N_COMPLAINTS // 3, 120, 0.005)
        redis.kill(signal.SIGKILL)
        killed.set()
        with lock:
            before = len(acked)
        time.sleep(1.0)
        redis.start()
        return before

    with ThreadPoolExecutor(32) as ex:
        k = ex.submit(killer)
        list(ex.map(file, range(N_COMPLAINTS)))
        before = k.result()
    elapsed = time.time() - t0
    ok(killed.is_set() and 0 < before < N_COMPLAINTS and len(acked) == N_COMPLAINTS,
       f"Redis SIGKILLed after {before} of {N_COMPLAINTS} acknowledged, restarted from its AOF; "
       f"{len(acked)} acknowledged in all after {len(refused)} refusals retried ({elapsed:.1f}s)",
       refused[:5])
    ok(all(st in (200, 503) for _, st in refused), "the refused ones got 503 (or an unavailable "
       "answer), never a crash or a hang", sorted({st for _, st in refused}))
    recs = complaint_texts(redis, "su co so ")
    by_text = {}
    for code, (t, u) in recs.items():
        by_text.setdefault(t, []).append(code)
    missing = [(i, c) for i, c in acked.items()
               if recs.get(c) != (f"su co so {i} tai to dan pho {i % 37}", f"8497{i:07d}")]
    ok(not missing, f"every acknowledged complaint ({len(acked)}) is there with its text and "
       "sender",
       missing[:5])
    dups = {t: c for t, c in by_text.items() if len(c) > 1}
    ok(not dups, "no complaint text filed twice", list(dups.items())[:5])
    ok(len(acked) <= len(recs) <= N_COMPLAINTS,
       f"records {len(recs)} >= acknowledged {len(acked)} (unacknowledged but written: "
       f"{len(recs) - len(acked)})")
    codes = list(recs)
    n_open = int(redis.cli("ZCARD", f"dvcbot:complaints-idx:{PORTAL}:open") or 0)
    n_recv = int(redis.cli("HGET", "dvcbot:stats:complaints", f"{PORTAL}:received") or 0)
    users = redis.pipe([["ZSCORE", f"dvcbot:complaints-by:sms:{recs[c][1]}", c] for c in codes])
    ok(n_open == n_recv == len(recs) and all(u != "" for u in users),
       "each complaint is whole after the crash: indexed by agency and citizen, counted once",
       (n_open, n_recv, len(recs), users.count("")))
    after = ("84970000999", "flt-after", "PAKN sau khi khoi dong lai")
    st, raw, code = mo_get(bot, *after)
    ok(code and code not in recs, "a complaint after the restart gets a new code", raw)
    # the crash window itself, made deterministic: the complaint written, the MO's answer
    # marker never (dvcbot:smsmo gone), smsbox retries the same id -> the same code
    redis.cli("DEL", "dvcbot:smsmo:flt-after")
    st, raw2, code2 = mo_get(bot, *after)
    ok(code and code2 == code and
       len(complaint_texts(redis, "sau khi khoi dong lai")) == 1,
       "an MO retried after its answer marker was lost files nothing new (same code)", raw2)
    rc = bot.stop()
    ok(rc == 0 and sanitizer_clean(bot.stderr()), "dvcbot: clean SIGTERM exit after the crash",
       bot.stderr()[-2000:])
    redis.close()


def dvcbot_killed(redis, kannel, bot, smsc):
    """Fault 2: SIGKILL of dvcbot under SMS load through Kannel, outbox draining."""
    smsc.clear()
    texts = [f"Thong bao loat B so {i}" for i in range(N_NOTIFY)]
    ids = [outbox_put(redis, f"8495{i % 20:07d}", t) for i, t in enumerate(texts)]
    senders = [f"8496{i:07d}" for i in range(N_MO)]
    for i, s in enumerate(senders):
        smsc.send_mo(s, f"PAKN mat dien khu pho so {i} tu sang")
        if i == N_MO // 3:
            wait(lambda: len(smsc.all()) >= 5, 10, 0.01)
            bot.stop(signal.SIGKILL)
            inflight = sum(int((redis.cli("XPENDING", f"dvcbot:outbox:stream:{k}", "senders")
                                or "0").split()[0]) for k in ("reply", "notify"))
            bot2 = Dvcbot(redis.port, env=bot.env)
            bot2.port = bot.port
            bot2.start()
    def settled():
        return (all(outbox_get(redis, i).get("status") == "sent" for i in ids) and
                len({m[1] for m in smsc.all() if m[1] in set(senders)}) >= N_MO)
    wait(settled, 90, 0.5)
    time.sleep(3)  # anything sent twice would arrive now
    mts = smsc.all()
    per = {}
    for m in mts:
        per.setdefault(m[1], []).append(m[2])
    unanswered = [s for s in senders if s not in per]
    twice = {s: per[s] for s in senders if len(per.get(s, [])) > 1}
    if unanswered and os.environ.get("DVC_KEEP"):
        print("# kept", kannel.rundir)
    ok(not unanswered and not twice,
       f"dvcbot SIGKILLed under load: each of {N_MO} MOs answered exactly once",
       f"unanswered {unanswered[:5]} twice {list(twice.items())[:3]}\n" + "\n".join(
           ln for f in ("smsbox.out", "smsbox.log", "bearerbox.log")
           for ln in kannel.log(f).splitlines() if re.search("PANIC|ERROR|smsbox|box", ln))[-3000:])
    recs = complaint_texts(redis, "mat dien khu pho so ")
    per_text = {}
    for c, (t, u) in recs.items():
        per_text.setdefault(t, []).append(c)
    want = {f"mat dien khu pho so {i} tu sang" for i in range(N_MO)}
    dup = {t: c for t, c in per_text.items() if len(c) > 1}
    ok(set(per_text) == want, "every MO filed its complaint", sorted(want - set(per_text))[:5])
    ok(not dup, "no MO filed its complaint twice (smsbox's retries carry the same Kannel id)",
       list(dup.items())[:3])
    toks = redis.cli("--scan", "--pattern", "dvcbot:complaint-token:sms:*").split()
    by_id = dict(zip(toks, redis.pipe([["GET", t] for t in toks])))
    ours = {t: c for t, c in by_id.items() if c in recs}
    ok(len(ours) == N_MO and len(set(ours.values())) == N_MO,
       f"by Kannel id: {len(ours)} ids, each filed exactly one complaint", len(ours))
    sent = [m[2] for m in mts if m[2].startswith("Thong bao loat B")]
    st = [outbox_get(redis, i).get("status") for i in ids]
    lost = sorted(set(texts) - set(sent))
    twice = sorted(t for t in set(sent) if sent.count(t) > 1)
    ok(not lost and all(s == "sent" for s in st),
       f"no notification lost across the kill ({len(texts)} sent)", (lost[:5], st[:5]))
    ok(len(twice) <= max(inflight, 0) + 8,
       f"notifications sent twice: {len(twice)} (bounded by the sends in flight at the kill, "
       f"{inflight}; docs/sms.md: at-least-once at that edge)", twice[:5])
    return bot2


def bearerbox_down(redis, kannel, bot, smsc):
    """Fault 3: bearerbox stopped under outbound load for OUTAGE_S seconds; more
    notifications are queued while it is down."""
    smsc.clear()
    n_during = N_NOTIFY // 2
    texts = [f"Ket qua ho so dot C so {i}" for i in range(N_NOTIFY + n_during)]
    nums = [f"8494{i % 15:07d}" for i in range(len(texts))]
    ids = [outbox_put(redis, n, t) for n, t in zip(nums[:N_NOTIFY], texts[:N_NOTIFY])]
    wait(lambda: len(smsc.all()) >= 3, 10, 0.01)
    kannel.stop_bearerbox()
    t_stop = time.time()
    ids += [outbox_put(redis, n, t) for n, t in zip(nums[N_NOTIFY:], texts[N_NOTIFY:])]
    time.sleep(0.5)
    smsc.close()
    first = [m[2] for m in smsc.all() if m[2].startswith("Ket qua ho so")]
    time.sleep(max(0, OUTAGE_S - (time.time() - t_stop)))
    during = [outbox_get(redis, i).get("status") for i in ids[N_NOTIFY:]]
    ok(all(s in ("queued", "sending") for s in during),
       f"during the {OUTAGE_S}s outage the {n_during} notifications queued meanwhile wait",
       during)
    kannel.stop()
    kannel.start()
    smsc2 = FakeSMSC(kannel.smsc_port).connect()
    wait(lambda: all(outbox_get(redis, i).get("status") == "sent" for i in ids) and
         len(first) + len(smsc2.all()) >= len(texts), 90, 0.3)
    time.sleep(2)
    got = first + [m[2] for m in smsc2.all() if m[2].startswith("Ket qua ho so")]
    ok(0 < len(first) < len(texts), f"the outage hit mid-queue ({len(first)} before the stop)")
    ok(sorted(got) == sorted(texts),
       f"bearerbox down {OUTAGE_S}s: all {len(texts)} notifications delivered exactly once",
       f"got {len(got)}: missing {sorted(set(texts) - set(got))[:5]}, "
       f"dups {[t for t in set(got) if got.count(t) > 1][:5]}")
    per = {}
    for t in got:
        i = int(t.rsplit(" ", 1)[1])
        per.setdefault(nums[i], []).append(i)
    ok(all(v == sorted(v) for v in per.values()), "order per number kept across the outage")
    return smsc2


def warm_up(kannel, smsc):
    """One MO round trip before the faults. Under heavy load the Kannel just started has
    been seen (2 runs in ~20) with smsbox not attached to bearerbox ("smsbox_list empty"):
    that is the environment, not the fault under test, so Kannel is started once more."""
    for attempt in range(2):
        smsc.send_mo("84950009999", "HD")
        if smsc.take(receiver="84950009999", count=1, timeout=15):
            return smsc
        print("# Kannel chain not answering at start; restarting it:", "\n# ".join(
            ln for ln in kannel.log("bearerbox.log").splitlines()[-5:]), flush=True)
        smsc.close()
        kannel.stop()
        kannel.start()
        smsc = FakeSMSC(kannel.smsc_port).connect()
    return smsc


def kannel_faults():
    redis = Redis(aof=True).start()
    rundir = tempfile.mkdtemp(prefix="dvc-kannel-")
    bot = Dvcbot(redis.port, env={"DVCBOT_SMS_SEGMENTS_PER_S": "200",
                                  "DVCBOT_SMS_RETRY_BASE_MS": "200",
                                  "DVCBOT_SMS_RETRY_MAX_MS": "1000"})
    kannel = Kannel(rundir, f"http://127.0.0.1:{bot.port}", secret=bot.secret)
    smsc = None
    try:
        kannel.start()
        bot.env["DVCBOT_SMS_KANNEL_SENDSMS_URL"] = kannel.sendsms_url
        bot.start()
        smsc = warm_up(kannel, FakeSMSC(kannel.smsc_port).connect())
        bot = dvcbot_killed(redis, kannel, bot, smsc)
        smsc = bearerbox_down(redis, kannel, bot, smsc)
        rc = bot.stop()
        ok(rc == 0 and sanitizer_clean(bot.stderr()), "restarted dvcbot: clean SIGTERM exit",
           bot.stderr()[-2000:])
    finally:
        if smsc:
            smsc.close()
        if bot.proc and bot.proc.poll() is None:
            bot.stop()
        kannel.stop()
        redis.close()
        if not os.environ.get("DVC_KEEP"):
            shutil.rmtree(rundir, ignore_errors=True)


def main():
    t0 = time.time()
    redis_killed()
    kannel_faults()
    limit = 600 if SOAK else 150
    ok(time.time() - t0 < limit, f"fault suite took {time.time() - t0:.0f}s (< {limit})")
    done()


if __name__ == "__main__":
    main()
