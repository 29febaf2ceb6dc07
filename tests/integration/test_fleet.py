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

(b) Redis made highly available: a master and two replicas (requirepass; the
    instances AUTH with DVCBOT_REDIS_PASSWORD) and 3 Sentinels on loopback
    ports; two instances that find the master through redis.sentinels. The
    master is killed with SIGKILL under complaint load (PAKN by SMS on both
    instances; WAIT 1 before each acknowledgement, the default with
    Sentinels): the Sentinels fail over, the old master restarted empty comes
    back as a replica, complaints are acknowledged again within 10 s, every
    complaint acknowledged with a code is on the new master, none filed
    twice. A stopped replica means no acknowledgement; the cost of WAIT 1 is
    measured against wait_replicas 0 on the same Redis. /healthz is 200 with role master, and 503 (role replica)
    on an instance pointed at the replica.

(c) A citizen on instance A and the operator on instance B (and twice more
    with both ends through nginx, config/nginx/dvcbot.conf with the three
    instances as its upstream, round robin): the queue shows
    the citizen, take, both directions live (the citizen's messages reach the
    console on B at once, through dvcbot:ev:agent), hand back. A notice
    reaches every open connection of a user on every instance. Revoking the
    operator's key (dvcbot keys revoke) closes the console on B at once.
    Idle identified WebSockets cost no Redis work (commandstats before and
    after, per connection per second).

