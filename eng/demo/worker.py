"""Demo: the process that migrates. It holds a file on the shared filesystem, a pipe and a unix
socket to a process left on node1, its terminal, and optionally a device, and keeps producing output."""
import os
import socket
import sys
import time

sock = socket.socket(socket.AF_UNIX)
sock.connect(sys.argv[1])
_, fds, _, _ = socket.recv_fds(sock, 16, 1)
pipe = fds[0]
os.makedirs("/ssi/demo", exist_ok=True)
log = open("/ssi/demo/worker.log", "a")
device = os.open(sys.argv[2], os.O_RDONLY | os.O_NONBLOCK) if len(sys.argv) > 2 else None


def from_device():
    """One record of node1's kernel log through the device (after a move: its remote device file)."""
    try:
        record = os.read(device, 8192).decode(errors="replace")
        return f", {sys.argv[2]} record #{record.split(',')[1]} via {os.readlink(f'/proc/self/fd/{device}')}"
    except BlockingIOError:
        return f", {sys.argv[2]}: nothing new"


for i in range(1_000_000):
    extra = from_device() if device is not None else ""
    line = f"tick {i} (pid {os.getpid()} in its namespace{extra})"
    log.write(line + "\n")
    log.flush()
    os.write(pipe, (line + "\n").encode())
    print(line, flush=True)
    time.sleep(0.5)
