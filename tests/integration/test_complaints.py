"""test_complaints.py -- complaints (PAKN) end to end against a real
redis-server and the ASan+UBSan build: the chat form (every step, skip,
cancel, content given up front), oversized and empty content, PAKN in one SMS,
the code's format and the record in Redis, nothing acknowledged when Redis
fails, complaint_status before and after the answer, the agency API (list,
answer, replay, conflict, 401/403/404/400/405/413), the citizen's notice or
outbox message exactly once, stats, and a clean stop."""
import json
import os
import re
import subprocess
import time
import urllib.parse

import harness
from harness import Dvcbot, ROOT, Redis, api, done, hgetall, keys_cli, ok, payloads, sanitizer_clean, text_of

PORTAL = "000.00.00.G22"        # domain.complaint_agency
AGENCY = "000.00.12.H18"
OTHER = "H56.14"
DOSSIER = AGENCY + "-240520-0001"
MAX_TEXT = 200                  # DVCBOT_DOMAIN_COMPLAINT_MAX_TEXT for this run
CODE_RX = re.compile(r"PA-(\d{6})-(\d{4})")
SMS_FROM, SMS_MSISDN = "0912345678", "84912345678"


def sms(bot, text, sender=SMS_FROM):
    return harness.sms(bot, text, sender)


def today():
    return time.strftime("%y%m%d", time.gmtime(time.time() + 420 * 60))






def answer(bot, code, text, key):
    return api(bot, "POST", f"/api/v1/complaints/{code}/answer", {"text": text}, key)










def form_full(bot, redis):
    u = "cpl-form"
    st, r = bot.chat(u, f"tôi muốn phản ánh hồ sơ {DOSSIER}")
    pl = payloads(r)
    ok(st == 200 and r.get("intent") == "complaint_new" and
       "complaint_new:topic:attitude" in pl and "complaint_new:cancel" in pl,
       "form: asks the topic with buttons (and cancel)", r)
    st, r = bot.chat(u, payload="complaint_new:topic:attitude")
    ok(st == 200 and "complaint_new:cancel" in payloads(r) and "PA-" not in text_of(r),
       "form: topic chosen -> asks the content", r)
    content = "Thủ tục rườm rà quá, cán bộ yêu cầu nộp thêm giấy tờ ngoài quy định"
    st, r = bot.chat(u, content)
    ok(st == 200 and "complaint_new:skip" in payloads(r) and r.get("intent") == "complaint_new"
       and '"dossier":"' + DOSSIER in redis.session_text(f"dvcbot:sess:chat:{u}"),
       "form: content -> the dossier named at the start is kept; asks contact", r)
    st, r = bot.chat(u, "0987 654 321")
    t = text_of(r)
    ok(st == 200 and "complaint_new:confirm" in payloads(r) and content in t and DOSSIER in t
       and "84987654321" in t, "form: contact -> summary to confirm", r)
    before = redis.cli("KEYS", "dvcbot:complaint:*")
    ok(before == "", "nothing stored before the confirmation", before)
    st, r = bot.chat(u, payload="complaint_new:confirm")
    m = CODE_RX.search(text_of(r))
    ok(st == 200 and m and m.group(1) == today(), "form: confirm -> code PA-{today}-NNNN", r)
    code = m.group(0) if m else "PA-000000-0000"
    rec = hgetall(redis, "dvcbot:complaint:" + code)
    ok(rec.get("text") == content and rec.get("topic") == "attitude" and
       rec.get("dossier_code") == DOSSIER and rec.get("agency") == AGENCY and
       rec.get("contact") == "84987654321" and rec.get("status") == "open" and
       rec.get("channel") == "chat" and rec.get("user") == u and
       re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$", rec.get("created_at", "")),
       "record: every field, agency from the dossier code, local time", rec)
    ok(redis.cli("ZSCORE", f"dvcbot:complaints-idx:{AGENCY}:open", code) != "" and
       redis.cli("ZSCORE", f"dvcbot:complaints-by:chat:{u}", code) != "",
       "record indexed by agency (open) and by citizen")
    sess = redis.session_text(f"dvcbot:sess:chat:{u}")
    ok('"pakn"' not in sess, "form removed from the session once filed", sess)
    return code