(d) The same Kannel id sent to two instances at the same instant (a thread
    barrier), each MO a TRACUU of an unknown code from a fresh number: it is
    processed once (the number's miss counter is 1, not 2) and both requests
    get the same answer.

Sizes: DVC_SOAK=1 (make soak) queues 1,000 + 400 and sends 200 pairs; make
test 240 + 120 and 60 pairs."""
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
import urllib.parse

import re
import subprocess

from harness import ROOT, Dvcbot, Redis, done, free_port, ok, sanitizer_clean, wait_port
from wsclient import WS, frames
from kannel import FakeSMSC, Kannel, outbox_enqueue, outbox_get

SOAK = os.environ.get("DVC_SOAK") == "1"
N_A = 1000 if SOAK else 240
N_KILL = 400 if SOAK else 120
N_PAIRS = 200 if SOAK else 60
NUMBERS = 50
BUDGET = 40                     # segments per second for the whole fleet
SECRET = "fleet-secret-0123456789abcdef"
# Sentinels on loopback: a short down-after in make test; the soak keeps a LAN-like one
DOWN_AFTER_MS = 1000 if SOAK else 500
FAILOVER_TIMEOUT_MS = 4000 if SOAK else 2000


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

    def __init__(self, redis, kannel_url=None, ports=(), public=None):
        self.redis, self.bots, self.kannel_url = redis, [], kannel_url
        self.ports, self.public = list(ports), public

    def add(self, **env):
        e = {"DVCBOT_CHANNELS_SECRET": SECRET, "DVCBOT_SMS_SEGMENTS_PER_S": str(BUDGET),
             "DVCBOT_SMS_TIMEOUT_MS": "2000", "DVCBOT_LOG_REQUESTS": "false"}
        if self.kannel_url:
            e["DVCBOT_SMS_KANNEL_SENDSMS_URL"] = self.kannel_url
        if self.public:
            e["DVCBOT_HTTP_PUBLIC_URL"] = self.public
            e["DVCBOT_WEBCHAT_ALLOWED_ORIGINS"] = self.public
        port = self.ports.pop(0) if self.ports else None
        if port:
            e["DVCBOT_HTTP_PORT"] = str(port)
        e.update(env)
        bot = Dvcbot(self.redis.port, env=e)
        if port:
            bot.port = port
        bot.start()
        self.bots.append(bot)
        return bot

    def stop(self):
        rcs = []
        for b in self.bots:
            if b.proc and b.proc.poll() is None:
                rcs.append((b.stop(), b))
        return rcs


class Nginx:
    """nginx from Debian in front of the instances: config/nginx/dvcbot.conf
    with its upstream replaced by the given ports (round robin)."""

    def __init__(self, ports):
        self.port, self.dir = free_port(), tempfile.mkdtemp(prefix="dvc-nginx-")
        with open(os.path.join(ROOT, "config/nginx/dvcbot.conf")) as f:
            site = f.read()
        ups = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n" for p in ports)
        site = re.sub(r"    server 127\.0\.0\.1:8080;[^\n]*\n", ups, site)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        d = self.dir
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(f"worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\n"
                    f"error_log {d}/error.log;\nevents {{ worker_connections 1024; }}\n"
                    f"http {{\naccess_log off;\nclient_body_temp_path {d};\nproxy_temp_path {d};\n"
                    f"{site}\n}}\n")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([nginx, "-c", os.path.join(d, "nginx.conf"), "-p", d],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port, 10):
            raise RuntimeError("nginx did not start")
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)



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


def wait_frame(ws, pred, timeout=4.0):
    got = frames(ws, timeout=timeout, until=pred)
    return next((f for f in got if pred(f)), None), got


def keys_cli(redis, *args):
    env = {"DVCBOT_REDIS_URL": f"redis://127.0.0.1:{redis.port}/0", "PATH": "/usr/bin:/bin"}
    p = subprocess.run([f"{ROOT}/build/asan/dvcbot", "keys", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout.strip(), p.stderr


def commands_total(redis):
    """Commands Redis ran so far (commandstats, scripts' inner calls included)."""
    n = 0
    for line in redis.cli("INFO", "commandstats").splitlines():
        m = re.match(r"cmdstat_[^:]+:calls=(\d+)", line)
        if m:
            n += int(m.group(1))
    return n


def console_across(redis, a, b, via="", full=True):
    """(c) citizen on A, operator on B (or both through nginx: via); notices to
    every connection; revoke; idle cost."""
    rc, key, err = keys_cli(redis, "create", "--operator", "Mai" + via.replace(" ", "-"))
    op = WS(b.port, path="/ws/agent", protocol="dvcbot.agent.v1",
            origin=getattr(b, "origin", None))
    op.send_json({"type": "login", "key": key})
    login, got = wait_frame(op, lambda f: f.get("type") == "login")
    ok(rc == 0 and login and login["name"].startswith("Mai"), f"(c){via} operator logs in",
       (err, got))
    user = "fleet-cit-1" + via.replace(" ", "-")
    cit = WS(a.port, origin=getattr(a, "origin", None))
    cit.send_json({"type": "hello", "user": user})
    cit.send_json({"type": "message", "text": "tôi muốn gặp nhân viên tư vấn"})
    r, got = wait_frame(cit, lambda f: f.get("type") == "reply")
    conv = "chat:" + user
    q, got = wait_frame(op, lambda f: f.get("type") == "queue" and
                        any(i["conv"] == conv for i in f["items"]))
    ok(r and r.get("intent") == "human_agent" and q, f"(c){via} the citizen is in the "
       "operator's queue", got)
    op.send_json({"type": "take", "conv": conv})
    t, got = wait_frame(op, lambda f: f.get("type") == "history")
    n, got2 = wait_frame(cit, lambda f: f.get("type") == "notice")
    ok(t and n and n.get("kind") == "agent_taken", f"(c){via} take: history for the operator, "
       "the citizen told", (got, got2))
    t0 = time.time()
    op.send_json({"type": "reply", "conv": conv, "text": "Chào anh/chị, tôi là Mai."})
    n, got = wait_frame(cit, lambda f: f.get("type") == "notice" and f.get("kind") == "agent_message")
    d1 = time.time() - t0
    ok(n and n["text"] == "Chào anh/chị, tôi là Mai.", f"(c){via} operator -> citizen live "
       f"({d1 * 1000:.0f} ms)", got)
    t0 = time.time()
    cit.send_json({"type": "message", "text": "cảm ơn chị, hồ sơ của tôi bị chậm"})
    m, got = wait_frame(op, lambda f: f.get("type") == "message")
    d2 = time.time() - t0
    ok(m and m["conv"] == conv and m["text"].startswith("cảm ơn chị"),
       f"(c){via} citizen -> the operator's console live ({d2 * 1000:.0f} ms)", got)
    op.send_json({"type": "release", "conv": conv})
    rel, _ = wait_frame(op, lambda f: f.get("type") == "released")
    n, got = wait_frame(cit, lambda f: f.get("type") == "notice" and f.get("kind") == "agent_released")
    ok(rel and n, f"(c){via} hand back: the citizen is told", got)
    print(f"# (c){via} operator->citizen {d1 * 1000:.0f} ms, citizen->operator {d2 * 1000:.0f} ms",
          flush=True)
    if not full:
        op.close()
        cit.close()
        return

    # the same user with a tab on A and one on B: a notice reaches both
    tab2 = WS(b.port)
    tab2.send_json({"type": "hello", "user": "fleet-cit-1"})
    cit.send_json({"type": "message", "text": "tôi muốn gặp nhân viên tư vấn"})
    wait_frame(op, lambda f: f.get("type") == "queue" and
               any(i["conv"] == conv for i in f["items"]))
    op.send_json({"type": "take", "conv": conv})
    op.send_json({"type": "reply", "conv": conv, "text": "hai tab"})
    n1, g1 = wait_frame(cit, lambda f: f.get("kind") == "agent_message" and f.get("text") == "hai tab")
    n2, g2 = wait_frame(tab2, lambda f: f.get("kind") == "agent_message" and f.get("text") == "hai tab")
    ok(n1 and n2, "(c) a notice reaches every open connection of the user, on A and on B",
       (g1, g2))

    # revoking the key closes the console on B at once
    hexes = [ln.split()[0] for ln in keys_cli(redis, "list")[1].splitlines()
             if ln.split() and "Mai" in ln.split()]
    t0 = time.time()
    rc, out, err = keys_cli(redis, "revoke", "--hash", hexes[0][:16] if hexes else "00000000")
    e, got = wait_frame(op, lambda f: f.get("error") == "unauthorized", 3)
    end = time.time() + 3
    while op.closed is None and time.time() < end:
        try:
            op.recv(timeout=0.5)
        except (OSError, ConnectionError, ValueError):
            break
    closed = op.closed
    ok(rc == 0 and e is not None and closed is not None, f"(c) revoked key: the console on B is told and closed at once "
       f"({(time.time() - t0) * 1000:.0f} ms)", (out, err, got, closed))
    for w in (op, cit, tab2):
        w.close()

    # idle identified connections cost no Redis work
    idle = []
    for i in range(100):
        w = WS((a, b)[i % 2].port)
        w.send_json({"type": "hello", "user": f"fleet-idle-{i}"})
        idle.append(w)
    time.sleep(1.5)
    n0, t0 = commands_total(redis), time.time()
    time.sleep(3)
    busy = (commands_total(redis) - n0) / (time.time() - t0)
    for w in idle:
        w.close()
    time.sleep(1)
    n0, t0 = commands_total(redis), time.time()
    time.sleep(3)
    base = (commands_total(redis) - n0) / (time.time() - t0)
    per = (busy - base) / len(idle)
    ok(per < 0.05, f"(c) idle identified WebSockets: {per:.3f} Redis commands/s each "
       f"({busy:.1f}/s with {len(idle)} open, {base:.1f}/s with none; polling cost 1.6/s each)")
    print(f"# (c) idle cost: {busy:.1f} cmd/s with {len(idle)} idle WS, {base:.1f} without: "
          f"{per:.4f} per connection", flush=True)


PASSWORD = "fleet-redis-pw-42"
CODE_RX = re.compile(r"PA-\d{6}-\d{4}")


class Node(Redis):
    """A redis-server with a password, optionally a replica of another."""

    def __init__(self, master=None, port=None):
        super().__init__(port=port)
        self.master = master

    def start(self):
        # no 5 s wait for more replicas before a full sync (Redis 7's default): one at a time here
        extra = ["--requirepass", PASSWORD, "--masterauth", PASSWORD,
                 "--repl-diskless-sync-delay", "0"]
        if self.master:
            extra += ["--replicaof", "127.0.0.1", str(self.master)]
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port):
            raise RuntimeError("redis-server did not start")
        return self

    def cli(self, *args):
        out = subprocess.run(["redis-cli", "-p", str(self.port), "-a", PASSWORD, "--no-auth-warning",
                              "--raw", *args], capture_output=True, text=True, timeout=10)
        return out.stdout.strip()

    def pipe(self, commands):
        """One redis-cli for many commands (one a line, no spaces in their
        arguments): their raw replies, one a line ("" for nil)."""
        out = subprocess.run(["redis-cli", "-p", str(self.port), "-a", PASSWORD, "--no-auth-warning",
                              "--raw"], input="".join(c + "\n" for c in commands),
                             capture_output=True, text=True, timeout=30)
        lines = out.stdout.split("\n")
        return lines[:len(commands)]


class Sentinel:
    def __init__(self, master_port):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="dvc-sentinel-")
        self.conf = os.path.join(self.dir, "sentinel.conf")
        with open(self.conf, "w") as f:
            f.write(f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n"
                    f"sentinel monitor mymaster 127.0.0.1 {master_port} 2\n"
                    f"sentinel auth-pass mymaster {PASSWORD}\n"
                    f"sentinel down-after-milliseconds mymaster {DOWN_AFTER_MS}\n"
                    f"sentinel failover-timeout mymaster {FAILOVER_TIMEOUT_MS}\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["redis-server", self.conf, "--sentinel"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port):
            raise RuntimeError("redis-sentinel did not start")
        return self

    def master(self):
        out = subprocess.run(["redis-cli", "-p", str(self.port), "--raw", "SENTINEL",
                              "get-master-addr-by-name", "mymaster"],
                             capture_output=True, text=True, timeout=10).stdout.split()
        return int(out[1]) if len(out) == 2 else None

    def known(self):
        """(replicas, other Sentinels) this Sentinel knows of."""
        out = subprocess.run(["redis-cli", "-p", str(self.port), "--raw", "SENTINEL", "master",
                              "mymaster"], capture_output=True, text=True, timeout=10).stdout.split()
        f = dict(zip(out[::2], out[1::2]))
        return int(f.get("num-slaves", 0)), int(f.get("num-other-sentinels", 0))

    def epoch(self):
        """The master's config-epoch: 1 after one failover."""
        out = subprocess.run(["redis-cli", "-p", str(self.port), "--raw", "SENTINEL", "master",
                              "mymaster"], capture_output=True, text=True, timeout=10).stdout.split()
        return int(out[out.index("config-epoch") + 1]) if "config-epoch" in out else None

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class SwitchWatch(threading.Thread):
    """SUBSCRIBE +switch-master on one Sentinel: the time of the first event."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), 5)
        self.sock.sendall(b"SUBSCRIBE +switch-master\r\n")
        self.at = None
        self.start()

    def run(self):
        buf = b""
        try:
            while self.at is None:
                data = self.sock.recv(4096)
                if not data:
                    return
                buf += data
                if b"\r\nmessage\r\n" in buf:
                    self.at = time.time()
        except OSError:
            pass

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def client_writes(node):
    """Commands on node that only a client sends (scripts, WAIT): replicated
    writes arrive as their effects (MULTI, HSET ...), never as these."""
    n = 0
    for line in node.cli("INFO", "commandstats").splitlines():
        m = re.match(r"cmdstat_(evalsha|eval|wait|fcall):calls=(\d+)", line)
        if m:
            n += int(m.group(2))
    return n


def pakn_load(bots, stop, acked, tries, tag):
    """PAKN by SMS round robin over bots until stop is set: (code, text) of
    each acknowledged complaint into acked, (time, ok) of each try into tries."""
    i = 0
    while not stop.is_set():
        bot = bots[i % len(bots)]
        text = f"PAKN {tag} su co so {i} o to dan pho {i % 41}"
        try:
            st, body = mo(bot, f"8499{tag}{i:06d}", text, f"ha-{tag}-{os.getpid()}-{i}")
        except OSError:
            st, body = 0, ""
        m = CODE_RX.search(body) if st == 200 else None
        tries.append((time.time(), bool(m)))
        if m:
            acked.append((m.group(0), text[5:]))
        i += 1
        time.sleep(0.005)


def pakn_rate(bot, tag, seconds):
    """Sequential PAKN by SMS for seconds: (acknowledged per second, mean ms)."""
    n, t0, lat = 0, time.time(), []
    while time.time() - t0 < seconds:
        t = time.time()
        st, body = mo(bot, f"8496{tag}{n:05d}", f"PAKN do {tag} so {n} ngo {n % 31}",
                      f"cost-{tag}-{os.getpid()}-{n}")
        if st == 200 and CODE_RX.search(body):
            lat.append(time.time() - t)
        n += 1
    return len(lat) / (time.time() - t0), 1000 * sum(lat) / max(1, len(lat))


def wait_cost(bot, replicas, env):
    """(b) WAIT 1 before acknowledging: a stopped replica means no acknowledgement;
    the cost against wait_replicas 0 on the same Redis, in the same run."""
    for r in replicas:
        r.proc.send_signal(signal.SIGSTOP)
    try:
        st, body = mo(bot, "84960000001", "PAKN khi ban sao dung", f"nowait-{os.getpid()}")
    finally:
        for r in replicas:
            r.proc.send_signal(signal.SIGCONT)
    ok(not CODE_RX.search(body), "(b) WAIT 1: with the replica stopped a complaint is not "
       "acknowledged (the SMS channel's 'unavailable' answer)", (st, body))
    nowait = Dvcbot(1, env=dict(env, DVCBOT_REDIS_WAIT_REPLICAS="0")).start()
    try:
        secs = 1.5 if SOAK else 0.75      # interleaved slices: the machine's noise hits both
        runs = {"w": [], "n": []}
        for k in range(8 if SOAK else 4):
            runs["n"].append(pakn_rate(nowait, f"{k}1", secs))
            runs["w"].append(pakn_rate(bot, f"{k}2", secs))
    finally:
        nowait.stop()
    mean = lambda xs, i: sum(x[i] for x in xs) / len(xs)
    r1, l1 = mean(runs["w"], 0), mean(runs["w"], 1)
    base_r, base_l = mean(runs["n"], 0), mean(runs["n"], 1)
    ratio = r1 / base_r if base_r else 0
    ok(r1 > 0 and base_r > 0, f"(b) cost of WAIT 1: {r1:.0f} vs {base_r:.0f} acknowledged "
       f"complaints/s sequentially ({ratio:.2f}x), {l1:.2f} vs {base_l:.2f} ms each")
    print(f"# (b) WAIT 1 cost: {r1:.1f}/s vs {base_r:.1f}/s without ({ratio:.2f}x); "
          f"latency {l1:.2f} ms vs {base_l:.2f} ms (+{l1 - base_l:.2f} ms)", flush=True)


def report(cond, msg, *why):
    """ok() for another build's run (DVC_FLEET_BEFORE): printed, not judged."""
    print(f"# {'yes' if cond else 'NO'}: {msg}", flush=True)


def sentinel_failover(binary=None, label=""):
    """(b) SIGKILL of the master under complaint load; binary: another dvcbot
    (DVC_FLEET_BEFORE) for the same scenario, label its name in the output.
    Returns the seconds from +switch-master to the first acknowledged complaint."""
    master = Node().start()
    replica = Node(master=master.port).start()
    replica2 = Node(master=master.port).start()    # WAIT 1 still met after a failover
    sentinels = [Sentinel(master.port).start() for _ in range(3)]
    bots, watches, full = [], [], binary is None
    check = ok if full else report
    try:
        for r in (replica, replica2):
            wait(lambda: r.cli("INFO", "replication").find("master_link_status:up") >= 0, 20)
        # a failover needs every Sentinel to know both replicas and its two peers (their
        # hello messages, every 2 s): killing the master earlier costs extra elections
        wait(lambda: all(x.known() == (2, 2) for x in sentinels), 20, 0.1)
        env = {"DVCBOT_REDIS_SENTINELS": ",".join(f"127.0.0.1:{x.port}" for x in sentinels),
               "DVCBOT_REDIS_PASSWORD": PASSWORD, "DVCBOT_CHANNELS_SECRET": SECRET,
               "DVCBOT_SMS_OUTBOX": "false", "DVCBOT_LOG_REQUESTS": "false"}
        bots = [Dvcbot(1, env=env, binary=binary).start() for _ in range(2)]
        if full:
            sentinel_checks(bots, env, master, replica, replica2)
        stop, acked, tries = threading.Event(), [], []
        ths = [threading.Thread(target=pakn_load, args=(bots, stop, acked, tries, t))
               for t in ("1", "2")]
        for t in ths:
            t.start()
        wait(lambda: len(acked) >= 50, 30)
        watches = [SwitchWatch(x.port) for x in sentinels]
        t_kill = time.time()
        master.kill()
        # a supervisor restarts the dead node once the Sentinels have moved on (restarting an
        # empty master before the failover would make the replica resync to nothing): it
        # comes back empty, a master until the Sentinels turn it into a replica
        wait(lambda: all(x.master() in (replica.port, replica2.port) for x in sentinels), 20, 0.05)
        t_switch = time.time() - t_kill
        master = Node(port=master.port)
        master.start()
        wait(lambda: any(t > t_kill + 0.2 and good for t, good in tries[-20:]), 30, 0.05)
        # back: the first acknowledgement after the first refusal (answers in flight at the
        # kill may still come back good)
        fail0 = next((t for t, good in list(tries) if t > t_kill and not good), t_kill)
        back = [t for t, good in list(tries) if t > fail0 and good]
        back_s = back[0] - t_kill if back else 99
        event = min((w.at for w in watches if w.at), default=None)
        follow_s = back[0] - event if back and event else 99
        check(back_s < 10, f"(b){label} SIGKILL of the master: failover after {t_switch:.1f}s, "
           f"complaints acknowledged again after {back_s:.1f}s (< 10 s), "
           f"{follow_s:.2f}s after +switch-master")
        new_port = sentinels[0].master()
        check(new_port in (replica.port, replica2.port), f"(b){label} the Sentinels promoted a replica",
           new_port)
        if SOAK:
            wait(lambda: "role:slave" in master.cli("INFO", "replication"), 30, 0.2)
        n_mid = len(acked)
        wait(lambda: len(acked) >= n_mid + 20, 30)
        stop.set()
        for t in ths:
            t.join()
        new = Node(port=new_port)
        codes = [c for c, _ in acked]
        got = new.pipe([f"HGET dvcbot:complaint:{c} text" for c in codes])
        missing = [c for c, g in zip(codes, got) if not g]
        texts = new.pipe([f"HGET {k} text" for k in
                          new.cli("--scan", "--pattern", "dvcbot:complaint:PA-*").split()])
        epochs = [x.epoch() for x in sentinels]
        dup = len(texts) - len(set(texts))
        check(not missing, f"(b){label} every acknowledged complaint is on the new master: "
           f"{len(acked) - len(missing)}/{len(acked)} ({len(missing)} lost)", missing[:5])
        check(dup == 0, f"(b){label} no complaint filed twice ({dup})")
        wrote = client_writes(master)
        check(wrote == 0, f"(b){label} nothing written to the restarted old master "
           f"({wrote} scripts/WAITs there)")
        healthy = all(b.request("GET", "/healthz")[0] == 200 for b in bots)
        if SOAK:
            check("role:slave" in master.cli("INFO", "replication") and healthy,
               f"(b){label} the restarted old master is a replica; both instances healthy "
               "on the new master")
        else:
            check(healthy, f"(b){label} both instances healthy on the new master")
        print(f"# (b){label} failover: switch after {t_switch:.2f}s, back after {back_s:.2f}s, "
              f"first acknowledged write {follow_s:.2f}s after +switch-master; {len(acked)} "
              f"acknowledged, {len(missing)} lost, {sum(1 for t, g in tries if not g)} refused "
              "tries", f"config-epochs {epochs}", flush=True)
        if full:                                  # the Sentinel subscriptions freed, nothing leaked
            for b in bots:
                rc = b.stop()
                ok(rc == 0 and sanitizer_clean(b.stderr()), "(b) instance on the Sentinels: "
                   "clean SIGTERM exit", b.stderr()[-1500:])
        return follow_s
    finally:
        for w in watches:
            w.close()
        for b in bots:
            if b.proc and b.proc.poll() is None:
                b.stop()
        for x in sentinels:
            x.close()
        master.close()
        replica.close()
        replica2.close()


def sentinel_checks(bots, env, master, replica, replica2):
    """(b) before the failover: discovery (serve and keys), a replica refused, WAIT 1."""
    st, h, body = bots[0].request("GET", "/healthz")
    ok(st == 200 and b'"role":"master"' in body,
       "(b) an instance finds the master through the Sentinels (AUTH): /healthz 200, master",
       body)
    kenv = {"DVCBOT_REDIS_URL": "redis://127.0.0.1:1/0", "PATH": "/usr/bin:/bin",
            "DVCBOT_REDIS_SENTINELS": env["DVCBOT_REDIS_SENTINELS"],
            "DVCBOT_REDIS_PASSWORD": PASSWORD}
    p = subprocess.run([f"{ROOT}/build/asan/dvcbot", "keys", "create", "--operator", "Ha"],
                       cwd=ROOT, env=kenv, capture_output=True, text=True, timeout=30)
    ok(p.returncode == 0 and p.stdout.startswith("dvc_") and
       len(master.cli("--scan", "--pattern", "dvcbot:key:*").split()) == 1,
       "(b) dvcbot keys finds the master through the Sentinels too (AUTH)", p.stderr)
    on_replica = Dvcbot(replica.port, env={"DVCBOT_REDIS_PASSWORD": PASSWORD,
                                           "DVCBOT_SMS_OUTBOX": "false"})
    # never healthy: wait for it to say so instead of start()'s wait for a 200
    on_replica.wait_healthy = lambda timeout: wait(
        lambda: b'"role":"replica"' in on_replica.request("GET", "/healthz")[2], timeout, 0.05)
    on_replica.start()
    st, h, body = on_replica.request("GET", "/healthz")
    st2, _ = on_replica.chat("w-fleet-replica", "xin chao")
    ok(st == 503 and b'"role":"replica"' in body and st2 == 503,
       "(b) an instance pointed at a replica: /healthz 503 (role replica), chat 503",
       (st, body, st2))
    on_replica.stop()
    wait_cost(bots[0], (replica, replica2), env)


def failover_compare():
    """(b), and with DVC_FLEET_BEFORE=<binary> the same scenario with that
    build first (the ratio of the times to the first acknowledged write)."""
    before = os.environ.get("DVC_FLEET_BEFORE")
    b_s = sentinel_failover(before, " [before]") if before else None
    a_s = sentinel_failover()
    if b_s:
        print(f"# (b) +switch-master to the first acknowledged write: {a_s:.2f}s vs {b_s:.2f}s "
              f"before ({a_s / b_s:.2f}x)", flush=True)


def main():
    t0 = time.time()
    parts = os.environ.get("DVC_FLEET_PARTS", "adcb")
    if parts == "b":                          # the failover alone (its own Redis set)
        failover_compare()
        print(f"# fleet suite took {time.time() - t0:.0f}s", flush=True)
        return done()
    redis = Redis().start()
    rundir = tempfile.mkdtemp(prefix="dvc-fleet-")
    kannel = Kannel(rundir, "http://127.0.0.1:1", secret=SECRET)
    smsc, fleet, nginx = None, None, None
    try:
        kannel.start()
        smsc = TimedSMSC(kannel.smsc_port).connect()
        ports = [free_port() for _ in range(3)]
        nginx = Nginx(ports)
        fleet = Fleet(redis, kannel.sendsms_url, ports, nginx.url)
        t1 = time.time()
        outbox_fleet(redis, fleet, smsc)
        t2 = time.time()
        same_id_two_instances(redis, fleet.bots[0], fleet.bots[1])
        t3 = time.time()
        console_across(redis, fleet.bots[0], fleet.bots[1])
        front = type("Front", (), {"port": nginx.port, "origin": nginx.url})()
        for k in range(2):                    # round robin: the two ends land apart
            console_across(redis, front, front, via=f" via nginx {k + 1}", full=False)
        t4 = time.time()
        failover_compare()
        print(f"# setup {t1 - t0:.0f}s, (a) {t2 - t1:.0f}s, (d) {t3 - t2:.0f}s, (c) {t4 - t3:.0f}s, "
              f"(b) {time.time() - t4:.0f}s", flush=True)
        for rc, b in fleet.stop():
            ok(rc == 0 and sanitizer_clean(b.stderr()), "instance: clean SIGTERM exit",
               b.stderr()[-1500:])
    finally:
        if fleet:
            fleet.stop()
        if smsc:
            smsc.close()
        if nginx:
            nginx.close()
        kannel.stop()
        redis.close()
        if not os.environ.get("DVC_KEEP"):
            shutil.rmtree(rundir, ignore_errors=True)
    print(f"# fleet suite took {time.time() - t0:.0f}s", flush=True)
    done()


if __name__ == "__main__":
    main()
