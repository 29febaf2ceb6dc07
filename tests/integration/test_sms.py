"""test_sms.py -- the SMS channel of dvcbot (ASan build) without Kannel: the
smsbox HTTP contract (GET and POST /sms/kannel, /sms/kannel/dlr) driven
directly, and the outbox worker against a fake /cgi-bin/sendsms written in
Python (retries, backoff, failed, per-number order, replies before bulk,
rate limit, Kannel unreachable, restart recovery). Also: once per Kannel id
(sequential and concurrent retries), pages, numbered buttons, UCS-2 mode,
secret / allow-list, Redis down, clean stop."""
import http.server
import json
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from harness import Dvcbot, Redis, done, free_port, ok, sanitizer_clean
from kannel import outbox_get, outbox_put

ME = "84901234567"


def mo(bot, text=None, sender="+84901234567", mid=None, extra="", secret=True):
    q = {"from": sender, "to": "1900"}
    if text is not None:
        q["text"] = text
    if mid:
        q["id"] = mid
    path = "/sms/kannel?" + urllib.parse.urlencode(q) + extra
    st, h, body = bot.request("GET", path, secret=secret)
    return st, h, body.decode("utf-8", "replace")


def gsm_ok(t, segs=2):
    return all(0x20 <= ord(c) < 0x7f or c == "\n" for c in t) and len(t) <= (160 if segs == 1 else 153 * segs)


def inbound(bot, redis):
    st, h, b = mo(bot, "HD", mid="k-1")
    ok(st == 200 and h.get("content-type") == "text/plain; charset=UTF-8" and
       int(h.get("content-length", -1)) == len(b.encode()) and "TRACUU" in b and gsm_ok(b),
       "GET: 200 text/plain with Content-Length, help folded to GSM-7", (st, h, b))
    st, h, b = mo(bot, "", mid="k-2")
    ok(st == 200 and "TRACUU" in b, "empty text -> help, never an error", (st, b))
    st, h, b = mo(bot, None, mid="k-3")
    ok(st == 200 and "TRACUU" in b, "no text argument -> help", (st, b))
    st, h, b = mo(bot, "HD", sender="abc")
    ok(st == 400 and json.loads(b).get("error") == "invalid_sender", "bad sender -> 400", b)
    st, h, b = mo(bot, "HD", mid="a b")
    ok(st == 400, "bad id -> 400", b)
    body = "PAKN đèn đường hỏng ở ngõ 5 phố Huế".encode()
    st, h, raw = bot.request("POST", "/sms/kannel?id=k-post", body,
                             {"Content-Type": 'text/plain; charset="UTF-8"',
                              "X-Kannel-From": "0901234567", "X-Kannel-To": "1900",
                              "X-Kannel-Coding": "0"})
    ok(st == 200 and "PA-" in raw.decode(), "POST with X-Kannel headers files the complaint", raw)
    body = "HD".encode("utf-16-be")
    st, h, raw = bot.request("POST", "/sms/kannel", body,
                             {"Content-Type": "text/plain; charset=UTF-16BE",
                              "X-Kannel-From": "+84901234567", "X-Kannel-Coding": "2"})
    ok(st == 200 and b"TRACUU" in raw, "POST in UTF-16BE (UCS-2 without mo-recode)", raw)
    st, h, b = bot.request("PUT", "/sms/kannel", b"x")
    ok(st == 405, "PUT /sms/kannel -> 405", st)


