"""test_agent.py -- hand-off to a human operator against a real redis-server and
the ASan+UBSan build: `dvcbot keys create --operator`, the /ws/agent console
(login, queue, take, history, live replies both ways, hand back), the bot kept
silent while an operator holds the conversation, the wait timeout offering a
complaint, SMS citizens offered a complaint, and a clean stop."""
import json
import socket
import subprocess
import time

from harness import ROOT, Dvcbot, Redis, done, ok, sanitizer_clean
from wsclient import WS, HandshakeError, frames



def wait_for(ws, pred, timeout=4.0):
    got = frames(ws, timeout=timeout, until=pred)
    return next((f for f in got if pred(f)), None), got


def make_key(redis, *args):
    env = {"DVCBOT_REDIS_URL": f"redis://127.0.0.1:{redis.port}/0", "PATH": "/usr/bin:/bin"}
    p = subprocess.run([f"{ROOT}/build/asan/dvcbot", "keys", "create", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout.strip(), p.stderr


def console(bot, redis):
    rc, key, err = make_key(redis, "--operator", "Lan")
    ok(rc == 0 and key.startswith("dvc_"), "keys create --operator prints a key", err)
    rc2, _, _ = make_key(redis, "--operator", "X", "--agency", "000.00.12.H18")
    ok(rc2 == 2, "--operator with --agency is a usage error")
    rc, agency_key, _ = make_key(redis, "--agency", "000.00.12.H18")
    st, h, raw = bot.request("GET", "/api/v1/complaints?status=open",
                             headers={"Authorization": f"Bearer {key}"})
    ok(st == 401, "an operator key is no agency key", raw)

    op = WS(bot.port, path="/ws/agent", protocol="dvcbot.agent.v1")
    op.send_json({"type": "list"})
    f = frames(op, 1)
    ok(f and f[0].get("error") == "unauthorized", "the console needs a login first", f)
    op.send_json({"type": "login", "key": agency_key})
    f = frames(op, 1)
    ok(f and f[0].get("error") == "unauthorized", "an agency key cannot log in", f)
    op.send_json({"type": "login", "key": key})
    login, got = wait_for(op, lambda f: f.get("type") == "login")
    ok(login and login["name"] == "Lan", "operator key logs in with its name", got)

    cit = WS(bot.port)
    cit.send_json({"type": "hello", "user": "cit-1"})
    cit.send_json({"type": "message", "text": "HD"})
    wait_for(cit, lambda f: f.get("type") == "reply")
    ok(redis.cli("EXISTS", "dvcbot:agent:log:chat:cit-1") == "0" and
       redis.cli("LLEN", "dvcbot:chatlog:chat:cit-1") == "2" and
       redis.cli("EXISTS", "dvcbot:sess-recent:chat:cit-1") == "0" and
       "recent" not in redis.session("dvcbot:sess:chat:cit-1"),
       "an ordinary conversation writes no operator log (its lines are written once, to the chat log)")
    cit.send_json({"type": "message", "text": "tôi muốn gặp nhân viên tư vấn"})
    r, got = wait_for(cit, lambda f: f.get("type") == "reply")
    ok(r and r["intent"] == "human_agent", "human_agent puts the citizen in the queue", got)
    ok(redis.cli("ZSCORE", "dvcbot:agent:waiting", "chat:cit-1") != "", "conversation waits in Redis")
    q, got = wait_for(op, lambda f: f.get("type") == "queue" and
                      any(i["conv"] == "chat:cit-1" for i in f["items"]))
    item = q and [i for i in q["items"] if i["conv"] == "chat:cit-1"][0]
    ok(item and item["state"] == "waiting" and item["last"]["from"] in ("bot", "citizen"),
       "the queue pushed to the console lists it, with the last line", q)

    op.send_json({"type": "take", "conv": "chat:cit-1"})
    t, got = wait_for(op, lambda f: f.get("type") == "history")
    cites = [i["text"] for i in (t or {}).get("items", []) if i["from"] == "citizen"]
    ok(any(f.get("type") == "taken" for f in got) and cites[-2:] == ["HD", "tôi muốn gặp nhân viên tư vấn"]
       and any(i["from"] == "bot" and "gõ câu hỏi" in i["text"] for i in t["items"]),
       "take -> taken + the history, from before the request (the chat log's last lines)", got)
    n, got = wait_for(cit, lambda f: f.get("type") == "notice")
    ok(n and n["kind"] == "agent_taken" and "Lan" in n["text"], "the citizen is told who took it", got)

    op2 = WS(bot.port, path="/ws/agent", protocol="dvcbot.agent.v1")
    op2.send_json({"type": "login", "key": key})
    wait_for(op2, lambda f: f.get("type") == "login")
    op2.send_json({"type": "take", "conv": "chat:cit-1"})
    e, got = wait_for(op2, lambda f: f.get("type") == "error")
    ok(e and e["error"] == "not_waiting", "a conversation already taken cannot be taken twice", got)
    op2.close()

    op.send_json({"type": "reply", "conv": "chat:cit-1", "text": "Chào bạn, tôi là Lan. <b>x</b>"})
    n, got = wait_for(cit, lambda f: f.get("type") == "notice")
    ok(n and n["kind"] == "agent_message" and n["text"] == "Chào bạn, tôi là Lan. <b>x</b>" and
       n["operator"] == "Lan", "the operator's reply reaches the citizen live", got)
    cit.send_json({"type": "message", "text": "HD"})
    m, got = wait_for(op, lambda f: f.get("type") == "message")
    ok(m and m["conv"] == "chat:cit-1" and m["text"] == "HD", "the citizen's message reaches the operator live", got)
    extra = frames(cit, timeout=1.0)
    ok(not any(f.get("type") == "reply" and f.get("text") for f in extra),
       "the bot stays silent while the operator holds it", extra)
    st, r = bot.chat("cit-1", "xin chào")
    ok(st == 200 and r["replies"] == [], "REST is silent too while it is held", r)

    op.send_json({"type": "release", "conv": "chat:cit-1"})
    rel, got = wait_for(op, lambda f: f.get("type") == "released")
    ok(rel is not None, "release -> released", got)
    n, got = wait_for(cit, lambda f: f.get("type") == "notice" and f.get("kind") == "agent_released")
    ok(n is not None, "the citizen is told the bot is back", got)
    cit.send_json({"type": "message", "text": "HD"})
    r, got = wait_for(cit, lambda f: f.get("type") == "reply")
    ok(r and r["intent"] == "help", "after hand-back the bot answers again", got)
    op.send_json({"type": "reply", "conv": "chat:cit-1", "text": "còn đó không?"})
    e, got = wait_for(op, lambda f: f.get("type") == "error")
    ok(e and e["error"] == "not_held", "replying to a released conversation is refused", got)
    op.send_text("nonsense")
    e, got = wait_for(op, lambda f: f.get("type") == "error")
    ok(e and e["error"] == "invalid_json", "bad console frame -> error frame", got)
    op.close()
    cit.close()

    st, r = bot.chat("cit-rest", "gặp nhân viên")
    ok(st == 200 and r["intent"] == "human_agent" and
       redis.cli("ZSCORE", "dvcbot:agent:waiting", "chat:cit-rest") != "",
       "REST chat joins the same queue", r)


def sms_citizen(bot, redis):
    st, h, raw = bot.request("GET", "/sms/kannel?from=0912345678&to=1900&text=gap%20nhan%20vien&id=agent-1")
    ok(st == 200 and redis.cli("ZCARD", "dvcbot:agent:waiting") in ("0", "1") and
       redis.cli("ZSCORE", "dvcbot:agent:waiting", "sms:84912345678") == "",
       "an SMS citizen is offered a complaint, not queued", raw.decode(errors="replace"))


def timeout(redis):
    bot = Dvcbot(redis.port, {"DVCBOT_WEBCHAT_AGENT_WAIT_S": "2"}).start()
    try:
        cit = WS(bot.port)
        cit.send_json({"type": "hello", "user": "cit-wait"})
        cit.send_json({"type": "postback", "payload": "human_agent"})
        r, got = wait_for(cit, lambda f: f.get("type") == "reply")
        t0 = time.time()
        n, got = wait_for(cit, lambda f: f.get("type") == "notice", timeout=6)
        ok(n and n["kind"] == "agent_timeout" and n["buttons"][0]["payload"] == "complaint_new" and
           1.5 <= time.time() - t0 <= 5, "no operator in time: the citizen is told and offered a complaint",
           got)
        ok(redis.cli("EXISTS", "dvcbot:agent:conv:chat:cit-wait") == "0", "and the queue forgets it")
        cit.send_json({"type": "message", "text": "HD"})
        r, got = wait_for(cit, lambda f: f.get("type") == "reply")
        ok(r and r["intent"] == "help", "the bot answers after the timeout", got)
        cit.close()
    finally:
        rc = bot.stop()
        ok(rc == 0 and sanitizer_clean(bot.stderr()), "timeout server stops cleanly", bot.stderr()[-1500:])


def main():
    redis = Redis().start()
    bot = Dvcbot(redis.port).start()
    try:
        console(bot, redis)
        sms_citizen(bot, redis)
        rc = bot.stop()
        ok(rc == 0 and sanitizer_clean(bot.stderr()), "SIGTERM: exit 0, no sanitizer report",
           bot.stderr()[-2000:])
        timeout(redis)
    finally:
        if bot.proc.poll() is None:
            bot.stop()
        redis.close()
    done()


if __name__ == "__main__":
    main()
