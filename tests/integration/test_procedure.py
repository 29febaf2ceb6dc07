"""test_procedure.py -- procedure_info through POST /api/v1/chat against a real
redis-server and the ASan+UBSan build: answers to the aspect asked (documents,
fee, time, where, online, steps), follow-up buttons, last_procedure, ask-back
with 3 options, ended procedures, SMS-style "TT <code>"; and `dvcbot catalogue
import` (a generated 500-procedure file found after a restart, a 1,200 one
with a progress line picked up on SIGHUP, code clashes and broken files
refused with nothing installed), `dvcbot catalogue search`."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from harness import Dvcbot, ROOT, Redis, done, ok, sanitizer_clean, text_of

BIN = os.path.join(ROOT, "build/asan/dvcbot")




def buttons_of(r):
    return [b for p in r.get("replies", []) for b in p.get("buttons", [])]


def aspects(bot):
    st, r = bot.chat("p-doc", "Làm giấy khai sinh cho con cần giấy tờ gì?")
    t = text_of(r)
    ok(st == 200 and r.get("intent") == "procedure_info" and "1.001193" in t and
       "Tờ khai đăng ký khai sinh" in t and "Giấy chứng sinh" in t and "bản chính" in t,
       "documents of khai sinh, with original/copy counts", r)
    pays = [b["payload"] for b in buttons_of(r)]
    ok("procedure_info:1.001193:fee" in pays and "procedure_info:1.001193:time" in pays and
       "procedure_info:1.001193:documents" not in pays, "follow-up buttons for the other aspects", pays)
    st, r = bot.chat("p-doc", "còn lệ phí thì sao?")
    ok(st == 200 and "Lệ phí" in text_of(r) and "8.000 đồng" in text_of(r) and "1.001193" in text_of(r),
       "vague follow-up uses last_procedure (fee of khai sinh)", r)
    st, r = bot.chat("p-doc", payload="procedure_info:1.001193:time")
    ok(st == 200 and "Ngay trong ngày làm việc" in text_of(r), "time button answers the time", r)
    st, r = bot.chat("p-doc", payload="procedure_info:1.001193:steps")
    ok(st == 200 and "1. " in text_of(r) and "2. " in text_of(r), "steps button lists numbered steps", r)

    st, r = bot.chat("p-fee", "lệ phí cấp đổi bằng lái xe bao nhiêu")
    ok(st == 200 and "135.000 đồng" in text_of(r) and "115.000 đồng" in text_of(r),
       "fee of GPLX renewal (direct and online)", r)
    st, r = bot.chat("p-time", "đăng ký kết hôn mất bao lâu")
    ok(st == 200 and "1.000894" in text_of(r) and "05 ngày làm việc" in text_of(r),
       "time of marriage registration", r)
    st, r = bot.chat("p-where", "nộp hồ sơ hộ chiếu ở đâu")
    ok(st == 200 and "Phòng Quản lý xuất nhập cảnh" in text_of(r), "where to apply for a passport", r)
    st, r = bot.chat("p-online", "làm hộ chiếu online được không")
    ok(st == 200 and "mức độ 4" in text_of(r), "passport online level", r)
    st, r = bot.chat("p-steps", "các bước làm sổ đỏ lần đầu")
    ok(st == 200 and "1.012801" in text_of(r) and "1. Nộp hồ sơ" in text_of(r), "steps of first land certificate", r)
    st, r = bot.chat("p-nodiac", "gplx")
    pays = [b["payload"] for b in buttons_of(r)]
    ok(st == 200 and len(pays) == 3 and "procedure_info:1.002804:overview" in pays,
       "a bare 'gplx' is ambiguous (new, exchange, lost): the licence procedures are offered", r)
    st, r = bot.chat("p-nodiac", "doi gplx")
    ok(st == 200 and "1.002804" in text_of(r) and "Lệ phí" in text_of(r) and "mức độ" in text_of(r),
       "shorthand 'doi gplx' -> overview (documents count, fee, time, online level)", r)


def codes_and_misses(bot):
    st, r = bot.chat("p-tt", "TT 1.001193")
    ok(st == 200 and r.get("intent") == "procedure_info" and "Đăng ký khai sinh" in text_of(r) and
       "5 loại giấy tờ" in text_of(r), "TT 1.001193 -> khai sinh overview", r)
    st, r = bot.chat("p-tt2", "TT 9.999999")
    ok(st == 200 and "9.999999" in text_of(r) and not buttons_of(r), "unknown code said so", r)
    st, r = bot.chat("p-choose", "xin giấy phép")
    b = buttons_of(r)
    ok(st == 200 and len(b) == 3 and all(x["payload"].startswith("procedure_info:") for x in b),
       "vague query asks back with 3 options", r)
    if b:
        st, r2 = bot.chat("p-choose", payload=b[0]["payload"])
        code = b[0]["payload"].split(":")[1]
        ok(st == 200 and code in text_of(r2), "picking an option answers it", r2)
    st, r = bot.chat("p-none", "TT abcdefgh qwertyu")
    ok(st == 200 and "chưa tìm thấy" in text_of(r), "no match at all -> not found", r)
    st, r = bot.chat("p-ended", "TT 2.002180")
    ok(st == 200 and "đã kết thúc" in text_of(r), "COVID-19 2020 support: policy ended", r)
    st, r = bot.chat("p-ended2", "TT hỗ trợ tạm hoãn hợp đồng lao động")
    ok(st == 200 and "đã kết thúc" in text_of(r), "ended procedure found by words", r)
    st, r = bot.chat("p-menu", payload="procedure_info")
    ok(st == 200 and "thủ tục nào" in text_of(r), "menu button asks which procedure", r)
    st, r = bot.chat("p-menu", "tạm trú")
    ok(st == 200 and "1.004195" in text_of(r), "the answer to the question is searched", r)


def run(cmd, env):
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def gen(n, path, seed):
    subprocess.run(["python3", "scripts/gen-catalogue.py", str(n), path, "--seed", str(seed)],
                   cwd=ROOT, check=True, capture_output=True)
    with open(path) as f:
        return json.load(f)["procedures"]


def imports(redis, catdir, env, work):
    listing = lambda: sorted(os.listdir(catdir))
    procs = gen(500, os.path.join(work, "extra.json"), 3)
    r = run([BIN, "catalogue", "import", os.path.join(work, "extra.json")], env)
    ok(r.returncode == 0 and "installed 500 procedures" in r.stdout and
       "import-extra.json" in listing(), "import of 500 generated procedures", r.stdout + r.stderr)
    target = procs[7]
    r = run([BIN, "catalogue", "search", target["name"]], env)
    ok(r.returncode == 0 and ("\n1. " + target["code"]) in r.stdout, "catalogue search finds it", r.stdout)
    r = run([BIN, "catalogue", "import", os.path.join(work, "extra.json")], env)
    ok(r.returncode == 1 and "--replace" in r.stderr, "importing the same file again needs --replace", r.stderr)
    r = run([BIN, "catalogue", "import", "--replace", os.path.join(work, "extra.json")], env)
    ok(r.returncode == 0, "--replace overwrites the earlier import", r.stderr)

    before = listing()
    broken = os.path.join(work, "broken.json")
    with open(broken, "w") as f:
        json.dump({"procedures": [dict(procs[0], code="4.00000x"), dict(procs[1], fees="free")]}, f)
    r = run([BIN, "catalogue", "import", broken], env)
    ok(r.returncode == 1 and "procedures[0].code: '4.00000x' does not match d.dddddd" in r.stderr and
       "procedures[1].fees: expected array" in r.stderr and "nothing installed" in r.stderr,
       "broken file refused with file: path: problem errors", r.stderr)
    with open(broken, "w") as f:
        f.write('{"procedures": [')
    r = run([BIN, "catalogue", "import", broken], env)
    ok(r.returncode == 1 and "invalid JSON" in r.stderr, "truncated JSON refused", r.stderr)
    clash = os.path.join(work, "clash.json")
    with open(clash, "w") as f:
        json.dump({"procedures": [dict(procs[2], code="1.001193")]}, f)
    r = run([BIN, "catalogue", "import", clash], env)
    ok(r.returncode == 1 and "1.001193" in r.stderr and "already in the catalogue" in r.stderr,
       "code clash with the sample catalogue refused", r.stderr)
    ok(listing() == before, "nothing installed by refused imports", listing())

    bot = Dvcbot(redis.port, env=env).start()
    st, r = bot.chat("p-imp", "TT " + target["name"])
    ok(st == 200 and target["code"] in text_of(r), "after restart the imported procedure is answered", r)
    big = gen(1200, os.path.join(work, "big.json"), 4)
    r = run([BIN, "catalogue", "import", os.path.join(work, "big.json")], env)
    ok(r.returncode == 0 and "validated 500/1200" in r.stderr and "validated 1200/1200" in r.stderr,
       "progress line for a big file", "rc=%d %s %r" % (r.returncode, r.stdout, r.stderr[-300:]))
    bot.proc.send_signal(signal.SIGHUP)
    time.sleep(1.5)
    st, r = bot.chat("p-hup", "TT " + big[11]["code"])
    ok(st == 200 and big[11]["name"] in text_of(r), "SIGHUP reloads the catalogue", r)
    rc = bot.stop()
    ok(rc == 0 and sanitizer_clean(bot.stderr()), "clean stop after reload", bot.stderr()[-2000:])


def main():
    work = tempfile.mkdtemp(prefix="dvc-proc-")
    catdir = os.path.join(work, "catalogue")
    shutil.copytree(os.path.join(ROOT, "config/catalogue"), catdir)
    env = dict(os.environ, DVCBOT_FILES_CATALOGUE=catdir)
    redis = Redis().start()
    bot = Dvcbot(redis.port, env={"DVCBOT_FILES_CATALOGUE": catdir}).start()
    try:
        aspects(bot)
        codes_and_misses(bot)
        rc = bot.stop()
        ok(rc == 0 and sanitizer_clean(bot.stderr()), "clean stop, no sanitizer report", bot.stderr()[-2000:])
        imports(redis, catdir, env, work)
    finally:
        if bot.proc and bot.proc.poll() is None:
            bot.stop()
        redis.close()
        shutil.rmtree(work, ignore_errors=True)
    done()


if __name__ == "__main__":
    main()
