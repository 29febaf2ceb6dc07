"""test_ussd.py -- USSD menus end to end, replayed over HTTP as aggregators
send them, against a real redis-server and the ASan+UBSan build: every flow
(my dossiers, dossier by agency + date + sequence, procedures by field with
pagination, complaint filing and lookup, rating, SMS subscription), invalid
choices, back/home, page edges, an expired or unknown session, two parallel
sessions of one number, 200 concurrent sessions, inputs of 0 and 500
characters, a text path that does not match the tree, the JSON adapter, the
Kannel SMPP meta-data path, malformed requests (JSON 400s), concurrent
requests of one session under the route's lease, a route stored as JSON by an
earlier version, Redis down, and a clean SIGTERM stop. Every screen is checked: CON/END and at most 182
characters."""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from harness import (Dvcbot, ROOT, Redis, done, keys_cli, ok, sanitizer_clean,
                     sesscodec_encode)

AGENCY = "000.00.12.H18"
OPEN = AGENCY + "-240520-0001"          # processing, the caller's
RETURNED = AGENCY + "-240521-0002"      # returned, the caller's
OTHER = AGENCY + "-240522-0003"         # someone else's
PHONE, MSISDN = "0912345678", "84912345678"
PHONE2, MSISDN2 = "0987654321", "84987654321"
MAX = 182
bad_screens = []




def put(bot, key, code, status, phone):
    body = {"procedure_code": "1.001193", "status": status, "received_at": "2024-05-20",
            "applicant_phone": phone}
    st, _, _ = bot.request("PUT", "/api/v1/dossiers/" + code, body,
                           {"Authorization": "Bearer " + key})
    return st


def check_screen(body, where):
    good = (body.startswith("CON ") or body.startswith("END ")) and len(body) <= MAX
    good = good and all(ord(c) < 128 for c in body)  # folded: GSM-7 safe ASCII here
    if not good:
        bad_screens.append((where, body))
    return good


def at(bot, session, text, phone=PHONE):
    form = urllib.parse.urlencode({"sessionId": session, "serviceCode": "*384#",
                                   "phoneNumber": phone, "networkCode": "45204",
                                   "text": text})
    st, h, raw = bot.request("POST", "/ussd", form,
                             {"Content-Type": "application/x-www-form-urlencoded"})
    body = raw.decode("utf-8", "replace")
    if st == 200:
        check_screen(body, f"{session}:{text[:40]}")
    return st, body


def walk(bot, session, inputs, phone=PHONE):
    """Send every prefix of the path, as Africa's Talking does; the screens."""
    screens = [at(bot, session, "", phone)[1]]
    for i in range(1, len(inputs) + 1):
        screens.append(at(bot, session, "*".join(inputs[:i]), phone)[1])
    return screens


def item_of(screen, needle):
    for line in screen.split("\n"):
        m = re.match(r"^(\d+)\. (.*)$", line)
        if m and needle in m.group(2):
            return m.group(1)
    return None


def flows_dossiers(bot):
    s = walk(bot, "d1", ["1", "1"])
    ok(s[0].startswith("CON ") and "1. Tra cuu ho so" in s[0], "home menu, folded", s[0])
    ok(OPEN in s[2] and RETURNED in s[2] and OTHER not in s[2],
       "my dossiers: the caller's number's dossiers only", s[2])
    n = item_of(s[2], OPEN)
    st, body = at(bot, "d1", "1*1*" + str(n))
    ok(st == 200 and OPEN in body and "Dang giai quyet" in body, "pick one: its status", body)
    st, body = at(bot, "d1", "1*1*" + str(n) + "*0")
    ok(OPEN in body and "Chon ho so" in body, "0 goes back to the list", body)
    s = walk(bot, "d2", ["1", "2", "1", "200524", "1"])
    ok("Chon co quan" in s[2] and "Mot cua 000.00.12.H18" in s[2], "agency picker", s[2])
    ok("ddmmyy" in s[3], "date asked", s[3])
    ok(OPEN in s[5] and "Dang giai quyet" in s[5], "agency + date + sequence -> status", s[5])
    st, body = at(bot, "d2", "1*2*1*200524*1*0")
    ok("so thu tu" in body, "0 on a result: the input before", body)
    st, body = at(bot, "d2", "1*2*1*200524*1*0*0")
    st, body = at(bot, "d2", "1*2*1*200524*1*0*0*321399")
    ok("Ngay khong hop le" in body and "ddmmyy" in body,
       "an impossible date is refused with a short error", body)
    st, body = at(bot, "d3", "")
    st, body = at(bot, "d3", "1", PHONE2)
    ok(st == 200 and "Cong DVC" in body, "same session id, other number: its own route", body)
    s = walk(bot, "d4", ["1", "1"], PHONE2)
    ok("Khong co ho so" in s[2] and s[2].startswith("CON "), "no dossiers: said, not ended",
       s[2])


