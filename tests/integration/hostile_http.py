"""hostile_http.py -- the HTTP/1.1 connection attacks of test_hostile.py (issue 12,
security findings 1 and 13), each against a fresh dvcbot so that a server it hangs
cannot take the other steps with it:

- pipelining: two POSTs (chat, USSD) in one TCP segment used to put lws 4.1.6 into
  a 100 % CPU loop (finding 1): now the first is answered and the connection
  closed, /healthz answers within a second and SIGTERM ends the process with 0;
  pipelined GETs are all answered, in order; plain keep-alive keeps its connection;
- the loop watchdog: a process stopped and continued (SIGSTOP) is left alone; a
  loop thread that really stops (ptrace-interrupted, the other threads running)
  ends the process with status 70 and one log line;
- HTTP hygiene (finding 13, 14, 17): conflicting Content-Length, CL + TE and
  malformed lengths are a JSON 400 and nothing smuggled behind them is served;
  "Upgrade: h2c" is served as HTTP/1.1; WebSocket upgrades without our
  subprotocol are refused in JSON; every response carries the CSP /
  X-Frame-Options / nosniff headers; the Host header is never reflected;
- channel access (finding 2, SPEC "Channel access"): without the channel secret
  (or from outside channels.allow_ips) the five endpoints that take a phone
  number answer 403 JSON and read nothing of a victim's; the server does not
  start without one unless --insecure-channels;
- nginx in front (config/nginx/dvcbot.conf): pipelined POSTs to nginx are all
  answered, nginx never pipelines to dvcbot; malformed URLs get a JSON 400."""
import ctypes
import json
import urllib.parse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from harness import ROOT, Dvcbot, free_port, ok, wait_port

SLOW = bool(os.environ.get("DVC_WRAP"))
CHAT = b'{"user":"pipe-1","text":"xin chao"}'
USSD = b"sessionId=pipe-s1&serviceCode=*384%23&phoneNumber=%2B84912000777&text="


def post(path, body, ctype="application/json", extra=b""):
    return (b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
            % (path.encode(), ctype.encode(), len(body), extra)) + body


def get(path):
    return b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode()


def responses(data, heads=None):
    """The (status, body) of every complete response in data, in order; their
    header blocks are appended to heads (a list) when given."""
    out = []
    while True:
        head, sep, rest = data.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
        if not sep or not m:
            return out
        cl = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        n = int(cl.group(1)) if cl else 0
        if len(rest) < n:
            return out
        out.append((int(m.group(1)), rest[:n]))
        if heads is not None:
            heads.append(head.decode("latin-1").lower())
        data = rest[n:]


