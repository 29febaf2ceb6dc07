"""test_ws.py -- the web chat over WebSocket (/ws/chat, dvcbot.chat.v1) against
a real redis-server and the ASan+UBSan build: replies and buttons, a session
resumed across REST and WebSocket, notices pushed, bad frames answered with an
error frame on a connection that survives, Origin checks, ping and idle close,
1,000 concurrent connections, static pages, and a clean stop."""
import json
import os
import re
import resource
import selectors
import socket
import subprocess
import time

from harness import ROOT, Dvcbot, Redis, done, ok, sanitizer_clean
from wsclient import WS, HandshakeError, frames

CODE = "000.00.12.H18-200520-0001"



def basics(bot, redis):
    ws = WS(bot.port)
    ws.send_json({"type": "hello", "user": "ws-u1"})
    f = frames(ws, 1)
    ok(f and f[0] == {"type": "hello", "user": "ws-u1"}, "hello is acknowledged with the user id", f)
    ws.send_json({"type": "message", "text": "Xin chào"})
    f = frames(ws, 1)
    ok(f and f[0]["type"] == "reply" and f[0]["intent"] == "greeting" and f[0]["buttons"],
       "message -> reply frame with text, buttons and intent", f)
    ws.send_json({"type": "postback", "payload": "help"})
    f = frames(ws, 1)
    ok(f and f[0]["type"] == "reply" and f[0]["intent"] == "help", "postback -> the intent's reply", f)
    ok(redis.cli("EXISTS", "dvcbot:sess:chat:ws-u1") == "1",
       "the WebSocket session is the chat session (dvcbot:sess:chat:{user})")
    ws.close()

    anon = WS(bot.port)
    anon.send_json({"type": "message", "text": "HD"})
    f = frames(anon, 2)
    ok(len(f) == 2 and f[0]["type"] == "hello" and f[0]["user"].startswith("w-") and
       f[1]["type"] == "reply", "a connection without hello gets an anonymous id first", f)
    anon.close()


def resume(bot, redis):
    st, r = bot.chat("ws-resume", "tra cứu hồ sơ")
    ok(st == 200 and r.get("intent") == "dossier_status", "REST asks for a dossier code", r)
    ws = WS(bot.port)
    ws.send_json({"type": "hello", "user": "ws-resume"})
    ws.send_json({"type": "message", "text": CODE.replace("-", " ")})
    f = frames(ws, 2)
    ok(len(f) == 2 and f[1].get("intent") == "dossier_status" and CODE in f[1]["text"],
       "WebSocket hello resumes the REST session: the bare code answers its question", f)
    ws.close()
    ws = WS(bot.port)
    ws.send_json({"type": "hello", "user": "ws-resume"})
    ws.send_json({"type": "message", "text": "đánh giá hồ sơ"})
    f = frames(ws, 2)
    ws.close()
    st, r = bot.chat("ws-resume", "4 sao")
    ok(st == 200 and r.get("intent") == "rating", "and REST resumes a session started over WebSocket", r)


