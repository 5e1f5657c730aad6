#!/usr/bin/env python3
"""A scriptable process for device tests: runs on the host or inside a node (nsenter), reads one JSON
command per line on stdin, performs it with plain system calls (open, read, write, ioctl, epoll),
answers one JSON line on stdout. Descriptors (and a pty pair it can create) live between commands."""
import array
import fcntl
import json
import os
import select
import signal
import struct
import sys
import termios

fds = {}
polls = {}

TIOCGWINSZ = 0x5413
TIOCSWINSZ = 0x5414
FIONREAD = 0x541B
LOOP_CTL_GET_FREE = 0x4C82
TERMIOS = "4I c 19s"  # struct termios as the kernel copies it for TCGETS (36 bytes)


def termios_get(fd):
    raw = fcntl.ioctl(fd, termios.TCGETS, b"\0" * 36)
    return raw.hex()


def run(cmd):
    op = cmd["op"]
    if op == "openpty":
        master, slave = os.openpty()
        fds[cmd["master"]] = master
        fds[cmd["slave"]] = slave
        return {"path": os.ttyname(slave)}
    if op == "open":
        flags = 0
        for name in cmd.get("flags", ["O_RDWR"]):
            flags |= getattr(os, name)
        fds[cmd["id"]] = os.open(cmd["path"], flags | os.O_CLOEXEC | os.O_NOCTTY)
        return {}
    if op == "close":
        os.close(fds.pop(cmd["id"]))
        return {}
    if op == "read":
        data = os.read(fds[cmd["id"]], cmd["size"])
        return {"hex": data[:cmd.get("show", 64)].hex(), "length": len(data), "zeros": data.count(0)}
    if op == "write":
        return {"written": os.write(fds[cmd["id"]], bytes.fromhex(cmd["hex"]) if "hex" in cmd else cmd["data"].encode())}
    if op == "nonblock":
        fl = fcntl.fcntl(fds[cmd["id"]], fcntl.F_GETFL)
        fcntl.fcntl(fds[cmd["id"]], fcntl.F_SETFL, (fl | os.O_NONBLOCK) if cmd.get("on", True) else (fl & ~os.O_NONBLOCK))
        return {}
    if op == "tcgets":
        return {"termios": termios_get(fds[cmd["id"]])}
    if op == "tcsets":
        fcntl.ioctl(fds[cmd["id"]], cmd.get("request", termios.TCSETS), bytes.fromhex(cmd["termios"]))
        return {}
    if op == "getwinsz":
        rows, cols, xp, yp = struct.unpack("4H", fcntl.ioctl(fds[cmd["id"]], TIOCGWINSZ, b"\0" * 8))
        return {"rows": rows, "cols": cols, "xpixel": xp, "ypixel": yp}
    if op == "setwinsz":
        fcntl.ioctl(fds[cmd["id"]], TIOCSWINSZ, struct.pack("4H", cmd["rows"], cmd["cols"], 0, 0))
        return {}
    if op == "fionread":
        buf = array.array("i", [0])
        fcntl.ioctl(fds[cmd["id"]], FIONREAD, buf, True)
        return {"available": buf[0]}
    if op == "ioctl":  # a raw command with an integer argument
        return {"result": fcntl.ioctl(fds[cmd["id"]], cmd["request"], cmd.get("arg", 0))}
    if op == "epoll_add":
        ep = select.epoll()
        ep.register(fds[cmd["id"]], select.EPOLLIN)
        polls[cmd["id"]] = ep
        return {}
    if op == "epoll_wait":
        events = polls[cmd["id"]].poll(cmd.get("timeout", 10.0))
        return {"events": [e for _, e in events]}
    if op == "poll":
        p = select.poll()
        p.register(fds[cmd["id"]], select.POLLIN)
        return {"events": [e for _, e in p.poll(cmd.get("timeout", 0))]}
    if op == "listdir":
        return {"names": sorted(os.listdir(cmd["path"]))}
    if op == "read_alarm":  # a blocking read that a signal interrupts after `after` seconds
        def interrupted(signum, frame):
            raise InterruptedError(4, "Interrupted system call")
        signal.signal(signal.SIGALRM, interrupted)
        signal.setitimer(signal.ITIMER_REAL, cmd.get("after", 0.5))
        try:
            data = os.read(fds[cmd["id"]], cmd["size"])
            return {"hex": data.hex(), "length": len(data)}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    if op == "pid":
        return {"pid": os.getpid()}
    raise ValueError("unknown op " + op)


for line in sys.stdin:
    try:
        result = run(json.loads(line))
        result["ok"] = True
    except OSError as e:
        result = {"ok": False, "errno": e.errno, "error": e.strerror}
    except Exception as e:  # noqa: BLE001 - report anything to the test
        result = {"ok": False, "errno": 0, "error": repr(e)}
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