def flows_procedures(bot):
    s = walk(bot, "p1", ["2", "1", "1", "1"])
    ok("Chon linh vuc" in s[1] and "98 Xem them" in s[1], "fields, paginated", s[1])
    ok("Chon thu tuc" in s[2], "procedures of the field", s[2])
    ok("1. Ho so can nop" in s[3] and "2. Le phi" in s[3], "aspects menu", s[3])
    ok("98 Xem them" in s[4], "documents: a long answer has a next page", s[4])
    path, pages, last = "2*1*1*1", [s[4]], s[4]
    for _ in range(12):
        path += "*98"
        last = at(bot, "p1", path)[1]
        pages.append(last)
        if "Khong con trang sau" in last:
            break
    ok(len(pages) >= 3 and "Khong con trang sau" in last, "98 up to past the last page",
       pages[-2:])
    ok("0 Quay lai" in last and "00 Trang chu" in last and "98" not in last.split("\n")[-1],
       "the last page offers back and home", last)
    st, body = at(bot, "p1", path + "*0")
    ok(body != last and body.startswith("CON "), "0 goes to the previous page", body)
    st, body = at(bot, "p1", path + "*0*00")
    ok("Cong DVC" in body and "1. Tra cuu ho so" in body, "00 goes home", body)
    st, body = at(bot, "p2", "")
    st, body = at(bot, "p2", "2")
    st, body = at(bot, "p2", "2*98")
    ok("Chon linh vuc" in body and "0 Quay lai" in body, "fields page 2", body)
    n = item_of(body, "")
    ok(n is not None and int(n) > 4, "numbers go on across pages", body)
    st, body = at(bot, "p2", "2*98*0")
    ok(item_of(body, "") == "1", "0 on page 2: page 1", body)
    st, body = at(bot, "p2", "2*98*0*0")
    ok("1. Tra cuu ho so" in body, "0 on page 1: the screen before", body)


def flows_complaint(bot, redis):
    text = "Ho so cua toi bi tre hen qua lau"
    s = walk(bot, "c1", ["3", "1", "3", text, "1"])
    ok("Chon chu de" in s[2], "topics", s[2])
    ok(text in s[4] and "1. Xac nhan gui" in s[4], "confirm shows the text", s[4])
    m = re.search(r"PA-(\d{6})-(\d{4})", s[5])
    ok(s[5].startswith("END ") and m, "confirm: END with the complaint code", s[5])
    if not m:
        return
    code = m.group(0)
    rec = redis.cli("HGETALL", "dvcbot:complaint:" + code).split("\n")
    rec = dict(zip(rec[::2], rec[1::2]))
    ok(rec.get("topic") == "delay" and rec.get("text") == text and rec.get("channel") == "ussd"
       and rec.get("user") == MSISDN and rec.get("contact") == MSISDN,
       "the complaint is stored with topic, text, number", rec)
    st, again = at(bot, "c1", "3*1*3*" + text + "*1")
    ok(again == s[5], "a retried confirm answers the same screen", again)
    seq = redis.cli("GET", "dvcbot:seq:complaint:" + m.group(1))
    ok(seq == "1", "and files nothing new", seq)
    s = walk(bot, "c2", ["3", "2", m.group(1) + m.group(2)])
    ok(code in s[3] and "chua co tra loi" in s[3].lower(), "check a complaint by its number",
       s[3])
    at(bot, "c2", "3*2*" + m.group(1) + m.group(2) + "*0")
    st, body = at(bot, "c2", "3*2*" + m.group(1) + m.group(2) + "*0*12ab")
    ok("So phan anh khong hop le" in body, "letters in a complaint number refused", body)


