"""test_fleet.py -- several dvcbot instances on one Redis, with real processes
(issue 13, SPEC.md "Running more than one").

(a) The outbox drained by a fleet through the real Kannel and its fake SMSC:
    N notifications queued with the server's own enqueue script, two instances
    draining, a third added mid-way: every SMS reaches the SMSC exactly once,
    each number's messages in order, the fleet's rate within 10% of the one
    budget (sms.segments_per_s) they share. Then one instance is killed with
    SIGKILL mid-way through a second batch: nothing is lost; the messages it
    had in flight may arrive twice (counted and printed; at most its
    sms.max_inflight).

(d) The same Kannel id sent to two instances at the same instant (a thread
    barrier), each MO a TRACUU of an unknown code from a fresh number: it is
    processed once (the number's miss counter is 1, not 2) and both requests
    get the same answer.

Sizes: DVC_SOAK=1 (make soak) queues 1,000 + 400 and sends 200 pairs; make
test 300 + 150 and 60 pairs."""
import os
import shutil
import signal
import tempfile
import threading
import time
import urllib.parse

from harness import Dvcbot, Redis, done, ok, sanitizer_clean
from kannel import FakeSMSC, Kannel, outbox_enqueue, outbox_get

SOAK = os.environ.get("DVC_SOAK") == "1"
N_A = 1000 if SOAK else 300
N_KILL = 400 if SOAK else 150
N_PAIRS = 200 if SOAK else 60
NUMBERS = 50
BUDGET = 40                     # segments per second for the whole fleet
SECRET = "fleet-secret-0123456789abcdef"


class TimedSMSC(FakeSMSC):
    """The fake SMSC client, with the arrival time of each MT."""

    def __init__(self, port):
        super().__init__(port)
        self.times = []

    def _line(self, line):
        n = len(self.mts)
        super()._line(line)
        if len(self.mts) > n:
            self.times.append(time.time())


