#!/usr/bin/env python3
"""report.py -- the measuring and printing helpers of tests/bench/run.sh.

Each measuring subcommand prints one JSON row (a line) that run.sh appends to
rows.jsonl; `table` turns the rows into the one table of `make bench` and
tests/bench/results/latest.json.

  report.py wrk NAME WRK_OUTPUT CPU_TICKS [REDIS_TICKS "WRK_USER WRK_SYS"]
                                             a wrk --latency run + the server's CPU ticks
                                             (and Redis's, and wrk's own CPU seconds)
  report.py classify LINES_FILE              `dvcbot classify` on 1M short messages, one core
  report.py ws DVCBOT_JSON BASELINE_JSON     the two ws_bench.py results
  report.py sms KANNEL_JSON                  the kannel.py result
  report.py table ROWS_JSONL OUT_JSON
"""
import json
import os
import re
import resource
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def wrk(name, path, ticks, redis_ticks=None, wrk_times=None):
    t = open(path).read()

    def lat(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", t)
        v, u = float(m.group(1)), m.group(2)
        return round(v / 1000 if u == "us" else v * 1000 if u == "s" else v, 3)
    n = int(re.search(r"(\d+) requests in", t).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
    errs = re.search(r"Socket errors:.*", t)
    row = {"name": name, "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)),
           "p50_ms": lat(50), "p99_ms": lat(99), "requests": n,
           "non2xx": int(bad.group(1)) if bad else 0, "socket_errors": errs.group(0) if errs else "",
           "cpu_us_per_req": round(int(ticks) / TICK * 1e6 / max(1, n), 1)}
    if redis_ticks is not None:
        row["redis_cpu_us_per_req"] = round(int(redis_ticks) / TICK * 1e6 / max(1, n), 1)
    if wrk_times:
        row["wrk_cpu_us_per_req"] = round(sum(float(x) for x in wrk_times.split()) * 1e6 / max(1, n), 1)
    return row


def cores_line(label, r):
    """What one request costs the 2 cores: the server, Redis (dvcbot's rows) and wrk."""
    if r.get("wrk_cpu_us_per_req") is None:
        return None
    parts = [("server", r["cpu_us_per_req"])]
    if r.get("redis_cpu_us_per_req") and "dvcbot" in r["name"]:
        parts.append(("Redis", r["redis_cpu_us_per_req"]))
    parts.append(("wrk", r["wrk_cpu_us_per_req"]))
    total = sum(v for _, v in parts)
    return (f"  {label}: CPU per request " + " + ".join(f"{k} {v:.1f}" for k, v in parts) +
            f" = {total:.1f} us: at most {2e6 / total:,.0f}/s on 2 cores")


def classify(path):
    base = ["xin chao", "TRACUU 000.00.06.H56-231027-0361", "lam giay khai sinh can giay to gi",
            "HD", "danh gia 4 sao, can bo nhiet tinh", "gia vang hom nay bao nhieu", "STOP",
            "Cho tôi hỏi hồ sơ H56.14-240823-0001 đã có kết quả chưa ạ?", "ddawng kys tam tru o dau",
            "TTPA PA-241105-0123"]
    n = 1000000
    with open(path, "w") as f:
        for i in range(n):
            f.write(base[i % len(base)] + "\n")
    cmd = ["build/dvcbot", "classify"]
    if subprocess.call(["which", "taskset"], stdout=subprocess.DEVNULL) == 0:
        cmd = ["taskset", "-c", "0"] + cmd
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    with open(path) as fin:
        subprocess.run(cmd, stdin=fin, stdout=subprocess.DEVNULL, check=True)
    wall = time.time() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return {"name": "classify", "messages": n, "rate_wall": round(n / wall),
            "rate_cpu": round(n / cpu) if cpu > 0 else None}


def ws(dvc_path, base_path):
    d, b = json.load(open(dvc_path))["webchat"], json.load(open(base_path))["webchat"]
    return {"name": "ws", "dvcbot": d, "baseline": b}


def sms(path):
    return {"name": "sms", **json.load(open(path))}


def fmt(v, spec):
    return format(v, spec) if isinstance(v, (int, float)) else format("-", spec.split(".")[0].rstrip("f"))


def line(label, r, base=None):
    ratio = r["rate"] / base["rate"] if base and base.get("rate") else None
    cpu_ratio = (r["cpu_us_per_req"] / base["cpu_us_per_req"]
                 if base and base.get("cpu_us_per_req") and r.get("cpu_us_per_req") is not None else None)
    return (f"{label:34}{fmt(r.get('rate'), '>10.0f')}{fmt(r.get('p50_ms'), '>9.2f')}"
            f"{fmt(r.get('p99_ms'), '>9.2f')}{fmt(r.get('cpu_us_per_req'), '>11.1f')}"
            f"{fmt(ratio, '>8.2f')}{fmt(cpu_ratio, '>9.2f')}")


def table(rows_path, out_path):
    rows = [json.loads(x) for x in open(rows_path)]
    by = {r["name"]: r for r in rows}
    res = {"channels": {}, "settings": by.get("machine", {})}
    print(f"\n{'':34}{'rate/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/req':>11}{'ratio':>8}{'CPU x':>9}")
    for ch in ("chat_rest", "ussd"):
        b1, b2, d = by[f"{ch}.baseline_nginx_1w"], by[f"{ch}.baseline_nginx_2w"] \
            if f"{ch}.baseline_nginx_2w" in by else None, by[f"{ch}.dvcbot"]
        print(line(f"{ch}: nginx static, 1 worker", b1))
        if b2:
            print(line(f"{ch}: nginx static, 2 workers", b2))
        print(line(f"{ch}: dvcbot", d, b1))
        for lab, r in (("nginx 1 worker", b1), ("dvcbot", d)):
            c = cores_line(lab, r)
            if c:
                print(c)
        res["channels"][ch] = {"dvcbot": d, "baseline_nginx_1w": b1, "baseline_nginx_2w": b2,
                               "ratio": round(d["rate"] / b1["rate"], 3),
                               "cpu_ratio": round(d["cpu_us_per_req"] / b1["cpu_us_per_req"], 2)
                               if b1["cpu_us_per_req"] else None}
    on = [by[f"rl.on.{i}"] for i in (1, 2, 3) if f"rl.on.{i}" in by]
    off = [by[f"rl.off.{i}"] for i in (1, 2, 3) if f"rl.off.{i}" in by]
    if on and off:
        def med(rs, k):
            v = sorted(r[k] for r in rs if r.get(k) is not None)
            return v[len(v) // 2] if v else None
        r_on, r_off = med(on, "rate"), med(off, "rate")
        c_on, c_off = med(on, "cpu_us_per_req"), med(off, "cpu_us_per_req")
        rl = {"rate_ratio": round(r_on / r_off, 3) if r_off else None,
              "cpu_ratio": round(c_on / c_off, 3) if c_on and c_off else None,
              "rate_on": r_on, "rate_off": r_off, "cpu_us_on": c_on, "cpu_us_off": c_off,
              "runs_on": on, "runs_off": off}
        res["rate_limiter"] = rl
        print(f"rate limiter (chat REST, 3 alternated runs each, medians): {r_on:.0f}/s with, "
              f"{r_off:.0f}/s without = {rl['rate_ratio']}; CPU {c_on:.1f} vs {c_off:.1f} us/req = "
              f"{rl['cpu_ratio']}")
    s = by.get("sms")
    if s:
        for key, label in (("null_nginx", "sms: Kannel + nginx null service"), ("dvcbot", "sms: Kannel + dvcbot")):
            r = s[key]
            print(line(label, {"rate": r["rate"], "p50_ms": r.get("p50_ms"), "p99_ms": r.get("p99_ms"),
                               "cpu_us_per_req": r["service_cpu_ms_per_msg"] * 1e3},
                       None if key == "null_nginx" else {"rate": s["null_nginx"]["rate"]}))
        res["channels"]["sms"] = s
    w = by.get("ws")
    if w:
        for key, label in (("baseline", "ws: lws echo (ws_echo.c)"), ("dvcbot", "ws: dvcbot")):
            a = w[key]["active"]
            print(line(label, {"rate": a["messages_per_s"], "p50_ms": a["p50_ms"], "p99_ms": a["p99_ms"],
                               "cpu_us_per_req": a.get("cpu_us_per_msg")},
                       None if key == "baseline" else {"rate": w["baseline"]["active"]["messages_per_s"],
                                                       "cpu_us_per_req": w["baseline"]["active"].get("cpu_us_per_msg")}))
        res["channels"]["websocket"] = w
    print("ratio = dvcbot rate / baseline rate (goal >= 0.5 for REST and USSD, >= 0.9 for SMS); "
          "CPU x = dvcbot CPU per request / baseline's")
    if s:
        print(f"sms: dvcbot CPU {s['dvcbot']['service_cpu_ms_per_msg'] * 1e3:.0f} us/msg vs smsbox "
              f"{s['dvcbot']['smsbox_cpu_ms_per_msg'] * 1e3:.0f} us/msg = {s['cpu_ratio_dvcbot_vs_smsbox']} "
              f"(goal < 0.1); rate ratio {s['rate_ratio']} (goal >= 0.9)")
    f = by.get("ussd_fixed_rate")
    if f:
        print(f"ussd at {float(f['target']):.0f} req/s open loop: achieved {float(f['rate']):.0f}/s, "
              f"p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms (goal < 5), errors {f['errors']}")
        res["ussd_fixed_rate"] = f
    c = by.get("classify")
    if c:
        print(f"classify: {c['rate_wall']} msgs/s wall, {c['rate_cpu']} msgs/s per CPU-second (one core)")
        res["classify"] = c
    cat = by.get("catalogue")
    if cat:
        print(f"catalogue search: {cat['procedures']} procedures, mean {cat['mean_us']} us, "
              f"p99 {cat['p99_us']} us per query (load {cat['load_ms']} ms)")
        res["catalogue_search"] = cat
    for key, goal in (("catalogue_real", "index <= 1000 ms, RSS <= 40 MB, p99 <= 100 us"),
                      ("catalogue_20k", "RSS < 150 MB, p99 <= 200 us")):
        cr = by.get(key)
        if cr:
            print(f"{key}: {cr['procedures']} procedures, index {cr['load_ms']} ms, RSS "
                  f"{cr.get('rss_mb', '?')} MB (peak {cr.get('peak_mb', '?')}), ask mean {cr['mean_us']} us, "
                  f"p99 {cr['p99_us']} us (CPU p99 {cr.get('cpu_p99_us', '?')}) (goal: {goal})")
            res[key] = cr
    rss = by.get("rss", {})
    if w:
        idle = w["dvcbot"]["idle"]
        rss["rss_ws_idle_sessions_kb"] = idle["rss_kb_with_sessions"]
        rss["ws_idle_sessions"] = idle["sessions"]
    if rss:
        print(f"dvcbot RSS: {rss['rss_idle_kb']} kB at rest, {rss['rss_load_kb']} kB after REST load"
              + (f", {rss['rss_ws_idle_sessions_kb']} kB with {rss['ws_idle_sessions']} idle WebSocket "
                 "sessions (goal < 150 MB)" if w else ""))
        res["rss"] = rss
    m = by.get("machine", {})
    print(f"machine: {m.get('cores')} cores, load average {m.get('load_before')} before, "
          f"{m.get('load_after')} after; {m.get('seconds')} s per run, {m.get('connections')} connections")
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as fo:
        json.dump(res, fo, indent=2)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "table":
        table(*args)
        return
    print(json.dumps({"wrk": wrk, "classify": classify, "ws": ws, "sms": sms}[cmd](*args)))


if __name__ == "__main__":
    main()