def flows_rate_subscribe(bot, redis):
    s = walk(bot, "r1", ["4"])
    ok(RETURNED in s[1] and OPEN not in s[1], "rate: only returned dossiers", s[1])
    n = item_of(s[1], RETURNED)
    st, body = at(bot, "r1", "4*" + n)
    ok("1. Rat khong hai long" in body and "5. Rat hai long" in body and RETURNED[:20] in body,
       "rate: scores, item N is score N", body)
    st, body = at(bot, "r1", "4*" + n + "*4")
    stored = redis.cli("HGET", "dvcbot:rating:" + RETURNED, "sms:" + MSISDN)
    ok(body.startswith("END ") and stored.startswith("4|"), "rated 4 by typing 4", (body, stored))
    s = walk(bot, "sub1", ["5"])
    ok(OPEN in s[1] and RETURNED not in s[1], "subscribe: only open dossiers", s[1])
    st, body = at(bot, "sub1", "5*" + item_of(s[1], OPEN))
    member = redis.cli("SISMEMBER", "dvcbot:subs:" + OPEN, "sms:" + MSISDN)
    ok(body.startswith("END ") and member == "1", "subscribed by SMS", (body, member))


def navigation(bot, redis):
    st, body = at(bot, "n1", "")
    st, body = at(bot, "n1", "9")
    ok("Lua chon khong hop le" in body and "1. Tra cuu ho so" in body,
       "invalid choice: the screen again with an error", body)
    st, body = at(bot, "n1", "9*abc")
    ok("Lua chon khong hop le" in body, "letters on a menu: invalid", body)
    st, body = at(bot, "n1", "9*abc*98")
    ok("Khong con trang sau" in body, "98 on a one-page menu: no more", body)
    st, body = at(bot, "n1", "9*abc*98*0")
    ok("1. Tra cuu ho so" in body, "0 at home stays home", body)
    st, body = at(bot, "n1", "9*abc*98*0*77*88*99")
    ok(st == 200 and body.startswith("CON "), "a text path that does not match the tree", body)
    ttl = int(redis.cli("TTL", "dvcbot:sess:ussd-route:" + MSISDN + ":n1") or -9)
    ok(0 < ttl <= 180, "the route has a TTL of ussd.session_ttl_s", ttl)
    walk(bot, "e1", ["3", "1"])
    redis.cli("DEL", "dvcbot:sess:ussd-route:" + MSISDN + ":e1")
    st, body = at(bot, "e1", "3*1*2")
    ok(st == 200 and "1. Tra cuu ho so" in body, "expired session: home", body)
    st, body = at(bot, "never-seen", "1*2*3")
    ok(st == 200 and "1. Tra cuu ho so" in body, "unknown session: home", body)
    walk(bot, "i1", ["3", "1", "3"])
    st, body = at(bot, "i1", "3*1*3*")
    ok("5-160" in body and "Noi dung phai" in body, "empty input: re-asked with an error", body)
    st, body = at(bot, "i1", "3*1*3**" + "a" * 500)
    ok("Noi dung phai" in body and len(body) <= MAX, "500 characters: refused, screen fits",
       body)
    # two parallel sessions of one number stay apart
    at(bot, "par-a", "")
    at(bot, "par-b", "")
    a = at(bot, "par-a", "3")[1]
    b = at(bot, "par-b", "2")[1]
    a2 = at(bot, "par-a", "3*2")[1]
    b2 = at(bot, "par-b", "2*1")[1]
    ok("Phan anh" in a and "Chon linh vuc" in b and "10 chu so" in a2 and "Chon thu tuc" in b2,
       "two sessions of one number stay apart", (a2, b2))


def concurrent(bot):
    def one(i):
        sid = f"conc-{i}"
        phone = "09%08d" % (10000000 + i)
        s = walk(bot, sid, ["2", "1"], phone)
        return "Chon linh vuc" in s[1] and "Chon thu tuc" in s[2]
    with ThreadPoolExecutor(max_workers=50) as ex:
        res = list(ex.map(one, range(200)))
    ok(all(res), "200 concurrent sessions each get their own screens",
       res.count(False))