def free_text_answers(bot, redis):
    """A form question takes any typed answer (needs the router's await_text)."""
    u = "cpl-free"
    bot.chat(u, "gửi phản ánh")
    bot.chat(u, payload="complaint_new:topic:procedure")
    st, r = bot.chat(u, "thủ tục rườm rà quá")
    ok(st == 200 and r.get("intent") == "complaint_new" and "complaint_new:skip" in payloads(r),
       "form: content that reads like a procedure question is content", r)
    st, r = bot.chat(u, DOSSIER)
    ok(st == 200 and r.get("intent") == "complaint_new" and "complaint_new:skip" in payloads(r)
       and '"dossier":"' + DOSSIER in redis.session_text(f"dvcbot:sess:chat:{u}"),
       "form: a bare dossier code answers the dossier question", r)
    bot.chat(u, "hủy")


def form_skip_cancel(bot, redis):
    u = "cpl-skip"
    bot.chat(u, "gửi phản ánh")
    bot.chat(u, payload="complaint_new:topic:online")
    bot.chat(u, "Cổng dịch vụ công không thanh toán được lệ phí")
    st, r = bot.chat(u, payload="complaint_new:skip")
    ok(st == 200 and "complaint_new:skip" in payloads(r), "skip the dossier -> asks contact")
    st, r = bot.chat(u, payload="complaint_new:skip")
    ok(st == 200 and "complaint_new:confirm" in payloads(r), "skip the contact -> confirm", r)
    st, r = bot.chat(u, payload="complaint_new:confirm")
    m = CODE_RX.search(text_of(r))
    rec = hgetall(redis, "dvcbot:complaint:" + (m.group(0) if m else "x"))
    ok(m and rec.get("agency") == PORTAL and rec.get("dossier_code") == "" and
       rec.get("contact") == "", "no dossier -> the portal's agency; no contact", rec)

    n0 = redis.cli("HGET", "dvcbot:stats:complaints", PORTAL + ":received")
    u = "cpl-cancel"
    bot.chat(u, "gửi phản ánh")
    bot.chat(u, payload="complaint_new:topic:fee")
    st, r = bot.chat(u, "hủy")
    ok(st == 200 and '"pakn"' not in redis.session_text(f"dvcbot:sess:chat:{u}") and
       "PA-" not in text_of(r), "typing 'hủy' in the form cancels it", r)
    ok(redis.cli("SISMEMBER", "dvcbot:optout", u) == "0", "... and is not an opt-out")
    bot.chat(u, "gửi phản ánh")
    bot.chat(u, payload="complaint_new:topic:fee")
    bot.chat(u, "Thu phí cao hơn quy định tại bộ phận một cửa")
    bot.chat(u, payload="complaint_new:skip")
    bot.chat(u, payload="complaint_new:skip")
    st, r = bot.chat(u, payload="complaint_new:cancel")
    ok(st == 200 and "PA-" not in text_of(r), "cancel button at the confirmation", r)
    ok(redis.cli("HGET", "dvcbot:stats:complaints", PORTAL + ":received") == n0,
       "cancelled forms file nothing")

    u = "cpl-upfront"
    st, r = bot.chat(u, "PAKN: đường vào trụ sở UBND phường bị ngập, người dân khó đi lại")
    ok(st == 200 and "complaint_new:topic:other" in payloads(r), "content up front: asks topic", r)
    st, r = bot.chat(u, payload="complaint_new:topic:other")
    ok(st == 200 and "complaint_new:skip" in payloads(r), "... then skips to the dossier step", r)


def form_bad_text(bot, redis):
    u = "cpl-long"
    bot.chat(u, "gửi phản ánh")
    bot.chat(u, payload="complaint_new:topic:other")
    long_text = "ả" * (MAX_TEXT + 1)
    st, r = bot.chat(u, long_text)
    t = text_of(r)
    ok(st == 200 and str(MAX_TEXT + 1) in t and str(MAX_TEXT) in t and "PA-" not in t and
       "complaint_new:skip" not in payloads(r), "content over the limit (in characters) refused", r)
    st, r = bot.chat(u, "ả" * MAX_TEXT)
    ok(st == 200 and "complaint_new:skip" in payloads(r), "content at the limit accepted", r)
    u = "cpl-empty"
    bot.chat(u, "gửi phản ánh")
    bot.chat(u, payload="complaint_new:topic:other")
    st, r = bot.chat(u, "   ")
    ok(st in (200, 400) and "complaint_new:skip" not in payloads(r) and "PA-" not in text_of(r),
       "empty content: asked again", r)


