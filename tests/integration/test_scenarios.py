"""test_scenarios.py -- multi-turn conversations written the way citizens
behave (tests/scenarios/*.txt, format in tests/scenarios/README.md), replayed
against the real server (ASan build, private redis-server, the sample dossiers
of config/sample-dossiers.json loaded through the agency API) over REST
(POST /api/v1/chat), WebSocket (/ws/chat), SMS (GET /sms/kannel as Kannel's
smsbox calls it) and USSD (POST /ussd, Africa's Talking form).

Every turn's checks are one TAP line. A scenario marked "xfail: <reason>"
documents a failure not fixed yet: its failing turns print
"ok N - ... # TODO xfail: <reason>" and are counted in the closing summary
("xfail: K scenarios still fail"); a marked scenario that passes whole is
reported as "XPASS" (not ok), so the mark is removed once it is fixed."""
import glob
import json
import os
import sys
import unicodedata
import urllib.parse

import harness
from harness import Dvcbot, ROOT, Redis, done, keys_cli, ok, sanitizer_clean
from wsclient import WS, frames

SCEN_DIR = os.path.join(ROOT, "tests", "scenarios")
CHANNELS = ("chat", "ws", "sms", "ussd")


def fold(s):
    """Lower case without diacritics (đ -> d): SMS and USSD replies are folded
    to GSM-7, so one expectation serves every channel."""
    s = s.lower().replace("đ", "d")
    s = unicodedata.normalize("NFD", s)
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


class Turn:
    def __init__(self, line, text, payload):
        self.line, self.text, self.payload = line, text, payload
        self.has, self.not_, self.any, self.intent, self.buttons = [], [], [], None, []
        self.expire = False


class Scenario:
    def __init__(self, path, line, name):
        self.path, self.line, self.name = path, line, name
        self.channel, self.user, self.xfail, self.turns = "chat", None, None, []
        self.channels = ["chat"]

    def on(self, channel):
        """The same conversation on another channel."""
        c = Scenario(self.path, self.line, self.name)
        c.channel, c.channels, c.user, c.xfail, c.turns = (channel, [channel], self.user,
                                                           self.xfail, self.turns)
        return c


def parse(path):
    """One file -> its scenarios. Raises ValueError with file:line on a bad line."""
    out, cur = [], None
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            where = f"{os.path.basename(path)}:{no}"
            key, _, val = s.partition(":")
            key, val = key.strip(), val.strip()
            if key == "scenario":
                cur = Scenario(path, no, val)
                out.append(cur)
                continue
            if cur is None:
                raise ValueError(f"{where}: a line before the first 'scenario:'")
            if s.startswith(">"):
                body = s[1:].strip()
                if body.startswith("[") and "]" in body:
                    cur.turns.append(Turn(where, None, body[1:body.index("]")].strip()))
                else:
                    cur.turns.append(Turn(where, body, None))
            elif s == "~ session expires":
                t = Turn(where, None, None)
                t.expire = True
                cur.turns.append(t)
            elif key in ("channel", "user", "xfail") and not cur.turns:
                chans = [c.strip() for c in val.split(",")] if key == "channel" else []
                if key == "channel" and (not chans or any(c not in CHANNELS for c in chans)):
                    raise ValueError(f"{where}: channel must be one or more of {CHANNELS}")
                if key == "channel":
                    cur.channels = chans
                    val = chans[0]
                setattr(cur, key, val)
            elif key in ("has", "not", "any", "intent", "button") and cur.turns:
                t = cur.turns[-1]
                if key == "has":
                    t.has.append(val)
                elif key == "not":
                    t.not_.append(val)
                elif key == "any":
                    t.any.append([v.strip() for v in val.split("|")])
                elif key == "button":
                    t.buttons.append(val)
                else:
                    t.intent = val
            else:
                raise ValueError(f"{where}: cannot read {s!r}")
    multi = []
    for sc in out:
        for ch in sc.channels:
            if ch in ("sms", "ussd") and any(t.payload for t in sc.turns):
                raise ValueError(f"{os.path.basename(path)}:{sc.line}: a tapped payload on {ch}")
            multi.append(sc if ch == sc.channel else sc.on(ch))
    return multi


