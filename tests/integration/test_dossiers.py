"""test_dossiers.py -- the agency dossier API (PUT/GET /api/v1/dossiers/{code}),
`dvcbot keys`, and the dossier_status dialog, against a real redis-server and
the ASan+UBSan build: keys stored hashed, create/update/replay with history,
agency scoping, every kind of bad input, notifications queued once per
change, the citizen's answer on chat (no personal data), the miss limit, Redis
down, clean stop."""
import json
import os
import re
import subprocess
import threading

from harness import Dvcbot, ROOT, Redis, done, keys_run, ok, sanitizer_clean

AGENCY = "000.00.12.H18"
CODE = AGENCY + "-240520-0001"          # the main dossier
LATE = AGENCY + "-200101-0007"          # an overdue one
DONE_CODE = "H56.14-240823-0001"        # short e-id form, other agency
PHONE_RAW, PHONE = "0912 345 678", "84912345678"
NOTE = "Bo sung ban sao CCCD cua ong Nguyen Van A"
MISS_LIMIT = 3
KEY_RX = re.compile(r"^dvc_[A-Za-z0-9_-]{43}$")

BASE = {"procedure_code": "1.001193", "status": "received", "received_at": "2024-05-20",
        "due_at": "2099-06-05T17:00:00+07:00", "applicant_phone": PHONE_RAW}




def api(bot, method, code, body=None, key=None, raw_path=None, headers=None):
    h = dict(headers or {})
    if key is not None:
        h["Authorization"] = "Bearer " + key
    path = raw_path if raw_path is not None else "/api/v1/dossiers/" + code
    st, hd, raw = bot.request(method, path, body, h)
    try:
        return st, json.loads(raw)
    except ValueError:
        return st, {"raw": raw}


def is_error(body, code=None):
    return (isinstance(body, dict) and isinstance(body.get("error"), str) and
            isinstance(body.get("message"), str) and body["message"] != "" and
            (code is None or body["error"] == code))


def keys(redis):
    rc, out, err = keys_run(redis, "create", "--agency", AGENCY, "--name", "Một cửa H18")
    key_a = out.strip()
    ok(rc == 0 and KEY_RX.match(key_a), "keys create prints one key", out + err)
    ok(sanitizer_clean(err), "keys create: no sanitizer report", err)
    rc, out, err = keys_run(redis, "create", "--agency", "H56.14")
    key_b = out.strip()
    ok(rc == 0 and KEY_RX.match(key_b) and key_b != key_a, "second key for H56.14", out + err)
    for bad in ("000.00.12.h18", "H18", "000.0.12.H18", "H56", "H56.1234", "x; FLUSHALL"):
        rc, out, err = keys_run(redis, "create", "--agency", bad)
        ok(rc != 0 and out == "", f"keys create refuses agency {bad!r}", out + err)
    rc, out, err = keys_run(redis, "create")
    ok(rc != 0 and out == "", "keys create without --agency refused", err)
    stored = redis.cli("--scan", "--pattern", "dvcbot:key:*").split()
    ok(len(stored) == 2 and all(re.fullmatch(r"dvcbot:key:[0-9a-f]{64}", k) for k in stored),
       "two key records named by a SHA-256 hex", stored)
    fields = redis.cli("HGETALL", stored[0]).split("\n")
    ok("agency" in fields and "role" in fields and "created_at" in fields,
       "key record holds agency, role, created_at", fields)
    rc, out, err = keys_run(redis, "list")
    ok(rc == 0 and AGENCY in out and "H56.14" in out and "Một cửa H18" in out and
       key_a not in out and key_b not in out, "keys list shows agencies, never a key", out + err)
    return key_a, key_b