def route_lease(bot, redis):
    """Concurrent requests of one USSD session are one at a time (the route's
    lease): none of them loses the update of another."""
    route_key = "dvcbot:sess:ussd-route:" + MSISDN + ":lk"
    at(bot, "lk", "")
    texts = ["*".join(["9"] * (i + 1)) for i in range(8)]
    with ThreadPoolExecutor(8) as ex:
        res = list(ex.map(lambda t: at(bot, "lk", t), texts))
    route = redis.session(route_key) or {}
    ok(all(st == 200 and "Lua chon khong hop le" in b for st, b in res) and route.get("n") == 9,
       "8 concurrent requests of one session: each answered, each counted in the route",
       (route.get("n"), [st for st, _ in res]))
    ok(redis.cli("EXISTS", "dvcbot:sess-lease:ussd-route:" + MSISDN + ":lk") == "0",
       "the route's lease is given back by every request")


def old_forms(route):
    """The route's lists as an earlier version kept them: JSON arrays ([id, ...],
    [[value, label], ...], [page, ...], [payload, ...]) instead of one string of
    NUL-ended entries each (bot/ussd/ussd_int.h)."""
    old = dict(route)
    for k in ("s", "it", "res", "btn"):
        if isinstance(old.get(k), str):
            e = old[k].split("\0")[:-1]
            old[k] = [[e[i], e[i + 1]] for i in range(0, len(e) - 1, 2)] if k == "it" else e
    return old


def route_migration(bot, redis):
    """A route stored as JSON by an earlier version is read and rewritten; a route
    whose lists are arrays (saved by the version before 2026-12-03, a session in the
    middle of a rolling upgrade) is followed as if this version had saved it."""
    route_key = "dvcbot:sess:ussd-route:" + MSISDN + ":mig"
    walk(bot, "mig", ["3"])
    route = redis.session(route_key)
    ok(isinstance(route.get("s"), str) and route["s"].endswith("\0"),
       "the stack is stored as one string of NUL-ended ids", route.get("s"))
    redis.cli("SET", route_key, json.dumps(old_forms(route), ensure_ascii=False), "EX", "180")
    ok(redis.raw("GET", route_key).startswith(b"{"), "an old JSON route in Redis")
    st, body = at(bot, "mig", "3*0")
    again = redis.session(route_key) or {}
    ok(st == 200 and "1. Tra cuu ho so" in body and again.get("n") == route["n"] + 1 and
       redis.raw("GET", route_key)[:2] == b"\xc0\x01",
       "the old route is followed (back goes home) and rewritten in the stored format", body)
    # the same walks, one with its route turned into the array forms at each step
    for n, path in enumerate((["2", "1", "3"], ["2", "98", "12", "1"],
                              ["2", "1", "1", "1", "98", "98", "2"],
                              ["2", "1", "1", "1", "1", "0", "2"])):
        new, old = walk(bot, "mn%d" % n, path), [at(bot, "mo%d" % n, "")[1]]
        key = "dvcbot:sess:ussd-route:" + MSISDN + ":mo%d" % n
        for i in range(1, len(path) + 1):
            redis.set_raw(key, sesscodec_encode(old_forms(redis.session(key))))
            old.append(at(bot, "mo%d" % n, "*".join(path[:i]))[1])
        stored = redis.session(key)
        ok(old == new and all(isinstance(stored.get(k, ""), str) for k in ("s", "it", "res")),
           "a route in the array forms (walk %s) shows the same screens, rewritten as "
           "strings" % "*".join(path), [(a, b) for a, b in zip(new, old) if a != b][:1])


def json_adapter(bot):
    def j(body):
        st, h, raw = bot.request("POST", "/ussd/json", body)
        try:
            r = json.loads(raw)
        except ValueError:
            r = {"raw": raw}
        return st, r
    base = {"sessionId": "js1", "msisdn": "+84912345678"}
    st, r = j(dict(base, input="*384#", newSession=True))
    ok(st == 200 and r.get("continue") is True and "Tra cuu ho so" in r.get("message", ""),
       "JSON: new session, home", r)
    st, r = j(dict(base, input="5", newSession=False))
    st, r = j(dict(base, input="1", newSession=False))
    ok(st == 200 and r.get("continue") is False and len(r.get("message", "")) <= MAX - 4,
       "JSON: a final screen has continue false", r)
    st, r = j(dict(base, input="*384#", newSession=True))
    ok("Tra cuu ho so" in r.get("message", ""), "JSON: newSession restarts at home", r)
    for body, code in (("{broken", "invalid_json"), ("[]", "invalid_json"),
                       ({"msisdn": PHONE}, "invalid_session"),
                       ({"sessionId": "x", "msisdn": "123"}, "invalid_sender"),
                       ({"sessionId": "x", "msisdn": PHONE, "input": 5}, "invalid_ussd")):
        st, r = j(body)
        ok(st == 400 and r.get("error") == code and r.get("message"), f"JSON 400 {code}", r)