def exchange(port, data, want, timeout=3.0, raw=None):
    """Send data in one write; read until want responses came, the server closed
    or the timeout: (responses, "closed" | "open"). raw (a list) gets the bytes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    got, state, end = b"", "open", time.time() + timeout
    try:
        while len(responses(got)) < want and time.time() < end:
            s.settimeout(max(0.05, end - time.time()))
            c = s.recv(65536)
            if not c:
                state = "closed"
                break
            got += c
        if state == "open":     # answered: is it kept, or closed right after?
            s.settimeout(0.3)
            try:
                state = "closed" if s.recv(1) == b"" else "open"
            except socket.timeout:
                pass
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    if raw is not None:
        raw.append(got)
    return responses(got), state


def healthz_s(bot):
    t = time.time()
    try:
        st = bot.request("GET", "/healthz", timeout=5)[0]
    except OSError:
        st = 0
    return st, time.time() - t


def fresh(redis, env=None):
    e = {"DVCBOT_SMS_OUTBOX": "false"}
    e.update(env or {})
    return Dvcbot(redis.port, env=e).start()


def stop(bot):
    rc = bot.stop(timeout=60 if SLOW else 10)
    if rc is None:
        bot.proc.kill()
        bot.proc.wait()
    return rc


def pipelined_posts(redis):
    """Finding 1: two POSTs in one segment, chat and USSD, each on a fresh server."""
    for name in ("chat", "USSD"):
        bot = fresh(redis)
        req = post("/api/v1/chat", CHAT) if name == "chat" else \
            post("/ussd", USSD, "application/x-www-form-urlencoded", bot.secret_header().encode())
        try:
            res, state = exchange(bot.port, req * 2, 2)
            first_ok = bool(res) and res[0][0] == 200 and res[0][1]
            # in order (both answered) or closed cleanly after the first answer
            shape = (len(res) == 2 and res[1][0] == 200) or (len(res) == 1 and state == "closed")
            st, dt = healthz_s(bot)
            cpu = cpu_s(bot.proc.pid)
            time.sleep(1.0)
            busy = cpu_s(bot.proc.pid) - cpu
        finally:
            rc = stop(bot)
        ok(first_ok and shape and st == 200 and dt < (5 if SLOW else 1.0) and busy < 0.5 and
           rc == 0,
           f"two {name} POSTs in one TCP segment: {[r[0] for r in res]}, connection {state}; "
           f"/healthz {st} in {dt * 1000:.0f} ms, {busy:.2f} s CPU in the next second, "
           f"SIGTERM -> exit {rc}", (res, state, st, dt, busy, rc, bot.stderr()[-1500:]))


def cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def pipelined_mixed(redis):
    """GETs in one segment are answered in order; a POST behind a GET closes the
    connection after the GET's answer; plain keep-alive keeps one connection."""
    bot = fresh(redis)
    try:
        res, state = exchange(bot.port, get("/healthz") + get("/metrics") + get("/healthz") +
                              get("/nope.css"), 4)
        kinds = [(r[0], r[1][:10]) for r in res]
        ok(kinds == [(200, b'{"status":'), (200, b"# HELP dvc"), (200, b'{"status":'),
                     (404, b'{"error":"')] and state == "open",
           f"4 pipelined GETs (healthz, metrics, healthz, a missing file): answered in order, "
           f"connection kept ({state})", (kinds, state))
        res, state = exchange(bot.port, get("/healthz") * 60, 60)
        ok(len(res) == 60 and all(r[0] == 200 for r in res),
           f"60 pipelined GETs in one segment: {len(res)} answered", (len(res), state))
        res, state = exchange(bot.port, get("/healthz") + post("/api/v1/chat", CHAT), 2)
        ok((len(res) == 2 and res[1][0] == 200) or (len(res) == 1 and res[0][0] == 200 and
                                                     state == "closed"),
           f"GET then POST in one segment: {[r[0] for r in res]}, connection {state}",
           (res, state))
        s = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
        got = []
        for i in range(5):
            s.sendall(post("/api/v1/chat", b'{"user":"ka-1","text":"xin chao %d"}' % i))
            buf, end = b"", time.time() + 5
            while len(responses(buf)) < 1 and time.time() < end:
                c = s.recv(65536)
                if not c:
                    break
                buf += c
            got += responses(buf)
        s.close()
        ok(len(got) == 5 and all(r[0] == 200 for r in got),
           "keep-alive, one request at a time: 5 chat POSTs answered on one connection",
           [r[0] for r in got])
        st, dt = healthz_s(bot)
        ok(st == 200 and dt < (5 if SLOW else 1.0), f"then /healthz in {dt * 1000:.0f} ms", st)
    finally:
        rc = stop(bot)
    ok(rc == 0, f"SIGTERM after the pipelining: exit {rc}", bot.stderr()[-1500:])


def error_of(resp):
    try:
        return json.loads(resp[1]).get("error")
    except ValueError:
        return None


SMUGGLED = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"


def framing(bot):
    """Finding 13: body framing a proxy and dvcbot could read differently."""
    body = b'{"user":"smuggle","text":"xin chao"}'
    cases = {
        "two different Content-Length": b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: "
        b"application/json\r\nContent-Length: 5\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
        "Content-Length with Transfer-Encoding": b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\n"
        b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(body) + body,
        "Content-Length: -1": b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "Content-Length: 0x21": b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 0x21\r\n\r\n",
        "Content-Length: 5, 5": b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n",
    }
    for name, req in cases.items():
        raw = []
        res, state = exchange(bot.port, req + SMUGGLED, 2, raw=raw)
        ok(len(res) == 1 and res[0][0] == 400 and error_of(res[0]) == "invalid_content_length"
           and b"# HELP" not in raw[0] and state == "closed",
           f"{name} (and a GET /metrics behind it): one JSON 400, nothing smuggled, closed",
           (res, state, raw[0][:600]))
    res, _ = exchange(bot.port, b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: "
                      b"application/json\r\nContent-Length: %d\r\nContent-Length: %d\r\n\r\n"
                      % (len(body), len(body)) + body, 1)
    ok([r[0] for r in res] == [200], "the same Content-Length twice: served", res)
    # a request, then the client's half of the connection closed (shutdown SHUT_WR)
    s = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
    s.sendall(post("/api/v1/chat", body) + get("/healthz"))
    s.shutdown(socket.SHUT_WR)
    got = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            got += c
    except OSError:
        pass
    s.close()
    ok([r[0] for r in responses(got)][:1] == [200],
       "a request and a half-close (SHUT_WR): answered before the server closes",
       [r[0] for r in responses(got)])