def put_create_update(bot, redis, ka):
    st, r = api(bot, "PUT", CODE, BASE, ka)
    ok(st == 201 and r.get("result") == "created", "PUT creates: 201 created", r)
    ok(r.get("code") == CODE and r.get("agency") == AGENCY and r.get("status") == "received" and
       r.get("applicant_phone") == PHONE and r.get("note") is None and r.get("overdue") is False,
       "created record: fields, normalised phone, overdue false", r)
    ok(len(r.get("history", [])) == 1 and r["history"][0]["status"] == "received",
       "history starts with one entry", r)
    raw1 = redis.cli("GET", "dvcbot:dossier:" + CODE)
    st, r2 = api(bot, "PUT", CODE, BASE, ka)
    ok(st == 200 and r2.get("result") == "unchanged", "identical replay: 200 unchanged", r2)
    r2.pop("result", None)
    r.pop("result", None)
    ok(r2 == r and redis.cli("GET", "dvcbot:dossier:" + CODE) == raw1,
       "replay returns the same record and writes nothing", r2)

    upd = dict(BASE, status="processing")
    st, r = api(bot, "PUT", CODE, upd, ka)
    ok(st == 200 and r.get("result") == "updated" and r["status"] == "processing" and
       [h["status"] for h in r["history"]] == ["received", "processing"],
       "status change: updated, history kept", r)
    st, r = api(bot, "PUT", CODE, dict(upd, due_at="2099-07-01"), ka)
    ok(st == 200 and r.get("result") == "updated" and r["due_at"] == "2099-07-01" and
       len(r["history"]) == 2, "due date change: updated, no history entry", r)
    upd = dict(upd, due_at="2099-07-01", status="supplement_required", note=NOTE)
    st, r = api(bot, "PUT", CODE, upd, ka)
    ok(st == 200 and r["history"][-1] == {"status": "supplement_required", "at": r["updated_at"],
                                          "note": NOTE}, "history entry keeps the note", r)
    st, g = api(bot, "GET", CODE, key=ka)
    r.pop("result", None)
    ok(st == 200 and g == r, "GET reads back the stored record", g)
    members = redis.cli("SMEMBERS", "dvcbot:phone-idx:" + PHONE).split()
    ok(members == [CODE], "phone index holds the code", members)
    return upd


def phone_index_moves(bot, redis, ka, upd):
    st, r = api(bot, "PUT", CODE, dict(upd, applicant_phone="+84 987 654 321"), ka)
    old = redis.cli("SMEMBERS", "dvcbot:phone-idx:" + PHONE).split()
    new = redis.cli("SMEMBERS", "dvcbot:phone-idx:84987654321").split()
    ok(st == 200 and old == [] and new == [CODE], "phone change moves the index", (old, new))
    st, r = api(bot, "PUT", CODE, upd, ka)
    ok(st == 200 and redis.cli("SMEMBERS", "dvcbot:phone-idx:" + PHONE).split() == [CODE] and
       redis.cli("EXISTS", "dvcbot:phone-idx:84987654321") == "0", "and back", r)


def notifications(redis):
    ids = [k.rsplit(":", 1)[1] for k in redis.cli("--scan", "--pattern", "dvcbot:outbox:msg:*").split()]
    mine = []
    for i in ids:
        h = redis.cli("HGETALL", "dvcbot:outbox:msg:" + i).split("\n")
        d = dict(zip(h[0::2], h[1::2]))
        if d.get("ref") == CODE and d.get("to") == PHONE:
            mine.append(d)
    # received (create), processing, supplement_required; replays and the
    # due-date change queue nothing more
    ok(len(mine) == 3, "one SMS to the applicant per status change, none for replays",
       json.dumps(mine, ensure_ascii=False))
    ok(all(d.get("text") and all(ord(c) < 128 for c in d["text"]) and CODE in d["text"]
           for d in mine), "notification texts are unaccented and name the code", mine)


def concurrent_replays(bot, redis, ka):
    code, results = AGENCY + "-240521-0042", []
    body = dict(BASE, applicant_phone="0987 000 111")

    def worker():
        results.append(api(bot, "PUT", code, body, ka))
    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(r.get("result", str(st)) for st, r in results)
    ok(outcomes == ["created"] + ["unchanged"] * 11, "12 concurrent identical PUTs: one created",
       outcomes)
    hist = [len(r.get("history", [])) for st, r in results]
    ok(hist == [1] * 12, "and one history entry", hist)
    sms = [k for k in redis.cli("--scan", "--pattern", "dvcbot:outbox:msg:*").split()
           if redis.cli("HGET", k, "to") == "84987000111"]
    ok(len(sms) == 1, "and one notification", sms)


def overdue(bot, ka):
    late = {"procedure_code": "2.000001", "status": "processing", "received_at": "2020-01-01T08:00:00+07:00",
            "due_at": "2020-01-15"}
    st, r = api(bot, "PUT", LATE, late, ka)
    ok(st == 201 and r.get("overdue") is True and r.get("applicant_phone") is None,
       "past due date and open status: overdue true", r)
    st, r = api(bot, "PUT", LATE, dict(late, status="returned"), ka)
    ok(st == 200 and r.get("overdue") is False, "returned dossier is never overdue", r)
    st, r = api(bot, "PUT", LATE, dict(late, status="suspended"), ka)
    ok(st == 200 and r.get("overdue") is True, "suspended past due: overdue again", r)