class Runner:
    def __init__(self, bot, redis):
        self.bot, self.redis, self.seq = bot, redis, 0

    def reset(self, sc):
        """A fresh conversation: the scenario's own user (or phone) and no
        state left from an earlier scenario of the same number."""
        self.seq += 1
        if sc.channel in ("sms", "ussd"):
            user = sc.user or f"0999{self.seq:06d}"
        else:
            user = sc.user or f"scen-{self.seq}"
        for pat in (f"dvcbot:sess*:*{user[-9:]}*", f"dvcbot:rl-miss:*{user[-9:]}*"):
            for k in self.redis.cli("--scan", "--pattern", pat).split():
                self.redis.cli("DEL", k)
        return user

    def expire(self, sc, user):
        for k in self.redis.cli("--scan", "--pattern", f"dvcbot:sess*:*{user[-9:]}*").split():
            self.redis.cli("DEL", k)
        if sc.channel == "ussd":
            self.ussd_path = []
            self.ussd_id += "x"

    def start(self, sc, user):
        self.ws = None
        if sc.channel == "ws":
            self.ws = WS(self.bot.port)
            self.ws.send_json({"type": "hello", "user": user})
            frames(self.ws, 1)
        self.ussd_id, self.ussd_path = f"scen-{self.seq}", []

    def stop(self):
        if self.ws:
            self.ws.close()

    def send(self, sc, user, t):
        """One turn -> (reply text with button titles, intent or None, payloads)."""
        if sc.channel == "chat":
            body = {"user": user}
            body.update({"payload": t.payload} if t.payload else {"text": t.text})
            st, _, raw = self.bot.request("POST", "/api/v1/chat", body)
            r = json.loads(raw) if st == 200 else {}
            return self.chat_reply(r, st)
        if sc.channel == "ws":
            self.ws.send_json({"type": "postback", "payload": t.payload} if t.payload
                              else {"type": "message", "text": t.text})
            # one frame per reply part, sent together: the first, then any that follow
            f = frames(self.ws, 1, timeout=5)
            while f and f[-1].get("type") == "reply":
                more = frames(self.ws, 1, timeout=0.15)
                if not more:
                    break
                f += more
            parts = [x for x in f if x.get("type") == "reply"]
            r = {"intent": parts[0].get("intent"), "replies": parts} if parts else {}
            return self.chat_reply(r, 200)
        if sc.channel == "sms":
            q = urllib.parse.urlencode({"from": user, "to": "1900", "text": t.text or "",
                                        "id": f"scen-{self.seq}-{t.line}"})
            st, _, raw = self.bot.request("GET", "/sms/kannel?" + q)
            return raw.decode("utf-8", "replace") if st == 200 else f"HTTP {st}", None, []
        self.ussd_path.append(t.text or "")
        form = urllib.parse.urlencode({"sessionId": self.ussd_id, "serviceCode": "*384#",
                                       "phoneNumber": user, "networkCode": "45204",
                                       "text": "*".join(self.ussd_path)})
        st, _, raw = self.bot.request("POST", "/ussd", form,
                                      {"Content-Type": "application/x-www-form-urlencoded"})
        return raw.decode("utf-8", "replace") if st == 200 else f"HTTP {st}", None, []

    @staticmethod
    def chat_reply(r, st):
        if st != 200:
            return f"HTTP {st}", None, []
        parts = r.get("replies", [])
        text = "\n".join([p.get("text", "") for p in parts] +
                         [b.get("title", "") for p in parts for b in p.get("buttons", [])])
        return text, r.get("intent"), [b.get("payload", "") for p in parts
                                       for b in p.get("buttons", [])]

    def ussd_open(self, user):
        """USSD scenarios start with the dial itself (empty text)."""
        form = urllib.parse.urlencode({"sessionId": self.ussd_id, "serviceCode": "*384#",
                                       "phoneNumber": user, "networkCode": "45204", "text": ""})
        self.bot.request("POST", "/ussd", form,
                         {"Content-Type": "application/x-www-form-urlencoded"})


