#!/usr/bin/env python3
"""ws_bench.py -- WebSocket figures for `make bench` (called by tests/bench/run.sh).

  ws_bench.py PORT PID RESULTS_JSON

1. 10,000 concurrent idle sessions on /ws/chat (BENCH_WS_IDLE): RSS of dvcbot
   (PID) before and with them open; goal < 150 MB.
2. messages/second over 1,000 active connections (BENCH_WS_ACTIVE) for
   BENCH_WS_SECONDS (CPU time of PID per message too): each connection says hello, then sends a message as soon
   as the previous reply arrived (closed loop); p50/p99 round trips. This part is the C client
   build/bench/ws_load (tests/bench/ws_load.c, built by `make bench`; BENCH_WS_LOAD names another).
Prints a few lines and merges {"webchat": {...}} into RESULTS_JSON. The
process needs `ulimit -n` above BENCH_WS_IDLE (run.sh raises it)."""
import base64
import json
import os
import socket
import subprocess
import sys
import time

PORT, PID, RESULTS = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
IDLE = int(os.environ.get("BENCH_WS_IDLE", "10000"))
ACTIVE = int(os.environ.get("BENCH_WS_ACTIVE", "1000"))
SECONDS = float(os.environ.get("BENCH_WS_SECONDS", "10"))
LOAD = os.environ.get("BENCH_WS_LOAD", "build/bench/ws_load")


def cpu_ticks():
    with open(f"/proc/{PID}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return int(v[11]) + int(v[12])


def rss_kb():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def handshake(sock):
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  "Sec-WebSocket-Protocol: dvcbot.chat.v1\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed in handshake")
        head += chunk
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise ConnectionError(head.split(b"\r\n", 1)[0].decode())
    return head.split(b"\r\n\r\n", 1)[1]


def idle_sessions():
    before = rss_kb()
    if IDLE <= 0:
        return {"sessions": 0, "open_s": 0, "rss_kb_before": before, "rss_kb_with_sessions": before,
                "kb_per_session": 0}
    socks, t0 = [], time.time()
    try:
        for _ in range(IDLE):
            s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
            handshake(s)
            socks.append(s)
        opened = time.time() - t0
        time.sleep(2)
        during = rss_kb()
    finally:
        for s in socks:
            s.close()
    return {"sessions": len(socks), "open_s": round(opened, 2), "rss_kb_before": before,
            "rss_kb_with_sessions": during, "kb_per_session": round((during - before) / max(1, len(socks)), 2)}


def active_connections():
    """The closed loop runs in tests/bench/ws_load.c (C, epoll): a Python client
    drove at most ~10k msgs/s and bounded the lws echo baseline."""
    out = subprocess.run([LOAD, str(PORT), str(PID), str(ACTIVE), str(SECONDS)], check=True,
                         capture_output=True, text=True, timeout=SECONDS + 60)
    return json.loads(out.stdout)


def main():
    idle = idle_sessions()
    time.sleep(1)
    active = active_connections()
    res = {"idle": idle, "active": active, "goal_rss_mb": 150}
    print(f"webchat: {idle['sessions']} idle WebSocket sessions: dvcbot RSS "
          f"{idle['rss_kb_with_sessions'] / 1024:.1f} MB (was {idle['rss_kb_before'] / 1024:.1f} MB, "
          f"{idle['kb_per_session']} kB each; goal < 150 MB)")
    print(f"webchat: {active['connections']} active connections: {active['messages_per_s']} messages/s, "
          f"p50 {active['p50_ms']} ms, p99 {active['p99_ms']} ms")
    try:
        with open(RESULTS) as f:
            all_res = json.load(f)
    except (OSError, ValueError):
        all_res = {}
    all_res["webchat"] = res
    os.makedirs(os.path.dirname(RESULTS) or ".", exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(all_res, f, indent=2)


if __name__ == "__main__":
    main()