def auth(bot, redis, ka, kb):
    st, r = api(bot, "GET", CODE)
    ok(st == 401 and is_error(r, "unauthorized"), "GET without Authorization: 401", r)
    st, r = api(bot, "PUT", CODE, BASE)
    ok(st == 401 and is_error(r, "unauthorized"), "PUT without Authorization: 401", r)
    fake = "dvc_" + "A" * 43
    for h in ("Bearer " + fake, "Basic " + ka[4:], "Bearer", "Bearer " + ka + "x", ka,
              "Bearer " + ka[:-1] + "*", "bearer  " + fake):
        st, r = api(bot, "GET", CODE, headers={"Authorization": h})
        ok(st == 401 and is_error(r, "unauthorized"), f"bad Authorization {h[:20]!r}...: 401", r)
    st, r = api(bot, "GET", CODE, headers={"Authorization": "bearer   " + ka})
    ok(st == 200, "scheme is case-insensitive", r)
    before = redis.cli("GET", "dvcbot:dossier:" + CODE)
    st, r = api(bot, "PUT", CODE, dict(BASE, status="done"), kb)
    ok(st == 403 and is_error(r, "forbidden"), "other agency's key: PUT 403", r)
    ok(redis.cli("GET", "dvcbot:dossier:" + CODE) == before, "403 PUT changed nothing")
    st, r = api(bot, "GET", CODE, key=kb)
    ok(st == 403 and is_error(r, "forbidden") and "history" not in r, "other agency's key: GET 403", r)
    st, r = api(bot, "PUT", DONE_CODE, dict(BASE, status="done", applicant_phone=None), kb)
    ok(st == 201 and r.get("agency") == "H56.14", "H56.14 key creates its own dossier", r)
    st, r = api(bot, "GET", DONE_CODE, key=ka)
    ok(st == 403, "and H18's key cannot read it", r)
    st, r = api(bot, "GET", AGENCY + "-240520-9999", key=ka)
    ok(st == 404 and is_error(r, "dossier_not_found"), "unknown dossier: 404", r)


def bad_bodies(bot, redis, ka):
    c = AGENCY + "-240601-0100"
    cases = [
        ('{"status": "received"', "invalid_json", "truncated JSON"),
        ("[1, 2]", "invalid_json", "JSON array"),
        ('{"status": "received", "status": "done"}', "invalid_json", "duplicate keys"),
        ("", "invalid_json", "empty body"),
        (dict(BASE, status="finished"), "invalid_status", "unknown status"),
        (dict(BASE, status=3), "invalid_status", "status not a string"),
        ({k: v for k, v in BASE.items() if k != "status"}, "missing_field", "no status"),
        ({k: v for k, v in BASE.items() if k != "received_at"}, "missing_field", "no received_at"),
        (dict(BASE, procedure_code="1001193"), "invalid_procedure_code", "procedure code"),
        (dict(BASE, received_at="20/05/2024"), "invalid_date", "dd/mm/yyyy date"),
        (dict(BASE, received_at="2023-02-29"), "invalid_date", "29 February 2023"),
        (dict(BASE, due_at="2024-05-20T25:00:00Z"), "invalid_date", "hour 25"),
        (dict(BASE, due_at="2024-05-21T08:00:00+07:00junk"), "invalid_date", "trailing junk"),
        (dict(BASE, due_at="2024-05-01"), "invalid_date", "due before received"),
        (dict(BASE, applicant_phone="12345"), "invalid_phone", "short phone"),
        (dict(BASE, applicant_phone="+1 202 555 0123"), "invalid_phone", "foreign phone"),
        (dict(BASE, applicant_phone=912345678), "invalid_phone", "phone as a number"),
        (dict(BASE, note="ă" * 1001), "invalid_note", "note of 1001 characters"),
        (dict(BASE, note=["x"]), "invalid_note", "note not a string"),
    ]
    for body, err, what in cases:
        st, r = api(bot, "PUT", c, body, ka)
        ok(st == 400 and is_error(r, err), f"400 {err}: {what}", r)
    ok(redis.cli("EXISTS", "dvcbot:dossier:" + c) == "0", "no bad body created anything")
    st, r = api(bot, "PUT", c, dict(BASE, note="ă" * 1000, received_at="2024-05-20T08:30:00.5Z"), ka)
    ok(st == 201 and len(r.get("note", "")) == 1000, "note of exactly 1000 characters accepted", r)
    st, r = api(bot, "PUT", c, "{" + '"note": "' + "x" * 20000 + '"}', ka)
    ok(st == 413 and is_error(r, "too_large"), "oversized body: 413", r)
    st, r = api(bot, "PUT", c, BASE, ka, headers={"Content-Type": "text/plain"})
    ok(st == 415 and is_error(r), "text/plain body: 415", r)
    st, r = api(bot, "PUT", c, "not json", None)
    ok(st == 401, "bad body without a key: 401 first", r)


