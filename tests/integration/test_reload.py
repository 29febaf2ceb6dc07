"""test_reload.py -- SIGHUP reloads the catalogue, the texts and the intent
rules in place (docs/operations.md "Reloading"): a copy of config/ is edited
under a running server, SIGHUP is sent, and an open WebSocket keeps working
and sees the new texts and rules; a file that no longer loads keeps its old
version, is named in the log, and the server serves on."""
import json
import os
import shutil
import signal
import tempfile
import time

from harness import ROOT, Dvcbot, Redis, done, ok
from wsclient import WS, frames

MARK = "Xin chào, văn bản đã nạp lại"


def wait_log(bot, text, count, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if bot.stderr().count(text) >= count:
            return True
        time.sleep(0.05)
    return False


def say(ws, text):
    ws.send_json({"type": "message", "text": text})
    f = frames(ws, 1, timeout=5)
    return f[0] if f else {}


def procedures(bot):
    st, _, body = bot.request("GET", "/readyz")
    return st, json.loads(body).get("procedures")


def edit(path, fn):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    fn(d)
    with open(path + ".new", "w", encoding="utf-8") as f:
        json.dump(d, f, ensure_ascii=False, indent=1)
    os.replace(path + ".new", path)  # what an editor or a deploy does


def main():
    cfgdir = tempfile.mkdtemp(prefix="dvc-reload-")
    shutil.copytree(os.path.join(ROOT, "config"), cfgdir, dirs_exist_ok=True)
    redis = Redis().start()
    bot = Dvcbot(redis.port, env={"DVCBOT_CONFIG": os.path.join(cfgdir, "dvcbot.json"),
                                  "DVCBOT_HTTP_WEB_ROOT": os.path.join(ROOT, "web")}).start()
    try:
        ws = WS(bot.port)
        ws.send_json({"type": "hello", "user": "reload-u1"})
        frames(ws, 1)
        before = say(ws, "Xin chào")
        ok(before.get("intent") == "greeting" and MARK not in before.get("text", ""),
           "before: the greeting of config/messages.vi.json", before)
        st, n0 = procedures(bot)
        ok(st == 200 and n0 > 0, f"before: /readyz ready with {n0} procedures")
        unknown = say(ws, "zorblax")
        ok(unknown.get("intent") != "help", "before: 'zorblax' is not a help request", unknown)

        edit(os.path.join(cfgdir, "messages.vi.json"),
             lambda d: d["greeting"].__setitem__("vi", MARK))
        edit(os.path.join(cfgdir, "intents.json"),
             lambda d: d["rules"].insert(0, {"intent": "help", "priority": 100,
                                             "pattern": "^zorblax$"}))
        gone = os.path.join(cfgdir, "catalogue", "ho-tich.json")
        os.unlink(gone)
        bot.proc.send_signal(signal.SIGHUP)
        ok(wait_log(bot, "SIGHUP: reloaded", 1), "SIGHUP: the reload is logged", bot.stderr()[-800:])
        line = [ln for ln in bot.stderr().splitlines() if "SIGHUP: reloaded" in ln][-1:]
        ok(line and "catalogue (" in line[0] and "texts" in line[0] and "intents" in line[0] and
           "kept" not in line[0], "the line names all three", line)
        after = say(ws, "Xin chào")
        ok(ws.closed is None and after.get("text", "").startswith(MARK),
           "the open WebSocket stays open and answers with the new text", after)
        ok(say(ws, "zorblax").get("intent") == "help", "the new intent rule is used")
        st, n1 = procedures(bot)
        ok(st == 200 and 0 < n1 < n0, f"the catalogue without ho-tich.json: {n0} -> {n1} procedures")
        st, r = bot.chat("reload-rest", "Xin chào")
        ok(st == 200 and r["replies"][0]["text"].startswith(MARK), "REST answers with the new text too", r)

        with open(os.path.join(cfgdir, "messages.vi.json"), "w") as f:
            f.write("{ not json")
        bot.proc.send_signal(signal.SIGHUP)
        ok(wait_log(bot, "SIGHUP: reloaded", 2), "a second SIGHUP with a broken texts file")
        ok("texts not reloaded, keeping the old ones" in bot.stderr() and "messages.vi.json" in
           bot.stderr(), "the broken file is named in the log")
        line = [ln for ln in bot.stderr().splitlines() if "SIGHUP: reloaded" in ln][-1:]
        ok(line and "kept the old texts" in line[0] and "intents" in line[0],
           "and the reload line says what was kept", line)
        again = say(ws, "Xin chào")
        ok(ws.closed is None and again.get("text", "").startswith(MARK),
           "the WebSocket still answers, with the texts loaded before", again)
        ws.close()
        ok(bot.stop() == 0, "SIGTERM after the reloads: clean exit (no leak under ASan)",
           bot.stderr()[-1500:])
    finally:
        if bot.proc.poll() is None:
            bot.proc.kill()
        redis.close()
        shutil.rmtree(cfgdir, ignore_errors=True)
    done()


if __name__ == "__main__":
    main()
