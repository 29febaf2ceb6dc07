#!/usr/bin/env python3
"""kannel.py -- MOs per second through fake SMSC -> bearerbox -> smsbox ->
service -> back, with dvcbot (optimised build) as the service and, in the same
run, nginx answering a fixed text (the null service). Also CPU seconds per
message of dvcbot and of smsbox (from /proc). Goal ([sms] issue): dvcbot's
rate >= 0.9 of the null service's, and its CPU per message < 1/10 of smsbox's.

    python3 tests/bench/kannel.py [N_MOS]     (default 20000; make bench uses 4000)

MOs go BENCH_SMS_WINDOW (64) at a time, the next as soon as a reply arrives,
so the rate and the MO -> MT round-trip latency are measured together.

Prints one JSON object and writes it to tests/bench/results/kannel.json."""
import json
import os
import queue
import shutil
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import Redis, free_port, wait_port  # noqa: E402
from kannel import FakeSMSC, Kannel  # noqa: E402

TEXT = "TTPA PA-240101-0001"
WINDOW = int(os.environ.get("BENCH_SMS_WINDOW", "64"))


def cpu_s(pid):
    """CPU seconds (user + system) of pid and its children (nginx's workers)."""
    total = 0
    try:
        kids = [int(k) for k in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        kids = []
    for p in [pid] + kids:
        with open(f"/proc/{p}/stat") as f:
            v = f.read().rsplit(")", 1)[1].split()
        total += int(v[11]) + int(v[12])
    return total / os.sysconf("SC_CLK_TCK")


def pid_of(rundir, name):
    with open(os.path.join(rundir, name + ".pid")) as f:
        return int(f.read())


class TimedSMSC(FakeSMSC):
    """The fake SMSC that also queues (number, arrival time) of every MT."""

    def __init__(self, port):
        super().__init__(port)
        self.arrived = queue.Queue()

    def _line(self, line):
        with self.lock:
            before = len(self.mts)
        super()._line(line)
        with self.lock:
            new = self.mts[before:]
            del self.mts[:]
        for m in new:
            self.arrived.put((m[1][-7:], time.time()))


def run_loop(kannel, n, service_pid):
    """n MOs, WINDOW in flight (closed loop, like wrk's connections): rate, the
    MO -> MT round trip p50/p99, and CPU per message of the service and smsbox."""
    smsc = TimedSMSC(kannel.smsc_port).connect()
    smsbox = pid_of(kannel.rundir, "smsbox")
    for i in range(50):  # warm up
        smsc.send_mo(f"8490{i:07d}", TEXT)
    for _ in range(50):
        smsc.arrived.get(timeout=30)
    c0 = (cpu_s(service_pid), cpu_s(smsbox))
    sent, lat, nxt = {}, [], 0
    t0 = time.time()
    while len(lat) < n:
        while nxt < n and len(sent) < WINDOW:
            num = f"{nxt % 10000000:07d}"
            sent[num] = time.time()
            smsc.send_mo("8491" + num, TEXT)
            nxt += 1
        num, t = smsc.arrived.get(timeout=60)
        if num in sent:
            lat.append(t - sent.pop(num))
    dt = time.time() - t0
    c1 = (cpu_s(service_pid), cpu_s(smsbox))
    smsc.close()
    lat.sort()
    return {"mos": n, "replies": len(lat), "window": WINDOW, "seconds": round(dt, 2),
            "rate": round(len(lat) / dt, 1),
            "p50_ms": round(lat[len(lat) // 2] * 1e3, 2), "p99_ms": round(lat[int(len(lat) * 0.99)] * 1e3, 2),
            "service_cpu_ms_per_msg": round((c1[0] - c0[0]) * 1e3 / n, 4),
            "smsbox_cpu_ms_per_msg": round((c1[1] - c0[1]) * 1e3 / n, 4)}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    tmp = tempfile.mkdtemp(prefix="dvc-kbench-")
    redis = Redis().start()
    bport, nport = free_port(), free_port()
    secret = os.environ.get("DVCBOT_CHANNELS_SECRET") or secrets.token_urlsafe(24)
    env = dict(os.environ, DVCBOT_HTTP_PORT=str(bport), DVCBOT_LOG_REQUESTS="false",
               DVCBOT_REDIS_URL=f"redis://127.0.0.1:{redis.port}/0", DVCBOT_SMS_OUTBOX="false",
               DVCBOT_CHANNELS_SECRET=secret)
    bot = subprocess.Popen([os.environ.get("DVCBOT_BIN", os.path.join(ROOT, "build/dvcbot")), "serve"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "dvcbot.log"), "w"))
    procs = [bot]
    os.environ["KANNEL_LOG_LEVEL"] = "3"
    try:
        wait_port(bport, 20)
        reply = urllib.request.urlopen(f"http://127.0.0.1:{bport}/sms/kannel?from=84900000000&text="
                                       + TEXT.replace(" ", "+") + "&secret=" + secret).read().decode()
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""worker_processes 1; daemon off; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err;
events {{ worker_connections 4096; }}
http {{ access_log off; client_body_temp_path {tmp};
  server {{ listen 127.0.0.1:{nport};
    location / {{ default_type "text/plain; charset=UTF-8"; return 200 '{reply.replace("'", "")}'; }} }} }}
""")
        nginx = subprocess.Popen(["nginx", "-c", conf, "-p", tmp], stderr=subprocess.DEVNULL)
        procs.append(nginx)
        wait_port(nport, 10)
        out = {"text": TEXT, "reply_chars": len(reply)}
        for name, url, pid in (("dvcbot", f"http://127.0.0.1:{bport}", bot.pid),
                               ("null_nginx", f"http://127.0.0.1:{nport}", nginx.pid)):
            k = Kannel(os.path.join(tmp, name), url, secret=secret).start()
            try:
                out[name] = run_loop(k, n, pid)
            finally:
                k.stop()
        out["rate_ratio"] = round(out["dvcbot"]["rate"] / out["null_nginx"]["rate"], 3)
        out["cpu_ratio_dvcbot_vs_smsbox"] = round(
            out["dvcbot"]["service_cpu_ms_per_msg"] / out["dvcbot"]["smsbox_cpu_ms_per_msg"], 3)
        print(json.dumps(out, indent=2))
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        with open(os.path.join(HERE, "results", "kannel.json"), "w") as f:
            json.dump(out, f, indent=2)
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        redis.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