def bad_paths(bot, ka):
    for path in ("/api/v1/dossiers/abc", "/api/v1/dossiers/" + CODE.lower(),
                 "/api/v1/dossiers/" + CODE + "/x", "/api/v1/dossiers/" + AGENCY + "-241320-0001",
                 "/api/v1/dossiers/" + AGENCY + " 240520 0001".replace(" ", "%20"),
                 "/api/v1/dossiers/" + AGENCY + "-240520-00011"):
        for m in ("GET", "PUT"):
            st, r = api(bot, m, "", BASE if m == "PUT" else None, ka, raw_path=path)
            ok(st == 400 and is_error(r, "invalid_code"), f"{m} {path[17:]}: 400 invalid_code", r)
    for m in ("DELETE", "POST", "PATCH"):
        st, r = api(bot, m, CODE, BASE, ka)
        ok(st == 405 and is_error(r, "method_not_allowed"), f"{m}: 405", r)
    st, r = api(bot, "GET", "", key=ka, raw_path="/api/v1/dossiers")
    ok(st == 404 and is_error(r), "no code: 404", r)
    st, r = api(bot, "PUT", CODE, None, ka)
    ok(st == 400 and is_error(r, "invalid_json"), "PUT without a body: 400", r)


def chat_status(bot, redis):
    st, r = bot.chat("cit-1", "TRACUU " + CODE)
    text = r["replies"][0]["text"] if st == 200 else ""
    ok(st == 200 and r.get("intent") == "dossier_status" and CODE in text and
       "Cần bổ sung giấy tờ" in text, "chat TRACUU answers the status in Vietnamese", r)
    ok("20/05/2024" in text and "01/07/2099" in text and "trong hạn" in text,
       "received and due dates as dd/mm/yyyy, not overdue", text)
    ok(NOTE not in text and PHONE not in text and "912" not in text,
       "no note or phone on chat (not the applicant)", text)
    payloads = [b["payload"] for b in r["replies"][0].get("buttons", [])]
    ok("subscribe" in payloads and "rating" not in payloads, "open dossier offers subscribe", payloads)
    st, r = bot.chat("cit-1", "TRACUU " + LATE)
    ok(st == 200 and "quá hạn" in r["replies"][0]["text"], "overdue dossier says so", r)
    st, r = bot.chat("cit-2", "tra cuu ho so " + DONE_CODE.replace(".", " ").replace("-", " "))
    text = r["replies"][0]["text"] if st == 200 else ""
    payloads = [b["payload"] for b in r["replies"][0].get("buttons", [])] if st == 200 else []
    ok(st == 200 and "Đã có kết quả" in text and "rating" in payloads,
       "done dossier offers a rating button", r)
    sess = redis.session("dvcbot:sess:chat:cit-2") or {}
    ok(sess.get("last_dossier") == DONE_CODE, "session remembers the dossier for the rating", sess)
    st, r = bot.chat("cit-3", "tra cứu hồ sơ của tôi")
    ok(st == 200 and r.get("intent") == "dossier_status" and "000.00.12.H18" in r["replies"][0]["text"],
       "chat without a code asks for it", r)


def rate_limit(bot, redis):
    user = "prober"
    for i in range(MISS_LIMIT):
        st, r = bot.chat(user, f"TRACUU {AGENCY}-240520-{9000 + i}")
        ok(st == 200 and "Không tìm thấy" in r["replies"][0]["text"], f"unknown code {i + 1}: not found", r)
    ok(redis.cli("GET", "dvcbot:rl-miss:chat:" + user) == str(MISS_LIMIT) and
       0 < int(redis.cli("TTL", "dvcbot:rl-miss:chat:" + user)) <= 3600, "misses counted with a TTL")
    st, r = bot.chat(user, "TRACUU " + CODE)
    text = r["replies"][0]["text"] if st == 200 else ""
    ok(st == 200 and "quá nhiều" in text and "Cần bổ sung" not in text,
       "after the limit even an existing code is refused", r)
    st, r = bot.chat("cit-4", "TRACUU " + CODE)
    ok(st == 200 and "Cần bổ sung" in r["replies"][0]["text"], "other users are not affected", r)


