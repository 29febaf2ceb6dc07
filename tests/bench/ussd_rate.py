#!/usr/bin/env python3
"""ussd_rate.py -- latency of POST /ussd at a fixed request rate (open loop).

    ussd_rate.py HOST PORT RATE SECONDS [CONNECTIONS]

wrk2 is not in Debian and wrk is closed-loop (a slow answer delays the next
request, hiding queueing: "coordinated omission"). Here request i is due at
start + i/RATE whatever happened before; its latency is measured from that
due time to the end of its answer, so time spent waiting for a free
connection or behind a slow answer counts. (Due time here is when the
scheduler queued the request, which is never before it is due: the event
loop's ~1 ms timer granularity is the client's, not the server's; the
achieved rate shows the schedule was held.) Keep-alive connections, the
session walk of tests/bench/ussd.lua. Prints "achieved_rate p50_ms p99_ms
requests errors"."""
import asyncio
import os
import sys
import time
SECRET = os.environ.get("DVCBOT_CHANNELS_SECRET", "").encode()  # "Channel access"

PATHS = ["", "2", "2%2A1", "2%2A1%2A1", "2%2A1%2A1%2A1"]


def body(i, tag):
    s, rnd = i % 1000, i // 1000
    step, walk = rnd % len(PATHS), rnd // len(PATHS)
    return (f"sessionId=r{tag}-{walk}-{s}&serviceCode=%2A384%23&phoneNumber=0913{s:06d}"
            f"&networkCode=45204&text={PATHS[step]}").encode()


async def read_answer(r):
    head = await r.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    n = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
    await r.readexactly(n)
    return status


async def main(host, port, rate, secs, conns):
    q, lat, errors = asyncio.Queue(), [], [0]

    async def worker():
        r, w = await asyncio.open_connection(host, port)
        while True:
            item = await q.get()
            if item is None:
                break
            due, b = item
            w.write(b"POST /ussd HTTP/1.1\r\nHost: bench\r\nContent-Type: "
                    b"application/x-www-form-urlencoded\r\nX-Dvcbot-Secret: %s\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (SECRET, len(b), b))
            try:
                ok = await read_answer(r) == 200
            except (asyncio.IncompleteReadError, ConnectionError):
                ok = False
                r, w = await asyncio.open_connection(host, port)
            lat.append(time.perf_counter() - due)
            errors[0] += not ok
        w.close()

    workers = [asyncio.create_task(worker()) for _ in range(conns)]
    tag = int(time.time())
    start = time.perf_counter() + 0.2
    total = int(rate * secs)
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        q.put_nowait((max(due, time.perf_counter()), body(i, tag)))
    for _ in workers:
        q.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000
    print(f"{total / elapsed:.0f} {pct(0.50):.3f} {pct(0.99):.3f} {total} {errors[0]}")


if __name__ == "__main__":
    a = sys.argv[1:]
    asyncio.run(main(a[0], int(a[1]), float(a[2]), float(a[3]), int(a[4]) if len(a) > 4 else 32))
