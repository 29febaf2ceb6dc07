#!/usr/bin/env python3
"""memory.py -- `make bench` row: Redis memory per dossier and per answered
complaint, extrapolated to the portal's 7.5 M dossiers and 10 M complaints
(issue 13, store/README.md "Bounded memory").

A private redis-server started with the memory settings of config/redis.conf
(every *-listpack-* line) is loaded through the server's own Lua scripts
(dossiers_put, subs_notify, complaints_create, complaints_answer, assembled by
scripts/embed-lua.py), piped with redis-cli --pipe:
  - N dossiers (BENCH_MEMORY_DOSSIERS, default 200,000), each created and
    moved through 4 statuses, each change notifying the applicant by SMS;
  - N/4 complaints filed and answered (the answer notifies by SMS).
Figures: used_memory per dossier with its history while its SMS records are
kept (within sms.retention_days) and once they expired (deleted here: the
records a sent message leaves carry that TTL), the same for complaints, and
the same dataset loaded with Redis's default listpack settings (baseline, in
the same run). Prints one table and a JSON line."""
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
N = int(os.environ.get("BENCH_MEMORY_DOSSIERS", "200000"))
STATUSES = ["received", "processing", "supplement", "processing", "returned"]


def embed():
    spec = importlib.util.spec_from_file_location("embed_lua", os.path.join(ROOT, "scripts",
                                                                            "embed-lua.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    heads = sorted(os.path.join(ROOT, "store", h) for h in os.listdir(os.path.join(ROOT, "store"))
                   if h.endswith(".h"))
    consts = mod.read_consts(heads)
    return lambda name: mod.assemble(os.path.join(ROOT, "store", "lua", name + ".lua"), consts)


def listpack_args():
    out = []
    with open(os.path.join(ROOT, "config", "redis.conf")) as f:
        for line in f:
            w = line.split()
            if len(w) == 2 and "listpack" in w[0] and not line.startswith("#"):
                out += ["--" + w[0], w[1]]
    return out


def resp(*args):
    b = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        b.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(b)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, extra):
        self.port, self.dir = free_port(), tempfile.mkdtemp(prefix="dvc-mem-")
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind",
                                      "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                                      self.dir, *extra], stdout=subprocess.DEVNULL)
        for _ in range(100):
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.05)

    def cli(self, *a):
        return subprocess.run(["redis-cli", "-p", str(self.port), "--raw", *a],
                              capture_output=True, text=True).stdout.strip()

    def pipe(self, data):
        p = subprocess.run(["redis-cli", "-p", str(self.port), "--pipe"], input=data,
                           capture_output=True)
        if b"errors: 0" not in p.stdout:
            sys.exit("memory.py: redis-cli --pipe: " + p.stdout.decode()[:600] + p.stderr.decode()[:600])

    def used(self):
        for line in self.cli("INFO", "memory").splitlines():
            if line.startswith("used_memory:"):
                return int(line.split(":")[1])
        return 0

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def load_dossiers(srv, script, n):
    put, notify = script("dossiers_put"), script("subs_notify")
    sp, sn = hashlib.sha1(put.encode()).hexdigest(), hashlib.sha1(notify.encode()).hexdigest()
    srv.cli("SCRIPT", "LOAD", put)
    srv.cli("SCRIPT", "LOAD", notify)
    chunk = []
    for i in range(n):
        code = f"000.00.{i % 60:02d}.H{i % 63:02d}-2612{i % 28 + 1:02d}-{i:06d}"
        phone = f"849{i:08d}"[:11]
        for k, st in enumerate(STATUSES):
            at = f"2026-12-{k + 1:02d}T08:{k:02d}:00+07:00"
            chunk.append(resp("EVALSHA", sp, 2, f"dvcbot:dossier:{code}", f"dvcbot:phone-idx:{phone}",
                              code, code.split("-")[0], "1.001193", st, "2026-12-01T08:00:00+07:00",
                              "2026-12-20T17:00:00+07:00", phone, "", at, "", 0, 0))
            if k:
                text = (f"Ho so {code} cua Anh/Chi da chuyen sang: {st}. "
                        f"Tra cuu: TRACUU {code}. Cam on Anh/Chi.")
                chunk.append(resp("EVALSHA", sn, 0, code, STATUSES[k - 1], st, phone,
                                  f"{at}:{STATUSES[k - 1]}>{st}", text, text, "200", "bench"))
        if len(chunk) >= 40000:
            srv.pipe(b"".join(chunk))
            chunk = []
    if chunk:
        srv.pipe(b"".join(chunk))