def smpp(bot):
    def k(text, op, sess="7", phone="+84912345678"):
        meta = f"?smpp?ussd_service_op={op}&its_session_info={sess}"
        q = urllib.parse.urlencode({"from": phone, "to": "1900", "text": text, "meta": meta})
        st, h, raw = bot.request("GET", "/ussd/kannel?" + q)
        return st, h.get("x-kannel-meta-data", ""), raw.decode("utf-8", "replace")
    st, meta, body = k("*384#", "%01")
    ok(st == 200 and meta.endswith("ussd_service_op=2") and "Tra cuu ho so" in body and
       len(body) <= MAX, "SMPP: op 1 opens the menu, answer op 2", (meta, body))
    st, meta, body = k("5", "18")
    ok(meta.endswith("=2") and OPEN in body, "SMPP: op 18 answers go on", body)
    st, meta, body = k("1", "18")
    ok(meta.endswith("ussd_service_op=17") and OPEN in body,
       "SMPP: a final screen is op 17", (meta, body))
    form = urllib.parse.urlencode({"from": "0912345678", "text": "*384#",
                                   "meta": "?smpp?ussd_service_op=1&its_session_info=9"})
    st, h, raw = bot.request("POST", "/ussd/kannel", form,
                             {"Content-Type": "application/x-www-form-urlencoded"})
    ok(st == 200 and h.get("x-kannel-meta-data", "").endswith("=2") and
       b"Tra cuu ho so" in raw, "SMPP: the post-url form works too", raw)
    st, meta, body = k("1", "17")
    ok(st == 400 and json.loads(body).get("error") == "invalid_ussd", "SMPP: op 17 in: 400",
       body)


def malformed(bot):
    def post(path, body, ctype="application/x-www-form-urlencoded"):
        st, h, raw = bot.request("POST", path, body, {"Content-Type": ctype})
        try:
            return st, json.loads(raw)
        except ValueError:
            return st, {"raw": raw}
    for body, code in (("phoneNumber=0912345678&text=1", "invalid_session"),
                       ("sessionId=x&phoneNumber=abc", "invalid_sender"),
                       ("sessionId=x&phoneNumber=0912345678&text=%FF", "invalid_ussd"),
                       ("", "invalid_session"), ("%%%&&&===", "invalid_session")):
        st, r = post("/ussd", body)
        ok(st == 400 and r.get("error") == code and r.get("message"), f"form 400 {code}", r)
    st, h, raw = bot.request("GET", "/ussd")
    ok(st == 405 and json.loads(raw).get("error") == "method_not_allowed", "GET /ussd: 405", raw)
    st, r = post("/ussd", "sessionId=x&phoneNumber=0912345678&text=" + "1*" * 20000)
    ok(st == 413 and r.get("error") == "too_large", "oversized body: 413", r)


def unicode_screens(redis):
    """ussd.unicode: Vietnamese kept, screens of 80 UCS-2 characters."""
    bot = Dvcbot(redis.port, env={"DVCBOT_USSD_UNICODE": "true"}).start()
    try:
        screens = []
        for text in ("", "2", "2*1", "2*1*1", "2*1*1*1", "2*1*1*1*98"):
            form = urllib.parse.urlencode({"sessionId": "uni1", "phoneNumber": PHONE,
                                           "text": text})
            st, h, raw = bot.request("POST", "/ussd", form,
                                     {"Content-Type": "application/x-www-form-urlencoded"})
            screens.append(raw.decode("utf-8"))
        ok("Tra cứu hồ sơ" in screens[0], "unicode: diacritics kept", screens[0])
        ok(all(s[:4] in ("CON ", "END ") and len(s.encode("utf-16-le")) // 2 <= 80
               for s in screens), "unicode: every screen within 80 UCS-2 units",
           [len(s) for s in screens])
    finally:
        rc = bot.stop()
    ok(rc == 0 and sanitizer_clean(bot.stderr()), "unicode server: clean stop", rc)


