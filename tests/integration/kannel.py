"""kannel.py -- the real Kannel for the integration tests: bearerbox + smsbox
started by scripts/kannel.sh on free loopback ports, a fake-SMSC client that
speaks the fake SMSC line protocol directly (MOs in, MTs out, concatenated
parts reassembled), and helpers to queue outbox messages the way
store/outbox.c does."""
import os
import socket
import subprocess
import threading
import time
import urllib.parse

from harness import ROOT

SCRIPT = os.path.join(ROOT, "scripts", "kannel.sh")


class Kannel:
    """Private bearerbox + smsbox; ports kept across stop/start."""

    def __init__(self, rundir, dvcbot_url, secret=""):
        self.rundir = rundir
        self.url = dvcbot_url
        self.secret = secret
        self.env = {}

    def start(self):
        env = dict(os.environ)
        env.update(self.env)  # same ports after a restart
        out = subprocess.run([SCRIPT, "start", self.rundir, self.url, self.secret], env=env,
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise RuntimeError("kannel.sh start failed: " + out.stderr + out.stdout)
        for line in out.stdout.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                self.env[k] = v
        return self

    def stop(self):
        subprocess.run([SCRIPT, "stop", self.rundir], capture_output=True, timeout=30)

    def stop_bearerbox(self, sig=15):
        """Signal bearerbox only (default SIGTERM, a clean stop); `stop` + `start`
        bring both boxes back on the same ports."""
        try:
            with open(os.path.join(self.rundir, "bearerbox.pid")) as f:
                os.kill(int(f.read()), sig)
        except (OSError, ValueError):
            pass

    @property
    def smsc_port(self):
        return int(self.env["KANNEL_SMSC_PORT"])

    @property
    def sendsms_url(self):
        return self.env["KANNEL_SENDSMS_URL"]

    def log(self, name="smsbox.log"):
        try:
            with open(os.path.join(self.rundir, name), errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def _decode(data):
    """MT payload bytes: UTF-8 (7-bit replies) or UCS-2 (coding 2)."""
    if len(data) % 2 == 0 and data and data[::2].count(0) * 4 >= len(data):
        try:
            return data.decode("utf-16-be")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class FakeSMSC:
    """One client connection to the fake SMSC port. Collects MTs as
    (sender, receiver, text, parts) with concatenated parts reassembled."""

    def __init__(self, port):
        self.port = port
        self.sock = None
        self.mts = []
        self.lock = threading.Lock()
        self.partial = {}
        self.unknown = []  # lines of a kind this parser does not know
        self.thread = None

    def connect(self, timeout=10):
        end = time.time() + timeout
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                break
            except OSError:
                if time.time() > end:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(None)
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()
        time.sleep(0.3)  # bearerbox marks the SMSC online
        return self

    def close(self):
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
            self.sock = None
        if self.thread:
            self.thread.join(5)

    def send_mo(self, sender, text, receiver="1900"):
        line = f"{sender} {receiver} text {text}\n".encode()
        self.sock.sendall(line)

    def send_mo_data(self, sender, data, receiver="1900"):
        """An MO as URL-encoded bytes (any characters, even an empty text)."""
        enc = urllib.parse.quote_from_bytes(data)
        self.sock.sendall(f"{sender} {receiver} data {enc}\n".encode())

    def _reader(self):
        buf = b""
        while True:
            try:
                d = self.sock.recv(65536)
            except OSError:
                return
            if not d:
                return
            buf += d
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self._line(line.decode("latin-1"))

    def _line(self, line):
        f = line.split(" ")
        if len(f) < 3:
            return
        sender, receiver, kind = f[0], f[1], f[2]
        udh = b""
        if kind == "text":
            data = " ".join(f[3:]).encode("latin-1")
        elif kind in ("data", "ucs-2"):
            data = urllib.parse.unquote_to_bytes(" ".join(f[3:]).replace("+", " "))
        elif kind == "udh" and len(f) >= 6:
            udh = urllib.parse.unquote_to_bytes(f[3])
            data = urllib.parse.unquote_to_bytes(" ".join(f[5:]).replace("+", " "))
        else:
            self.unknown.append(line)
            return
        if len(udh) >= 6 and udh[1] == 0:  # concatenation: ref, total, seq
            key = (sender, receiver, udh[3])
            parts = self.partial.setdefault(key, {})
            parts[udh[5]] = data
            if len(parts) < udh[4]:
                return
            del self.partial[key]
            data = b"".join(parts[i] for i in sorted(parts))
            n = udh[4]
        else:
            n = 1
        with self.lock:
            self.mts.append((sender, receiver, _decode(data), n))

    def take(self, receiver=None, count=1, timeout=10):
        """Wait for count MTs (to receiver, if given) and remove them."""
        end = time.time() + timeout
        while True:
            with self.lock:
                got = [m for m in self.mts if receiver is None or m[1] == receiver]
                if len(got) >= count:
                    for m in got[:count]:
                        self.mts.remove(m)
                    return got[:count]
            if time.time() > end:
                return got
            time.sleep(0.02)

    def clear(self):
        with self.lock:
            self.mts.clear()

    def all(self):
        with self.lock:
            return list(self.mts)


def outbox_put(redis, to, text, kind="notify"):
    """Queue one message with the structure of store/outbox.c (no dedupe)."""
    mid = redis.cli("INCR", "dvcbot:outbox:seq")
    redis.cli("HSET", f"dvcbot:outbox:msg:{mid}", "id", mid, "to", to, "text", text, "kind", kind,
              "status", "queued", "attempts", "0", "created_at", str(int(time.time() * 1000)),
              "dedupe", "", "ref", "")
    redis.cli("RPUSH", f"dvcbot:outbox:q:{kind}", mid)
    return mid


def outbox_get(redis, mid):
    out = redis.cli("HGETALL", f"dvcbot:outbox:msg:{mid}").split("\n")
    return dict(zip(out[0::2], out[1::2]))


def _enqueue_script():
    """store/lua/outbox_enqueue.lua assembled as the server sends it (its preludes
    and constants), by scripts/embed-lua.py's own assemble()."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("embed_lua",
                                                  os.path.join(ROOT, "scripts", "embed-lua.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    heads = [os.path.join(ROOT, "store", h) for h in os.listdir(os.path.join(ROOT, "store"))
             if h.endswith(".h")]
    return mod.assemble(os.path.join(ROOT, "store", "lua", "outbox_enqueue.lua"),
                        mod.read_consts(sorted(heads)))


_ENQUEUE = []


def outbox_enqueue(redis, to, text, kind="notify", dedupe="", ref=""):
    """Queue one message with the server's own enqueue script (store/outbox.h)."""
    if not _ENQUEUE:
        _ENQUEUE.append(_enqueue_script())
    out = redis.cli("EVAL", _ENQUEUE[0], "0", to, text, kind, dedupe, ref)
    return out.split("\n")[0]
