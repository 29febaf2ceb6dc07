"""test_demo_sms.py -- the SMS thread of `make run`: with the real Kannel
(bearerbox + smsbox, fake SMSC) and scripts/demo-smsc.py as the phone
network, every SMS dvcbot sends (a dossier notification, a complaint's
answer) reaches the simulator's view GET /sms/demo of `dvcbot serve
--demo-sms`; without --demo-sms the endpoint does not exist, and it needs the
channel secret like every channel endpoint."""
import json
import os
import subprocess
import sys
import tempfile
import time

from harness import ROOT, Dvcbot, Redis, done, ok
from kannel import Kannel

AGENCY = "000.00.12.H18"
CODE = AGENCY + "-240101-0077"
PHONE = "84905550077"


def thread(bot, to):
    st, _, raw = bot.request("GET", "/sms/demo?to=" + to)
    return st, (json.loads(raw).get("messages", []) if st == 200 else raw)


def wait_thread(bot, to, pred, timeout=15):
    end = time.time() + timeout
    msgs = []
    while time.time() < end:
        st, msgs = thread(bot, to)
        if st == 200 and pred(msgs):
            return msgs
        time.sleep(0.1)
    return msgs


def api(bot, method, path, body, key):
    st, _, raw = bot.request(method, path, body, {"Authorization": "Bearer " + key})
    return st, (json.loads(raw) if raw else {})


def main():
    redis = Redis().start()
    rundir = tempfile.mkdtemp(prefix="dvc-demo-kannel-")
    bot = Dvcbot(redis.port, args=["--demo-sms"])
    kannel = Kannel(rundir, f"http://127.0.0.1:{bot.port}", secret=bot.secret)
    smsc = None
    try:
        kannel.start()
        bot.env["DVCBOT_SMS_KANNEL_SENDSMS_URL"] = kannel.sendsms_url
        bot.start()
        smsc = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/demo-smsc.py"),
                                 str(kannel.smsc_port), os.path.join(rundir, "out.jsonl"),
                                 f"http://127.0.0.1:{bot.port}"], cwd=ROOT,
                                env=dict(os.environ, DVCBOT_CHANNELS_SECRET=bot.secret),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        st, msgs = thread(bot, PHONE)
        ok(st == 200 and msgs == [], "an empty thread at first", msgs)
        st, _, _ = bot.request("GET", "/sms/demo?to=" + PHONE, secret=False)
        ok(st == 403, "without the channel secret: 403", st)
        st, _, _ = bot.request("GET", "/sms/demo?to=abc")
        ok(st == 400, "a number that is not one: 400", st)

        key = bot.keys("create", "--agency", AGENCY)[1]
        st, _ = api(bot, "PUT", "/api/v1/dossiers/" + CODE,
                    {"procedure_code": "1.001193", "status": "received", "received_at": "2024-01-01",
                     "due_at": "2099-01-31T17:00:00+07:00", "applicant_phone": "0905550077"}, key)
        ok(st in (200, 201), "a dossier with the citizen's phone", st)
        st, _ = api(bot, "PUT", "/api/v1/dossiers/" + CODE,
                    {"procedure_code": "1.001193", "status": "done", "received_at": "2024-01-01",
                     "due_at": "2099-01-31T17:00:00+07:00", "applicant_phone": "0905550077"}, key)
        msgs = wait_thread(bot, PHONE, lambda m: any(CODE in x["text"] for x in m))
        ok(any(CODE in x["text"] and x["from"] for x in msgs),
           "the status notification went through Kannel and shows in the simulator's thread", msgs)

        st, _, raw = bot.request("GET", "/sms/kannel?" + "&".join([
            "from=" + PHONE, "to=1900", "text=PAKN+Den+duong+hong+o+ngo+5", "id=demo-1",
            "time=1700000000", "coding=0", "charset=UTF-8", "smsc=test"]))
        pa = [w for w in raw.decode().replace(".", " ").split() if w.startswith("PA-")]
        ok(st == 200 and pa, "a complaint by SMS gets its code", raw)
        n_before = len(msgs)
        if pa:   # a complaint without a dossier goes to domain.complaint_agency
            gkey = bot.keys("create", "--agency", "000.00.00.G22")[1]
            st, _ = api(bot, "POST", f"/api/v1/complaints/{pa[0]}/answer",
                        {"text": "Da sua den duong o ngo 5."}, gkey)
            ok(st == 200, "the agency answers it", st)
            msgs = wait_thread(bot, PHONE, lambda m: len(m) > n_before)
            ok(len(msgs) > n_before and any(pa[0] in x["text"] or "sua den" in x["text"]
                                            for x in msgs[n_before:]),
               "the answer SMS shows in the thread too", msgs[n_before:])
        ok(all(isinstance(x["ts"], int) and x["ts"] > 0 for x in msgs),
           "each message carries its time", msgs)

        plain = Dvcbot(redis.port).start()
        st, _, _ = plain.request("GET", "/sms/demo?to=" + PHONE)
        ok(st == 404, "without --demo-sms there is no /sms/demo", st)
        ok(plain.stop() == 0, "that one stops cleanly")
        ok(bot.stop() == 0, "SIGTERM: clean exit")
    finally:
        if smsc:
            smsc.terminate()
            smsc.wait(5)
        if bot.proc and bot.proc.poll() is None:
            bot.stop()
        kannel.stop()
        redis.close()
    done()


if __name__ == "__main__":
    main()
