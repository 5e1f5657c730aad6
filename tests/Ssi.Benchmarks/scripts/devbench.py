#!/usr/bin/env python3
"""Device system calls timed in a loop, run on a node (local device paths) or inside another node
(its /run/ssi/dev files). Prints one JSON object.

  devbench.py ops ZERO NULL TTY N     1-byte and 64 KiB read/write, TCGETS, streaming read (MiB/s)
  devbench.py wakeup TTY N            for each of N lines written to the pty master elsewhere: wait
                                      in epoll_wait, print CLOCK_MONOTONIC ns of the wake-up
"""
import fcntl
import json
import os
import select
import sys
import time

ns = time.monotonic_ns


def percentiles(samples):
    s = sorted(samples)
    return {"p50": s[len(s) // 2] / 1000, "p99": s[min(len(s) - 1, int(len(s) * 0.99))] / 1000}


def timed(n, op):
    for _ in range(min(200, n)):  # warm-up
        op()
    out = []
    for _ in range(n):
        t = ns()
        op()
        out.append(ns() - t)
    return percentiles(out)


def ops(zero, null, tty, n):
    z = os.open(zero, os.O_RDONLY)
    w = os.open(null, os.O_WRONLY)
    t = os.open(tty, os.O_RDWR | os.O_NOCTTY)
    big = b"\0" * 65536
    result = {
        "read1": timed(n, lambda: os.read(z, 1)),
        "write1": timed(n, lambda: os.write(w, b"x")),
        "read64k": timed(n // 4, lambda: os.read(z, 65536)),
        "write64k": timed(n // 4, lambda: os.write(w, big)),
        "ioctl": timed(n, lambda: fcntl.ioctl(t, 0x5401, b"\0" * 36)),
    }
    total, start = 0, ns()
    while ns() - start < 2_000_000_000:
        total += len(os.read(z, 1 << 20))
    result["stream_mibs"] = total / (1 << 20) / ((ns() - start) / 1e9)
    print(json.dumps(result), flush=True)


def wakeup(tty, n):
    t = os.open(tty, os.O_RDWR | os.O_NOCTTY)
    ep = select.epoll()
    ep.register(t, select.EPOLLIN)
    print("ready", flush=True)
    for _ in range(n):
        ep.poll(30)
        woke = ns()
        os.read(t, 64)
        print(woke, flush=True)


if sys.argv[1] == "ops":
    ops(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
else:
    wakeup(sys.argv[2], int(sys.argv[3]))
