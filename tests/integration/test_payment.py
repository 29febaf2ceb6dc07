"""test_payment.py -- a dossier's fee and its payment (SPEC.md "fee",
POST /api/v1/dossiers/{code}/payment), against a real redis-server and the
ASan+UBSan build: the fee validated and stored with the dossier (integers in
VND), the payment idempotent on transaction_id, scoped to the key's agency,
recorded with amount and time, moving the dossier only when the agency says,
and the applicant notified exactly once either way."""
import json
import os
import urllib.parse
import shutil
import subprocess
import tempfile
import threading

from harness import Dvcbot, Redis, done, keys_run, ok, payloads, sanitizer_clean, sms, text_of

AGENCY = "000.00.12.H18"
CODE = AGENCY + "-240601-0001"          # payment leaves the status as it is
MOVE = AGENCY + "-240601-0002"          # payment moves it to processing
DUE = AGENCY + "-240601-0003"           # never paid: what the citizen sees
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
           "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
PHONE = "84912345678"
FEE = {"amount_vnd": 50000, "description": "Lệ phí cấp bản sao trích lục hộ tịch",
       "account": {"bank_bin": "970415", "number": "113366668888",
                   "name": "VAN PHONG UBND PHUONG 1"},
       "reference": "H18-240601-0001", "due_at": "2099-06-10"}
DOSSIER = {"procedure_code": "1.001193", "status": "payment_required",
           "received_at": "2024-06-01", "applicant_phone": "0912345678", "fee": FEE}
PAY = {"transaction_id": "FT24153000123", "paid_at": "2024-06-02T09:15:00+07:00",
       "amount_vnd": 50000}


def key(redis, agency):
    rc, out, err = keys_run(redis, "create", "--agency", agency)
    return out.strip()


def outbox(redis, code):
    """The payment notifications queued for code (not its status notices)."""
    msgs = []
    for k in redis.cli("--scan", "--pattern", "dvcbot:outbox:msg:*").split():
        h = redis.cli("HGETALL", k).split("\n")
        d = dict(zip(h[0::2], h[1::2]))
        if d.get("ref") == code and ":payment:" in d.get("dedupe", ""):
            msgs.append(d)
    return msgs


def fee_stored(bot, ka):
    st, r = bot.api("PUT", "/api/v1/dossiers/" + CODE, DOSSIER, ka)
    ok(st == 201 and r.get("fee", {}).get("amount_vnd") == 50000 and
       isinstance(r["fee"]["amount_vnd"], int), "PUT with a fee: 201, amount an integer", r)
    ok(r["fee"]["account"] == FEE["account"] and r["fee"]["reference"] == FEE["reference"] and
       r["fee"]["description"] == FEE["description"] and r["fee"]["due_at"] == "2099-06-10",
       "the fee is stored as sent (account, reference, description, due date)", r)
    st, r = bot.api("GET", "/api/v1/dossiers/" + CODE, key=ka)
    ok(st == 200 and r.get("fee", {}).get("amount_vnd") == 50000 and r.get("last_payment") is None,
       "GET reads the fee back, no payment yet", r)
    st, r = bot.api("PUT", "/api/v1/dossiers/" + CODE, DOSSIER, ka)
    ok(st == 200 and r.get("result") == "unchanged", "the same PUT again: unchanged", r)
    st, r = bot.api("PUT", "/api/v1/dossiers/" + MOVE, dict(DOSSIER, fee=dict(
        FEE, amount_vnd=120000, reference="H18-240601-0002")), ka)
    ok(st == 201, "second dossier with a fee", r)


