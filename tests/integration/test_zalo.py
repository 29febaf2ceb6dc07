"""test_zalo.py -- the Zalo OA channel end to end, against a real redis-server, the
ASan+UBSan build and a local stand-in of the OA API (platforms.py) that checks the
documented request shapes: webhook signatures (missing, wrong, stale -> 401 and
nothing stored or sent), a replayed event handled once, follow/unfollow as opt-in/out,
a full complaint and a dossier lookup through the OA with oa.query.hide buttons, a
shared phone number linked so "hồ sơ của tôi" lists the citizen's dossiers, dossier
notices as consultation messages inside the window and as ZNS outside it, an access
token expiring mid-queue (one single-use refresh, every message delivered), quota
exhausted (kept and delivered later), a user who unfollowed (opted out); a clean stop."""
import re
import time

from harness import Dvcbot, Redis, api, done, keys_cli, ok, sanitizer_clean
from platforms import Platforms, settled, wait_for

AGENCY = "000.00.12.H18"
DOSSIER = AGENCY + "-240520-0001"
PHONE = ("0912345678", "84912345678")
CS = "/v3.0/oa/message/cs"
ZNS = "/message/template"
REDIS = [None]


def xlen(redis, key):
    return int(redis.cli("XLEN", key) or 0)


def last_text(pf, user, n=1):
    return "\n".join(pf.texts(CS, user)[-n:])


def say(pf, bot, user, text):
    """A user_send_text; waits for the answer (a new cs message); returns all texts since."""
    before, tbefore = len(pf.sent(CS, user)), len(pf.texts(CS, user))
    st, _ = pf.zalo_text(bot.port, user, text)
    wait_for(lambda: len(pf.sent(CS, user)) > before and settled(REDIS[0], "zalo"))
    return st, "\n".join(pf.texts(CS, user)[tbefore:])


def press(pf, bot, user, payload):
    """A press of an oa.query.hide button: Zalo sends its payload back as the user's text."""
    return say(pf, bot, user, "#dvc:" + payload)


def signatures(pf, bot, redis):
    u = "7000000000000000001"
    st, r = pf.zalo_text(bot.port, u, "xin chào", sign=False)
    ok(st == 401 and r.get("error") == "bad_signature", "no X-ZEvent-Signature: 401", r)
    st, r = pf.zalo_text(bot.port, u, "xin chào", signature="mac=" + "0" * 64)
    ok(st == 401, "a wrong mac: 401", r)
    st, r = pf.zalo_text(bot.port, u, "xin chào",
                         signature="mac=" + "ab" * 32 + "00")
    ok(st == 401, "a mac of the wrong length: 401", r)
    # signed with the app secret instead of the OA secret (a common mistake): refused
    body_sig = pf.zalo_sign('{"app_id":"x","timestamp":"1"}', secret=pf.app_secret)
    st, r = pf.zalo_text(bot.port, u, "xin chào", signature=body_sig)
    ok(st == 401, "signed with another key: 401", r)
    old = int(time.time() * 1000) - 10 * 60 * 1000
    st, r = pf.zalo_text(bot.port, u, "xin chào", when_ms=old)
    ok(st == 401 and r.get("error") == "stale_event",
       "a correctly signed event 10 minutes old (outside the window): 401 stale_event", r)
    wait_for(lambda: settled(redis, "zalo"))  # everything caused is done
    ok(xlen(redis, "dvcbot:push:zalo:in") == 0 and not pf.sent(CS, u) and
       redis.cli("ZSCORE", "dvcbot:push:zalo:seen", u) == "",
       "nothing stored, nothing processed, nothing sent for refused events")
    st, r = pf.zalo_event(bot.port, {"event_name": "user_send_text", "sender": {"id": u}})
    ok(st == 400 and r.get("error") == "invalid_event", "signed but without message: 400", r)