def notices(bot, redis):
    ws = WS(bot.port)
    ws.send_json({"type": "hello", "user": "ws-notice"})
    frames(ws, 1)
    notice = {"type": "notice", "kind": "complaint_answered", "code": "PA-240101-0001",
              "text": "Phản ánh PA-240101-0001 đã được trả lời."}
    redis.cli("RPUSH", "dvcbot:notices:chat:ws-notice", json.dumps(notice, ensure_ascii=False))
    t0 = time.time()
    f = frames(ws, 1, timeout=4)
    ok(f and f[0] == notice, "a notice queued for a connected user is pushed",
       f"{f} after {time.time() - t0:.2f}s")
    ok(redis.cli("LLEN", "dvcbot:notices:chat:ws-notice") == "0", "and taken off its list")
    redis.cli("RPUSH", "dvcbot:notices:chat:ws-later", json.dumps(notice))
    ws2 = WS(bot.port)
    ws2.send_json({"type": "hello", "user": "ws-later"})
    f = frames(ws2, 2, timeout=4)
    ok(len(f) == 2 and f[1]["type"] == "notice", "notices waiting before the hello arrive after it", f)
    ws.close()
    ws2.close()

    # end to end: a complaint filed in the chat, answered by the agency API, pushed to the page
    user = "ws-pakn"
    bot.chat(user, payload="complaint_new")
    bot.chat(user, payload="complaint_new:topic:delay")
    bot.chat(user, "Hồ sơ của tôi bị trễ hẹn hai tuần mà không ai báo lý do")
    bot.chat(user, payload="complaint_new:skip")
    bot.chat(user, payload="complaint_new:skip")
    st, r = bot.chat(user, payload="complaint_new:confirm")
    m = re.search(r"PA-\d{6}-\d{4}", json.dumps(r, ensure_ascii=False))
    env = {"DVCBOT_REDIS_URL": f"redis://127.0.0.1:{redis.port}/0", "PATH": "/usr/bin:/bin"}
    key = subprocess.run([f"{ROOT}/build/asan/dvcbot", "keys", "create", "--agency", "000.00.00.G22"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=30).stdout.strip()
    ws = WS(bot.port)
    ws.send_json({"type": "hello", "user": user})
    frames(ws, 1)
    code = m.group(0) if m else "PA-000000-0000"
    st, h, raw = bot.request("POST", f"/api/v1/complaints/{code}/answer",
                             {"text": "Cơ quan đã xử lý, xin lỗi anh/chị."},
                             {"Authorization": f"Bearer {key}"})
    f = frames(ws, 1, timeout=4)
    ok(m and st == 200 and f and f[0]["type"] == "notice" and f[0].get("kind") == "complaint_answered"
       and f[0].get("code") == code, "an agency's answer to a chat complaint is pushed to the connected page",
       f"{st} {raw[:200]} {f}")
    ws.close()


def bad_frames(bot, redis):
    ws = WS(bot.port)
    cases = [
        ("not json", "garbage{", "invalid_json"),
        ("array", "[1,2]", "invalid_json"),
        ("unknown type", '{"type":"bogus"}', "unknown_type"),
        ("no type", '{"text":"hi"}', "unknown_type"),
        ("bad user", '{"type":"hello","user":""}', "invalid_user"),
        ("text not a string", '{"type":"message","text":5}', "invalid_text"),
        ("missing text", '{"type":"message"}', "missing_text"),
        ("bad payload", '{"type":"postback","payload":""}', "invalid_payload"),
        ("text over chat.max_text", json.dumps({"type": "message", "text": "a" * 3000}),
         "text_too_long"),
        ("frame over webchat.max_frame", json.dumps({"type": "message", "text": "a" * 20000}),
         "frame_too_large"),
    ]
    for name, raw, code in cases:
        ws.send_text(raw)
        f = frames(ws, 1)
        ok(f and f[0]["type"] == "error" and f[0]["error"] == code and f[0]["message"],
           f"{name} -> error frame {code}", f)
    ws.send_frame(0x2, b'{"type":"message","text":"hi"}')
    f = frames(ws, 1)
    ok(f and f[0].get("error") == "invalid_json", "binary frame -> error frame", f)
    body = json.dumps({"type": "message", "text": "xin chao"}).encode()
    ws.send_frame(0x1, body[:10], fin=False)
    ws.send_frame(0x0, body[10:20], fin=False)
    ws.send_frame(0x0, body[20:], fin=True)
    f = frames(ws, 2)
    ok(f and f[-1]["type"] == "reply", "a fragmented message is reassembled", f)
    ws.send_json({"type": "message", "text": "HD"})
    f = frames(ws, 1)
    ok(f and f[0]["type"] == "reply" and f[0]["intent"] == "help",
       "the connection survives every bad frame", f)
    ws.close()


def origins(bot):
    port = bot.port
    for origin, want, name in [(None, True, "no Origin (not a browser) is accepted"),
                               (f"http://127.0.0.1:{port}", True, "same-host Origin is accepted"),
                               ("http://evil.example", False, "foreign Origin is refused"),
                               (f"http://127.0.0.1:{port + 1}", False, "other port is refused")]:
        try:
            WS(port, origin=origin).close()
            got = True
        except (HandshakeError, ConnectionError, OSError):
            got = False
        ok(got == want, name)
    for path, proto, name in [("/ws/other", "dvcbot.chat.v1", "unknown WebSocket path is refused"),
                              ("/ws/chat", "other.v1", "unknown subprotocol is refused")]:
        try:
            WS(port, path=path, protocol=proto).close()
            got = True
        except (HandshakeError, ConnectionError, OSError):
            got = False
        ok(not got, name)


def origin_list(redis):
    bot = Dvcbot(redis.port, {"DVCBOT_WEBCHAT_ALLOWED_ORIGINS": "https://dichvucong.gov.vn, http://x.test"}).start()
    try:
        for origin, want in [("https://dichvucong.gov.vn", True), ("http://x.test", True),
                             (f"http://127.0.0.1:{bot.port}", False)]:
            try:
                WS(bot.port, origin=origin).close()
                got = True
            except (HandshakeError, ConnectionError, OSError):
                got = False
            ok(got == want, f"allowed_origins list: {origin} {'accepted' if want else 'refused'}")
    finally:
        rc = bot.stop()
        ok(rc == 0 and sanitizer_clean(bot.stderr()), "second server stops cleanly", bot.stderr()[-1500:])


def idle(redis):
    bot = Dvcbot(redis.port, {"DVCBOT_WEBCHAT_PING_S": "1", "DVCBOT_WEBCHAT_IDLE_TIMEOUT_S": "3"}).start()
    try:
        live = WS(bot.port, auto_pong=True)
        dead = WS(bot.port, auto_pong=False)
        t0 = time.time()
        while time.time() - t0 < 9 and dead.closed is None:
            for w in (dead, live):
                try:
                    w.recv(timeout=0.2)
                except (socket.timeout, TimeoutError):
                    pass
        took = time.time() - t0
        ok(dead.pings >= 1, "a silent connection is pinged", dead.pings)
        ok(dead.closed is not None and 2.5 <= took <= 7, "and closed when it answers nothing",
           f"{took:.1f}s")
        live.send_json({"type": "message", "text": "HD"})
        f = frames(live, 2)
        ok(live.closed is None and live.pings >= 1 and f and f[-1]["type"] == "reply",
           "a connection answering pings stays open", f"closed={live.closed} pings={live.pings} {f}")
        live.close()
    finally:
        rc = bot.stop()
        ok(rc == 0 and sanitizer_clean(bot.stderr()), "idle server stops cleanly", bot.stderr()[-1500:])


def many(bot, n=1000):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 500), hard))
    conns = []
    t0 = time.time()
    try:
        for i in range(n):
            conns.append(WS(bot.port, timeout=20))
        opened = time.time() - t0
        for i, ws in enumerate(conns):
            ws.send_json({"type": "hello", "user": f"many-{i}"})
            ws.send_json({"type": "message", "text": "HD"})
        good = 0
        for i, ws in enumerate(conns):
            f = frames(ws, 2, timeout=20)
            if len(f) == 2 and f[0] == {"type": "hello", "user": f"many-{i}"} and f[1].get("intent") == "help":
                good += 1
        ok(good == n, f"{n} concurrent connections each get their own answer",
           f"{good}/{n}, opened in {opened:.1f}s, all in {time.time() - t0:.1f}s")
        st, h, raw = bot.request("GET", "/metrics")
        ok(f"dvcbot_ws_connections {n}" in raw.decode(), "metrics count the open connections",
           [l for l in raw.decode().splitlines() if "ws_" in l])
    finally:
        for ws in conns:
            ws.sock.close()


