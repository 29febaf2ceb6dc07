"""test_vietqr_npm.py -- dvcbot's VietQR payloads (channels/vietqr.c) against an
independent implementation, the npm package vietnam-qr-pay (a test-only dependency:
scripts/install-deps.sh installs it into tests/e2e/node_modules with playwright-core).

1,000 random valid field sets (fixed seed: BIN, 1-19-digit account, no amount or
1..499,999,999 VND, 1-25-character purpose) are built by vietqr_build
(build/asan/tests/test_vietqr --emit 1000); the package must parse every payload as a
valid VietQR with the same fields and build the byte-identical payload from them
(tests/e2e/vietqr-check.js). A payload with one character changed must be refused by
both, so the check can fail. Skipped (said so) when node or the package is missing."""
import json
import os
import shutil
import subprocess

from harness import ROOT, done, ok

EMIT = os.path.join(ROOT, "build/asan/tests/test_vietqr")
CHECK = os.path.join(ROOT, "tests/e2e/vietqr-check.js")


def check(lines):
    p = subprocess.run(["node", CHECK], input=lines, capture_output=True, text=True,
                       cwd=os.path.join(ROOT, "tests/e2e"), timeout=120)
    try:
        return p.returncode, json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return p.returncode, {"stdout": p.stdout, "stderr": p.stderr[-2000:]}


def main():
    if not shutil.which("node"):
        print("# SKIP node missing: the vietnam-qr-pay cross-check is not run", flush=True)
        done()
        return
    p = subprocess.run([EMIT, "--emit", "1000"], capture_output=True, text=True, timeout=60)
    ok(p.returncode == 0 and len(p.stdout.splitlines()) == 1000,
       "test_vietqr --emit 1000: 1000 payloads built", p.stderr[-500:])
    rc, res = check(p.stdout)
    if res.get("missing"):
        print("# SKIP npm package vietnam-qr-pay missing (scripts/install-deps.sh installs it): "
              "the cross-check is not run", flush=True)
        done()
        return
    print("# vietnam-qr-pay: " + json.dumps(res), flush=True)
    ok(rc == 0 and res.get("parsed") == 1000,
       "vietnam-qr-pay parses all 1000 payloads as valid VietQR with the same fields", res)
    ok(res.get("rebuilt") == 1000,
       "vietnam-qr-pay builds the byte-identical payload from the same fields", res)
    # the check can fail: one amount digit changed (CRC now wrong) and a wrong purpose
    first = p.stdout.splitlines()[0].split("\t")
    payload = first[4]
    i = payload.index("5802VN") - 1
    bad = payload[:i] + ("1" if payload[i] != "1" else "2") + payload[i + 1:]
    rc, res = check("\t".join(first[:4] + [bad]) + "\n")
    ok(rc == 1 and res.get("parsed") == 0 and res.get("rebuilt") == 0,
       "a payload with one digit changed fails the cross-check", res)
    rc, res = check("\t".join(first[:3] + [first[3] + "x", payload]) + "\n")
    ok(rc == 1 and res.get("parsed") == 0, "a purpose that differs fails the cross-check", res)
    done()


if __name__ == "__main__":
    main()
