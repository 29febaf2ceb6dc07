#!/usr/bin/env python3
"""ws_bench.py -- WebSocket figures for `make bench` (called by tests/bench/run.sh).

  ws_bench.py PORT PID RESULTS_JSON

1. 10,000 concurrent idle sessions on /ws/chat (BENCH_WS_IDLE): RSS of dvcbot
   (PID) before and with them open; goal < 150 MB.
2. messages/second over 1,000 active connections (BENCH_WS_ACTIVE) for
   BENCH_WS_SECONDS (CPU time of PID per message too): each connection says hello, then sends a message as soon
   as the previous reply arrived (closed loop); p50/p99 round trips.
Prints a few lines and merges {"webchat": {...}} into RESULTS_JSON. The
process needs `ulimit -n` above BENCH_WS_IDLE (run.sh raises it)."""
import base64
import json
import os
import selectors
import socket
import struct
import sys
import time

PORT, PID, RESULTS = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
IDLE = int(os.environ.get("BENCH_WS_IDLE", "10000"))
ACTIVE = int(os.environ.get("BENCH_WS_ACTIVE", "1000"))
SECONDS = float(os.environ.get("BENCH_WS_SECONDS", "10"))


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


def frame(obj):
    """A client text frame with a zero masking key (legal; no XOR needed)."""
    data = json.dumps(obj).encode()
    n = len(data)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    return head + b"\0\0\0\0" + data


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


class Conn:
    def __init__(self, i):
        self.sock = socket.create_connection(("127.0.0.1", PORT), timeout=30)
        self.buf = handshake(self.sock)
        self.sock.setblocking(False)
        self.hello = frame({"type": "hello", "user": f"bench-{i}"})
        self.msg = frame({"type": "message", "text": "xin chao"})
        self.ready = False
        self.sent_at = 0.0

    def frames(self):
        """Complete server frames in the buffer (opcode, payload)."""
        out = []
        while len(self.buf) >= 2:
            n = self.buf[1] & 0x7F
            off = 2
            if n == 126:
                if len(self.buf) < 4:
                    break
                n, off = struct.unpack(">H", self.buf[2:4])[0], 4
            elif n == 127:
                if len(self.buf) < 10:
                    break
                n, off = struct.unpack(">Q", self.buf[2:10])[0], 10
            if len(self.buf) < off + n:
                break
            out.append((self.buf[0] & 0x0F, self.buf[off:off + n]))
            self.buf = self.buf[off + n:]
        return out


def active_connections():
    sel = selectors.DefaultSelector()
    conns = [Conn(i) for i in range(ACTIVE)]
    for c in conns:
        sel.register(c.sock, selectors.EVENT_READ, c)
        c.sock.sendall(c.hello)
    lat, done, t_end, c0 = [], 0, None, 0
    start = time.time()
    while True:
        now = time.time()
        if t_end and now >= t_end:
            break
        if not t_end and now - start > 30:
            raise RuntimeError("connections did not all say hello")
        for key, _ in sel.select(timeout=0.5):
            c = key.data
            try:
                chunk = c.sock.recv(65536)
            except BlockingIOError:
                continue
            if not chunk:
                raise ConnectionError("server closed a connection")
            c.buf += chunk
            for op, payload in c.frames():
                if op == 0x9:
                    c.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
                    continue
                if op != 0x1:
                    continue
                if not c.ready and b'"hello"' in payload:
                    c.ready = True
                    if all(x.ready for x in conns):
                        t_end = time.time() + SECONDS
                        c0 = cpu_ticks()
                        for x in conns:
                            x.sent_at = time.time()
                            x.sock.sendall(x.msg)
                elif c.ready and b'"reply"' in payload and t_end:
                    t = time.time()
                    lat.append(t - c.sent_at)
                    done += 1
                    c.sent_at = t
                    c.sock.sendall(c.msg)
    elapsed = SECONDS
    cpu_us = (cpu_ticks() - c0) * 1e6 / os.sysconf("SC_CLK_TCK")
    for c in conns:
        c.sock.close()
    lat.sort()
    pct = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else None
    return {"connections": ACTIVE, "seconds": elapsed, "messages": done,
            "messages_per_s": round(done / elapsed), "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "cpu_us_per_msg": round(cpu_us / max(1, done), 1)}


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