def follow_and_replay(pf, bot, redis):
    u = "7000000000000000002"
    st, _ = pf.zalo_event(bot.port, {"event_name": "follow", "oa_id": "3662729599332560487",
                                     "follower": {"id": u}, "source": "testing"})
    ok(st == 200, "follow: 200", st)
    ok(wait_for(lambda: pf.sent(CS, u)), "follow: a welcome message")
    ok(redis.cli("SISMEMBER", "dvcbot:push:zalo:optin", u) == "1", "follow = opt-in")
    ok(any(p == "push:link" for _, p in pf.buttons(CS, u)),
       "welcome offers to link the phone number", pf.buttons(CS, u))
    n0 = len(pf.sent(CS, u))
    st1, _ = pf.zalo_text(bot.port, u, "xin chào", msg_id="replayed-msg-0001")
    wait_for(lambda: len(pf.sent(CS, u)) > n0)
    wait_for(lambda: settled(redis, "zalo"))  # everything caused is done
    n1 = len(pf.sent(CS, u))
    st2, r2 = pf.zalo_text(bot.port, u, "xin chào", msg_id="replayed-msg-0001")
    st3, _ = pf.zalo_text(bot.port, u, "xin chào", msg_id="replayed-msg-0001")
    wait_for(lambda: settled(redis, "zalo"))  # everything caused is done
    ok(st1 == 200 and st2 == 200 and st3 == 200 and n1 > n0 and len(pf.sent(CS, u)) == n1,
       "the same msg_id delivered 3 times: 200 each, answered once",
       (st1, st2, st3, n0, n1, len(pf.sent(CS, u))))
    st, _ = pf.zalo_event(bot.port, {"event_name": "unfollow", "follower": {"id": u}})
    ok(st == 200 and wait_for(lambda: redis.cli("SISMEMBER", "dvcbot:push:zalo:optout", u) == "1")
       and redis.cli("SISMEMBER", "dvcbot:push:zalo:optin", u) == "0",
       "unfollow = opt-out")


def complaint(pf, bot, redis):
    u = "7000000000000000003"
    st, t = say(pf, bot, u, f"tôi muốn phản ánh hồ sơ {DOSSIER}")
    ok(st == 200 and any(p == "complaint_new:topic:attitude" for _, p in pf.buttons(CS, u)),
       "complaint: the topic is asked with buttons", t)
    st, t = press(pf, bot, u, "complaint_new:topic:attitude")
    ok("PA-" not in t and t, "complaint: topic button -> asks the content", t)
    content = "Cán bộ một cửa yêu cầu nộp thêm giấy tờ ngoài quy định"
    st, t = say(pf, bot, u, content)
    ok(any(p == "complaint_new:skip" for _, p in pf.buttons(CS, u)), "complaint: asks contact", t)
    st, t = say(pf, bot, u, "0987 654 321")
    ok(content in t and "84987654321" in t, "complaint: summary to confirm", t)
    st, t = press(pf, bot, u, "complaint_new:confirm")
    m = re.search(r"PA-\d{6}-\d{4,}", t)
    ok(m, "complaint: confirmed -> a code", t)
    code = m.group(0) if m else "PA-0"
    rec = redis.cli("HGET", "dvcbot:complaint:" + code, "channel") + "|" + \
        redis.cli("HGET", "dvcbot:complaint:" + code, "user")
    ok(rec == "zalo|" + u, "complaint stored with channel zalo and the Zalo user", rec)
    return code


def lookup_and_link(pf, bot, redis):
    u = "7000000000000000004"
    st, t = say(pf, bot, u, f"tra cứu hồ sơ {DOSSIER}")
    ok(st == 200 and DOSSIER in t, "dossier lookup by code over Zalo", t)
    v = "7000000000000000005"
    st, t = say(pf, bot, v, "hồ sơ của tôi")
    ok(DOSSIER not in t and t, "'hồ sơ của tôi' of a user who linked no number: none listed", t)
    st, t = press(pf, bot, u, "push:link")
    share = [b for _, _, b, _ in pf.sent(CS, u)
             if b["message"].get("attachment", {}).get("payload", {}).get("template_type") ==
             "request_user_info"]
    ok(share, "share-phone button -> a request_user_info message", pf.sent(CS, u)[-1:])
    n = len(pf.sent(CS, u))
    st, _ = pf.zalo_event(bot.port, {"event_name": "user_submit_info", "sender": {"id": u},
                                     "recipient": {"id": "3662729599332560487"},
                                     "info": {"name": "Nguyễn Văn A", "phone": PHONE[0],
                                              "address": "", "city": "", "district": "",
                                              "ward": ""}})
    ok(st == 200 and wait_for(lambda: redis.cli("HGET", "dvcbot:push:zalo:link", u) == PHONE[1]),
       "user_submit_info: the number is linked (canonical 84...)")
    wait_for(lambda: len(pf.sent(CS, u)) > n)
    ok(PHONE[1] in last_text(pf, u), "the link is confirmed to the user", last_text(pf, u))
    ok(redis.cli("SISMEMBER", "dvcbot:subs:" + DOSSIER, "zalo:" + u) == "1",
       "linking follows the number's dossiers (their notices come to Zalo)")
    st, t = say(pf, bot, u, "hồ sơ của tôi")
    ok(DOSSIER in t, "'hồ sơ của tôi' after linking lists the applicant's dossier", (t, pf.texts(CS, u)[-3:]))
    return u


