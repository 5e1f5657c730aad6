"""Demo: a process that stays on node1. It hands the migrating worker the write end of a pipe
(over a unix socket) and prints every line that comes back through that pipe, wherever the worker runs."""
import os
import socket
import sys

path = sys.argv[1]
server = socket.socket(socket.AF_UNIX)
server.bind(path)
server.listen()
conn, _ = server.accept()
read_end, write_end = os.pipe()
socket.send_fds(conn, [b"pipe"], [write_end])
os.close(write_end)
with os.fdopen(read_end) as pipe:
    for line in pipe:
        print(f"listener on node1 got through the pipe: {line.strip()}", flush=True)
print("listener on node1: the worker closed the pipe", flush=True)