def upgrades(bot):
    """Finding 13 (h2c) and 14 (WebSocket without our subprotocol)."""
    res, state = exchange(bot.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, "
                          b"HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
                          1)
    ok(len(res) == 1 and res[0][0] == 200 and b'"redis"' in res[0][1],
       "Upgrade: h2c is ignored: answered as HTTP/1.1 (no 101)", (res, state))
    ws = (b"GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n")
    for path, proto in (("/ws/chat", b""), ("/api/v1/chat", b""), ("/anything", b""),
                        ("/ws/chat", b"Sec-WebSocket-Protocol: chat, superchat\r\n")):
        raw = []
        res, state = exchange(bot.port, ws % (path.encode(), proto), 1, raw=raw)
        ok(len(res) == 1 and res[0][0] == 400 and error_of(res[0]) == "websocket_protocol" and
           b" 101 " not in raw[0] and state == "closed",
           f"WebSocket upgrade on {path} {'with a foreign' if proto else 'without a'} "
           "subprotocol: JSON 400, closed", (res, state, raw[0][:300]))
    raw = []
    exchange(bot.port, ws % (b"/ws/chat", b"Sec-WebSocket-Protocol: dvcbot.chat.v1\r\n"), 1,
             timeout=1.0, raw=raw)
    ok(raw[0].startswith(b"HTTP/1.1 101 "), "with dvcbot.chat.v1: 101", raw[0][:200])


SECURITY = ("content-security-policy: ", "x-frame-options: deny", "x-content-type-options: nosniff")


def headers_and_host(bot):
    """Finding 17: CSP, framing, sniffing on every response; the Host never reflected."""
    reqs = [get(p) for p in ("/", "/agent", "/agent/", "/simulator", "/chat.js", "/style.css",
                             "/healthz", "/metrics", "/nope.html", "/api/v1/nope")]
    reqs += [post("/api/v1/chat", CHAT), b"PUT /api/v1/chat HTTP/1.1\r\nHost: x\r\n"
             b"Content-Length: 2\r\n\r\n{}"]
    bad = []
    for req in reqs:
        heads, raw = [], []
        res, _ = exchange(bot.port, req.replace(b"Host: x", b"Host: evil.example"), 1, raw=raw)
        responses(raw[0], heads)
        h = heads[0] if heads else ""
        csp = re.search(r"content-security-policy: ([^\r\n]*)", h)
        if not res or not all(x in h for x in SECURITY) or "frame-ancestors 'none'" not in \
                (csp.group(1) if csp else "") or b"evil.example" in raw[0]:
            bad.append((req.split(b"\r\n")[0], res and res[0][0], h[:400]))
    ok(not bad, f"{len(reqs)} requests with Host: evil.example (pages, files, API, 404, 405): "
       "every answer has CSP frame-ancestors 'none', X-Frame-Options DENY, nosniff, and no "
       "evil.example anywhere", bad)
    res, _ = exchange(bot.port, get("/agent").replace(b"Host: x", b"Host: evil.example"), 1)
    ok(res and res[0][0] == 200 and b"agent.js" in res[0][1],
       "/agent is the console itself (no redirect that would name the Host)", res[:1])


BAD_URLS = ("/api/v1/chat%zz", "/sms/kannel?from=0912345678&text=a%00b&id=z1", "/a%",
            "/%G1", "/healthz?x=%", "/healthz?x=%4", "/a%00", "/api/v1/chat%2")


def json_error(resp, status, code):
    """resp is the JSON error of SPEC.md "Errors" with this status and code."""
    try:
        j = json.loads(resp[1])
    except ValueError:
        return False
    return resp[0] == status and j.get("error") == code and bool(j.get("message"))


