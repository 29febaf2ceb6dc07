"""test_telegram.py -- the Telegram channel end to end, against a real redis-server,
the ASan+UBSan build and a local stand-in of the Bot API (platforms.py): the
X-Telegram-Bot-Api-Secret-Token header (missing or wrong -> 401, nothing stored or
sent), /start as opt-in with a welcome, a redelivered update handled once, inline
keyboards whose callback queries are postbacks (each acknowledged with
answerCallbackQuery), a full complaint and a dossier lookup, a shared contact linked
(only the sender's own), a 429 with retry_after kept and retried, a 403 "blocked"
opting the user out, my_chat_member "kicked" as opt-out; a clean stop."""
import re
import time

from harness import Dvcbot, Redis, api, done, hgetall, keys_cli, ok, sanitizer_clean
from platforms import Platforms, settled, wait_for

AGENCY = "000.00.12.H18"
DOSSIER = AGENCY + "-240520-0001"
PHONE = ("+84912345678", "84912345678")
SEND = "/sendMessage"
ANSWER = "/answerCallbackQuery"
REDIS = [None]
_seq = [1000]


def update(**kw):
    _seq[0] += 1
    u = {"update_id": _seq[0]}
    u.update(kw)
    return u


def msg(uid, text=None, contact=None):
    m = {"message_id": _seq[0], "date": int(time.time()),
         "from": {"id": uid, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
         "chat": {"id": uid, "type": "private", "first_name": "Lan"}}
    if text is not None:
        m["text"] = text
    if contact is not None:
        m["contact"] = contact
    return update(message=m)


def callback(uid, data):
    return update(callback_query={
        "id": f"cbq-{_seq[0]}", "chat_instance": "42",
        "from": {"id": uid, "is_bot": False, "first_name": "Lan"},
        "message": {"message_id": 1, "date": int(time.time()),
                    "chat": {"id": uid, "type": "private"}, "text": "..."},
        "data": data})


def exchange(pf, bot, uid, upd):
    """Send an update; wait until everything it caused was sent; the texts sent since."""
    before = len(pf.texts(SEND, uid))
    n = len(pf.sent(SEND, uid))
    st, _ = pf.tg_update(bot.port, upd)
    wait_for(lambda: len(pf.sent(SEND, uid)) > n and settled(REDIS[0], "telegram"))
    return st, "\n".join(pf.texts(SEND, uid)[before:])


def say(pf, bot, uid, text):
    return exchange(pf, bot, uid, msg(uid, text))


def press(pf, bot, uid, payload):
    return exchange(pf, bot, uid, callback(uid, "P" + payload))


def secret(pf, bot, redis):
    uid = 9001
    st, r = pf.tg_update(bot.port, msg(uid, "xin chào"), secret=None)
    ok(st == 401 and r.get("error") == "bad_signature", "no secret token header: 401", r)
    st, r = pf.tg_update(bot.port, msg(uid, "xin chào"), secret="wrong-" + pf.tg_secret)
    ok(st == 401, "a wrong secret token: 401", r)
    wait_for(lambda: settled(redis, "telegram"))  # everything caused is done
    ok(redis.cli("XLEN", "dvcbot:push:telegram:in") in ("0", "") and not pf.sent(SEND, uid),
       "nothing stored or sent for refused updates")
    st, r = pf.tg_update(bot.port, {"message": {"text": "no update id"}})
    ok(st == 400, "an update without update_id: 400", r)


def start_and_replay(pf, bot, redis):
    uid = 9002
    st, t = say(pf, bot, uid, "/start")
    ok(st == 200 and "Cổng Dịch vụ công" in t, "/start: a welcome", t)
    ok(redis.cli("SISMEMBER", "dvcbot:push:telegram:optin", str(uid)) == "1", "/start = opt-in")
    ok(any(p == "push:link" for _, p in pf.buttons(SEND, uid)), "welcome: link-phone button")
    u = msg(uid, "xin chào")
    n0 = len(pf.sent(SEND, uid))
    st1, _ = pf.tg_update(bot.port, u)
    wait_for(lambda: len(pf.sent(SEND, uid)) > n0 and settled(redis, "telegram"))
    n1 = len(pf.sent(SEND, uid))
    st2, _ = pf.tg_update(bot.port, u)
    wait_for(lambda: settled(redis, "telegram"))  # everything caused is done
    ok(st1 == 200 and st2 == 200 and n1 > n0 and len(pf.sent(SEND, uid)) == n1,
       "the same update_id delivered twice: answered once", (n0, n1, len(pf.sent(SEND, uid))))
    b = pf.sent(SEND, uid)[-1][2]
    ok(isinstance(b.get("reply_markup", {}).get("inline_keyboard"), list),
       "buttons are an inline keyboard", b)


def complaint(pf, bot, redis):
    uid = 9003
    st, t = say(pf, bot, uid, f"tôi muốn phản ánh hồ sơ {DOSSIER}")
    ok(any(p == "complaint_new:topic:attitude" for _, p in pf.buttons(SEND, uid)),
       "complaint: topics as inline buttons", t)
    na = len(pf.sent(ANSWER))
    st, t = press(pf, bot, uid, "complaint_new:topic:attitude")
    ok(t and "PA-" not in t, "callback query = postback: asks the content", t)
    ok(len(pf.sent(ANSWER)) == na + 1 and
       pf.sent(ANSWER)[-1][2]["callback_query_id"].startswith("cbq-"),
       "the callback query is answered (answerCallbackQuery)", pf.sent(ANSWER)[-1:])
    content = "Bộ phận một cửa hẹn trả kết quả nhưng quá hạn hai tuần chưa có"
    say(pf, bot, uid, content)
    st, t = say(pf, bot, uid, "0987 654 321")
    ok(content in t, "complaint: summary", t)
    st, t = press(pf, bot, uid, "complaint_new:confirm")
    m = re.search(r"PA-\d{6}-\d{4,}", t)
    ok(m, "complaint filed over Telegram: a code", t)
    code = m.group(0) if m else "PA-0"
    ok(redis.cli("HGET", "dvcbot:complaint:" + code, "channel") == "telegram" and
       redis.cli("HGET", "dvcbot:complaint:" + code, "user") == str(uid),
       "complaint stored with channel telegram")


def lookup_and_link(pf, bot, redis):
    uid = 9004
    st, t = say(pf, bot, uid, f"tra cứu hồ sơ {DOSSIER}")
    ok(DOSSIER in t, "dossier lookup over Telegram", t)
    st, t = press(pf, bot, uid, "push:link")
    kb = pf.sent(SEND, uid)[-1][2].get("reply_markup", {}).get("keyboard")
    ok(kb and kb[0][0].get("request_contact") is True, "link: a request_contact keyboard", kb)
    st, t = exchange(pf, bot, uid, msg(uid, contact={"phone_number": "+84987000111",
                                                   "first_name": "X", "user_id": 5555}))
    ok(redis.cli("HGET", "dvcbot:push:telegram:link", str(uid)) == "",
       "someone else's contact is not linked")
    st, t = exchange(pf, bot, uid, msg(uid, contact={"phone_number": PHONE[0],
                                                   "first_name": "Lan", "user_id": uid}))
    ok(redis.cli("HGET", "dvcbot:push:telegram:link", str(uid)) == PHONE[1] and PHONE[1] in t,
       "the user's own contact: linked and confirmed", t)
    st, t = say(pf, bot, uid, "hồ sơ của tôi")
    ok(DOSSIER in t, "'hồ sơ của tôi' lists the linked number's dossier", t)


def sms_code(pf, bot, redis):
    """Linking by an SMS code: LIENKET <number> -> a 6-digit code by SMS (the outbox),
    a wrong code refused, the right one links the number."""
    uid = 9008
    st, t = say(pf, bot, uid, "LIENKET 0987 000 111")
    msgs = [hgetall(redis, k) for k in redis.cli("KEYS", "dvcbot:outbox:msg:*").split()]
    sms = [m for m in msgs if m.get("to") == "84987000111"]
    code = re.search(r"\b(\d{6})\b", sms[0]["text"]).group(1) if sms else "000000"
    ok(len(sms) == 1 and "84987000111" in t, "LIENKET: one SMS with a code queued to the number",
       (t, sms))
    st, t = say(pf, bot, uid, "LIENKET 0987000111")
    ok(len([k for k in redis.cli("KEYS", "dvcbot:outbox:msg:*").split()]) == len(msgs),
       "asking again at once sends no second SMS", t)
    wrong = "%06d" % ((int(code) + 1) % 1000000)
    st, t = say(pf, bot, uid, wrong)
    ok(redis.cli("HGET", "dvcbot:push:telegram:link", str(uid)) == "" and t,
       "a wrong code: not linked", t)
    st, t = say(pf, bot, uid, " " + code + " ")
    ok(redis.cli("HGET", "dvcbot:push:telegram:link", str(uid)) == "84987000111" and
       "84987000111" in t, "the code from the SMS: linked", t)
    st, t = say(pf, bot, uid, code)
    ok("84987000111" not in t, "the code is single-use (typed again it is just text)", t)


def rate_limited(pf, bot, redis):
    uid = 9005
    pf.answer("/bot" + pf.bot_token + SEND, 429,
              {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
               "parameters": {"retry_after": 1}})
    t0 = time.time()
    pf.tg_update(bot.port, msg(uid, "xin chào"))
    ok(wait_for(lambda: len(pf.sent(SEND, uid)) >= 2, 10),
       "429: the message stays queued and is sent again", len(pf.sent(SEND, uid)))
    ok(time.time() - t0 >= 0.9, "not before retry_after", time.time() - t0)


def blocked(pf, bot, redis):
    uid = 9006
    pf.tg_blocked.add(str(uid))
    pf.tg_update(bot.port, msg(uid, "xin chào"))
    ok(wait_for(lambda: redis.cli("SISMEMBER", "dvcbot:push:telegram:optout", str(uid)) == "1"),
       "403 bot was blocked by the user: opted out")
    wait_for(lambda: settled(redis, "telegram"))  # everything caused is done
    ok(len(pf.sent(SEND, uid)) == 1, "and not retried", len(pf.sent(SEND, uid)))
    uid = 9007
    st, _ = pf.tg_update(bot.port, update(my_chat_member={
        "chat": {"id": uid, "type": "private"}, "from": {"id": uid, "is_bot": False},
        "date": int(time.time()),
        "old_chat_member": {"user": {"id": 1, "is_bot": True}, "status": "member"},
        "new_chat_member": {"user": {"id": 1, "is_bot": True}, "status": "kicked"}}))
    ok(st == 200 and wait_for(lambda: redis.cli("SISMEMBER", "dvcbot:push:telegram:optout",
                                                  str(uid)) == "1"),
       "my_chat_member kicked: opted out")


def main():
    redis = Redis().start()
    REDIS[0] = redis
    pf = Platforms()
    bot = Dvcbot(redis.port, env=dict(pf.env(zalo=False), DVCBOT_SMS_OUTBOX="false")).start()
    try:
        key = keys_cli(redis, "create", "--agency", AGENCY)
        st, _ = api(bot, "PUT", "/api/v1/dossiers/" + DOSSIER,
                    {"procedure_code": "1.001193", "status": "received",
                     "received_at": "2024-05-20", "applicant_phone": "0912345678"}, key)
        ok(st == 201, "a dossier through the agency API", st)
        secret(pf, bot, redis)
        start_and_replay(pf, bot, redis)
        complaint(pf, bot, redis)
        lookup_and_link(pf, bot, redis)
        sms_code(pf, bot, redis)
        rate_limited(pf, bot, redis)
        blocked(pf, bot, redis)
        ok(not pf.problems(), "every request had the documented shape", pf.problems()[:5])
    finally:
        rc = bot.stop()
        err = bot.stderr()
        ok(rc == 0, "SIGTERM: exit status 0", rc)
        ok(sanitizer_clean(err), "no sanitizer report", err[-3000:])
        redis.close()
        pf.close()
    done()


if __name__ == "__main__":
    main()