def once_per_id(bot, redis):
    text = "PAKN cong thoat nuoc bi tac tai to 7"
    a = mo(bot, text, mid="dup-1")
    b = mo(bot, text, mid="dup-1")
    codes = [k for k in redis.cli("--scan", "--pattern", "dvcbot:complaint:PA-*").split()
             if redis.cli("HGET", k, "text").startswith("cong thoat nuoc")]
    ok(a[0] == b[0] == 200 and a[2] == b[2] and len(codes) == 1,
       "the same Kannel id twice: same answer, processed once", (a, b, codes))
    ttl = int(redis.cli("TTL", "dvcbot:smsmo:dup-1") or -2)
    ok(3600 < ttl <= 86400, "answer kept for retries with a TTL", ttl)
    text = "PAKN via he bi lan chiem o cho Dong Xuan"
    with ThreadPoolExecutor(8) as ex:
        res = list(ex.map(lambda _: mo(bot, text, mid="dup-2"), range(8)))
    codes = [k for k in redis.cli("--scan", "--pattern", "dvcbot:complaint:PA-*").split()
             if redis.cli("HGET", k, "text").startswith("via he")]
    ok(all(r[0] == 200 and r[2] == res[0][2] for r in res) and len(codes) == 1,
       "8 concurrent retries of one id: one answer, one complaint", (res[:2], codes))
    redis.cli("SET", "dvcbot:smsmo:dup-3", "Pdead-instance", "EX", "60")
    st, h, b = mo(bot, "HD", mid="dup-3")
    ok(st == 200 and "TRACUU" in b, "a marker left by a dead process is taken over", b)


def folded_turn(redis):
    """A complaint lookup's MO: the turn's start claims its Kannel id, the turn's
    commit stores its answer (docs/performance.md "three round trips"). A retry
    of the id replays that answer and counts nothing twice; a turn that cannot
    write its session writes no answer either, and its retry is processed."""
    bot = Dvcbot(redis.port, env={"DVCBOT_SMS_OUTBOX": "false",
                                  "DVCBOT_LIMITS_IDENTITY_PER_WINDOW": "100"}).start()
    user, sender = "84907770001", "+84907770001"
    skey, rl = "dvcbot:sess:sms:" + user, "dvcbot:rl:id:sms:" + user

    def turns():
        return (redis.session(skey) or {}).get("turns")

    try:
        st, h, a = mo(bot, "TTPA PA-240101-0001", sender=sender, mid="fold-1")
        stored = redis.raw("GET", "dvcbot:smsmo:fold-1")
        ok(st == 200 and "PA-240101-0001" in a and stored == b"D0" + a.encode() and
           turns() == 1 and redis.cli("GET", rl) == "1",
           "TTPA: answered, its answer stored by the turn's commit, one turn, one budget count",
           (st, a, stored, turns(), redis.cli("GET", rl)))
        st, h, b = mo(bot, "TTPA PA-240101-0001", sender=sender, mid="fold-1")
        ok(st == 200 and b == a and turns() == 1 and redis.cli("GET", rl) == "1" and
           not redis.cli("EXISTS", "dvcbot:sess-lease:sms:" + user) == "1",
           "Kannel's retry of the id: the stored answer, no turn, no budget counted twice",
           (st, b, turns(), redis.cli("GET", rl)))
        redis.cli("SET", "dvcbot:sess-lease:sms:" + user, "another-owner", "PX", "7000")
        t0 = time.time()
        st, h, c = mo(bot, "TTPA PA-240101-0002", sender=sender, mid="fold-2")
        claim = redis.raw("GET", "dvcbot:smsmo:fold-2")
        ok(st == 503 and time.time() - t0 >= 4.5 and claim.startswith(b"P") and turns() == 1,
           "the session held by another turn: 503 after the wait, no answer stored (the claim "
           "stays), the session untouched", (st, c, claim, turns()))
        redis.cli("DEL", "dvcbot:sess-lease:sms:" + user)
        st, h, d = mo(bot, "TTPA PA-240101-0002", sender=sender, mid="fold-2")
        stored = redis.raw("GET", "dvcbot:smsmo:fold-2")
        counted = redis.cli("GET", rl)
        ok(st == 200 and "PA-240101-0002" in d and stored == b"D0" + d.encode() and turns() == 2,
           "its retry is processed: answered and stored with the turn", (st, d, stored, turns()))
        st, h, e = mo(bot, "TTPA PA-240101-0002", sender=sender, mid="fold-2")
        ok(st == 200 and e == d and turns() == 2 and redis.cli("GET", rl) == counted,
           "and a retry after that is replayed, nothing counted", (st, e, turns()))
    finally:
        rc = bot.stop()
    ok(rc == 0 and sanitizer_clean(bot.stderr()), "budgeted instance: clean exit",
       bot.stderr()[-2000:])


