"""test_chat.py -- POST /api/v1/chat, /healthz and /metrics against a real
redis-server and the ASan+UBSan build of dvcbot: conversations, sessions kept
across requests, every kind of bad input, Redis killed and back, clean stop."""
import json
import socket
import threading
import time

from harness import Dvcbot, Redis, done, ok, raw_http, sanitizer_clean

CODE = "000.00.12.H18-200520-0001"


def conversation(bot, redis):
    st, h, body = bot.request("GET", "/healthz")
    ok(st == 200 and json.loads(body).get("status") == "ok", "healthz 200 when Redis answers", body)

    st, r = bot.chat("u-greet", "Xin chào")
    ok(st == 200 and r.get("intent") == "greeting", "greeting classified", r)
    ok(r.get("replies") and r["replies"][0]["text"] and r["replies"][0]["buttons"],
       "greeting answers with text and menu buttons", r)
    st, r = bot.chat("u-help", "HD")
    ok(st == 200 and r.get("intent") == "help" and "TRACUU" not in r["replies"][0]["text"] and
       r["replies"][-1]["buttons"], "HD on the web chat: buttons, not the SMS keywords", r)

    st, r1 = bot.chat("u-unk", "gia vang hom nay bao nhieu")
    st2, r2 = bot.chat("u-unk", "thoi tiet ngay mai")
    ok(st == 200 and r1.get("intent") == "unknown" and len(r1["replies"][0]["buttons"]) >= 4,
       "unknown answers with a menu of what the bot can do", r1)
    ok(st2 == 200 and r2["replies"][0]["text"] != r1["replies"][0]["text"],
       "second unknown in a row answers differently (session kept)", r2)


def multi_turn(bot, redis):
    user = "u-turns"
    st, r = bot.chat(user, "tra cứu hồ sơ")
    ok(st == 200 and r.get("intent") == "dossier_status", "dossier question without code", r)
    st, r = bot.chat(user, CODE.replace("-", " "))
    ok(st == 200 and r.get("intent") == "dossier_status" and CODE in r["replies"][0]["text"],
       "bare code answers the pending question", r)
    st, r = bot.chat(user, "hồ sơ của tôi đã xong chưa")
    ok(st == 200 and CODE in r["replies"][0]["text"], "last dossier remembered across requests", r)
    key = f"dvcbot:sess:chat:{user}"
    sess = redis.session_text(key)
    ttl = int(redis.cli("TTL", key) or -2)
    ok(CODE in sess and 0 < ttl <= 1800, "session stored in Redis with a TTL", f"{sess} ttl={ttl}")

    st, r = bot.chat("u-pay", payload="rating:5")
    ok(st == 200 and r.get("intent") == "rating" and "5/5" in r["replies"][0]["text"],
       "button payload rating:5", r)
    st, r = bot.chat("u-pay", payload="no-such-thing")
    ok(st == 200 and r.get("intent") == "unknown", "unknown payload -> unknown", r)