def sms_one_shot(bot, redis):
    st, body = sms(bot, "PAKN duong ngap nuoc truoc cong UBND phuong")
    m = CODE_RX.search(body)
    ok(st == 200 and m, "SMS: PAKN <text> files at once and answers the code", body)
    rec = hgetall(redis, "dvcbot:complaint:" + (m.group(0) if m else "x"))
    ok(rec.get("channel") == "sms" and rec.get("user") == SMS_MSISDN and
       rec.get("contact") == SMS_MSISDN and rec.get("text") == "duong ngap nuoc truoc cong UBND phuong",
       "SMS: content without the keyword, sender as contact", rec)
    st, body = sms(bot, "PAKN")
    ok(st == 200 and not CODE_RX.search(body) and "PAKN" in body, "SMS: bare PAKN asks", body)
    st, body2 = sms(bot, "Cho xin lich tiep dan cua phuong")
    ok(st == 200 and CODE_RX.search(body2), "SMS: the next message is the content", body2)
    st, body = sms(bot, "PAKN " + "a" * (MAX_TEXT + 5))
    ok(st == 200 and not CODE_RX.search(body) and str(MAX_TEXT) in body,
       "SMS: oversized complaint refused", body)
    return m.group(0) if m else None


def redis_failures(bot, redis):
    u = "cpl-fail"
    bot.chat(u, "gửi phản ánh")
    bot.chat(u, payload="complaint_new:topic:other")
    bot.chat(u, "Nội dung phản ánh khi Redis lỗi giữa chừng")
    bot.chat(u, payload="complaint_new:skip")
    bot.chat(u, payload="complaint_new:skip")
    seq = f"dvcbot:seq:complaint:{today()}"
    saved = redis.cli("GET", seq)
    redis.cli("SET", seq, "not-a-number")
    n0 = len(redis.cli("KEYS", "dvcbot:complaint:*").split())
    st, r = bot.chat(u, payload="complaint_new:confirm")
    ok(st == 200 and "PA-" not in text_of(r) and len(redis.cli("KEYS", "dvcbot:complaint:*").split()) == n0,
       "script fails -> 'unavailable', no code, nothing stored", r)
    redis.cli("SET", seq, saved or "0")
    st, r = bot.chat(u, payload="complaint_new:confirm")
    ok(st == 200 and CODE_RX.search(text_of(r)), "form kept: confirm again files it", r)


def redis_down(bot, redis):
    """Last: the private Redis keeps nothing across a kill."""
    u = "cpl-down"
    bot.chat(u, "gửi phản ánh")
    bot.chat(u, payload="complaint_new:topic:other")
    bot.chat(u, "Phản ánh gửi lúc Redis ngừng hoạt động")
    bot.chat(u, payload="complaint_new:skip")
    bot.chat(u, payload="complaint_new:skip")
    redis.kill()
    time.sleep(0.3)
    st, r = bot.chat(u, payload="complaint_new:confirm")
    ok(st == 503 and r.get("error") == "unavailable" and "PA-" not in json.dumps(r),
       "Redis down -> 503, no code", r)
    redis.start()
    end = time.time() + 15
    while time.time() < end and bot.request("GET", "/healthz")[0] != 200:
        time.sleep(0.2)


def status_dialog(bot, redis, code, key):
    u = "cpl-form"
    st, lst = api(bot, "GET", "/api/v1/complaints?status=open", key=key)
    ok(st == 200 and isinstance(lst, list) and [c["code"] for c in lst] == [code] and
       lst[0]["agency"] == AGENCY and lst[0]["contact"] == "84987654321" and lst[0]["text"] and
       lst[0]["answer"] is None, "agency lists its open complaints, with the contact", lst)
    st, r = bot.chat(u, f"TTPA {code}")
    ok(st == 200 and code in text_of(r) and r.get("intent") == "complaint_status",
       "status by code before the answer: open", r)
    st, r = bot.chat(u, "xem kết quả phản ánh")
    ok(st == 200 and code in text_of(r) and f"complaint_status:{code}" in payloads(r),
       "status without code lists the citizen's complaints", r)
    st, r = bot.chat("cpl-nobody", "xem kết quả phản ánh")
    ok(st == 200 and payloads(r) == [] and '"await":"complaint_status"' in
       redis.session_text("dvcbot:sess:chat:cpl-nobody"),
       "status without code and no complaints asks for the code", r)
    st, r = bot.chat(u, "TTPA PA-200101-9999")
    ok(st == 200 and "PA-200101-9999" in text_of(r), "unknown complaint code: clear answer", r)
    ans = "Đã chấn chỉnh cán bộ tiếp nhận; hồ sơ của ông/bà được giải quyết đúng hạn."
    st, a = answer(bot, code, ans, key)
    ok(st == 200 and a.get("result") == "answered", "agency answers", a)
    st, r = bot.chat(u, f"TTPA {code}")
    ok(st == 200 and ans in text_of(r), "status by code after the answer shows it", r)
    st, r = bot.chat("cpl-stranger", f"TTPA {code}")
    ok(st == 200 and code in text_of(r) and ans not in text_of(r),
       "someone else sees the status, not the answer", r)


