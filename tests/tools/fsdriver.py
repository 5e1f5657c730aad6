#!/usr/bin/env python3
"""A scriptable process for filesystem tests: runs inside a node (nsenter --mount), reads one JSON
command per line on stdin, performs it with plain system calls, answers one JSON line on stdout.
It keeps descriptors and mappings open between commands, so a test can check what an already open
file sees after another node changed it."""
import fcntl
import json
import mmap
import os
import signal
import struct
import sys

fds = {}
maps = {}
LOCK_TYPES = {"r": fcntl.F_RDLCK, "w": fcntl.F_WRLCK, "u": fcntl.F_UNLCK}
LOCK_NAMES = {v: k for k, v in LOCK_TYPES.items()}
FLOCKS = {"sh": fcntl.LOCK_SH, "ex": fcntl.LOCK_EX, "un": fcntl.LOCK_UN}


class Interrupted(Exception):
    """SIGUSR1 arrived: a blocking call it interrupted reports EINTR."""


def interrupted(signum, frame):
    raise Interrupted()


signal.signal(signal.SIGUSR1, interrupted)


def flock_struct(cmd):
    # struct flock on x86_64: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid.
    return struct.pack("hhqqi4x", LOCK_TYPES[cmd.get("type", "w")], os.SEEK_SET, cmd.get("start", 0), cmd.get("len", 0), 0)


def run(cmd):
    op = cmd["op"]
    path = cmd.get("path")
    if op == "open":
        flags = 0
        for name in cmd.get("flags", "O_RDWR").split("|"):
            flags |= getattr(os, name)
        fds[cmd["id"]] = os.open(path, flags | os.O_CLOEXEC)
        return {}
    if op == "pread":
        return {"data": os.pread(fds[cmd["id"]], cmd["size"], cmd.get("offset", 0)).decode("utf-8", "replace")}
    if op == "pwrite":
        return {"written": os.pwrite(fds[cmd["id"]], cmd["data"].encode(), cmd.get("offset", 0))}
    if op == "fdwrite":
        return {"written": os.write(fds[cmd["id"]], cmd["data"].encode())}
    if op == "close":
        os.close(fds.pop(cmd["id"]))
        return {}
    if op == "mmap":
        maps[cmd["id"]] = mmap.mmap(fds[cmd["id"]], cmd["size"])
        return {}
    if op == "munmap":
        maps.pop(cmd["id"]).close()
        return {}
    if op == "mwrite":
        m = maps[cmd["id"]]
        data = cmd["data"].encode()
        m[cmd.get("offset", 0):cmd.get("offset", 0) + len(data)] = data
        return {}
    if op == "mread":
        m = maps[cmd["id"]]
        return {"data": m[cmd.get("offset", 0):cmd.get("offset", 0) + cmd["size"]].decode("utf-8", "replace")}
    if op == "write":
        with open(path, "w") as f:
            f.write(cmd["data"])
        return {}
    if op == "append":
        with open(path, "a") as f:
            f.write(cmd["data"])
        return {}
    if op == "read":
        with open(path) as f:
            return {"data": f.read()}
    if op in ("stat", "fstat"):
        s = os.stat(path) if op == "stat" else os.fstat(fds[cmd["id"]])
        return {"mode": s.st_mode, "size": s.st_size, "nlink": s.st_nlink, "ctime_ns": s.st_ctime_ns, "mtime": s.st_mtime_ns}
    if op == "exists":
        return {"exists": os.path.lexists(path)}
    if op == "listdir":
        return {"names": sorted(os.listdir(path))}
    if op == "mkdir":
        os.mkdir(path)
        return {}
    if op == "unlink":
        os.unlink(path)
        return {}
    if op == "rmdir":
        os.rmdir(path)
        return {}
    if op == "rename":
        os.rename(path, cmd["to"])
        return {}
    if op == "chmod":
        os.chmod(path, cmd["mode"])
        return {}
    if op == "fill":
        # size bytes of a repeatable pattern, written in chunks of up to 1 MiB
        import hashlib
        data = hashlib.sha256(str(cmd["seed"]).encode()).digest() * (cmd["size"] // 32 + 1)
        with open(path, "wb") as f:
            for at in range(0, cmd["size"], 1 << 20):
                f.write(data[at:min(at + (1 << 20), cmd["size"])])
        return {}
    if op == "sha256":
        import hashlib
        with open(path, "rb") as f:
            return {"sha256": hashlib.sha256(f.read()).hexdigest()}
    if op == "utime":
        os.utime(path, ns=(cmd["mtime"], cmd["mtime"]))
        return {}
    if op == "link":
        os.link(path, cmd["to"])
        return {}
    if op == "getxattr":
        return {"value": os.getxattr(path, cmd["name"]).decode()}
    if op == "setxattr":
        os.setxattr(path, cmd["name"], cmd["value"].encode())
        return {}
    if op == "pid":
        return {"pid": os.getpid()}
    if op == "lock":
        if cmd.get("ofd"):  # open file description locks: owned by the open file, not the process
            command = fcntl.F_OFD_SETLKW if cmd.get("wait") else fcntl.F_OFD_SETLK
        else:
            command = fcntl.F_SETLKW if cmd.get("wait") else fcntl.F_SETLK
        fcntl.fcntl(fds[cmd["id"]], command, flock_struct(cmd))
        return {}
    if op == "getlk":
        l_type, _, start, length, pid = struct.unpack("hhqqi4x", fcntl.fcntl(fds[cmd["id"]], fcntl.F_GETLK, flock_struct(cmd)))
        return {"type": LOCK_NAMES[l_type], "start": start, "len": length, "pid": pid}
    if op == "flock":
        fcntl.flock(fds[cmd["id"]], FLOCKS[cmd["how"]] | (fcntl.LOCK_NB if cmd.get("nb") else 0))
        return {}
    raise ValueError("unknown op " + op)


for line in sys.stdin:
    try:
        result = run(json.loads(line))
        result["ok"] = True
    except OSError as e:
        result = {"ok": False, "errno": e.errno, "error": e.strerror}
    except Interrupted:
        result = {"ok": False, "errno": 4, "error": "interrupted by SIGUSR1"}
    except Exception as e:  # noqa: BLE001 - report anything to the test
        result = {"ok": False, "errno": 0, "error": repr(e)}
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