def notices(pf, bot, redis, key, u):
    st, t = say(pf, bot, u, f"DK {DOSSIER}")
    ok(redis.cli("SISMEMBER", "dvcbot:subs:" + DOSSIER, "zalo:" + u) == "1",
       "DK over Zalo subscribes the Zalo user", t)
    redis.cli("SADD", "dvcbot:push:zalo:optin", u)
    n = len(pf.sent(CS, u))
    st, _ = api(bot, "PUT", "/api/v1/dossiers/" + DOSSIER,
                {"procedure_code": "1.001193", "status": "processing",
                 "received_at": "2024-05-20", "applicant_phone": PHONE[0]}, key)
    ok(st == 200 and wait_for(lambda: len(pf.sent(CS, u)) > n, 10),
       "a status change inside the 48 h window: a consultation message", st)
    ok(DOSSIER in last_text(pf, u), "the notice names the dossier", last_text(pf, u))
    ok(not pf.sent(ZNS), "no ZNS inside the window")
    # three days later (the user's last event moved back): a ZNS template to the number
    redis.cli("ZADD", "dvcbot:push:zalo:seen", str(int(time.time() * 1000) - 3 * 86400 * 1000), u)
    n = len(pf.sent(CS, u))
    st, _ = api(bot, "PUT", "/api/v1/dossiers/" + DOSSIER,
                {"procedure_code": "1.001193", "status": "done",
                 "received_at": "2024-05-20", "applicant_phone": PHONE[0]}, key)
    z = wait_for(lambda: pf.sent(ZNS, PHONE[1]), 10)
    ok(z and z[-1][2]["template_id"] == "tpl-dossier-1" and
       z[-1][2]["template_data"].get("ma_ho_so") == DOSSIER and
       z[-1][2]["template_data"].get("trang_thai"),
       "outside the window: a ZNS template message to the linked number", z[-1:] if z else None)
    ok(len(pf.sent(CS, u)) == n, "outside the window: no consultation message")


def fast_ack(pf, bot):
    """The webhook answers before the work is done: with an OA API that takes 2.5 s
    to answer, the event is acknowledged at once and the reply arrives later."""
    u = "7000000000000000401"
    pf.delay = 2.5
    t0 = time.time()
    st, _ = pf.zalo_text(bot.port, u, "xin chào")
    took = time.time() - t0
    ok(st == 200 and took < 1.5, "200 well inside Zalo's 2 s budget while the API is slow",
       took)
    ok(not pf.sent(CS, u), "the reply was not sent yet when the webhook answered")
    ok(wait_for(lambda: pf.sent(CS, u), 15), "and it is sent afterwards")
    pf.delay = 0.0
    wait_for(lambda: settled(REDIS[0], "zalo"), 15)


def token_mid_queue(pf, bot, bot2, redis):
    users = [f"70000000000000001{i:02d}" for i in range(6)]
    r0 = pf.refreshes
    old_refresh = redis.cli("HGET", "dvcbot:push:zalo:token", "refresh")
    pf.expire_access()
    for i, u in enumerate(users):   # both instances take events and send
        pf.zalo_text((bot, bot2)[i % 2].port, u, "xin chào")
    ok(wait_for(lambda: all(pf.sent(CS, u) and
                            pf.sent(CS, u)[-1][1].get("access_token") == pf.access
                            for u in users), 15),
       "access token expired mid-queue: every queued reply delivered with the new token")
    ok(pf.refreshes == r0 + 1 and pf.refused_refreshes == 0,
       "two instances, six queued replies: one refresh (the single-use refresh token is "
       "never sent twice)",
       (pf.refreshes, pf.refused_refreshes))
    tok = redis.cli("HGET", "dvcbot:push:zalo:token", "refresh")
    ok(tok == pf.refresh and tok != old_refresh, "the new pair is kept in Redis", tok)
    ref = [c for c in pf.calls if c[0] == "/v4/oa/access_token"][-1]
    ok(ref[1].get("secret_key") == pf.app_secret and ref[2].get("app_id") == pf.app_id,
       "refresh: secret_key header, app_id and grant_type=refresh_token form", ref[2])