def sms_mine(bot, redis):
    """Through the SMS endpoint when it is mounted (the [sms] issue)."""
    q = "/sms/kannel?from=%2B84912345678&to=1022&text=tra%20cuu%20ho%20so%20cua%20toi&id=t-mine-1"
    st, h, raw = bot.request("GET", q)
    if st == 404:
        print("ok - # SKIP /sms/kannel is not mounted yet: SMS listing not tested", flush=True)
        return
    text = raw.decode("utf-8", "replace")
    ok(st == 200 and CODE in text, "SMS 'ho so cua toi' lists the number's dossiers", text)
    q = "/sms/kannel?from=84912345678&to=1022&text=TRACUU%20" + CODE + "&id=t-mine-2"
    st, h, raw = bot.request("GET", q)
    text = raw.decode("utf-8", "replace")
    ok(st == 200 and "CCCD" in text, "the applicant's own SMS lookup shows the agency's note", text)


def no_plaintext(redis, ka, kb):
    found = []
    for k in redis.cli("--scan").split():
        t = redis.cli("TYPE", k)
        if t == "string":
            v = redis.raw("GET", k).decode("utf-8", "replace")  # sessions are binary
        elif t == "hash":
            v = redis.cli("HGETALL", k)
        elif t == "set":
            v = redis.cli("SMEMBERS", k)
        elif t == "list":
            v = redis.cli("LRANGE", k, "0", "-1")
        elif t == "zset":
            v = redis.cli("ZRANGE", k, "0", "-1", "WITHSCORES")
        else:
            v = ""
        for key in (ka, kb):
            if key in k or key in v or key[4:20] in v:
                found.append(k)
    ok(found == [] and len(redis.cli("--scan").split()) > 5,
       "no plaintext key anywhere in Redis (keys and values scanned)", found)


def revoke(bot, redis, kb):
    h = [k for k in redis.cli("--scan", "--pattern", "dvcbot:key:*").split()
         if redis.cli("HGET", k, "agency") == "H56.14"][0].split(":")[2]
    rc, out, err = keys_run(redis, "revoke", "--hash", h[:10])
    ok(rc == 0 and h in out, "keys revoke by hash prefix", out + err)
    st, r = api(bot, "GET", DONE_CODE, key=kb)
    ok(st == 401, "revoked key: 401", r)


def outage(bot, redis, ka):
    redis.kill()
    st, r = api(bot, "PUT", CODE, BASE, ka)
    ok(st == 503 and is_error(r, "unavailable"), "Redis down: PUT 503", r)
    st, r = api(bot, "GET", CODE, key=ka)
    ok(st == 503 and is_error(r, "unavailable"), "Redis down: GET 503", r)
    st, r = api(bot, "GET", CODE)
    ok(st == 401, "Redis down, no key: still 401 (Redis not needed)", r)


def main():
    redis = Redis().start()
    bot = None
    try:
        ka, kb = keys(redis)
        bot = Dvcbot(redis.port, env={"DVCBOT_DOMAIN_MISS_LIMIT": str(MISS_LIMIT)}).start()
        upd = put_create_update(bot, redis, ka)
        phone_index_moves(bot, redis, ka, upd)
        notifications(redis)
        concurrent_replays(bot, redis, ka)
        overdue(bot, ka)
        auth(bot, redis, ka, kb)
        bad_bodies(bot, redis, ka)
        bad_paths(bot, ka)
        chat_status(bot, redis)
        rate_limit(bot, redis)
        sms_mine(bot, redis)
        no_plaintext(redis, ka, kb)
        revoke(bot, redis, kb)
        outage(bot, redis, ka)
        rc = bot.stop()
        err = bot.stderr()
        ok(rc == 0, "clean exit on SIGTERM", f"rc={rc}")
        ok(sanitizer_clean(err), "no sanitizer report", err[-3000:])
    finally:
        if bot and bot.proc and bot.proc.poll() is None:
            bot.stop()
        redis.close()
    done()


if __name__ == "__main__":
    main()