def bad_input(bot, redis):
    def post(body, headers=None):
        st, h, raw = bot.request("POST", "/api/v1/chat", body, headers)
        try:
            return st, h, json.loads(raw)
        except ValueError:
            return st, h, {"raw": raw}

    cases = [
        ("not json", b"{user: 1", 400, "invalid_json"),
        ("json array", b"[1,2]", 400, "invalid_json"),
        ("empty body", b"", 400, "invalid_json"),
        ("truncated json", b'{"user": "a", "text": "xin ch', 400, "invalid_json"),
        ("invalid UTF-8", b'{"user": "a", "text": "\xff\xfe"}', 400, "invalid_json"),
        ("overlong UTF-8", b'{"user": "a", "text": "\xc0\xaf"}', 400, "invalid_json"),
        ("missing user", {"text": "hi"}, 400, "invalid_user"),
        ("empty user", {"user": "", "text": "hi"}, 400, "invalid_user"),
        ("user of 65 chars", {"user": "x" * 65, "text": "hi"}, 400, "invalid_user"),
        ("user with newline", {"user": "a\nb", "text": "hi"}, 400, "invalid_user"),
        ("user not a string", {"user": 42, "text": "hi"}, 400, "invalid_user"),
        ("text not a string", {"user": "a", "text": 5}, 400, "invalid_text"),
        ("text with NUL", {"user": "a", "text": "a\u0000b"}, 400, "invalid_text"),
        ("no text or payload", {"user": "a"}, 400, "missing_text"),
        ("text over chat.max_text", {"user": "a", "text": "a" * 2001}, 400, "text_too_long"),
        ("payload too long", {"user": "a", "payload": "p" * 300}, 400, "invalid_payload"),
        ("duplicate keys", b'{"user":"a","user":"b","text":"x"}', 400, "invalid_json"),
    ]
    for name, body, want_status, want_code in cases:
        st, h, r = post(body)
        ok(st == want_status and r.get("error") == want_code and r.get("message")
           and h.get("content-type", "").startswith("application/json"),
           f"bad input: {name} -> {want_status} {want_code}", f"{st} {r}")

    st, h, r = post({"user": "a", "text": "x" * 20000})
    ok(st == 413 and r.get("error") == "too_large", "body over http.max_body -> 413", f"{st} {r}")
    st, h, r = post({"user": "a", "text": "hi"}, {"Content-Type": "text/plain"})
    ok(st == 415 and r.get("error") == "unsupported_media_type", "wrong content type -> 415", r)
    st, h, raw = bot.request("GET", "/api/v1/chat")
    ok(st == 405 and h.get("allow") == "POST" and json.loads(raw)["error"] == "method_not_allowed",
       "GET /api/v1/chat -> 405 with Allow", f"{st} {h} {raw}")
    st, h, raw = bot.request("GET", "/no/such/path")
    ok(st == 404 and json.loads(raw)["error"] == "not_found", "unknown path -> JSON 404", raw)
    st, h, raw = bot.request("POST", "/healthz", b"{}")
    ok(st == 405 and json.loads(raw)["error"] == "method_not_allowed", "POST /healthz -> 405", raw)

    t0 = time.time()
    out = raw_http(bot.port, b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\n\r\n", timeout=10)
    ok(out.startswith(b"HTTP/1.1 411") and b"length_required" in out and time.time() - t0 < 5,
       "POST without Content-Length -> 411 at once, not a hang", out[:120])
    out = raw_http(bot.port, b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                             b"Content-Type: application/json\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n", timeout=10)
    ok(out.startswith(b"HTTP/1.1 411"), "chunked request body -> 411", out[:120])

    big_status = huge_body(bot.port)
    ok(big_status == 413, "10 MB body -> 413, server stays up", big_status)

    before = redis.cli("DBSIZE")
    st, r = bot.chat("u-resp", "*3\r\n$3\r\nSET\r\n$4\r\npwnd\r\n$1\r\n1\r\n")
    ok(st == 200 and redis.cli("EXISTS", "pwnd") == "0",
       "Redis protocol text in a message is stored as data, never run", r)
    st, r = bot.chat("u-bomb", "a" * 1990 + "!")
    ok(st == 200, "long repetitive text classified without hanging", r)
    st, r = bot.chat("u-ctl", "hồ sơ\tcủa\r\ntôi")
    ok(st == 200, "tabs and newlines in text are accepted", r)
    st, h, body = bot.request("GET", "/healthz")
    ok(st == 200, "server still healthy after hostile input", before)


def huge_body(port):
    """Send a 10 MB body with a declared length; return the status line's code."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    size = 10 * 1024 * 1024
    s.sendall(b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + f"Content-Length: {size}\r\n\r\n".encode())
    chunk = b"a" * 65536
    sent = 0
    try:
        while sent < size:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    data = b""
    try:
        while b"\r\n" not in data:
            part = s.recv(4096)
            if not part:
                break
            data += part
    except OSError:
        pass
    s.close()
    try:
        return int(data.split(b" ")[1])
    except (IndexError, ValueError):
        return data[:80]


def concurrency(bot):
    results = []

    def worker(i):
        st, r = bot.chat(f"conc-{i}", "xin chao")
        results.append(st == 200 and r.get("intent") == "greeting")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok(len(results) == 100 and all(results), "100 concurrent conversations all answered",
       f"{sum(results)}/{len(results)}")


def metrics_and_logs(bot):
    st, h, raw = bot.request("GET", "/metrics")
    text = raw.decode()
    ok(st == 200 and h.get("content-type", "").startswith("text/plain"), "/metrics is text", st)
    ok('dvcbot_messages_total{channel="chat",intent="greeting"}' in text,
       "metrics count messages by channel and intent", text[:400])
    ok("dvcbot_http_request_duration_seconds_bucket" in text and "dvcbot_redis_up 1" in text,
       "metrics have the latency histogram and Redis state", text[:400])
    bot.chat("84901234567", "xin chao")


def redis_outage(bot, redis):
    redis.kill()
    time.sleep(0.3)
    st, h, raw = bot.request("GET", "/healthz")
    ok(st == 503 and json.loads(raw).get("error") == "unavailable", "healthz 503 JSON when Redis is down", raw)
    st, r = bot.chat("u-down", "xin chao")
    ok(st == 503 and r.get("error") == "unavailable", "chat 503 when Redis is down", r)
    st, h, raw = bot.request("GET", "/metrics")
    ok("dvcbot_redis_up 0" in raw.decode(), "metrics show Redis down", raw[:200])
    redis.start()
    end = time.time() + 15
    st = 0
    while time.time() < end:
        st, h, raw = bot.request("GET", "/healthz")
        if st == 200:
            break
        time.sleep(0.2)
    ok(st == 200, "reconnects by itself when Redis returns")
    st, r = bot.chat("u-down", "xin chao")
    ok(st == 200 and r.get("intent") == "greeting", "chat works again after recovery", r)


def web_endpoints(bot, redis):
    """[web] history after a reload, CSAT, public statistics, the pages' texts."""
    bot.chat("u-hist", "Xin chào")
    bot.chat("u-hist", payload="complaint_new")
    st, _, raw = bot.request("POST", "/api/v1/chat/history", {"user": "u-hist"})
    items = json.loads(raw).get("items", []) if st == 200 else []
    ok(st == 200 and [i["from"] for i in items] == ["me", "bot", "me", "bot"] and
       items[0]["text"] == "Xin chào" and items[2]["text"] == "Gửi phản ánh, kiến nghị" and
       items[1].get("buttons"), "history: the lines the page showed, a tap as its title", items)
    st, _, raw = bot.request("POST", "/api/v1/chat/history", {"user": "nobody-yet"})
    ok(st == 200 and json.loads(raw) == {"items": []}, "history of an unknown id is empty", raw)
    st, _, raw = bot.request("POST", "/api/v1/chat/history", {"user": ""})
    ok(st == 400 and json.loads(raw)["error"] == "invalid_user", "history: bad id -> 400", raw)
    for _ in range(40):
        bot.chat("u-cap", "HD")
    n, ttl = redis.cli("LLEN", "dvcbot:chatlog:chat:u-cap"), int(redis.cli("TTL", "dvcbot:chatlog:chat:u-cap"))
    sess = redis.session("dvcbot:sess:chat:u-cap")
    ok(n == "30" and 0 < ttl <= int(redis.cli("TTL", "dvcbot:sess:chat:u-cap")) + 1 and "chatlog" not in sess,
       "the chat log: its own list, capped at 30 lines, with the session's TTL", (n, ttl))
    st, _, raw = bot.request("POST", "/api/v1/chat/csat", {"user": "u-hist", "score": 5})
    ok(st == 409 and json.loads(raw)["error"] == "csat_not_pending", "CSAT without a hand-back -> 409", raw)
    st, _, raw = bot.request("POST", "/api/v1/chat/csat", {"user": "u-hist", "score": 6})
    ok(st == 400 and json.loads(raw)["error"] == "invalid_score", "CSAT score 6 -> 400", raw)
    st, _, raw = bot.request("GET", "/api/v1/stats/public")
    j = json.loads(raw) if st == 200 else {}
    ok(st == 200 and j["messages"]["by_channel"]["chat"] >= 40 and "median_answer_s" in j["complaints"]
       and j["ratings"]["distribution"] == [0, 0, 0, 0, 0], "public stats without a key", j)
    st, h, _ = bot.request("GET", "/stats")
    ok(st == 301 and h.get("location") == "/thong-ke", "/stats -> 301 /thong-ke", h)
    st, h, raw = bot.request("GET", "/texts.json")
    t = json.loads(raw) if st == 200 else {}
    ok(st == 200 and t and all(k.startswith("web.") for k in t) and "vi" in t["web.hotline"] and
       "18001096" in t["web.hotline"]["en"], "the pages' texts, both languages", list(t)[:5])


def migration(bot, redis):
    """A session stored as JSON by an earlier version (with its hand-off
    history inside) is read, continued and rewritten in the stored format."""
    user, key = "u-old", "dvcbot:sess:chat:u-old"
    st, r = bot.chat(user, "tra cứu hồ sơ")
    sess = redis.session(key)
    ok(st == 200 and sess and sess.get("await") == "dossier_status" and
       redis.raw("GET", key)[:2] == b"\xc0\x01", "a session is stored in the compact format", sess)
    sess["recent"] = [{"from": "citizen", "text": "dòng cũ", "at": 1}]
    redis.cli("SET", key, json.dumps(sess, ensure_ascii=False), "EX", "1800")
    redis.cli("DEL", "dvcbot:chatlog:chat:u-old")
    st, r = bot.chat(user, CODE.replace("-", " "))
    again = redis.session(key) or {}
    hist = redis.cli("LRANGE", "dvcbot:chatlog:chat:u-old", "0", "-1")
    ok(st == 200 and r.get("intent") == "dossier_status" and CODE in r["replies"][0]["text"],
       "the old JSON session's pending question is answered", r)
    ok(again.get("turns") == sess.get("turns", 0) + 1 and "recent" not in again and
       "dòng cũ" in hist.split("\n")[0] and '"from":"me"' in hist.split("\n")[0] and
       redis.raw("GET", key)[:2] == b"\xc0\x01",
       "rewritten in the compact format; its history moved to the chat log", (again, hist))


def main():
    redis = Redis().start()
    bot = Dvcbot(redis.port).start()
    try:
        conversation(bot, redis)
        multi_turn(bot, redis)
        migration(bot, redis)
        web_endpoints(bot, redis)
        bad_input(bot, redis)
        concurrency(bot)
        metrics_and_logs(bot)
        redis_outage(bot, redis)
    finally:
        code = bot.stop()
        err = bot.stderr()
        redis.close()
    ok(code == 0, "SIGTERM stops dvcbot cleanly (exit 0)", code)
    ok(sanitizer_clean(err), "no ASan/UBSan/LSan report", err[-3000:])
    lines = [l for l in err.splitlines() if l.startswith("{")]
    ok(lines and all(json.loads(l) for l in lines), "logs are JSON lines", err[:500])
    ok(any('"route":"/api/v1/chat"' in l for l in lines), "one log line per request", err[:500])
    ok("8490***4567" in err and "84901234567" not in err, "phone numbers masked in logs",
       [l for l in lines if "8490" in l][:3])
    done()


if __name__ == "__main__":
    main()