def token_ahead(pf, bot, redis):
    """A token about to expire is refreshed before the call, not after a refusal."""
    u = "7000000000000000501"
    r0 = pf.refreshes
    redis.cli("HSET", "dvcbot:push:zalo:token", "expires_at", str(int(time.time() * 1000) + 5000))
    pf.zalo_text(bot.port, u, "xin chào")
    ok(wait_for(lambda: pf.sent(CS, u), 10) and pf.refreshes == r0 + 1 and
       pf.sent(CS, u)[0][1].get("access_token") == pf.access,
       "a token expiring within a minute: refreshed first, the call made with the new one",
       (pf.refreshes - r0))
    ok(all(c[1].get("access_token") == pf.access for c in pf.sent(CS, u)),
       "no call was made with the old token", [c[1].get("access_token") for c in pf.sent(CS, u)])
    exp = int(redis.cli("HGET", "dvcbot:push:zalo:token", "expires_at") or 0)
    ok(exp > (time.time() + 86400) * 1000, "the new expiry is expires_in (25 h) ahead", exp)


def window(pf, bot, redis):
    u = "7000000000000000601"
    pf.answer(CS, 200, {"error": -230,
                        "message": "User has not interacted with the OA in the past 7 days"})
    pf.zalo_text(bot.port, u, "xin chào")
    wait_for(lambda: pf.sent(CS, u) and settled(redis, "zalo"), 10)
    ok(len(pf.sent(CS, u)) == 1 and
       redis.cli("SISMEMBER", "dvcbot:push:zalo:optout", u) == "0",
       "-230 (outside the interaction window): dropped, not retried, not an opt-out",
       len(pf.sent(CS, u)))


def quota(pf, bot, redis):
    u = "7000000000000000201"
    pf.answer(CS, 200, {"error": -211, "message": "Out of quota"})
    pf.answer(CS, 200, {"error": -32, "message": "Your OA reached limit call api"})
    t0 = time.time()
    pf.zalo_text(bot.port, u, "xin chào")
    got = wait_for(lambda: [c for c in pf.sent(CS, u)], 10)
    delivered = wait_for(lambda: len(pf.sent(CS, u)) >= 3, 10)
    ok(got and delivered, "quota exhausted twice: the reply stays queued and is delivered later",
       len(pf.sent(CS, u)))
    ok(time.time() - t0 >= 0.7, "retried after push.quota_retry_ms, not at once", time.time() - t0)


def blocked(pf, bot, redis):
    u = "7000000000000000301"
    pf.zalo_blocked.add(u)
    pf.zalo_text(bot.port, u, "xin chào")
    ok(wait_for(lambda: redis.cli("SISMEMBER", "dvcbot:push:zalo:optout", u) == "1", 10),
       "-213 (user has not followed the OA): opted out")
    wait_for(lambda: settled(redis, "zalo"))  # everything caused is done
    ok(len(pf.sent(CS, u)) == 1, "and not retried", len(pf.sent(CS, u)))


def main():
    redis = Redis().start()
    REDIS[0] = redis
    pf = Platforms()
    bot = Dvcbot(redis.port, env=dict(pf.env(telegram=False), DVCBOT_SMS_OUTBOX="false")).start()
    bot2 = None
    try:
        key = keys_cli(redis, "create", "--agency", AGENCY)
        st, _ = api(bot, "PUT", "/api/v1/dossiers/" + DOSSIER,
                    {"procedure_code": "1.001193", "status": "received",
                     "received_at": "2024-05-20", "applicant_phone": PHONE[0]}, key)
        ok(st == 201, "a dossier through the agency API", st)
        signatures(pf, bot, redis)
        follow_and_replay(pf, bot, redis)
        complaint(pf, bot, redis)
        u = lookup_and_link(pf, bot, redis)
        notices(pf, bot, redis, key, u)
        fast_ack(pf, bot)
        bot2 = Dvcbot(redis.port, env=dict(pf.env(telegram=False),
                                           DVCBOT_SMS_OUTBOX="false")).start()
        token_mid_queue(pf, bot, bot2, redis)
        token_ahead(pf, bot, redis)
        window(pf, bot, redis)
        quota(pf, bot, redis)
        blocked(pf, bot, redis)
        ok(not pf.problems(), "every request had the documented shape", pf.problems()[:5])
    finally:
        rc2 = bot2.stop() if bot2 else 0
        ok(rc2 == 0 and (not bot2 or sanitizer_clean(bot2.stderr())),
           "second instance: clean stop", rc2)
        rc = bot.stop()
        err = bot.stderr()
        ok(rc == 0, "SIGTERM: exit status 0", rc)
        ok(sanitizer_clean(err), "no sanitizer report", err[-3000:])
        redis.close()
        pf.close()
    done()


if __name__ == "__main__":
    main()