def pages(bot):
    for path, needle in [("/", b"dvcbot.chat.v1"), ("/simulator/", b"/ussd"), ("/agent/", b"dvcbot.agent.v1")]:
        st, h, raw = bot.request("GET", path)
        ok(st == 200 and "text/html" in h.get("content-type", "") and needle in raw,
           f"GET {path} serves the page", f"{st} {h}")
    st, h, raw = bot.request("GET", "/api/v9/nothing")
    ok(st == 404 and json.loads(raw)["error"] == "not_found", "unknown /api path: JSON 404", raw)
    st, h, raw = bot.request("GET", "/../../etc/passwd")
    ok(st in (400, 403, 404) and b"root:" not in raw, "no path traversal out of web/", st)


def main():
    redis = Redis().start()
    bot = Dvcbot(redis.port).start()
    try:
        basics(bot, redis)
        resume(bot, redis)
        notices(bot, redis)
        bad_frames(bot, redis)
        origins(bot)
        pages(bot)
        many(bot)
        rc = bot.stop()
        err = bot.stderr()
        ok(rc == 0 and sanitizer_clean(err), "SIGTERM with connections: exit 0, no sanitizer report",
           err[-2000:])
        origin_list(redis)
        idle(redis)
    finally:
        if bot.proc.poll() is None:
            bot.stop()
        redis.close()
    done()


if __name__ == "__main__":
    main()