def bad_urls(bot):
    """Finding 13: bad %-escapes and %00 get the JSON 400 of SPEC.md, never lws's
    HTML 403 nor a silent close, as the first request of a connection, as the 2nd
    and 3rd on a kept-alive one, and pipelined behind good ones (answered first,
    in order); the connection is closed after the 400 (http_gate.h)."""
    out = []
    for u in BAD_URLS:
        raw = []
        res, state = exchange(bot.port, get(u), 1, timeout=2, raw=raw)
        out.append((u, [r[0] for r in res], state, b"<html" in raw[0]))
    ok(all(r[1] == [400] and r[2] == "closed" and not r[3] for r in out) and
       all(json_error(exchange(bot.port, get(u), 1)[0][0], 400, "bad_request") for u in BAD_URLS),
       "bad %-escapes and %00 in the URL, first request of a connection: JSON 400 "
       "bad_request, no HTML, closed", out)
    for nth in (2, 3):
        s = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
        got, seen = [], b""
        for k in range(nth):
            s.sendall(get("/healthz" if k < nth - 1 else BAD_URLS[k % len(BAD_URLS)]))
            end = time.time() + 3
            while len(responses(seen)) <= k and time.time() < end:
                c = s.recv(65536)
                if not c:
                    break
                seen += c
        got = responses(seen)
        s.close()
        ok([r[0] for r in got] == [200] * (nth - 1) + [400] and
           json_error(got[-1], 400, "bad_request") and b"<html" not in seen,
           f"a bad %-escape as request {nth} of a kept-alive connection: JSON 400 after "
           f"{nth - 1} answered", [r[0] for r in got])
    for bad in (b"/chat%zz", b"/a%00b", b"/x%"):
        raw = []
        res, state = exchange(bot.port, get("/healthz") + get("/metrics") +
                              b"GET " + bad + b" HTTP/1.1\r\nHost: x\r\n\r\n" + get("/healthz"),
                              4, raw=raw)
        ok([r[0] for r in res] == [200, 200, 400] and json_error(res[2], 400, "bad_request") and
           state == "closed" and b"<html" not in raw[0],
           f"pipelined: 2 GETs, {bad.decode()}, a GET: 200, 200, JSON 400, then closed",
           ([r[0] for r in res], state))
    # the same escape in a body is data, not a URL
    res, _ = exchange(bot.port, post("/api/v1/chat", b'{"user":"pct-1","text":"50%zz %00"}'), 1)
    ok([r[0] for r in res] == [200], "%zz and %00 inside a JSON body: served (200)", res)
    st, dt = healthz_s(bot)
    ok(st == 200, "after the bad URLs the server answers on", st)