def load_complaints(srv, script, n):
    create, answer = script("complaints_create"), script("complaints_answer")
    sc, sa = hashlib.sha1(create.encode()).hexdigest(), hashlib.sha1(answer.encode()).hexdigest()
    srv.cli("SCRIPT", "LOAD", create)
    srv.cli("SCRIPT", "LOAD", answer)
    chunk, codes = [], []
    text = ("Duong ong nuoc truoc so nha 12 ngo 45 bi vo tu ba ngay nay, nuoc chay lenh lang "
            "ra duong, de nghi phuong cu nguoi kiem tra va sua chua som giup dan.")
    for i in range(n):
        day = f"2612{i // 9000 + 1:02d}"
        codes.append(f"PA-{day}-{i % 9000 + 1:04d}")
        chunk.append(resp("EVALSHA", sc, 0, day, f"000.00.{i % 200:03d}.H18"[:13], "sms",
                          f"849{i:08d}"[:11], f"849{i:08d}"[:11], "khac", text, "",
                          "2026-12-01T09:00:00+07:00", 1796000000 + i, f"sms:bench-{i}",
                          "", 0, "", 0, ""))
    srv.pipe(b"".join(chunk))
    chunk = []
    for i, code in enumerate(codes):
        ag = f"000.00.{i % 200:03d}.H18"[:13]
        ans = ("Phuong da cu to cong tac den kiem tra va sua chua xong duong ong, "
               "xin cam on Anh/Chi da phan anh.")
        chunk.append(resp("EVALSHA", sa, 0, code, ag, ans, "2026-12-03T10:00:00+07:00",
                          1796100000 + i, f"PAKN {code} da duoc tra loi: {ans}", ans))
    srv.pipe(b"".join(chunk))


def drop(srv, pattern):
    """Delete the keys matching pattern (what their TTL would do)."""
    srv.pipe(b"".join(resp("UNLINK", k) for k in
                      srv.cli("--scan", "--pattern", pattern).split()) or resp("PING"))


def measure(extra, script):
    srv = Server(extra)
    try:
        base = srv.used()
        load_dossiers(srv, script, N)
        fresh = srv.used() - base
        drop(srv, "dvcbot:outbox:*")
        aged = srv.used() - base
        srv.cli("FLUSHALL")
        time.sleep(0.5)
        base = srv.used()
        nc = max(1, N // 4)
        load_complaints(srv, script, nc)
        c_fresh = srv.used() - base
        drop(srv, "dvcbot:outbox:*")
        drop(srv, "dvcbot:complaint-token:*")
        c_aged = srv.used() - base
        return {"dossier_fresh": fresh / N, "dossier_aged": aged / N,
                "complaint_fresh": c_fresh / nc, "complaint_aged": c_aged / nc, "complaints": nc}
    finally:
        srv.close()


def main():
    script = embed()
    t0 = time.time()
    ours = measure(listpack_args(), script)
    default = measure([], script)
    # 7.5 M dossiers, one in twelve changed within the 30-day retention (its SMS records kept)
    d75 = 7.5e6 * ours["dossier_aged"] + 7.5e6 / 12 * (ours["dossier_fresh"] - ours["dossier_aged"])
    c10 = 10e6 * ours["complaint_aged"] + 10e6 / 12 * (ours["complaint_fresh"] - ours["complaint_aged"])
    print(f"memory ({N} dossiers x {len(STATUSES) - 1} changes, {ours['complaints']} answered "
          f"complaints, {time.time() - t0:.0f}s)")
    print(f"  {'':34} {'config/redis.conf':>18} {'Redis defaults':>15} {'ratio':>6}")
    for k, label in (("dossier_fresh", "B/dossier, SMS records kept"),
                     ("dossier_aged", "B/dossier, after retention"),
                     ("complaint_fresh", "B/answered complaint, SMS kept"),
                     ("complaint_aged", "B/answered complaint, after")):
        print(f"  {label:34} {ours[k]:18.0f} {default[k]:15.0f} {ours[k] / default[k]:6.2f}")
    print(f"  7.5 M dossiers: {d75 / 1e9:.1f} GB; 10 M answered complaints: {c10 / 1e9:.1f} GB "
          f"(1 in 12 within the 30-day retention)")
    print(json.dumps({"row": "memory", "dossiers": N, "ours": ours, "defaults": default,
                      "gb_7_5m_dossiers": round(d75 / 1e9, 2),
                      "gb_10m_complaints": round(c10 / 1e9, 2)}))


if __name__ == "__main__":
    main()