def pages_buttons(bot, redis):
    st, h, p1 = mo(bot, "thu tuc dang ky ket hon can giay to gi", mid="pg-1")
    ok(st == 200 and p1.rstrip().endswith("TIEP 2 de xem tiep") and gsm_ok(p1),
       "long answer: page 1 within 2 segments ends with how to get page 2", p1)
    st, h, p2 = mo(bot, "TIEP", mid="pg-2")
    ok(st == 200 and p2 and p2 != p1 and gsm_ok(p2), "TIEP serves page 2", p2)
    st, h, p2b = mo(bot, "tiep 2", mid="pg-3")
    ok(p2b == p2, "TIEP 2 serves page 2 again", p2b)
    st, h, r = mo(bot, "TT 1.001193", mid="pg-4")
    if r.rstrip().endswith("de xem tiep"):
        st, h, r2 = mo(bot, "TT 1.001193 2", mid="pg-5")
        ok(st == 200 and r2 and r2 != r and "1.001193 2 de xem" not in r2,
           "'TT 1.001193 2' serves page 2", (r, r2))
    st, h, g = mo(bot, "xin chao", mid="bt-1")
    ok("1. " in g and "2. " in g, "buttons become numbered lines when they fit", g)
    st, h, d = mo(bot, "1", mid="bt-2")
    sess = redis.session_text("dvcbot:sess:sms:" + ME)
    ok(st == 200 and '"last_intent":"dossier_status"' in sess, "a digit picks a numbered button",
       (d, sess))


SECRET = "s3cr3t-0123456789abcdef"


def unicode_secret(redis):
    bot = Dvcbot(redis.port, env={"DVCBOT_SMS_UNICODE": "true", "DVCBOT_SMS_MAX_SEGMENTS": "1",
                                  "DVCBOT_CHANNELS_SECRET": SECRET, "DVCBOT_SMS_OUTBOX": "false",
                                  "DVCBOT_CHANNELS_ALLOW_IPS": "10.9.9.9, 127.0.0.0/8"}).start()
    try:
        st, h, b = mo(bot, "HD", mid="u-1", secret=False)
        ok(st == 403 and json.loads(b).get("error") == "channel_forbidden", "no secret -> 403 JSON",
           (st, b))
        st, h, b = mo(bot, "HD", mid="u-2", extra="&secret=wrong", secret=False)
        ok(st == 403, "wrong secret -> 403", (st, b))
        st, h, b = mo(bot, "HD", sender="0987000111", mid="u-3", extra="&secret=" + SECRET,
                      secret=False)
        ok(st == 200 and h.get("x-kannel-coding") == "2" and "Anh/Chị" in b and len(b) <= 70 and
           b.rstrip().endswith("Soạn HD 2 để xem tiếp"),
           "unicode: X-Kannel-Coding 2, diacritics kept, 70-char page with the hint", (h, b))
        st, h, b2 = mo(bot, "HD 2", sender="0987000111", mid="u-4", extra="&secret=" + SECRET,
                       secret=False)
        ok(st == 200 and b2 != b and len(b2) <= 70, "HD 2 serves page 2", b2)
        rc = bot.stop()
        ok(rc == 0 and sanitizer_clean(bot.stderr()), "unicode instance: clean stop", bot.stderr()[-1500:])
    finally:
        bot.stop()
    bot = Dvcbot(redis.port, env={"DVCBOT_CHANNELS_ALLOW_IPS": "10.9.9.9",
                                  "DVCBOT_SMS_OUTBOX": "false"}).start()
    st, h, b = mo(bot, "HD", mid="ip-1")
    ok(st == 403, "right secret, but the peer is not in channels.allow_ips -> 403", (st, b))
    st, h, b = bot.request("GET", "/sms/kannel/dlr?id=1&status=1")
    ok(st == 403, "DLR endpoint behind the same allow-list", st)
    bot.stop()


