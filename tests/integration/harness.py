"""harness.py -- real processes for the integration tests: a private
redis-server on a free port, dvcbot (the ASan+UBSan build) pointed at it, an
HTTP client, and TAP-style checks (ok / not ok, then "N passed, N failed")."""
import http.client
import json
import urllib.parse
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_n = {"pass": 0, "fail": 0}


def ok(cond, name, detail=""):
    num = _n["pass"] + _n["fail"] + 1
    if cond:
        _n["pass"] += 1
        print(f"ok {num} - {name}", flush=True)
    else:
        _n["fail"] += 1
        print(f"not ok {num} - {name}", flush=True)
        if detail:
            for line in str(detail).splitlines()[:20]:
                print(f"#   {line}", flush=True)
    return cond


def done():
    print(f"{_n['pass']} passed, {_n['fail']} failed", flush=True)
    sys.exit(1 if _n["fail"] else 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def sesscodec_decode(data):
    """Decode store/sesscodec.c's version 1 (0xC0 0x01, then tagged values)."""
    if data[:2] != b"\xc0\x01":
        raise ValueError("not a version-1 session: %r" % data[:40])
    pos = [2]

    def varint():
        v, shift = 0, 0
        while True:
            b = data[pos[0]]
            pos[0] += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v

    def blob():
        n = varint()
        out = data[pos[0]:pos[0] + n]
        pos[0] += n
        return out.decode("utf-8")

    def value():
        tag = chr(data[pos[0]])
        pos[0] += 1
        if tag in "ntf":
            return {"n": None, "t": True, "f": False}[tag]
        if tag == "i":
            u = varint()
            return (u >> 1) ^ -(u & 1)
        if tag == "d":
            pos[0] += 8
            return struct.unpack("<d", data[pos[0] - 8:pos[0]])[0]
        if tag == "s":
            return blob()
        if tag == "a":
            return [value() for _ in range(varint())]
        if tag == "o":
            out = {}
            for _ in range(varint()):
                k = blob()
                out[k] = value()
            return out
        raise ValueError("bad tag %r" % tag)

    v = value()
    if pos[0] != len(data):
        raise ValueError("trailing bytes")
    return v


def sesscodec_encode(v):
    """store/sesscodec.c's version 1 of v (dict, list, str, int, bool, None), as
    an earlier dvcbot wrote it (the tests store old forms with it)."""
    out = bytearray(b"\xc0\x01")

    def varint(n):
        while True:
            out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not n:
                return

    def blob(t):
        b = t.encode("utf-8")
        varint(len(b))
        out.extend(b)

    def value(x):
        if x is None or isinstance(x, bool):
            out.extend({None: b"n", True: b"t", False: b"f"}[x])
        elif isinstance(x, int):
            out.extend(b"i")
            varint((x << 1) ^ (-1 if x < 0 else 0))
        elif isinstance(x, str):
            out.extend(b"s")
            blob(x)
        elif isinstance(x, list):
            out.extend(b"a")
            varint(len(x))
            for e in x:
                value(e)
        else:
            out.extend(b"o")
            varint(len(x))
            for k, e in x.items():
                blob(k)
                value(e)
    value(v)
    return bytes(out)


class Redis:
    """A private redis-server; nothing is shared with a system instance."""

    def __init__(self, port=None, aof=False):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="dvc-redis-")
        self.proc = None
        # aof: every write fsynced before its reply (a restart keeps the data dir)
        self.aof = ["--appendonly", "yes", "--appendfsync", "always"] if aof else \
            ["--appendonly", "no"]

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", *self.aof, "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port):
            raise RuntimeError("redis-server did not start")
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)

    def cli(self, *args):
        out = subprocess.run(["redis-cli", "-p", str(self.port), "--raw", *args],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip()

    def raw(self, *args):
        """A command's reply as bytes (one trailing newline of redis-cli removed)."""
        out = subprocess.run(["redis-cli", "-p", str(self.port), "--raw", *args],
                             capture_output=True, timeout=10)
        return out.stdout[:-1] if out.stdout.endswith(b"\n") else out.stdout

    def set_raw(self, key, data, ttl=180):
        """SET key to the bytes data (binary-safe: the value is read from stdin)."""
        subprocess.run(["redis-cli", "-p", str(self.port), "-x", "SET", key], input=data,
                       capture_output=True, timeout=10, check=True)
        self.cli("EXPIRE", key, str(ttl))

    def session(self, key):
        """The session or USSD route stored under key (store/sesscodec.h, version 1)
        as a dict, or None when missing. An old JSON value raises: dvcbot rewrites
        every session it touches in the current format."""
        data = self.raw("GET", key)
        return sesscodec_decode(data) if data else None

    def session_text(self, key):
        """The session as compact JSON text, for substring checks ("" when missing)."""
        v = self.session(key)
        return "" if v is None else json.dumps(v, ensure_ascii=False, separators=(",", ":"))

    def pipe(self, commands):
        """Many one-line-reply commands (lists of args) in one redis-cli run."""
        text = "".join(" ".join('"%s"' % a.replace("\\", "\\\\").replace('"', '\\"')
                                for a in c) + "\n" for c in commands)
        out = subprocess.run(["redis-cli", "-p", str(self.port), "--raw"], input=text,
                             capture_output=True, text=True, timeout=60)
        return out.stdout.split("\n")[:len(commands)]

    def close(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


CHANNEL_PATHS = ("/sms/", "/ussd")
UNLIMITED = {"DVCBOT_LIMITS_ADDR_PER_WINDOW": "0", "DVCBOT_LIMITS_AGENCY_PER_WINDOW": "0",
             "DVCBOT_LIMITS_IDENTITY_PER_WINDOW": "0",
             "DVCBOT_LIMITS_MISS_ADDR_LIMIT": "0", "DVCBOT_LIMITS_COMPLAINTS_PER_DAY": "0",
             "DVCBOT_LIMITS_COMPLAINTS_ADDR_PER_DAY": "0", "DVCBOT_LIMITS_HANDOFFS_PER_HOUR": "0",
             "DVCBOT_LIMITS_STATUS_CHANGES_PER_HOUR": "0"}


class Dvcbot:
    """build/asan/dvcbot serve with DVCBOT_* overrides; stderr kept for checks.
    Each has a fresh channel secret (SPEC.md "Channel access"): request() sends it
    as X-Dvcbot-Secret to the SMS and USSD endpoints unless told not to; raw
    requests add secret_header(); pass DVCBOT_CHANNELS_SECRET in env to choose it."""

    def __init__(self, redis_port, env=None, binary=None, args=None):
        self.port = free_port()
        binary = binary or os.environ.get("DVC_BINARY", "build/asan/dvcbot")  # make soak: valgrind
        self.binary = os.path.join(ROOT, binary)
        self.env = dict(os.environ)
        self.env.update({"DVCBOT_HTTP_PORT": str(self.port),
                         "DVCBOT_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"})
        if os.environ.get("DVC_WRAP"):      # valgrind: a slow loop is not a stalled one
            self.env["DVCBOT_HTTP_WATCHDOG_S"] = "300"
            self.env["DVCBOT_REDIS_TIMEOUT_MS"] = "10000"   # nor a slow reply a stuck Redis
        self.env["DVCBOT_CHANNELS_SECRET"] = secrets.token_urlsafe(24)
        # the suites drive thousands of requests from 127.0.0.1: budgets out of
        # their way; test_limits.py sets its own small ones
        self.env.update(UNLIMITED)
        self.env.update(env or {})
        self.secret = self.env.get("DVCBOT_CHANNELS_SECRET", "")
        self.args = list(args or [])     # after "serve", e.g. ["--insecure-channels"]
        self.errfile = tempfile.NamedTemporaryFile(prefix="dvc-stderr-", delete=False)
        self.proc = None
        self.wrap = os.environ.get("DVC_WRAP", "").split()  # e.g. valgrind (make soak)

    def start(self):
        self.proc = subprocess.Popen([*self.wrap, self.binary, "serve", *self.args], cwd=ROOT,
                                     env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=self.errfile)
        if not wait_port(self.port, 120 if self.wrap else 20):
            raise RuntimeError("dvcbot did not start: " + self.stderr())
        self.wait_healthy(60 if self.wrap else 10)
        return self

    def wait_healthy(self, timeout):
        """Wait (best effort) until /healthz says Redis is connected: the port opens
        before the first Redis connect completes. Returns True when healthy."""
        end = time.time() + timeout
        while time.time() < end:
            try:
                if self.request("GET", "/healthz", timeout=2)[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None

    def stderr(self):
        with open(self.errfile.name, "r", errors="replace") as f:
            return f.read()

    def secret_header(self):
        """The channel secret as a raw header line (for raw_http requests)."""
        return f"X-Dvcbot-Secret: {self.secret}\r\n" if self.secret else ""

    def request(self, method, path, body=None, headers=None, timeout=10, secret=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
            elif isinstance(body, str):
                body = body.encode()
            h = {"Content-Type": "application/json"} if body is not None else {}
            if secret and self.secret and path.startswith(CHANNEL_PATHS):
                h["X-Dvcbot-Secret"] = self.secret
            h.update(headers or {})
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            conn.close()

    def api(self, method, path, body=None, key=None, headers=None):
        """An agency API call with a Bearer key: (status, parsed JSON or {"raw": bytes})."""
        h = dict(headers or {})
        if key is not None:
            h["Authorization"] = "Bearer " + key
        st, _, raw = self.request(method, path, body, h)
        try:
            return st, json.loads(raw)
        except ValueError:
            return st, {"raw": raw}

    def keys(self, *args):
        """`dvcbot keys ARGS` against the same Redis: (status, stdout, stderr)."""
        p = subprocess.run([os.path.join(ROOT, "build/asan/dvcbot"), "keys", *args], cwd=ROOT,
                           env=self.env, capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout.strip(), p.stderr

    def chat(self, user, text=None, payload=None):
        body = {"user": user}
        if text is not None:
            body["text"] = text
        if payload is not None:
            body["payload"] = payload
        status, headers, raw = self.request("POST", "/api/v1/chat", body)
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, {"raw": raw}


def raw_http(port, data, timeout=10, read=True):
    """Send raw bytes, return everything read until the server closes or the timeout
    (b"" when the connection was reset). For requests http.client cannot make."""
    end = time.time() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass
        out = b""
        s.settimeout(max(0.1, end - time.time()))
        while read and time.time() < end:
            try:
                d = s.recv(65536)
            except OSError:
                break
            if not d:
                break
            out += d
            head, _, body = out.partition(b"\r\n\r\n")
            m = [ln for ln in head.lower().split(b"\r\n") if ln.startswith(b"content-length:")]
            if m and len(body) >= int(m[0].split(b":")[1]):
                break
        return out


def sanitizer_clean(text):
    bad = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
    return not any(b in text for b in bad)


def keys_run(redis, *args):
    """`dvcbot keys ARGS` (ASan build) against redis: (status, stdout, stderr)."""
    env = dict(os.environ, DVCBOT_REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
    p = subprocess.run([os.path.join(ROOT, "build/asan/dvcbot"), "keys", *args], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout.strip(), p.stderr


def keys_cli(redis, *args):
    """`dvcbot keys ARGS` against redis: its stdout, stripped."""
    return keys_run(redis, *args)[1]


def api(bot, method, path, body=None, key=None, headers=None):
    """An agency API call: (status, parsed JSON or {"raw": bytes})."""
    return bot.api(method, path, body, key, headers)


_sms_seq = [0]


def sms(bot, text, sender):
    """One MO through GET /sms/kannel with a fresh Kannel id: (status, reply text)."""
    _sms_seq[0] += 1
    q = urllib.parse.urlencode({"from": sender, "to": "1900", "text": text,
                                "id": f"t-{os.getpid()}-{time.time()}-{_sms_seq[0]}"})
    st, _, raw = bot.request("GET", "/sms/kannel?" + q)
    return st, raw.decode("utf-8", "replace")


def text_of(r):
    """All reply texts of a chat answer, joined by newlines."""
    return "\n".join(p.get("text", "") for p in r.get("replies", []))


def payloads(r):
    """All button payloads of a chat answer."""
    return [b["payload"] for p in r.get("replies", []) for b in p.get("buttons", [])]


def hgetall(redis, key):
    out = subprocess.run(["redis-cli", "-p", str(redis.port), "--raw", "HGETALL", key],
                         capture_output=True, text=True).stdout.split("\n")
    return dict(zip(out[0::2], out[1::2]))