def bad_fees(bot, ka):
    cases = [
        ("invalid_fee", "not an object", "50000"),
        ("invalid_fee", "no account", {k: v for k, v in FEE.items() if k != "account"}),
        ("invalid_fee", "a bad due date", dict(FEE, due_at="10/06/2099")),
        ("invalid_fee_amount", "zero", dict(FEE, amount_vnd=0)),
        ("invalid_fee_amount", "negative", dict(FEE, amount_vnd=-5)),
        ("invalid_fee_amount", "a float", dict(FEE, amount_vnd=50000.5)),
        ("invalid_fee_amount", "a string", dict(FEE, amount_vnd="50000")),
        ("fee_too_large", "over the cap", dict(FEE, amount_vnd=50000001)),
        ("invalid_fee_account", "a 5-digit BIN", dict(FEE, account=dict(FEE["account"],
                                                                         bank_bin="97041"))),
        ("invalid_fee_account", "a dash in the account",
         dict(FEE, account=dict(FEE["account"], number="1133-6666"))),
        ("invalid_fee_account", "a 20-digit account",
         dict(FEE, account=dict(FEE["account"], number="1" * 20))),
        ("invalid_fee_reference", "an accented reference", dict(FEE, reference="Lệ phí")),
        ("invalid_fee_reference", "a 26-char reference", dict(FEE, reference="A" * 26)),
    ]
    for err, what, fee in cases:
        st, r = bot.api("PUT", "/api/v1/dossiers/" + AGENCY + "-240601-0099",
                        dict(DOSSIER, fee=fee), ka)
        ok(st == 400 and r.get("error") == err and r.get("message"),
           f"fee refused ({what}): 400 {err}", r)
    st, r = bot.api("GET", "/api/v1/dossiers/" + AGENCY + "-240601-0099", key=ka)
    ok(st == 404, "no refused fee created a dossier", r)


def bad_payments(bot, ka, kb):
    path = "/api/v1/dossiers/" + CODE + "/payment"
    st, r = bot.api("POST", path, PAY, kb)
    ok(st == 403 and r.get("error") == "forbidden", "another agency's key: 403", r)
    st, r = bot.api("POST", path, PAY)
    ok(st == 401, "no key: 401", r)
    st, r = bot.api("POST", "/api/v1/dossiers/" + AGENCY + "-240601-0777/payment", PAY, ka)
    ok(st == 404 and r.get("error") == "dossier_not_found", "unknown dossier: 404", r)
    cases = [
        ("missing_payment_field", {"paid_at": PAY["paid_at"], "amount_vnd": 1}),
        ("invalid_transaction_id", dict(PAY, transaction_id="a b")),
        ("invalid_transaction_id", dict(PAY, transaction_id="x" * 65)),
        ("invalid_date", dict(PAY, paid_at="hôm qua")),
        ("invalid_amount", dict(PAY, amount_vnd=1.5)),
        ("invalid_amount", dict(PAY, amount_vnd=0)),
        ("amount_too_large", dict(PAY, amount_vnd=10 ** 12)),
        ("invalid_status", dict(PAY, status="paid")),
        ("invalid_json", None),
    ]
    for err, body in cases:
        st, r = bot.api("POST", path, body if body is not None else "{", ka)
        ok(st == 400 and r.get("error") == err, f"bad payment body: 400 {err}", r)
    st, r = bot.api("GET", path, key=ka)
    ok(st == 405 and r.get("error") == "method_not_allowed", "GET .../payment: 405", r)
    st, r = bot.api("POST", "/api/v1/dossiers/" + CODE, PAY, ka)
    ok(st == 405, "POST on the dossier itself: 405", r)
    ok(outbox(bot_redis[0], CODE) == [], "no refused payment notified anyone")


