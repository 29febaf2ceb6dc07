"""test_firstrun.py -- what a newcomer's first `dvcbot serve` shows, with the
real binary: a taken port, a malformed Redis URL and a missing config file
each end the start within a second with one line on stderr (what, where, what
to do) and a non-zero status; an unreachable Redis gives one line, /readyz
503 and a retry that succeeds once Redis is there; `dvcbot version` and
`dvcbot --help` / `dvcbot CMD --help` list every command and every option the
man page (docs/dvcbot.1) names."""
import os
import re
import socket
import subprocess
import time

from harness import ROOT, Dvcbot, Redis, done, free_port, ok

BIN = os.path.join(ROOT, "build/asan/dvcbot")


def run(args, env=None, timeout=10):
    e = dict(os.environ)
    e.update(env or {})
    t0 = time.time()
    p = subprocess.run([BIN, *args], cwd=ROOT, env=e, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.time() - t0


def one_line(err, *words):
    """stderr is one line naming every word."""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    return len(lines) == 1 and all(w in lines[0] for w in words)


def start_failures(redis):
    base = {"DVCBOT_REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
            "DVCBOT_CHANNELS_SECRET": "s3cret-for-the-test"}
    # a taken port: another program listens there
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        rc, _, err, dt = run(["serve"], {**base, "DVCBOT_HTTP_PORT": str(port)})
    ok(rc != 0 and dt < 1.0 and one_line(err, f"127.0.0.1:{port}", "in use", "DVCBOT_HTTP_PORT"),
       f"a taken port: exit {rc} after {dt:.2f} s with one line naming the address and the fix",
       err)
    # a malformed Redis URL
    rc, _, err, dt = run(["serve"], {**base, "DVCBOT_HTTP_PORT": str(free_port()),
                                     "DVCBOT_REDIS_URL": "redis//127.0.0.1:6379"})
    ok(rc != 0 and dt < 1.0 and one_line(err, "redis//127.0.0.1:6379", "DVCBOT_REDIS_URL",
                                         "redis://127.0.0.1:6379/0"),
       f"a malformed Redis URL: exit {rc} after {dt:.2f} s, one line with the value, its source "
       "and an example", err)
    # a missing config file, by --config and by DVCBOT_CONFIG
    rc, _, err, dt = run(["serve", "--config", "/nonexistent/dvcbot.json"], base)
    ok(rc != 0 and dt < 1.0 and one_line(err, "/nonexistent/dvcbot.json", "No such file",
                                         "--config"),
       f"a missing --config file: exit {rc} after {dt:.2f} s, one line with the path and the fix",
       err)
    rc, _, err, dt = run(["serve"], {**base, "DVCBOT_CONFIG": "/nonexistent/x.json"})
    ok(rc != 0 and dt < 1.0 and one_line(err, "/nonexistent/x.json", "DVCBOT_CONFIG"),
       "a missing DVCBOT_CONFIG file: the same", err)


def unreachable_redis():
    rport = free_port()
    bot = Dvcbot(rport)
    bot.proc = subprocess.Popen([bot.binary, "serve"], cwd=ROOT, env=bot.env,
                                stdout=subprocess.DEVNULL, stderr=bot.errfile)
    redis = None
    try:
        from harness import wait_port
        ok(wait_port(bot.port, 20), "without Redis the server still listens")
        st, _, body = bot.request("GET", "/readyz")
        ok(st == 503 and b'"redis":"down"' in body, "/readyz answers 503 while Redis is down", body)
        end = time.time() + 10
        said = []
        while time.time() < end and not said:
            said = [ln for ln in bot.stderr().splitlines() if "redis: cannot reach" in ln]
            time.sleep(0.1)
        ok(len(said) == 1 and f"127.0.0.1:{rport}" in said[0] and "retrying" in said[0],
           "one line says Redis cannot be reached, where, and that it is retried", bot.stderr())
        time.sleep(2.5)   # a few retries: still one line
        said = [ln for ln in bot.stderr().splitlines() if "redis: cannot reach" in ln]
        ok(len(said) == 1, f"retries do not repeat it ({len(said)} lines)", said)
        redis = Redis(port=rport).start()
        end, st = time.time() + 15, 0
        while time.time() < end and st != 200:
            st, _, body = bot.request("GET", "/readyz")
            time.sleep(0.1)
        ok(st == 200 and b'"status":"ready"' in body and b'"redis":"master"' in body,
           "once Redis runs, the retry connects and /readyz answers 200", body)
        end = time.time() + 5
        while time.time() < end and "redis: connected to" not in bot.stderr():
            time.sleep(0.1)
        ok("redis: connected to" in bot.stderr(), "and one line says so")
        redis.cli("REPLICAOF", "127.0.0.1", "1")  # a replica is not ready for writes
        st, _, body = bot.request("GET", "/readyz")
        # the ROLE answer says replica; once the store's own ROLE check (every
        # second) has dropped the non-master connection it says down: both 503
        ok(st == 503 and (b'"redis":"replica"' in body or b'"redis":"down"' in body),
           "a replica Redis: /readyz 503", body)
        redis.cli("REPLICAOF", "NO", "ONE")
        ok(bot.stop() == 0, "SIGTERM stops it cleanly")
    finally:
        if bot.proc.poll() is None:
            bot.proc.kill()
        if redis:
            redis.close()


def man_options():
    """{command: set of --options} from the .SS sections of docs/dvcbot.1."""
    text = open(os.path.join(ROOT, "docs/dvcbot.1"), encoding="utf-8").read()
    text = text.split(".SH COMMANDS", 1)[1].split("\n.SH ", 1)[0]
    out = {}
    for sec in text.split("\n.SS ")[1:]:
        name, body = sec.split("\n", 1)
        out[name.strip()] = {o.replace("\\-", "-") for o in re.findall(r"\\-\\-[a-z\\-]+[a-z]", body)}
    return out


def help_texts():
    rc, out, _, _ = run(["--help"])
    ok(rc == 0 and "usage: dvcbot" in out, "dvcbot --help exits 0 with a usage line")
    listed = re.findall(r"^  ([a-z-]+) ", out, re.M)
    man = man_options()
    ok(set(listed) == set(man), "dvcbot --help and the man page list the same commands",
       f"help {sorted(listed)} man {sorted(man)}")
    for cmd, opts in sorted(man.items()):
        rc, out, _, _ = run([cmd, "--help"])
        missing = sorted(o for o in opts if o not in out)
        ok(rc == 0 and out.startswith("usage: dvcbot") and not missing,
           f"dvcbot {cmd} --help names every option of the man page ({len(opts)})",
           f"rc {rc} missing {missing}")
    rc, out, _, _ = run(["keys", "--help"])
    ok(all(w in out for w in ("--operator", "list", "revoke")), "keys --help has --operator, "
       "list and revoke", out)
    rc, _, err, _ = run(["frobnicate"])
    ok(rc == 2 and "unknown command 'frobnicate'" in err, "an unknown command: status 2, named")


def version():
    """The version is git describe of the source at build time: the one baked into
    build/gen/bot/cmd/version.h, naming a commit of this repository."""
    rc, out, _, _ = run(["version"])
    with open(os.path.join(ROOT, "build/gen/bot/cmd/version.h")) as f:
        baked = re.search(r'"(.*)"', f.read()).group(1)
    m = re.fullmatch(r"dvcbot (\S+)\n", out)
    ok(rc == 0 and m and m.group(1) == baked, "dvcbot version prints the describe baked at build",
       f"{out!r} vs {baked!r}")
    h = re.search(r"(?:-g)?([0-9a-f]{7,40})(?:-dirty)?$", baked)
    known = h and subprocess.run(["git", "cat-file", "-e", h.group(1) + "^{commit}"], cwd=ROOT,
                                 capture_output=True).returncode == 0
    ok(baked == "unknown" or known, f"and {baked} names a commit of this repository")


def main():
    redis = Redis().start()
    try:
        start_failures(redis)
    finally:
        redis.close()
    unreachable_redis()
    help_texts()
    version()
    done()


if __name__ == "__main__":
    main()