def check(t, text, intent, pl):
    """Problems of one turn's reply (an empty list when it is as expected)."""
    f, bad = fold(text), []
    for h in t.has:
        if fold(h) not in f:
            bad.append(f"missing {h!r}")
    for n in t.not_:
        if fold(n) in f:
            bad.append(f"must not say {n!r}")
    for alts in t.any:
        if not any(fold(a) in f for a in alts):
            bad.append(f"none of {alts!r}")
    if t.intent and intent is not None and intent != t.intent:
        bad.append(f"intent {intent!r}, expected {t.intent!r}")
    for b in t.buttons:
        if not any(p == b or p.startswith(b + ":") for p in pl):
            bad.append(f"no button {b!r} (have {pl!r})")
    return bad


def run(runner, sc, summary):
    user = runner.reset(sc)
    runner.start(sc, user)
    if sc.channel == "ussd":
        runner.ussd_open(user)
    failed, label = 0, f"{os.path.basename(sc.path)}:{sc.line} [{sc.channel}] {sc.name}"
    try:
        for i, t in enumerate(sc.turns, 1):
            if t.expire:
                runner.expire(sc, user)
                continue
            text, intent, pl = runner.send(sc, user, t)
            bad = check(t, text, intent, pl)
            said = t.text if t.payload is None else "[" + t.payload + "]"
            name = f"{label} / turn {i} {said!r}"
            if bad and sc.xfail:
                failed += 1
                xfail_line(name, sc.xfail, "; ".join(bad))
            else:
                ok(not bad, name, "; ".join(bad) + "\nreply: " + text[:600])
                failed += bool(bad)
    finally:
        runner.stop()
    if sc.xfail and failed:
        summary["xfail"].append(label)
    elif sc.xfail:
        ok(False, f"{label}: XPASS, remove its xfail mark ({sc.xfail})")
        summary["failed"].append(label + " (XPASS)")
    elif failed:
        summary["failed"].append(label)
    else:
        summary["passed"] += 1


def xfail_line(name, reason, detail):
    """An expected failure: a TAP "ok ... # TODO" line (counted as passed by
    run-all.sh) with what went wrong, so it stays visible in the log."""
    num = harness._n["pass"] + harness._n["fail"] + 1
    harness._n["pass"] += 1
    print(f"ok {num} - {name} # TODO xfail: {reason}", flush=True)
    print("#   " + detail, flush=True)


def seed(bot, redis):
    """The sample dossiers, through the agency API as an agency would send them."""
    with open(os.path.join(ROOT, "config", "sample-dossiers.json"), encoding="utf-8") as f:
        data = json.load(f)
    keys = {}
    good = True
    for d in data["dossiers"]:
        agency = d["code"].split("-")[0]
        if agency not in keys:
            keys[agency] = keys_cli(redis, "create", "--agency", agency)
        body = {k: v for k, v in d.items() if k != "code"}
        st, _, _ = bot.request("PUT", "/api/v1/dossiers/" + d["code"], body,
                               {"Authorization": "Bearer " + keys[agency]})
        good = good and st in (200, 201)
    ok(good, "sample dossiers loaded through the agency API")


def main():
    files = sorted(glob.glob(os.path.join(SCEN_DIR, "*.txt")))
    only = sys.argv[1:]   # optional: file names or words of scenario names
    scenarios = []
    for p in files:
        scenarios += parse(p)
    if only:
        scenarios = [s for s in scenarios
                     if any(o in os.path.basename(s.path) or o.lower() in s.name.lower()
                            for o in only)]
    redis = Redis().start()
    bot = Dvcbot(redis.port).start()
    summary = {"passed": 0, "failed": [], "xfail": []}
    try:
        seed(bot, redis)
        runner = Runner(bot, redis)
        for sc in scenarios:
            run(runner, sc, summary)
    finally:
        code = bot.stop()
        err = bot.stderr()
        redis.close()
    ok(code == 0 and sanitizer_clean(err), "clean stop, no sanitizer report", err[-2000:])
    by_ch = {}
    for s in scenarios:
        by_ch[s.channel] = by_ch.get(s.channel, 0) + 1
    print(f"# scenarios: {len(scenarios)} ({', '.join(f'{k} {v}' for k, v in sorted(by_ch.items()))});"
          f" {summary['passed']} pass, {len(summary['failed'])} fail,"
          f" {len(summary['xfail'])} expected to fail (xfail)", flush=True)
    for label in summary["xfail"]:
        print(f"# xfail (still fails): {label}", flush=True)
    for label in summary["failed"]:
        print(f"# FAILED: {label}", flush=True)
    done()


if __name__ == "__main__":
    main()