def agency_api(bot, redis, keys, sms_code):
    ka, kb, kp = keys
    st, lst = api(bot, "GET", "/api/v1/complaints?status=answered", key=ka)
    ok(st == 200 and len(lst) == 1 and lst[0]["status"] == "answered" and lst[0]["answer"],
       "agency lists its answered complaints", lst)
    st, lst_o = api(bot, "GET", "/api/v1/complaints", key=ka)
    ok(st == 200 and lst_o == [], "... and none is open any more", lst_o)
    st, lst_b = api(bot, "GET", "/api/v1/complaints?status=answered", key=kb)
    ok(st == 200 and lst_b == [], "another agency sees none of them", lst_b)
    st, lst_p = api(bot, "GET", "/api/v1/complaints?limit=2", key=kp)
    ok(st == 200 and len(lst_p) == 2 and all(c["agency"] == PORTAL for c in lst_p),
       "portal key: complaints without a dossier, limit honoured", lst_p)
    code = lst[0]["code"]
    st, r = answer(bot, code, "Trả lời", kb)
    ok(st == 403 and r.get("error") == "forbidden", "another agency's key: 403", r)
    st, r = answer(bot, code, "Trả lời", "dvc_" + "A" * 43)
    ok(st == 401 and r.get("error") == "unauthorized", "unknown key: 401", r)
    st, r = api(bot, "POST", f"/api/v1/complaints/{code}/answer", {"text": "x"})
    ok(st == 401, "no key: 401", r)
    st, r = api(bot, "POST", f"/api/v1/complaints/{code}/answer", b'{"text": "x"', ka)
    ok(st == 400 and r.get("error") == "invalid_json", "bad JSON: 400", r)
    for body, name in (({"text": ""}, "empty"), ({"text": "  \n"}, "blank"), ({"text": 5}, "number"),
                       ({}, "missing")):
        st, r = api(bot, "POST", f"/api/v1/complaints/{code}/answer", body, ka)
        ok(st == 400 and r.get("error") == "invalid_answer", f"{name} answer: 400", r)
    st, r = answer(bot, code, "x" * (MAX_TEXT + 1), ka)
    ok(st == 400 and r.get("error") == "answer_too_long", "oversized answer: 400", r)
    st, r = answer(bot, "PA-200101-9999", "x", ka)
    ok(st == 404 and r.get("error") == "not_found", "unknown complaint: 404", r)
    st, r = answer(bot, "nonsense", "x", ka)
    ok(st == 404, "malformed code: 404", r)
    st, r = api(bot, "GET", f"/api/v1/complaints/{code}/answer", key=ka)
    ok(st == 405, "GET on answer: 405", r)
    st, r = api(bot, "POST", "/api/v1/complaints", {"text": "x"}, ka)
    ok(st == 405, "POST on the list: 405", r)
    st, r = api(bot, "GET", "/api/v1/complaints?status=maybe", key=ka)
    ok(st == 400, "bad status filter: 400", r)
    st, r = api(bot, "POST", f"/api/v1/complaints/{code}/answer", {"text": "x" * 20000}, ka)
    ok(st == 413, "body over http.max_body: 413", r)
    st, h, raw = bot.request("POST", f"/api/v1/complaints/{code}/answer", b"text=x",
                             {"Authorization": "Bearer " + ka, "Content-Type": "text/plain"})
    ok(st == 415, "wrong media type: 415", raw)
    st, r = api(bot, "GET", "/api/v1/complaints?status=answered", key=ka)
    ok(st == 200 and any(c["code"] == code and c["answer"] for c in r), "answered list", r)
    st, r = answer(bot, code, "Một câu trả lời khác", ka)
    ok(st == 409 and r.get("error") == "conflict", "different answer to an answered one: 409", r)
    notices = redis.cli("LRANGE", "dvcbot:notices:chat:cpl-form", "0", "-1").split("\n")
    ok(len(notices) == 1 and json.loads(notices[0]).get("kind") == "complaint_answered" and
       json.loads(notices[0]).get("code") == code, "chat citizen: exactly one notice", notices)
    st, r1 = answer(bot, code, json.loads(notices[0])["answer"], ka)
    n2 = redis.cli("LLEN", "dvcbot:notices:chat:cpl-form")
    ok(st == 200 and r1.get("result") == "unchanged" and n2 == "1",
       "replayed identical answer: 200 unchanged, no second notice", f"{r1} {n2}")

    obx = lambda: [k for k in redis.cli("KEYS", "dvcbot:outbox:msg:*").split() if k]
    before = len(obx())
    for i in range(2):
        st, r = answer(bot, sms_code, "Phường đã bơm thoát nước.", kp)
    msgs = [hgetall(redis, k) for k in obx()]
    mine = [m for m in msgs if m.get("ref") == sms_code]
    ok(st == 200 and len(mine) == 1 and mine[0].get("to") == SMS_MSISDN and
       mine[0].get("kind") == "notify" and sms_code in mine[0].get("text", "") and
       len(msgs) == before + 1, "SMS citizen: one outbox message, even when replayed", mine)
    streamed = redis.cli("XRANGE", "dvcbot:outbox:stream:notify", "-", "+").split("\n")
    ok(mine and (mine[0]["id"] in streamed or mine[0].get("status") != "queued"),
       "the message is on the notify stream")