def redis_down(bot, redis):
    redis.kill()
    time.sleep(0.3)
    st, body = at(bot, "down1", "")
    ok(st == 200 and body.startswith("END ") and "ban" in body, "Redis down: END unavailable",
       body)
    st, h, raw = bot.request("POST", "/ussd/json", {"sessionId": "d", "msisdn": PHONE})
    ok(st == 200 and json.loads(raw).get("continue") is False, "Redis down: JSON ends", raw)


def config_checks():
    with open(os.path.join(ROOT, "config/ussd.json"), encoding="utf-8") as f:
        good = json.load(f)
    cases = (("screens.home.items[0].next", "names no screen",
              lambda t: t["screens"]["home"]["items"][0].update(next="nowhere")),
             ("screens.date.pattern", "bad pattern",
              lambda t: t["screens"]["date"].update(pattern="(")),
             ("screens.home.title", "not a key of the messages file",
              lambda t: t["screens"]["home"].update(title="ussd.nope")),
             ("agencies[0]", "id: not an agency e-id", lambda t: t["agencies"][0].update(id="H18")),
             ("screens.mine", "unknown source", lambda t: t["screens"]["mine"].update(source="x")))
    for jpath, problem, mutate in cases:
        tree = json.loads(json.dumps(good))
        mutate(tree)
        path = os.path.join(tempfile.mkdtemp(prefix="dvc-ussd-"), "ussd.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(tree, f)
        p = subprocess.run([os.path.join(ROOT, "build/asan/dvcbot"), "check-config"], cwd=ROOT,
                           env=dict(os.environ, DVCBOT_FILES_USSD=path), capture_output=True,
                           text=True, timeout=60)
        ok(p.returncode != 0 and f"{path}: {jpath}: {problem}" in p.stderr,
           f"check-config: {jpath}: {problem}", p.stderr[-500:])
    p = subprocess.run([os.path.join(ROOT, "build/asan/dvcbot"), "check-config"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    ok(p.returncode == 0 and "ussd.json" in p.stdout, "check-config accepts config/ussd.json",
       p.stdout + p.stderr)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/ussd-outline.py"), "--check",
                        os.path.join(ROOT, "docs/ussd.md")], capture_output=True, text=True)
    ok(p.returncode == 0, "docs/ussd.md holds the outline generated from ussd.json", p.stderr)


def main():
    config_checks()
    redis = Redis().start()
    bot = Dvcbot(redis.port).start()
    try:
        key = keys_cli(redis, "create", "--agency", AGENCY)
        sts = [put(bot, key, OPEN, "processing", PHONE), put(bot, key, RETURNED, "returned", PHONE),
               put(bot, key, OTHER, "processing", PHONE2.replace("0987", "0977"))]
        ok(all(s in (200, 201) for s in sts), "dossiers seeded through the agency API", sts)
        flows_dossiers(bot)
        flows_procedures(bot)
        flows_complaint(bot, redis)
        flows_rate_subscribe(bot, redis)
        navigation(bot, redis)
        concurrent(bot)
        route_lease(bot, redis)
        route_migration(bot, redis)
        json_adapter(bot)
        smpp(bot)
        malformed(bot)
        st, h, raw = bot.request("GET", "/metrics")
        ok('route="/ussd"' in raw.decode(), "metrics count the /ussd route")
        ok(MSISDN not in bot.stderr(), "phone numbers are masked in the log")
        unicode_screens(redis)
        ok(not bad_screens, "every screen starts with CON/END and fits 182 characters",
           bad_screens[:3])
        redis_down(bot, redis)
    finally:
        rc = bot.stop()
        redis.close()
    ok(rc == 0, "SIGTERM: clean exit", rc)
    ok(sanitizer_clean(bot.stderr()), "no sanitizer report", bot.stderr()[-3000:])
    done()


if __name__ == "__main__":
    main()
