#!/usr/bin/env python3
"""demo-smsc.py -- the phone network of `make run`: a client of Kannel's fake
SMSC (bearerbox's smsc = fake) that receives every outbound SMS dvcbot sends
through Kannel (notifications, complaint answers, long replies reassembled)
and shows it: one line on the terminal ("SMS -> 8490***4567: text", the
number masked as in dvcbot's log) and one JSON object per line appended to
OUT (default run/sms-out.jsonl: {"ts", "from", "to", "text", "parts"}). With
DVCBOT_URL, each SMS is also posted to DVCBOT_URL/sms/demo (with the channel
secret of $DVCBOT_CHANNELS_SECRET), where the simulator's SMS thread reads it
(`dvcbot serve --demo-sms`, bot/http/ep_sms_demo.c).

Usage: demo-smsc.py SMSC_PORT [OUT [DVCBOT_URL]]. Runs until killed; reconnects
when bearerbox restarts. The line protocol is the one of tests/integration/kannel.py."""
import json
import os
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "tests", "integration"))
from kannel import FakeSMSC  # noqa: E402


def mask(number):
    return number[:4] + "***" + number[-4:] if len(number) >= 10 else number


def post(url, sender, to, text):
    """Hand one SMS to dvcbot's /sms/demo; a failure is said, not fatal."""
    q = urllib.parse.urlencode({"to": to, "from": sender, "text": text,
                                "ts": str(int(time.time() * 1000))})
    req = urllib.request.Request(f"{url}/sms/demo?{q}", method="POST", data=b"",
                                 headers={"X-Dvcbot-Secret":
                                          os.environ.get("DVCBOT_CHANNELS_SECRET", "")})
    try:
        urllib.request.urlopen(req, timeout=5).close()
    except OSError as e:
        print(f"demo-smsc: could not show it in the simulator: {e}", file=sys.stderr, flush=True)


def main():
    port = int(sys.argv[1])
    out = sys.argv[2] if len(sys.argv) > 2 else "run/sms-out.jsonl"
    url = sys.argv[3] if len(sys.argv) > 3 else ""
    while True:
        smsc = FakeSMSC(port)
        try:
            smsc.connect(timeout=3600)
        except OSError:
            continue
        while smsc.thread.is_alive():
            for sender, to, text, parts in smsc.take(count=1, timeout=0.5):
                print(f"SMS -> {mask(to)}: {text}", flush=True)
                with open(out, "a", encoding="utf-8") as f:
                    f.write(json.dumps({"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                        "from": sender, "to": to, "text": text, "parts": parts},
                                       ensure_ascii=False) + "\n")
                if url:
                    post(url, sender, to, text)
        smsc.close()
        time.sleep(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