def dlr(bot, redis):
    mid = outbox_put(redis, "84900000009", "dlr test")
    redis.cli("HSET", f"dvcbot:outbox:msg:{mid}", "status", "sent")
    seq = [(8, "submitted"), (1, "delivered"), (8, "delivered"), (4, "delivered")]
    res = []
    for code, want in seq:
        st, h, b = bot.request("GET", f"/sms/kannel/dlr?id={mid}&status={code}")
        res.append((st, outbox_get(redis, mid).get("dlr"), want))
    ok(all(st == 200 and got == want for st, got, want in res),
       "DLR states only move forward (a late submitted never overwrites delivered)", res)
    st, h, b = bot.request("GET", "/sms/kannel/dlr?id=999999&status=1")
    ok(st == 200, "DLR for an unknown id -> 200 (no retry)", st)
    st, h, b = bot.request("GET", f"/sms/kannel/dlr?id={mid}&status=3")
    ok(st == 400, "DLR with an unknown status -> 400", b)
    st, h, b = bot.request("GET", "/sms/kannel/dlr?status=1")
    ok(st == 400, "DLR without id -> 400", b)


class FakeSendsms(http.server.ThreadingHTTPServer):
    """/cgi-bin/sendsms: answers by number (plan), records every request."""

    def __init__(self):
        self.reqs = []
        self.plan = {}   # to -> list of statuses (last one repeats)
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", free_port()), _SendsmsHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/cgi-bin/sendsms"

    def to(self, number):
        with self.lock:
            return [r for r in self.reqs if r["to"] == number]