def long_heads(bot):
    """Finding 13: a request target or a head over lws's 4 KB header space (which
    lws 4.1.6 drops without an answer) gets JSON 414 / 431, also on a kept-alive
    connection; a 6 KB URL that decodes under the limit is still served."""
    cases = [
        ("a 5,000-byte URL", b"GET /healthz?x=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
         414, "uri_too_long"),
        ("a URL with 200 parameters", b"GET /healthz?" + b"&".join(b"a%d=1" % i for i in range(200))
         + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        ("a 6,000-byte header", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 6000 +
         b"\r\n\r\n", 431, "header_too_large"),
        ("100 Accept lines", b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
         b"Accept: */*\r\n" * 100 + b"\r\n", 431, "header_too_large"),
        ("a 6,000-byte header name", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX" + b"n" * 6000 +
         b": v\r\n\r\n", 431, "header_too_large"),
    ]
    for name, req, status, code in cases:
        for first in (True, False):
            raw = []
            res, state = exchange(bot.port, req if first else get("/healthz") + req, 1 if first
                                  else 2, timeout=3, raw=raw)
            want = [status] if first else [200, status]
            ok([r[0] for r in res] == want and json_error(res[-1], status, code) and
               state == "closed",
               f"{name}{'' if first else ' as the 2nd request'}: {want}, JSON {code}, closed",
               ([r[0] for r in res], state, raw[0][:200]))
    u = "/healthz?t=" + urllib.parse.quote("Tôi muốn hỏi " * 150)
    res, _ = exchange(bot.port, get(u), 1)
    ok(len(u) > 6000 and [r[0] for r in res] == [200],
       f"a {len(u)}-byte URL that decodes to under 3.5 KB: served", [r[0] for r in res])


def close_status(data):
    """The status of the first close frame among the server's frames in data."""
    while len(data) >= 2:
        op, n, k = data[0] & 0x0F, data[1] & 0x7F, 2
        if n == 126:
            n, k = int.from_bytes(data[2:4], "big"), 4
        elif n == 127:
            n, k = int.from_bytes(data[2:10], "big"), 10
        if op == 0x8:
            return int.from_bytes(data[k:k + 2], "big") if n >= 2 else 0
        data = data[k + n:]
    return None


def ws_unmasked(bot):
    """Finding 14 / RFC 6455 §5.1: a client frame without the mask bit closes the
    connection with status 1002 (lws 4.1.6 would process it)."""
    hs = (b"GET /ws/chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          b"Sec-WebSocket-Protocol: dvcbot.chat.v1\r\n\r\n")
    payload = b'{"type":"hello"}'
    for label, frame in (("text", b"\x81" + bytes([len(payload)]) + payload),
                         ("ping", b"\x89\x00"),
                         ("after a masked one", b"\x81\x82abcd" + bytes(
                             x ^ y for x, y in zip(b"hi", b"ab")) + b"\x81\x02hi")):
        s = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
        s.sendall(hs)
        head = b""
        while b"\r\n\r\n" not in head:
            c = s.recv(4096)
            if not c:
                break
            head += c
        rest = head.partition(b"\r\n\r\n")[2]
        s.sendall(frame)
        got, end, closed = rest, time.time() + 3, False
        while time.time() < end:
            try:
                c = s.recv(4096)
            except (socket.timeout, ConnectionResetError):
                break
            if not c:
                closed = True
                break
            got += c
        s.close()
        status = close_status(got)
        ok(head.startswith(b"HTTP/1.1 101") and status == 1002 and closed,
           f"an unmasked client {label} frame: close 1002, connection closed",
           (head[:20], got[:80], status, closed))


def hygiene(redis):
    bot = fresh(redis)
    try:
        framing(bot)
        upgrades(bot)
        headers_and_host(bot)
        bad_urls(bot)
        long_heads(bot)
        ws_unmasked(bot)
    finally:
        rc = stop(bot)
    ok(rc == 0, f"SIGTERM after the HTTP hygiene checks: exit {rc}", bot.stderr()[-1500:])


VICTIM = "0912000777"
NOTE = "Bo sung ban sao CCCD so 079123456789 cua ong Nguyen Van D"
DOSSIER = "000.00.12.H18-240702-0003"


def channel_requests(secret_hdr=None, secret_arg=None):
    """One request per channel endpoint, as a stranger naming the victim's number:
    (name, method, path, body, content type)."""
    arg = ("&secret=" + urllib.parse.quote(secret_arg)) if secret_arg is not None else ""
    q = urllib.parse.urlencode
    return [
        ("/sms/kannel", "GET", "/sms/kannel?" + q({"from": VICTIM, "to": "1900", "id": "acc-%d"
                                                  % time.time_ns(), "text": "TRACUU " + DOSSIER})
         + arg, None, None),
        ("/sms/kannel/dlr", "GET", "/sms/kannel/dlr?id=acc-1&status=1" + arg, None, None),
        ("/ussd", "POST", "/ussd?x=1" + arg, q({"sessionId": "acc-%d" % time.time_ns(),
                                                 "serviceCode": "*384#", "phoneNumber": "+84912000777",
                                                 "text": ""}), "application/x-www-form-urlencoded"),
        ("/ussd/json", "POST", "/ussd/json?x=1" + arg,
         json.dumps({"sessionId": "acc-j%d" % time.time_ns(), "msisdn": "84912000777",
                     "input": "", "newSession": True}), "application/json"),
        ("/ussd/kannel", "GET", "/ussd/kannel?" + q({"from": VICTIM, "to": "*384#", "text": "*384#"})
         + arg, None, None),
    ]


def channel_call(bot, req, header=None):
    name, method, path, body, ctype = req
    h = {"Content-Type": ctype} if ctype else {}
    if header is not None:
        h["X-Dvcbot-Secret"] = header
    try:
        st, _, raw = bot.request(method, path, body, h, secret=False)
    except OSError as e:
        return name, 0, repr(e).encode()
    return name, st, raw


def channel_access(redis):
    """Finding 2: nobody may act as someone else's phone."""
    bot = fresh(redis)
    try:
        _, ka, _ = bot.keys("create", "--agency", "000.00.12.H18")
        st, _ = bot.api("PUT", "/api/v1/dossiers/" + DOSSIER,
                        {"procedure_code": "1.001193", "status": "supplement_required",
                         "received_at": "2024-07-02", "applicant_phone": VICTIM, "note": NOTE},
                        key=ka)
        sessions = lambda: redis.cli("EVAL", "return #redis.call('KEYS','dvcbot:sess:*')", "0")
        before = sessions()
        for label, hdr, arg in (("no secret", None, None), ("a wrong secret header", "x" * 32, None),
                                ("a wrong secret= argument", None, "y" * 32),
                                ("an empty secret", "", None)):
            res = [channel_call(bot, r, hdr) for r in channel_requests(secret_arg=arg)]
            bad = [(n, st, raw[:120]) for n, st, raw in res
                   if st != 403 or json.loads(raw or b"{}").get("error") != "channel_forbidden" or
                   NOTE.encode() in raw]
            ok(not bad, f"the 5 channel endpoints with {label}: 403 channel_forbidden (JSON), "
               "the victim's dossier note never shown", bad)
        ok(st in (200, 201) and sessions() == before, "the refused requests left no session behind",
           (st, before, sessions()))
        good = [channel_call(bot, r, bot.secret) for r in channel_requests()]
        good += [channel_call(bot, r) for r in channel_requests(secret_arg=bot.secret)]
        ok(all(g[1] == 200 for g in good),
           "with the secret (X-Dvcbot-Secret header, or secret= as Kannel sends it): 200",
           [(g[0], g[1], g[2][:80]) for g in good if g[1] != 200])
    finally:
        rc = stop(bot)
    ok(rc == 0, f"SIGTERM after the channel checks: exit {rc}", bot.stderr()[-1000:])
    binary = os.path.join(ROOT, os.environ.get("DVC_BINARY", "build/asan/dvcbot"))
    env = dict(os.environ, DVCBOT_REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
               DVCBOT_HTTP_PORT=str(free_port()), DVCBOT_CHANNELS_SECRET="",
               DVCBOT_CHANNELS_ALLOW_IPS="")
    wrap = os.environ.get("DVC_WRAP", "").split()
    p = subprocess.run([*wrap, binary, "serve"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120 if SLOW else 30)
    ok(p.returncode != 0 and "channels.secret" in p.stderr and "--insecure-channels" in p.stderr,
       f"no channel secret nor allow-list: serve refuses to start (exit {p.returncode}) and says "
       "what to set", p.stderr[-600:])
    p = subprocess.run([*wrap, binary, "serve"], cwd=ROOT, capture_output=True, text=True,
                       env=dict(env, DVCBOT_CHANNELS_SECRET="short"), timeout=120 if SLOW else 30)
    ok(p.returncode != 0 and "channels.secret" in p.stderr,
       "a channel secret shorter than 16 characters is a configuration error", p.stderr[-400:])
    bot = Dvcbot(redis.port, env={"DVCBOT_CHANNELS_SECRET": "", "DVCBOT_SMS_OUTBOX": "false"},
                 args=["--insecure-channels"]).start()
    try:
        name, st, raw = channel_call(bot, channel_requests()[0])
        warned = [ln for ln in bot.stderr().splitlines()
                  if ln.startswith("{") and "--insecure-channels" in ln]
        ok(st == 200 and len(warned) == 1 and '"level":"error"' in warned[0],
           "--insecure-channels (a demo): starts, says so in its log, serves anyone", (st, warned))
    finally:
        stop(bot)


PTRACE_SEIZE, PTRACE_INTERRUPT = 0x4206, 0x4207


def reap(pid, timeout):
    """waitpid until pid exits (ptrace stops of a traced child are skipped): its exit
    status (-signal when killed), None on timeout."""
    end = time.time() + timeout
    while time.time() < end:
        p, st = os.waitpid(pid, os.WNOHANG | getattr(os, "__WALL", 0x40000000))
        if p == pid and os.WIFEXITED(st):
            return os.WEXITSTATUS(st)
        if p == pid and os.WIFSIGNALED(st):
            return -os.WTERMSIG(st)
        time.sleep(0.05)
    return None


def watchdog(redis):
    """A stalled loop ends the process (status 70, one line); a stopped one does not."""
    limit = 2
    bot = fresh(redis, {"DVCBOT_HTTP_WATCHDOG_S": str(limit)})
    pid = bot.proc.pid
    os.kill(pid, signal.SIGSTOP)
    time.sleep(limit * 3)
    os.kill(pid, signal.SIGCONT)
    time.sleep(limit + 1)
    alive = bot.proc.poll() is None
    st, _ = healthz_s(bot)
    ok(alive and st == 200, f"SIGSTOP for {limit * 3} s then SIGCONT (http.watchdog_s {limit}): "
       "still serving", (alive, st, bot.stderr()[-800:]))
    # stop the loop thread alone, as a stuck callback would: the watchdog thread runs on
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    t0 = time.time()
    traced = (libc.ptrace(PTRACE_SEIZE, pid, None, None) == 0 and
              libc.ptrace(PTRACE_INTERRUPT, pid, None, None) == 0)
    rc = reap(pid, limit + (60 if SLOW else 8)) if traced else None
    took = time.time() - t0
    if rc is None:
        bot.proc.kill()
        reap(pid, 10)
    bot.proc.returncode = rc if rc is not None else -9
    lines = [ln for ln in bot.stderr().splitlines() if "watchdog" in ln]
    one = len(lines) == 1 and json.loads(lines[0]).get("level") == "error"
    ok(traced and rc == 70 and limit <= took < limit + (60 if SLOW else 3) and one,
       f"the event loop thread stopped (ptrace): exit {rc} after {took:.1f} s, one log line",
       (traced, ctypes.get_errno(), rc, took, lines, bot.stderr()[-800:]))


def behind_nginx(redis):
    """The deployment layout: nginx in front, which never pipelines upstream."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                      else None)
    if not nginx:
        ok(False, "nginx in front: nginx is not installed (make deps)")
        return
    bot = fresh(redis)
    d = tempfile.mkdtemp(prefix="dvc-nginx-")
    port = free_port()
    with open(os.path.join(ROOT, "config/nginx/dvcbot.conf")) as f:
        site = f.read().replace("127.0.0.1:8080", f"127.0.0.1:{bot.port}") \
                       .replace("listen 80;", f"listen 127.0.0.1:{port};")
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(f"worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\n"
                f"error_log {d}/error.log;\nevents {{ worker_connections 256; }}\n"
                f"http {{\naccess_log off;\nclient_body_temp_path {d};\nproxy_temp_path {d};\n"
                f"{site}\n}}\n")
    proc = subprocess.Popen([nginx, "-c", os.path.join(d, "nginx.conf"), "-p", d],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        up = wait_port(port, 10)
        reqs = post("/api/v1/chat", CHAT) * 2 + \
            post("/ussd", USSD, "application/x-www-form-urlencoded",
                 bot.secret_header().encode()) * 2 + get("/healthz")
        res, state = exchange(port, reqs, 5, timeout=10)
        chat_ok = len(res) == 5 and all(r[0] == 200 for r in res) and \
            b"replies" in res[0][1] and b"replies" in res[1][1] and \
            res[2][1].startswith(b"CON ") and b"redis" in res[4][1]
        st, dt = healthz_s(bot)
        ok(up and chat_ok and st == 200,
           f"behind nginx (config/nginx/dvcbot.conf): 2 chat POSTs, 2 USSD POSTs and a GET "
           f"pipelined to nginx: {[r[0] for r in res]}, in order", (res, state))
        urls = ("/api/v1/chat%zz", "/sms/kannel?from=0912345678&text=a%00b&id=z1", "/a%",
                "/healthz?x=%G1")
        got = [exchange(port, get(u), 1)[0] for u in urls]
        ok(all(len(r) == 1 and r[0][0] == 400 and error_of(r[0]) == "bad_request" for r in got),
           "behind nginx: bad %-escapes and %00 in the URL get a JSON 400", got)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(d, ignore_errors=True)
        rc = stop(bot)
    ok(rc == 0, f"behind nginx: SIGTERM -> exit {rc}", bot.stderr()[-1000:])


def run(redis):
    pipelined_posts(redis)
    pipelined_mixed(redis)
    hygiene(redis)
    channel_access(redis)
    if not SLOW:    # valgrind runs every thread under one lock: a stopped one stops all
        watchdog(redis)
    behind_nginx(redis)