def pay_same_status(bot, redis, ka):
    path = "/api/v1/dossiers/" + CODE + "/payment"
    st, r = bot.api("POST", path, PAY, ka)
    ok(st == 201 and r.get("result") == "recorded", "payment: 201 recorded", r)
    p, d = r.get("payment", {}), r.get("dossier", {})
    ok(p.get("transaction_id") == PAY["transaction_id"] and p.get("amount_vnd") == 50000 and
       p.get("paid_at") == PAY["paid_at"] and p.get("recorded_at"),
       "the payment is recorded with amount, time and recording time", r)
    ok(d.get("status") == "payment_required" and d["fee"].get("paid_vnd") == 50000 and
       d.get("last_payment", {}).get("transaction_id") == PAY["transaction_id"],
       "no status given: the status stays, the fee shows it paid", d)
    msgs = outbox(redis, CODE)
    ok(len(msgs) == 1 and msgs[0]["to"] == PHONE and "50.000" in msgs[0]["text"] and
       all(ord(c) < 128 for c in msgs[0]["text"]),
       "one SMS to the applicant, unaccented, with the amount", msgs)
    results = []
    threads = [threading.Thread(target=lambda: results.append(bot.api("POST", path, PAY, ka)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok(sorted(st for st, _ in results) == [200] * 8 and
       all(r.get("result") == "duplicate" for _, r in results),
       "8 concurrent replays: 200 duplicate each", [r.get("result") for _, r in results])
    st, r = bot.api("GET", "/api/v1/dossiers/" + CODE, key=ka)
    ok(r["fee"].get("paid_vnd") == 50000, "replays add nothing to what was paid", r.get("fee"))
    ok(len(outbox(redis, CODE)) == 1, "replays notify nobody again")
    st, r = bot.api("POST", path, dict(PAY, amount_vnd=60000), ka)
    ok(st == 409 and r.get("error") == "payment_conflict",
       "same transaction_id, another amount: 409", r)
    st, r = bot.api("PUT", "/api/v1/dossiers/" + CODE, DOSSIER, ka)
    ok(st == 200 and r.get("result") == "unchanged" and r["fee"].get("paid_vnd") == 50000,
       "re-sending the same fee keeps it paid", r)


def pay_moves(bot, redis, ka):
    path = "/api/v1/dossiers/" + MOVE + "/payment"
    body = dict(PAY, transaction_id="FT24153000999", amount_vnd=120000, status="processing",
                note="Đã nhận phí")
    before = len(outbox(redis, MOVE))
    st, r = bot.api("POST", path, body, ka)
    d = r.get("dossier", {})
    ok(st == 201 and d.get("status") == "processing" and
       d["history"][-1] == {"status": "processing", "at": d["history"][-1]["at"],
                            "note": "Đã nhận phí"},
       "a payment with status: the dossier moves, with the agency's note in its history", r)
    st, r = bot.api("POST", path, body, ka)
    ok(st == 200 and r.get("result") == "duplicate", "replayed: duplicate", r)
    msgs = outbox(redis, MOVE)[before:]
    ok(len(msgs) == 1 and "120.000" in msgs[0]["text"],
       "one SMS for payment and status change together, replay included", msgs)
    stats = redis.cli("HGET", "dvcbot:stats:dossiers", AGENCY + ":processing")
    ok(stats == "1", "the by-status counters follow the move", stats)


def crc16(data):
    """CRC-16/CCITT-FALSE, written here independently of channels/vietqr.c."""
    crc = 0xFFFF
    for byte in data.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def expected_payload(bin_, account, amount, purpose):
    """The VietQR payload of SPEC.md's fee, built field by field in Python."""
    def f(tag, v):
        return "%s%02d%s" % (tag, len(v), v)
    bene = f("00", bin_) + f("01", account)
    s = (f("00", "01") + f("01", "12") +
         f("38", f("00", "A000000727") + f("01", bene) + f("02", "QRIBFTTA")) +
         f("53", "704") + f("54", str(amount)) + f("58", "VN") + f("62", f("08", purpose)) +
         "6304")
    return s + "%04X" % crc16(s)


def decode_svg(svg):
    """Draw the SVG in headless Chromium and read it back with zbarimg (Debian
    zbar-tools): the payload a banking app's camera would see, or None when
    either tool is missing."""
    if not shutil.which("chromium") or not shutil.which("zbarimg"):
        return None
    d = tempfile.mkdtemp(prefix="dvc-qr-")
    src, png = os.path.join(d, "qr.svg"), os.path.join(d, "qr.png")
    with open(src, "w") as fh:
        fh.write(svg)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--screenshot=" + png, "--window-size=320,320", "file://" + src],
                   capture_output=True, timeout=60)
    out = subprocess.run(["zbarimg", "--raw", "-q", png], capture_output=True, text=True,
                         timeout=30).stdout.strip()
    shutil.rmtree(d, ignore_errors=True)
    return out


def qr_of(r):
    return [p["qr_svg"] for p in r.get("replies", []) if p.get("qr_svg")]


def citizen(bot, ka):
    st, r = bot.api("PUT", "/api/v1/dossiers/" + DUE, dict(DOSSIER, fee=dict(
        FEE, reference="H18-240601-0003")), ka)
    ok(st == 201, "a third dossier with a fee due", r)
    # SMS from the applicant's number: the details, within 2 GSM-7 segments
    st, text = sms(bot, "DONGPHI " + DUE, PHONE)
    ok(st == 200 and "50.000" in text and "113366668888" in text and "H18-240601-0003" in text
       and "VietinBank" in text, "DONGPHI from the applicant: amount, bank, account, reference",
       text)
    print("# SMS to the applicant: " + text)
    ok(all(c in GSM7 for c in text) and len(text) <= 306,
       f"the SMS is GSM-7 and fits 2 segments ({len(text)} chars)", text)
    st, text = sms(bot, "DONGPHI " + DUE, "84987000111")
    ok(st == 200 and "113366668888" not in text and "50.000" not in text and DUE in text,
       "DONGPHI from another number: a fee is due, no amount or account", text)
    st, text = sms(bot, "TRACUU " + DUE, PHONE)
    ok("50.000" in text and "H18-240601-0003" in text,
       "the applicant's status lookup names the amount and the reference", text)
    # web chat: the details only after the proof (last 4 digits)
    st, r = bot.chat("web-pay-1", "Tôi muốn nộp phí hồ sơ " + DUE)
    t = text_of(r)
    ok(st == 200 and r.get("intent") == "payment" and "113366668888" not in t and
       "50.000" not in t and "4 số cuối" in t and not qr_of(r),
       "web chat: the proof is asked first, no QR", r)
    st, r = bot.chat("web-pay-1", "0000")
    t = text_of(r)
    ok("113366668888" not in t and "chưa đúng" in t, "a wrong proof shows nothing", r)
    st, r = bot.chat("web-pay-1", "5678")
    t = text_of(r)
    print("# web chat after the proof: " + t.replace("\n", " | "))
    ok("50.000" in t and "113366668888" in t and "VAN PHONG UBND PHUONG 1" in t and
       "H18-240601-0003" in t, "the right proof: amount, account, name, reference", r)
    qrs = qr_of(r)
    ok(len(qrs) == 1 and qrs[0].startswith("<svg") and "<script" not in qrs[0],
       "the right proof: one QR image (SVG) in the reply", [q[:80] for q in qrs])
    want = expected_payload("970415", "113366668888", 50000, "H18-240601-0003")
    got = decode_svg(qrs[0]) if qrs else ""
    if got is None:
        print("ok - # SKIP chromium or zbarimg missing: the QR image is not decoded", flush=True)
    else:
        print("# zbarimg read: " + got)
        ok(got == want, "zbarimg reads the QR drawn by Chromium as the expected VietQR payload",
           f"got {got!r} want {want!r}")
    st, r = bot.chat("web-pay-1", "thanh toán lệ phí hồ sơ " + DUE)
    ok("113366668888" in text_of(r), "a proved dossier stays proved in the session", r)
    st, r = bot.chat("web-pay-2", "Tôi muốn nộp phí hồ sơ " + DUE)
    said = []
    for d in ("1111", "2222", "3333", "5678"):
        st, r = bot.chat("web-pay-2", d)
        said.append(text_of(r))
    ok("còn 2 lần" in said[0] and "còn 1 lần" in said[1] and "24 giờ" in said[2],
       "each wrong proof says how many tries are left, the last one that it is locked", said)
    ok("113366668888" not in text_of(r) and not qr_of(r),
       "after 3 wrong proofs even the right one is refused", r)
    proof_limits(bot)
    # a paid dossier: says so, nothing to pay
    st, text = sms(bot, "DONGPHI " + CODE, PHONE)
    ok("50.000" in text and "113366668888" not in text and ("da ghi nhan" in text.lower()),
       "a paid dossier: the payment is named, no account to pay into", text)
    st, r = bot.chat("web-pay-3", "tra cứu hồ sơ " + CODE)
    ok(not any(p.startswith("payment:") for p in payloads(r)) and not qr_of(r),
       "a paid dossier's status offers no payment button and no QR", payloads(r))
    st, r = bot.chat("web-pay-3", "DONGPHI " + CODE)
    ok("50.000" in text_of(r) and not qr_of(r) and "113366668888" not in text_of(r),
       "a paid dossier on web chat: paid, no QR", r)
    st, r = bot.chat("web-pay-3", "tra cứu hồ sơ " + DUE)
    ok(("payment:" + DUE) in payloads(r) and "113366668888" not in text_of(r),
       "an unpaid dossier's status: a payment button, no account before the proof", r)


def proof_limits(bot):
    """The wrong proofs are counted in Redis (TTL) per identity and per dossier, across
    sessions: web-pay-1 made 1 wrong try and web-pay-2 3 (its own limit) on DUE."""
    redis = bot_redis[0]
    redis.cli("DEL", "dvcbot:sess:chat:web-pay-2")       # a new session, the same citizen
    st, r = bot.chat("web-pay-2", "Tôi muốn nộp phí hồ sơ " + DUE)
    st, r = bot.chat("web-pay-2", "5678")
    ok("113366668888" not in text_of(r) and "24 giờ" in text_of(r),
       "a new session of the same citizen is still refused (counted per identity)", r)
    ttl = int(redis.cli("TTL", "dvcbot:rl-proof:id:chat:web-pay-2"))
    ok(0 < ttl <= 86400, "the identity's counter expires (TTL)", ttl)
    st, r = bot.chat("web-pay-4", "Tôi muốn nộp phí hồ sơ " + DUE)
    st, r = bot.chat("web-pay-4", "9999")
    ok("24 giờ" in text_of(r), "the 5th wrong proof of one dossier locks it", r)
    ok(redis.cli("GET", "dvcbot:rl-proof:dossier:" + DUE) == "5" and
       0 < int(redis.cli("TTL", "dvcbot:rl-proof:dossier:" + DUE)) <= 86400,
       "the dossier's counter: 5 wrong tries, with a TTL",
       redis.cli("GET", "dvcbot:rl-proof:dossier:" + DUE))
    st, r = bot.chat("web-pay-5", "Tôi muốn nộp phí hồ sơ " + DUE)
    st, r = bot.chat("web-pay-5", "5678")
    ok("113366668888" not in text_of(r) and not qr_of(r) and "DONGPHI" in text_of(r),
       "then even a first, right proof by someone else shows nothing: SMS is named", r)
    st, text = sms(bot, "DONGPHI " + DUE, PHONE)
    ok("113366668888" in text, "the applicant's own number still gets the details by SMS", text)
    st, r = bot.chat("web-pay-6", "Tôi muốn nộp phí hồ sơ " + DUE)
    st, r = bot.chat("web-pay-6", "1234")
    ok("113366668888" not in text_of(r) and "24 giờ" in text_of(r),
       "a locked dossier takes no more guesses", r)


def procedure_fee(bot):
    """The payment intent for a procedure without a dossier: that procedure's fees."""
    st, r = bot.chat("web-fee-1", "nộp lệ phí làm hộ chiếu ở đâu")
    t = text_of(r)
    ok(r.get("intent") == "payment" and "200.000" in t and "1.003266" in t and "DONGPHI" in t,
       "a procedure's fee and how fees are paid", r)
    ok("procedure_info:1.003266" in payloads(r), "with a button for the whole procedure",
       payloads(r))
    st, r = bot.chat("web-fee-2", "thanh toán lệ phí")
    t = text_of(r)
    ok(r.get("intent") == "payment" and "mã hồ sơ" in t and "thủ tục" in t and
       not any(p.startswith("payment:") for p in payloads(r)),
       "no procedure named: the ways to pay, the code or the procedure is asked", r)
    st, text = sms(bot, "nop le phi cap doi cccd o dau", "84987000222")
    ok("50.000" in text and "1.012202" in text, "SMS: the fee of cấp đổi căn cước", text)
    st, r = bot.chat("web-fee-3", payload="payment:1.003266")
    ok("200.000" in text_of(r) and "Cấp hộ chiếu" in text_of(r),
       "a payment:<procedure> button gives that procedure's fee", r)


def ussd_screens(bot, inputs, phone=PHONE, session="pay-ussd-1"):
    """An Africa's Talking USSD session: every prefix of the path, the screens."""
    screens = []
    for i in range(len(inputs) + 1):
        form = urllib.parse.urlencode({"sessionId": session, "serviceCode": "*384#",
                                       "phoneNumber": phone, "networkCode": "45204",
                                       "text": "*".join(inputs[:i])})
        st, _, raw = bot.request("POST", "/ussd", form,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        screens.append(raw.decode("utf-8", "replace"))
    return screens


def ussd(bot):
    """USSD: my dossiers -> (next page until it shows) the unpaid one -> its status."""
    path = ["1", "1"]
    for _ in range(3):
        listing = ussd_screens(bot, path)[-1]
        item = [ln.split(".")[0] for ln in listing.split("\n") if DUE in ln]
        if item:
            path.append(item[0])
            break
        path.append("98")
    screens = ussd_screens(bot, path + ["98", "98"])
    status = "\n".join(screens[len(path):])
    print("# USSD status screens: " + status.replace("\n", " | "))
    ok(DUE in screens[len(path)] and "50.000" in status and "H18-240601-0003" in status,
       "USSD status of the applicant's unpaid dossier: amount and reference", screens)
    ok(all(len(x) <= 186 for x in screens), "every USSD screen within 182 characters + prefix",
       [len(x) for x in screens])


def sms_queued(redis, code, to):
    """The "send by SMS" messages queued for code to the number to."""
    msgs = []
    for k in redis.cli("--scan", "--pattern", "dvcbot:outbox:msg:*").split():
        h = redis.cli("HGETALL", k).split("\n")
        d = dict(zip(h[0::2], h[1::2]))
        if d.get("ref") == code and ":payment-sms:" in d.get("dedupe", "") and d.get("to") == to:
            msgs.append(d)
    return msgs


def ussd_pay_sms(bot):
    """USSD: Tra cuu ho so -> Nop phi ho so -> the dossier -> details, or send them by SMS."""
    redis = bot_redis[0]
    s = ussd_screens(bot, ["1", "3"], session="pay-ussd-2")
    item = [ln.split(".")[0] for ln in s[2].split("\n") if DUE in ln]
    ok(item and CODE not in s[2], "the list of the number's dossiers awaiting payment", s[2])
    if not item:
        return
    path = ["1", "3", item[0]]
    s = ussd_screens(bot, path + ["1"], session="pay-ussd-3")
    ok("Gui thong tin nop phi qua SMS" in s[3], "the dossier's menu offers the SMS", s[3])
    ok("50.000" in s[4] and "H18-240601-0003" in s[4] and "SMS" in s[4],
       "its details: amount and reference, and how to get them by SMS", s[4])
    s = ussd_screens(bot, path + ["2"], session="pay-ussd-4")
    ok(s[4].startswith("END ") and "SMS" in s[4], "sending by SMS ends the session, says so",
       s[4])
    q = sms_queued(redis, DUE, PHONE)
    ok(len(q) == 1 and "113366668888" in q[0].get("text", "") and
       "H18-240601-0003" in q[0].get("text", "") and q[0].get("kind") == "reply",
       "one SMS queued through the outbox to the applicant's own number, with the details", q)
    ok(len(q[0].get("text", "")) <= 306 and all(c in GSM7 for c in q[0].get("text", "")),
       "the queued SMS is GSM-7 within 2 segments", q)
    ussd_screens(bot, path + ["2"], session="pay-ussd-5")
    ok(len(sms_queued(redis, DUE, PHONE)) == 1, "asked again at once: still one SMS", "")
    s = ussd_screens(bot, ["1", "3"], phone="84987000333", session="pay-ussd-6")
    ok("khong co ho so nao dang cho nop phi" in s[2].lower(),
       "another number has nothing to pay: no dossier listed", s[2])
    ok(not sms_queued(redis, DUE, "84987000333"), "and nothing is sent to it", "")


bot_redis = [None]


def main():
    redis = Redis().start()
    bot_redis[0] = redis
    bot = None
    try:
        ka, kb = key(redis, AGENCY), key(redis, "H56.14")
        bot = Dvcbot(redis.port, env={"DVCBOT_DOMAIN_FEE_MAX_VND": "50000000"}).start()
        fee_stored(bot, ka)
        bad_fees(bot, ka)
        bad_payments(bot, ka, kb)
        pay_same_status(bot, redis, ka)
        pay_moves(bot, redis, ka)
        citizen(bot, ka)
        procedure_fee(bot)
        ussd(bot)
        ussd_pay_sms(bot)
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