class _SendsmsHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        q["t"] = time.time()
        srv = self.server
        with srv.lock:
            srv.reqs.append(q)
            plan = srv.plan.get(q.get("to"), [202])
            n = len([r for r in srv.reqs if r.get("to") == q.get("to")])
            code = plan[min(n, len(plan)) - 1]
        body = b"0: Accepted for delivery" if code == 202 else b"3: Error"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def wait_status(redis, mid, want, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        if outbox_get(redis, mid).get("status") in want:
            break
        time.sleep(0.05)
    return outbox_get(redis, mid)


def worker(redis, fake):
    env = {"DVCBOT_SMS_KANNEL_SENDSMS_URL": f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms",
           "DVCBOT_SMS_RETRY_BASE_MS": "100", "DVCBOT_SMS_RETRY_MAX_MS": "400"}
    bot = Dvcbot(redis.port, env=env).start()
    m0 = outbox_put(redis, "84900000010", "Kannel chua chay")
    time.sleep(1.2)
    h = outbox_get(redis, m0)
    ok(h.get("status") == "queued" and h.get("attempts") == "0",
       "Kannel unreachable: message stays queued, no attempt counted", h)
    bot.stop()
    # while dvcbot is down: a bulk backlog, a reply, a crash leftover, a proven one
    bulk = [outbox_put(redis, f"8490000002{i}", f"bulk {i}") for i in range(6)]
    rep = outbox_put(redis, "84900000030", "tra loi phan anh", kind="reply")
    left = outbox_put(redis, "84900000031", "bo do khi dang gui")
    proven = outbox_put(redis, "84900000032", "da co bao cao")
    for m, dl in ((left, None), (proven, "delivered")):
        redis.cli("LREM", "dvcbot:outbox:q:notify", "0", m)
        redis.cli("HSET", f"dvcbot:outbox:msg:{m}", "status", "sending", "attempts", "1")
        if dl:
            redis.cli("HSET", f"dvcbot:outbox:msg:{m}", "dlr", dl)
        redis.cli("ZADD", "dvcbot:outbox:sending", "1", m)
    fake.plan = {"84900000040": [500, 500, 202], "84900000041": [403]}
    env.update({"DVCBOT_SMS_KANNEL_SENDSMS_URL": fake.url(), "DVCBOT_SMS_SEGMENTS_PER_S": "5",
                "DVCBOT_SMS_MAX_ATTEMPTS": "3"})
    bot = Dvcbot(redis.port, env=env).start()
    wait_status(redis, bulk[-1], ("sent",))
    order = [r["to"] for r in fake.reqs]
    ok(order and order[0] == "84900000030", "after a restart: the reply goes before the bulk", order)
    ok(wait_status(redis, m0, ("sent",)).get("status") == "sent" and len(fake.to("84900000010")) == 1,
       "the message queued while Kannel was down is sent once", fake.to("84900000010"))
    ok(len(fake.to("84900000031")) == 1 and outbox_get(redis, left)["status"] == "sent",
       "a message left 'sending' by a dead process is recovered and sent once", outbox_get(redis, left))
    ok(not fake.to("84900000032") and outbox_get(redis, proven)["status"] == "sent",
       "a 'sending' message with a delivery report is not sent again", outbox_get(redis, proven))
    ts = sorted(r["t"] for r in fake.reqs if r["to"].startswith("849000000"))
    span = ts[-1] - ts[0] if ts else 0
    ok(len(ts) >= 9 and span >= (len(ts) - 2) / 5 * 0.8,
       f"rate limit: {len(ts)} one-segment messages over {span:.2f}s at 5 segments/s", ts)
    r = fake.reqs[0]
    ok(r.get("username") == "bot" and r.get("password") == "botpw" and r.get("charset") == "UTF-8"
       and r.get("dlr-mask") == "31" and "/sms/kannel/dlr?id=" in r.get("dlr-url", "") and
       "status=%d" in r.get("dlr-url", ""), "sendsms parameters and dlr-url", r)
    a = outbox_put(redis, "84900000040", "lan 1")
    b = outbox_put(redis, "84900000040", "lan 2")
    c = outbox_put(redis, "84900000041", "sai so")
    ha, hb, hc = (wait_status(redis, m, ("sent", "failed")) for m in (a, b, c))
    texts = [r["text"] for r in fake.to("84900000040")]
    ok(ha["status"] == "sent" and ha["attempts"] == "3" and hb["status"] == "sent" and
       texts == ["lan 1", "lan 1", "lan 1", "lan 2"],
       "retries with backoff, and the next message to that number waits its turn", (ha, hb, texts))
    time.sleep(0.5)
    ok(hc["status"] == "failed" and hc["attempts"] == "3" and len(fake.to("84900000041")) == 3,
       "refused max_attempts times -> failed, never tried again", (hc, len(fake.to("84900000041"))))
    all_ids = [r for r in fake.reqs]
    sent_pairs = [(r["to"], r["text"]) for r in all_ids if r["to"] not in ("84900000040", "84900000041")]
    ok(len(sent_pairs) == len(set(sent_pairs)), "nothing sent twice", sent_pairs)
    return bot


def redis_down(bot, redis):
    redis.kill()
    st, h, b = mo(bot, "HD", mid="down-1")
    ok(st == 503, "Redis down -> 503 (Kannel retries later)", (st, b))
    redis.start()
    end = time.time() + 10
    while time.time() < end:
        st, h, b = mo(bot, "HD", mid="down-1")
        if st == 200:
            break
        time.sleep(0.2)
    ok(st == 200 and "TRACUU" in b, "Redis back -> the retry is answered", (st, b))


def main():
    redis = Redis().start()
    fake = FakeSendsms()
    bot = Dvcbot(redis.port, env={"DVCBOT_SMS_OUTBOX": "false"}).start()
    try:
        inbound(bot, redis)
        once_per_id(bot, redis)
        folded_turn(redis)
        pages_buttons(bot, redis)
        dlr(bot, redis)
        redis_down(bot, redis)
        rc = bot.stop()
        ok(rc == 0 and sanitizer_clean(bot.stderr()), "SIGTERM: clean exit, no sanitizer report",
           bot.stderr()[-2000:])
        unicode_secret(redis)
        bot = worker(redis, fake)
        rc = bot.stop()
        ok(rc == 0 and sanitizer_clean(bot.stderr()), "worker instance: clean SIGTERM exit",
           bot.stderr()[-2000:])
    finally:
        if bot.proc and bot.proc.poll() is None:
            bot.stop()
        fake.shutdown()
        redis.close()
    done()


if __name__ == "__main__":
    main()
