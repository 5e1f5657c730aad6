"""Live-migration benchmark driver (see migration.sh). Talks to a running local cluster with the real `ssi`."""
import glob, json, os, pty, re, select, statistics, subprocess, sys, time, uuid

SSI, CLUSTER = sys.argv[1], sys.argv[2]
QUICK = len(sys.argv) > 3 and sys.argv[3] == "--quick"
CRIU = "/opt/ssi-operator/criu/sbin/criu"
NODES = ["node1", "node2", "node3"]

SMALL = r'''
import os, socket, sys, time
f = open("/ssi/%(m)s.log", "a"); r, w = os.pipe(); a, b = socket.socketpair()
i = 0
while True:
    os.write(w, b"x"); os.read(r, 1); a.send(b"y"); b.recv(1)
    f.write("%%d\n" %% i); f.flush(); i += 1
    if i %% 20 == 0: print("%(m)s", i, flush=True)
    time.sleep(0.01)
'''

MEMORY = r'''
import time
b = bytearray(%(n)d)
for i in range(0, len(b), 4096): b[i] = 1
print("%(m)s ready", flush=True)
while True: time.sleep(1)
'''


def ssi(*args, check=True):
    r = subprocess.run([SSI, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise SystemExit(f"ssi {' '.join(args)} failed: {r.stdout}{r.stderr}")
    return r


def find(marker):
    for _ in range(100):
        ps = json.loads(ssi("ps", "-c", CLUSTER, "-o", "json", check=False).stdout)
        for p in ps["processes"]:
            if marker in p["commandLine"] and p["parentClusterPid"] == 0:
                return p["clusterPid"], p["node"]
        time.sleep(0.1)
    raise SystemExit(f"workload {marker} did not appear")


def migrate(cpid, node, mode="stop-copy"):
    r = ssi("migrate", str(cpid), "--to", node, "--mode", mode, "-c", CLUSTER, "-o", "json", check=False)
    status = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {"phase": "?", "message": r.stdout + r.stderr}
    if status["phase"] != "Succeeded":
        raise SystemExit(f"migration failed: {status.get('message')}")
    return status


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def small_workload():
    """`ssi run` on a pty (the terminal stays home) of a python loop holding a file, a pipe and a socket pair."""
    marker = "mb" + uuid.uuid4().hex[:8]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(SSI, [SSI, "run", "-c", CLUSTER, "--node", "node1", "--", "python3", "-c", SMALL % {"m": marker}])
    cpid, _ = find(marker)
    return pid, fd, cpid, marker


def drain(fd):
    while select.select([fd], [], [], 0)[0]:
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


def freeze_small(runs, between):
    """Migrations of the small workload round the nodes; between(): after each (the floor's runs, interleaved)."""
    pid, fd, cpid, marker = small_workload()
    time.sleep(1)
    freezes, steps = [], []
    node = "node1"
    for i in range(runs):
        node = NODES[(NODES.index(node) + 1) % 3]
        s = migrate(cpid, node)
        freezes.append(s["freezeMs"])
        drain(fd)
        between()
    kinds = {}
    for p in s["plan"]:
        kinds[(p["kind"], p["action"])] = kinds.get((p["kind"], p["action"]), 0) + 1
    ssi("kill", "-c", CLUSTER, "-9", str(cpid), check=False)
    os.waitpid(pid, 0)
    return freezes, kinds, criu_times(cpid)


def criu_times(cpid):
    """criu's own ms inside the migrations of cpid, from the agents' logs: (dumps, restores)."""
    dumps, restores = [], []
    for log in glob.glob(f"/run/ssi-operator/{CLUSTER}/logs/node*.log"):
        for line in open(log, errors="replace"):
            if f"checkpointed workload {cpid} " in line and (m := re.search(r"of which criu (\d+)", line)):
                dumps.append(int(m.group(1)))
            elif f"restored workload {cpid} " in line and (m := re.search(r"criu (\d+)\)", line)):
                restores.append(int(m.group(1)))
    return dumps, restores


def netns(node):
    return [f"--net=/run/netns/ssi.{CLUSTER}.{node}", f"--mount=/run/ssi-operator/{CLUSTER}/ns/{node}.mnt"]


def shim_of(marker):
    out = subprocess.run(["pgrep", "-f", f"ssi-shim .*-- python3 -c .*{marker}"], capture_output=True, text=True).stdout.split()
    # the launcher (unshare) matches too; the shim is the one whose program is ssi-shim
    return next(int(p) for p in out if open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")[0].endswith(b"ssi-shim"))


ROOT = "/run/ssi/restore-root"


def raw_floor(times):
    """One criu dump + criu restore of the same kind of workload, run by hand in the node namespaces (kdat cache warm); appends its ms to times."""
    subprocess.run(["nsenter", *netns("node2"), "sh", "-c", f"mkdir -p {ROOT} && (mountpoint -q {ROOT} || mount --bind / {ROOT})"], check=True)
    marker = "mf" + uuid.uuid4().hex[:8]
    code = SMALL.replace('if i %% 20 == 0: print("%(m)s", i, flush=True)', 'pass') % {"m": marker}
    ssi("run", "-d", "-c", CLUSTER, "--node", "node1", "--", "python3", "-c", code)
    find(marker)
    time.sleep(0.3)
    shim = shim_of(marker)
    d = f"/dev/shm/mbench-floor-{marker}"
    os.makedirs(d)
    t0 = time.monotonic()
    # The workload has its own mount namespace, rebuilt on a bind of the target's / (as the agents do).
    subprocess.run(["nsenter", *netns("node1"), CRIU, "dump", "-t", str(shim), "-D", d, "--network-lock", "skip", "--external", "mnt[]", "-o", "dump.log"], check=True)
    subprocess.run(["nsenter", *netns("node2"), CRIU, "restore", "-D", d, "-d", "--root", ROOT, "--external", "mnt[]", "-o", "restore.log", "--pidfile", f"{d}/pid"], check=True)
    times.append((time.monotonic() - t0) * 1000)
    restored = int(open(f"{d}/pid").read())
    os.kill(restored, 9)
    subprocess.run(["rm", "-rf", d])


def memory_freeze(size_mib, mode):
    marker = "mm" + uuid.uuid4().hex[:8]
    ssi("run", "-d", "-c", CLUSTER, "--node", "node1", "--", "python3", "-c", MEMORY % {"n": size_mib << 20, "m": marker})
    cpid, _ = find(marker)
    # wait until the memory is touched (the log says ready)
    time.sleep(1 + size_mib / 400)
    s = migrate(cpid, "node2", mode)
    ssi("kill", "-c", CLUSTER, "-9", str(cpid), check=False)
    return s["freezeMs"], s.get("bytesTransferred") or 0


PIPE_HOME = r'''
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); c, _ = s.accept()
r, w = os.pipe(); socket.send_fds(c, [b"p"], [r]); os.close(r)
c.recv(1)                       # the reader has moved: go
chunk = b"x" * (1 << 20); t = time.monotonic()
for _ in range(int(sys.argv[2])): os.write(w, chunk)
os.close(w)
open(sys.argv[3], "w").write("%f" % (time.monotonic() - t))
'''

PIPE_READER = r'''
import os, socket, sys
c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); _, fds, _, _ = socket.recv_fds(c, 1, 1)
import time
while not os.path.exists(sys.argv[2]): time.sleep(0.05)
c.send(b"g"); n = 0
while True:
    b = os.read(fds[0], 1 << 20)
    if not b: break
    n += len(b)
open(sys.argv[3], "w").write(str(n))
'''


def pipe_relay(size_mib):
    """A pipe between a process left on node1 and one moved to node2: the home writes, the moved reader counts."""
    tag = uuid.uuid4().hex[:8]
    sock, go, done, took = f"/tmp/mb-{tag}.sock", f"/ssi/mb-{tag}.go", f"/ssi/mb-{tag}.n", f"/tmp/mb-{tag}.t"
    ssi("run", "-d", "-c", CLUSTER, "--node", "node1", "--", "python3", "-c", PIPE_HOME, sock, str(size_mib), took)
    while not os.path.exists(sock):
        time.sleep(0.05)
    marker = "mp" + tag
    ssi("run", "-d", "-c", CLUSTER, "--node", "node1", "--", "python3", "-c", "# " + marker + "\n" + PIPE_READER, sock, go, done)
    cpid, _ = find(marker)
    time.sleep(0.5)
    migrate(cpid, "node2")
    ssi("run", "-c", CLUSTER, "--node", "node1", "--", "touch", go)  # through the filesystem, so node2 sees it
    result = f"/var/lib/ssi-operator/{CLUSTER}/cfs/mb-{tag}.n"
    for _ in range(1200):
        if os.path.exists(result) and os.path.exists(took):
            break
        time.sleep(0.1)
    seconds = float(open(took).read())
    moved = int(open(result).read())
    os.remove(sock)
    return moved / (1 << 20) / seconds


def relay_throughput(size_mib):
    """Bytes a workload writes to its stdout (a stays-home pipe to the caller on node1), before and after a move."""
    results = {}
    for moved in (False, True):
        marker = "mr" + uuid.uuid4().hex[:8]
        proc = subprocess.Popen([SSI, "run", "-c", CLUSTER, "--node", "node1", "--", "sh", "-c", f"# {marker}\nread go; head -c {size_mib << 20} /dev/zero"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        cpid, _ = find(marker)
        if moved:
            migrate(cpid, "node2")
        t0 = time.monotonic()
        proc.stdin.write(b"go\n"); proc.stdin.flush()
        total = 0
        while True:
            chunk = proc.stdout.read1(1 << 20)
            if not chunk:
                break
            total += len(chunk)
        proc.wait()
        results[moved] = total / (1 << 20) / (time.monotonic() - t0)
    return results


if os.environ.get("SSI_BENCH_ONLY") == "pipe":
    print(f"pipe relay: {pipe_relay(128):.0f} MiB/s")
    sys.exit(0)

runs = 5 if QUICK else 20
# The floor's runs are interleaved with the migrations: both see the machine in the same state.
floor = []
freezes, kinds, (criu_dumps, criu_restores) = freeze_small(runs, lambda: raw_floor(floor))
held = ", ".join(f"{n} {k}:{a}" for (k, a), n in sorted(kinds.items()))
print(f"\n## Freeze of a small workload ({runs} migrations round the 3 nodes, each followed by one run of the floor; holds {held})\n")
print("| | p50 ms | p99 ms | ratio to floor (p50) |")
print("|---|---:|---:|---:|")
print(f"| ssi migrate (stop-copy) | {pct(freezes, 50):.0f} | {pct(freezes, 99):.0f} | {pct(freezes, 50) / pct(floor, 50):.2f} |")
print(f"| raw criu dump + restore (floor) | {pct(floor, 50):.0f} | {pct(floor, 99):.0f} | 1.00 |")
if criu_dumps and criu_restores:
    inside = pct(criu_dumps, 50) + pct(criu_restores, 50)
    print(f"\ncriu inside the migrations (agents' logs, p50): dump {pct(criu_dumps, 50)} ms + restore {pct(criu_restores, 50)} ms = {inside} ms "
          f"({inside / pct(floor, 50):.2f}x the floor); the rest, freeze p50 minus these, ~{pct(freezes, 50) - inside:.0f} ms, is the agents' own (transfer, stand-ins, report, commit, resume)")

print("\n## Freeze by touched memory\n")
print("| memory | stop-copy freeze ms | image bytes | lazy freeze ms |")
print("|---:|---:|---:|---:|")
for size in ([16, 256] if QUICK else [16, 256, 1024]):
    f, b = memory_freeze(size, "stop-copy")
    lazy = memory_freeze(size, "lazy")[0] if os.environ.get("SSI_BENCH_LAZY", "1") == "1" else None
    print(f"| {size} MiB | {f} | {b} | {lazy if lazy is not None else '-'} |")

size = 64 if QUICK else 512
t = relay_throughput(size)
print(f"\n## Stays-home pipe relay ({size} MiB from the workload's stdout to the caller on node1)\n")
print("| | MiB/s | ratio |")
print("|---|---:|---:|")
print(f"| not moved (agent relays the run's stdout) | {t[False]:.0f} | 1.00 |")
print(f"| moved to node2 (stand-in relayed home) | {t[True]:.0f} | {t[True] / t[False]:.2f} |")

size = 128 if QUICK else 1024
print(f"\n## Stays-home pipe between a process left on node1 and a reader moved to node2 ({size} MiB)\n")
print("| | MiB/s |")
print("|---|---:|")
print(f"| relayed pipe (home writer -> home agent -> node2 agent -> stand-in pipe -> moved reader) | {pipe_relay(size):.0f} |")
