"""platforms.py -- a local stand-in for the Zalo OA and Telegram Bot APIs, for
test_zalo.py and test_telegram.py. It speaks the documented shapes (docs/zalo.md,
docs/telegram.md give the sources) and checks what dvcbot sends:

Zalo   POST /v3.0/oa/message/cs      header access_token; {"recipient":{"user_id"},
                                     "message":{"text", "attachment"?}} -> {"error":0,...}
                                     -216 for a stale token, -213 for a user who unfollowed
       POST /v4/oa/access_token      header secret_key, form refresh_token/app_id/grant_type;
                                     the refresh token is single-use (rotated on success)
       POST /message/template        ZNS: {"phone","template_id","template_data","tracking_id"}
Telegram POST /bot<token>/<method>   sendMessage / answerCallbackQuery, JSON; 401 for a
                                     wrong token, 403 for a chat that blocked the bot

Every request is recorded (with `problems`: where it broke the documented shape),
and `script[path]` holds answers to give instead of the normal one, in order.
Webhook helpers sign events exactly as the platforms do."""
import hashlib
import http.client
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Platforms:
    def __init__(self, app_id="2553928453557884079", bot_token="123456:TEST-token_abc"):
        self.lock = threading.Lock()
        self.app_id = app_id
        self.app_secret = "app-secret-" + secrets.token_hex(8)
        self.oa_secret = "oa-secret-" + secrets.token_hex(8)
        self.access = "acc-" + secrets.token_hex(8)
        self.refresh = "ref-" + secrets.token_hex(8)
        self.bot_token = bot_token
        self.tg_secret = "tg-" + secrets.token_hex(12)
        self.calls = []             # (path, headers, parsed body, problems)
        self.refreshes = 0
        self.refused_refreshes = 0
        self.script = {}            # path -> [(status, json), ...]
        self.zalo_blocked = set()   # user ids that unfollowed
        self.tg_blocked = set()     # chat ids that blocked the bot
        self.delay = 0.0            # seconds every API answer is held back
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- what dvcbot needs to talk to it -------------------------------------------
    def env(self, zalo=True, telegram=True):
        e = {}
        if zalo:
            e.update({"DVCBOT_ZALO_ENABLED": "true", "DVCBOT_ZALO_APP_ID": self.app_id,
                      "DVCBOT_ZALO_APP_SECRET": self.app_secret,
                      "DVCBOT_ZALO_OA_SECRET": self.oa_secret,
                      "DVCBOT_ZALO_ACCESS_TOKEN": self.access,
                      "DVCBOT_ZALO_REFRESH_TOKEN": self.refresh,
                      "DVCBOT_ZALO_API_URL": self.url, "DVCBOT_ZALO_OAUTH_URL": self.url,
                      "DVCBOT_ZALO_ZNS_URL": self.url,
                      "DVCBOT_ZALO_ZNS_TEMPLATE_ID": "tpl-dossier-1"})
        if telegram:
            e.update({"DVCBOT_TELEGRAM_ENABLED": "true",
                      "DVCBOT_TELEGRAM_BOT_TOKEN": self.bot_token,
                      "DVCBOT_TELEGRAM_SECRET_TOKEN": self.tg_secret,
                      "DVCBOT_TELEGRAM_API_URL": self.url})
        e.update({"DVCBOT_PUSH_POLL_MS": "30", "DVCBOT_PUSH_RETRY_BASE_MS": "100",
                  "DVCBOT_PUSH_QUOTA_RETRY_MS": "400"})
        return e

    # --- recorded calls -------------------------------------------------------------
    def sent(self, path_part, user=None):
        with self.lock:
            out = [c for c in self.calls if path_part in c[0]]
        if user is not None:
            out = [c for c in out if self._to(c[2]) == str(user)]
        return out

    @staticmethod
    def _to(body):
        if not isinstance(body, dict):
            return None
        r = body.get("recipient")
        if isinstance(r, dict):
            return r.get("user_id")
        if "chat_id" in body:
            return str(body["chat_id"])
        return body.get("phone")

    def problems(self):
        with self.lock:
            return [(c[0], c[3]) for c in self.calls if c[3]]

    def texts(self, path_part, user):
        out = []
        for _, _, b, _ in self.sent(path_part, user):
            m = b.get("message") if "message" in b else b
            if isinstance(m, dict) and isinstance(m.get("text"), str):
                out.append(m["text"])
        return out

    def buttons(self, path_part, user):
        """(title, payload) of every button sent to user: Zalo oa.query.hide payloads
        without the #dvc: prefix, Telegram callback_data without its P/T mark."""
        out = []
        for _, _, b, _ in self.sent(path_part, user):
            att = (b.get("message") or {}).get("attachment") if "message" in b else None
            if att:
                for bt in att.get("payload", {}).get("buttons", []):
                    out.append((bt["title"], bt["payload"][len("#dvc:"):]))
            for row in (b.get("reply_markup") or {}).get("inline_keyboard", []):
                for bt in row:
                    out.append((bt["text"], bt["callback_data"][1:]))
        return out

    def answer(self, path, status, body):
        with self.lock:
            self.script.setdefault(path, []).append((status, body))

    def expire_access(self):
        """The access token dies (as after 25 h): every OA call answers -216 until refreshed."""
        with self.lock:
            self.access = "dead-" + secrets.token_hex(4)

    # --- webhooks, signed as the platforms sign them ----------------------------------
    def zalo_sign(self, body, app_id=None, ts=None, secret=None):
        obj = json.loads(body)
        mac = hashlib.sha256((str(app_id or obj["app_id"]) + body + str(ts or obj["timestamp"]) +
                              (secret or self.oa_secret)).encode()).hexdigest()
        return "mac=" + mac

    def zalo_event(self, port, event, sign=True, signature=None, when_ms=None):
        ev = {"app_id": self.app_id, "user_id_by_app": "979122185046046317",
              "timestamp": str(when_ms or int(time.time() * 1000))}
        ev.update(event)
        body = json.dumps(ev, ensure_ascii=False)
        h = {"Content-Type": "application/json"}
        if signature is not None:
            h["X-ZEvent-Signature"] = signature
        elif sign:
            h["X-ZEvent-Signature"] = self.zalo_sign(body)
        return post(port, "/zalo/webhook", body.encode(), h)

    def zalo_text(self, port, user, text, msg_id=None, **kw):
        return self.zalo_event(port, {
            "event_name": "user_send_text", "sender": {"id": user},
            "recipient": {"id": "3662729599332560487"},
            "message": {"text": text, "msg_id": msg_id or secrets.token_hex(10)}}, **kw)

    def tg_update(self, port, update, secret=True):
        h = {"Content-Type": "application/json"}
        if secret is True:
            h["X-Telegram-Bot-Api-Secret-Token"] = self.tg_secret
        elif secret:
            h["X-Telegram-Bot-Api-Secret-Token"] = secret
        return post(port, "/telegram/webhook", json.dumps(update, ensure_ascii=False).encode(), h)

    # --- the HTTP side ------------------------------------------------------------------
    def _handler(self):
        plat = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                status, body = plat._serve(self.path, dict((k.lower(), v) for k, v in
                                                           self.headers.items()), raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        return H

    def _serve(self, path, headers, raw):
        if self.delay:
            time.sleep(self.delay)
        if path == "/v4/oa/access_token":
            return self._refresh(headers, raw)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        problems = []
        if path.startswith("/bot"):
            problems = tg_problems(path, body)
        elif path == "/v3.0/oa/message/cs":
            problems = zalo_cs_problems(body)
        elif path == "/message/template":
            problems = zns_problems(body)
        else:
            problems = ["unknown path"]
        with self.lock:
            self.calls.append((path, headers, body, problems))
            scripted = self.script.get(path)
            if scripted:
                return scripted.pop(0)
            if path.startswith("/bot"):
                return self._tg(path, body)
            if headers.get("access_token") != self.access:
                return 200, {"error": -216, "message": "Access token is invalid"}
            if problems:
                return 200, {"error": -201, "message": "message is invalid!"}
            if path == "/message/template":
                return 200, {"error": 0, "message": "Success",
                             "data": {"msg_id": secrets.token_hex(8),
                                      "sent_time": str(int(time.time() * 1000))}}
            if self._to(body) in self.zalo_blocked:
                return 200, {"error": -213, "message": "User has not followed OA"}
            return 200, {"error": 0, "message": "Success",
                         "data": {"message_id": secrets.token_hex(8), "user_id": self._to(body)}}

    def _tg(self, path, body):
        token, _, method = path[4:].partition("/")
        if token != self.bot_token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if method == "answerCallbackQuery":
            return 200, {"ok": True, "result": True}
        if str(body.get("chat_id")) in self.tg_blocked:
            return 403, {"ok": False, "error_code": 403,
                         "description": "Forbidden: bot was blocked by the user"}
        return 200, {"ok": True, "result": {"message_id": len(self.calls), "date": int(time.time()),
                                            "chat": {"id": body.get("chat_id"), "type": "private"},
                                            "text": body.get("text")}}

    def _refresh(self, headers, raw):
        form = dict(urllib.parse.parse_qsl(raw.decode()))
        with self.lock:
            self.calls.append(("/v4/oa/access_token", headers, form, []))
            if (headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id
                    or form.get("grant_type") != "refresh_token" or
                    form.get("refresh_token") != self.refresh):
                self.refused_refreshes += 1
                return 200, {"error": -14014, "error_name": "Invalid refresh token",
                             "error_description": "refresh token is invalid or used"}
            self.refreshes += 1
            self.access = "acc-" + secrets.token_hex(8)
            self.refresh = "ref-" + secrets.token_hex(8)   # the old one is spent
            return 200, {"access_token": self.access, "refresh_token": self.refresh,
                         "expires_in": "90000"}


def zalo_cs_problems(b):
    p = []
    if not isinstance(b, dict) or not isinstance(b.get("recipient"), dict) or \
            not isinstance(b["recipient"].get("user_id"), str):
        return ["recipient.user_id missing"]
    m = b.get("message")
    if not isinstance(m, dict):
        return ["message missing"]
    att = m.get("attachment")
    if att is None or "text" in m:
        if not isinstance(m.get("text"), str) or not m["text"] or len(m["text"]) > 2000:
            p.append("text missing, empty or over 2000 characters")
    if att is not None:
        pl = att.get("payload", {}) if att.get("type") == "template" else None
        if pl is None:
            p.append("attachment is not a template")
        elif pl.get("template_type") == "request_user_info":
            if not pl.get("elements") or not pl["elements"][0].get("title"):
                p.append("request_user_info without an element title")
        else:
            bts = pl.get("buttons", [])
            if not 1 <= len(bts) <= 5:
                p.append("1-5 buttons expected")
            for bt in bts:
                if bt.get("type") != "oa.query.hide" or not isinstance(bt.get("payload"), str) \
                        or not bt.get("title") or len(bt["title"]) > 100:
                    p.append("button not oa.query.hide with a title and payload")
    return p


def zns_problems(b):
    if not isinstance(b, dict):
        return ["not JSON"]
    p = []
    ph = b.get("phone", "")
    if not (isinstance(ph, str) and ph.startswith("84") and ph.isdigit()):
        p.append("phone not 84...")
    if not b.get("template_id") or not isinstance(b.get("template_data"), dict):
        p.append("template_id / template_data missing")
    if not b.get("tracking_id"):
        p.append("tracking_id missing")
    return p


def tg_problems(path, b):
    method = path.rpartition("/")[2]
    if not isinstance(b, dict):
        return ["not JSON"]
    if method == "answerCallbackQuery":
        return [] if isinstance(b.get("callback_query_id"), str) else ["callback_query_id"]
    if method != "sendMessage":
        return ["unexpected method " + method]
    p = []
    if not isinstance(b.get("chat_id"), (int, str)):
        p.append("chat_id")
    if not isinstance(b.get("text"), str) or not 1 <= len(b["text"]) <= 4096:
        p.append("text 1-4096 characters")
    rm = b.get("reply_markup")
    if rm is not None:
        for row in rm.get("inline_keyboard", []):
            for bt in row:
                if not bt.get("text") or not 1 <= len(bt.get("callback_data", "").encode()) <= 64:
                    p.append("inline button text / callback_data 1-64 bytes")
        for row in rm.get("keyboard", []):
            for bt in row:
                if not bt.get("text"):
                    p.append("keyboard button text")
    return p


def post(port, path, body, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        try:
            return r.status, json.loads(raw)
        except ValueError:
            return r.status, {"raw": raw}
    finally:
        conn.close()


def settled(redis, platform):
    """Nothing of platform left to handle or send: both streams empty (entries are
    deleted when acknowledged, after their last API call answered) and no retry waiting."""
    k = "dvcbot:push:" + platform
    return (redis.cli("XLEN", k + ":in") in ("0", "") and
            redis.cli("XLEN", k + ":out") in ("0", "") and
            redis.cli("ZCARD", k + ":out:later") in ("0", ""))


def wait_for(cond, timeout=8.0):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.03)
    return cond()