def wait(cond, timeout, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


class Fleet:
    """Redis, Kannel, and dvcbot instances that share the channel secret and
    the budget; delivery reports go to the first instance (http.public_url)."""

    def __init__(self, redis, kannel_url=None):
        self.redis, self.bots, self.kannel_url = redis, [], kannel_url

    def add(self, **env):
        e = {"DVCBOT_CHANNELS_SECRET": SECRET, "DVCBOT_SMS_SEGMENTS_PER_S": str(BUDGET),
             "DVCBOT_SMS_TIMEOUT_MS": "2000", "DVCBOT_LOG_REQUESTS": "false"}
        if self.kannel_url:
            e["DVCBOT_SMS_KANNEL_SENDSMS_URL"] = self.kannel_url
        if self.bots:
            e["DVCBOT_HTTP_PUBLIC_URL"] = f"http://127.0.0.1:{self.bots[0].port}"
        e.update(env)
        bot = Dvcbot(self.redis.port, env=e).start()
        self.bots.append(bot)
        return bot

    def stop(self):
        rcs = []
        for b in self.bots:
            if b.proc and b.proc.poll() is None:
                rcs.append((b.stop(), b))
        return rcs


def per_number(mts, tag):
    """{number: [k, ...]} of the MTs whose text is '<tag> <j> so <k>'."""
    got = {}
    for m in mts:
        f = m[2].split()
        if len(f) == 4 and f[0] == tag and f[2] == "so":
            got.setdefault(m[1], []).append(int(f[3]))
    return got


def queue(redis, tag, n):
    ids = []
    for k in range(n):
        j = k % NUMBERS
        ids.append(outbox_enqueue(redis, f"8497{j:07d}", f"{tag} {j} so {k // NUMBERS}"))
    return ids


def outbox_fleet(redis, fleet, smsc):
    """(a) scale-out mid-way, then a SIGKILL mid-way."""
    fleet.add()
    fleet.add()
    smsc.clear()
    smsc.times.clear()
    ids = queue(redis, "TB", N_A)
    wait(lambda: len(smsc.mts) >= N_A // 3, 60)
    fleet.add()                                   # a third instance joins mid-way
    wait(lambda: all(outbox_get(redis, i).get("status") == "sent" for i in ids[-5:]) and
         len(smsc.mts) >= N_A, 120, 0.2)
    time.sleep(1)                                 # anything sent twice would arrive now
    got = per_number(smsc.all(), "TB")
    total = sum(len(v) for v in got.values())
    twice = sum(len(v) - len(set(v)) for v in got.values())
    ok(total == N_A and twice == 0 and len(got) == NUMBERS,
       f"(a) {N_A} notifications, 2 instances then 3: each SMS at the SMSC exactly once "
       f"({total} received, {twice} twice)")
    ok(all(v == sorted(v) for v in got.values()), "(a) each number's messages in order",
       {k: v for k, v in got.items() if v != sorted(v)})
    ts = sorted(smsc.times)
    rate = (len(ts) - 1) / (ts[-1] - ts[0]) if len(ts) > 1 else 0
    ok(abs(rate - BUDGET) <= BUDGET * 0.1,
       f"(a) fleet rate {rate:.1f} segments/s for a budget of {BUDGET} ({rate / BUDGET:.2f}x)")
    print(f"# (a) fleet rate {rate:.2f}/s, budget {BUDGET}/s, {N_A} messages in {ts[-1] - ts[0]:.1f}s",
          flush=True)

    smsc.clear()
    ids = queue(redis, "TK", N_KILL)
    victim = fleet.bots[1]
    wait(lambda: len(smsc.mts) >= N_KILL // 3, 60)
    victim.stop(signal.SIGKILL)
    t_kill = time.time()
    wait(lambda: all(outbox_get(redis, i).get("status") == "sent" for i in ids), 120, 0.2)
    t_all = time.time() - t_kill
    time.sleep(1)
    got = per_number(smsc.all(), "TK")
    distinct = sum(len(set(v)) for v in got.values())
    twice = sum(len(v) - len(set(v)) for v in got.values())
    ok(distinct == N_KILL, f"(a) SIGKILL of one of 3 instances mid-way: nothing lost "
       f"({distinct}/{N_KILL} delivered, all sent {t_all:.1f}s after the kill)")
    ok(twice <= 8, f"(a) only what the killed instance had in flight arrived twice: {twice} "
       f"(its sms.max_inflight is 8)")
    print(f"# (a) SIGKILL: {twice} of {N_KILL} sent twice; all sent {t_all:.1f}s after the kill",
          flush=True)
    fleet.bots.remove(victim)


def mo(bot, sender, text, mid):
    q = urllib.parse.urlencode({"from": sender, "to": "1900", "text": text, "id": mid})
    st, _, body = bot.request("GET", "/sms/kannel?" + q)
    return st, body.decode("utf-8", "replace")


def same_id_two_instances(redis, a, b):
    """(d) one Kannel id, two instances, the same instant."""
    twice, differ, failed = 0, 0, []
    for i in range(N_PAIRS):
        sender, mid = f"8498{i:07d}", f"fleet-{os.getpid()}-{i}"
        bar, res = threading.Barrier(2), [None, None]

        def go(k, bot):
            bar.wait()
            res[k] = mo(bot, sender, "TRACUU 000.99.99.H99-991231-9999", mid)
        ts = [threading.Thread(target=go, args=(k, bot)) for k, bot in enumerate((a, b))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        misses = int(redis.cli("GET", f"dvcbot:rl-miss:sms:{sender}") or 0)
        twice += misses > 1
        differ += res[0] != res[1]
        if res[0][0] != 200 or res[1][0] != 200 or misses != 1:
            failed.append((sender, res, misses))
    ok(twice == 0 and not failed, f"(d) the same Kannel id to two instances at once, {N_PAIRS} "
       f"times: processed once each ({twice} twice)", failed[:3])
    ok(differ == 0, f"(d) both requests got the same answer ({differ} differ)")


def main():
    t0 = time.time()
    redis = Redis().start()
    rundir = tempfile.mkdtemp(prefix="dvc-fleet-")
    kannel = Kannel(rundir, "http://127.0.0.1:1", secret=SECRET)
    smsc, fleet = None, None
    try:
        kannel.start()
        smsc = TimedSMSC(kannel.smsc_port).connect()
        fleet = Fleet(redis, kannel.sendsms_url)
        outbox_fleet(redis, fleet, smsc)
        same_id_two_instances(redis, fleet.bots[0], fleet.bots[1])
        for rc, b in fleet.stop():
            ok(rc == 0 and sanitizer_clean(b.stderr()), "instance: clean SIGTERM exit",
               b.stderr()[-1500:])
    finally:
        if fleet:
            fleet.stop()
        if smsc:
            smsc.close()
        kannel.stop()
        redis.close()
        if not os.environ.get("DVC_KEEP"):
            shutil.rmtree(rundir, ignore_errors=True)
    print(f"# fleet suite took {time.time() - t0:.0f}s", flush=True)
    done()


if __name__ == "__main__":
    main()
