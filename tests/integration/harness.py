"""harness.py -- real processes for the integration tests: a private
redis-server on a free port, dvcbot (the ASan+UBSan build) pointed at it, an
HTTP client, and TAP-style checks (ok / not ok, then "N passed, N failed")."""
import http.client
import json
import os
import shutil
import signal
import socket
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


class Redis:
    """A private redis-server; nothing is shared with a system instance."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="dvc-redis-")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.dir],
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

    def close(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Dvcbot:
    """build/asan/dvcbot serve with DVCBOT_* overrides; stderr kept for checks."""

    def __init__(self, redis_port, env=None, binary="build/asan/dvcbot"):
        self.port = free_port()
        self.binary = os.path.join(ROOT, binary)
        self.env = dict(os.environ)
        self.env.update({"DVCBOT_HTTP_PORT": str(self.port),
                         "DVCBOT_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"})
        self.env.update(env or {})
        self.errfile = tempfile.NamedTemporaryFile(prefix="dvc-stderr-", delete=False)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([self.binary, "serve"], cwd=ROOT, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=self.errfile)
        if not wait_port(self.port, 20):
            raise RuntimeError("dvcbot did not start: " + self.stderr())
        return self

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

    def request(self, method, path, body=None, headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
            elif isinstance(body, str):
                body = body.encode()
            h = {"Content-Type": "application/json"} if body is not None else {}
            h.update(headers or {})
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            conn.close()

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


def sanitizer_clean(text):
    bad = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
    return not any(b in text for b in bad)