def optout_answer(bot, redis, kp):
    sender = "0912000111"
    st, body = sms(bot, "PAKN den duong hong nhieu ngay chua sua", sender=sender)
    m = CODE_RX.search(body)
    sms(bot, "HUY", sender=sender)
    before = redis.cli("KEYS", "dvcbot:outbox:msg:*")
    st, r = answer(bot, m.group(0) if m else "x", "Đã sửa đèn.", kp)
    ok(st == 200 and redis.cli("KEYS", "dvcbot:outbox:msg:*") == before,
       "opted-out number: answered, no SMS queued", r)


def stats(bot, kp, ka):
    st, s = api(bot, "GET", "/api/v1/stats", key=kp)
    c = s.get("complaints", {}) if isinstance(s, dict) else {}
    ok(st == 200 and s.get("scope") == "all" and c.get("received", 0) >= 6 and
       c.get("answered") == 3 and c["open"] == c["received"] - c["answered"] and
       s["messages"]["by_channel"]["chat"] > 0 and s["messages"]["by_intent"]["complaint_new"] > 0,
       "stats (portal key): complaints and messages", s)
    st, s = api(bot, "GET", "/api/v1/stats", key=ka)
    ok(st == 200 and s.get("scope") == "agency" and s["complaints"]["received"] == 1 and
       s["complaints"]["answered"] == 1, "stats (agency key): its own complaints only", s)
    st, s = api(bot, "GET", "/api/v1/stats")
    ok(st == 401, "stats without a key: 401", s)


def main():
    redis = Redis().start()
    bot = Dvcbot(redis.port, env={"DVCBOT_DOMAIN_COMPLAINT_MAX_TEXT": str(MAX_TEXT),
                                  "DVCBOT_SMS_OUTBOX": "false"},
                 binary=os.environ.get("DVC_TEST_BINARY", "build/asan/dvcbot")).start()
    try:
        keys = (keys_cli(redis, "create", "--agency", AGENCY),
                keys_cli(redis, "create", "--agency", OTHER),
                keys_cli(redis, "create", "--agency", PORTAL))
        ok(all(k.startswith("dvc_") for k in keys), "three agency keys", keys)
        # a complaint goes to the agency of the dossier it names only when dvcbot
        # knows that dossier (security finding 11); the agency has stored it
        st, _ = bot.api("PUT", "/api/v1/dossiers/" + DOSSIER,
                        {"procedure_code": "1.001193", "status": "received",
                         "received_at": "2024-05-20"}, key=keys[0])
        ok(st == 201, "the agency stores the dossier the complaints name", st)
        code = form_full(bot, redis)
        free_text_answers(bot, redis)
        form_skip_cancel(bot, redis)
        form_bad_text(bot, redis)
        sms_code = sms_one_shot(bot, redis)
        redis_failures(bot, redis)
        status_dialog(bot, redis, code, keys[0])
        agency_api(bot, redis, keys, sms_code)
        optout_answer(bot, redis, keys[2])
        stats(bot, keys[2], keys[0])
        redis_down(bot, redis)
    finally:
        rc = bot.stop()
        err = bot.stderr()
        ok(rc == 0, "SIGTERM: exit status 0", rc)
        ok(sanitizer_clean(err), "no sanitizer report", err[-3000:])
        redis.close()
    done()


if __name__ == "__main__":
    main()
