#!/usr/bin/env bash
# Benchmark of the shared filesystem, in one run: ext4 (native), our mount on the home node, our
# mount on a second node (forwarding over gRPC/mTLS), and sshfs over loopback. Prints a table with
# ratios to ext4. Usage: filesystem.sh [--quick]   (root; installs fio, sshfs, openssh-server)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
quick=${1:-}
ssi="$root/eng/ssi"   # the NativeAOT CLI users run, or a newer JIT build
[ -x "$root/artifacts/cli/ssi" ] || [ -x "$root/artifacts/bin/Ssi.Cli/release/ssi" ] || { echo "build first: eng/install.sh" >&2; exit 1; }
for p in fio sshfs openssh-server; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = 'install ok installed' ] \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done

work=/var/lib/ssi-bench-$$   # per run: two runs on one machine must not share it
sshd_port=$((20000 + $$ % 20000))
name="fsbench-$$"
rm -rf "$work"; mkdir -p "$work/ext4" "$work/sshfs-data" "$work/sshfs-mnt" "$work/ssh"
manifest="$work/cluster.yaml"
cat >"$manifest" <<YAML
apiVersion: ssi.io/v1alpha1
kind: SsiCluster
metadata: {name: $name}
spec:
  nodes: [{name: home}, {name: remote}]
  filesystem: {mountPath: /ssi-bench, home: home}
YAML
sshd_pid=""
cleanup() {
  fusermount3 -u "$work/sshfs-mnt" 2>/dev/null || true
  if [ -n "$sshd_pid" ]; then
    pkill -P "$sshd_pid" 2>/dev/null || true   # the sftp session of our own sshd
    kill "$sshd_pid" 2>/dev/null || true
  fi
  umount -l "$work/sshfs-mnt" 2>/dev/null || true
  "$ssi" local down -n "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$ssi" local up -f "$manifest" >/dev/null
in_node() { local node=$1; shift; nsenter --mount="/run/ssi-operator/$name/ns/$node.mnt" --net="/run/netns/ssi.$name.$node" -- "$@"; }

# sshfs over loopback: a private sshd on 127.0.0.1:$sshd_port with throw-away keys.
ssh-keygen -q -t ed25519 -N '' -f "$work/ssh/host" && ssh-keygen -q -t ed25519 -N '' -f "$work/ssh/client"
cp "$work/ssh/client.pub" "$work/ssh/authorized_keys"
cat >"$work/ssh/sshd_config" <<CFG
Port $sshd_port
ListenAddress 127.0.0.1
HostKey $work/ssh/host
AuthorizedKeysFile $work/ssh/authorized_keys
PermitRootLogin prohibit-password
PidFile $work/ssh/sshd.pid
StrictModes no
Subsystem sftp internal-sftp
CFG
mkdir -p /run/sshd
/usr/sbin/sshd -f "$work/ssh/sshd_config"
sleep 0.5; sshd_pid=$(cat "$work/ssh/sshd.pid")
sshfs -p "$sshd_port" -o "IdentityFile=$work/ssh/client,StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null" \
  "root@127.0.0.1:$work/sshfs-data" "$work/sshfs-mnt"

bench="$root/tests/Ssi.Benchmarks/fsbench.py"
# The agents compile their code paths on first use: one short unmeasured pass on each node first.
echo "warming up: ssi on home and remote" >&2
in_node home /usr/bin/python3 "$bench" /ssi-bench/warmup-home --warmup >/dev/null
in_node remote /usr/bin/python3 "$bench" /ssi-bench/warmup-remote --warmup >/dev/null
echo "running: ext4" >&2;            ext4=$(python3 "$bench" "$work/ext4/b" $quick)
echo "running: ssi on home" >&2;     home=$(in_node home /usr/bin/python3 "$bench" /ssi-bench/home $quick)
echo "running: ssi on remote" >&2;   remote=$(in_node remote /usr/bin/python3 "$bench" /ssi-bench/remote $quick)
echo "running: sshfs" >&2;           sshfs=$(python3 "$bench" "$work/sshfs-mnt/b" $quick)

python3 - "$ext4" "$home" "$remote" "$sshfs" <<'PY'
import json, sys, datetime, os
cols = ["ext4", "ssi home", "ssi remote", "sshfs"]
data = [json.loads(a) for a in sys.argv[1:]]
rows = [
    ("seq write (MiB/s)", "seq_write_mibs", True), ("seq read, uncached (MiB/s)", "seq_read_mibs", True),
    ("4K random read QD1, buffered (IOPS)", "rand4k_buffered_iops", True), ("4K random read QD1, O_DIRECT (IOPS)", "rand4k_direct_iops", True),
    ("create (files/s)", "create_per_s", True), ("stat (files/s)", "stat_per_s", True), ("unlink (files/s)", "unlink_per_s", True),
    ("ls -l of the directory (s)", "ls_l_s", False), ("write 4 KiB files (files/s)", "small_write_files_s", True),
    ("read 4 KiB files, uncached (files/s)", "small_read_files_s", True),
    ("lookup of a missing name: median / p99 (us)", "lookup_missing_us", False),
    ("stat, warm: median / p99 (us)", "stat_warm_us", False), ("stat, uncached: median / p99 (us)", "stat_uncached_us", False),
    ("open+read 4K+close, warm: median / p99 (us)", "open_read_close_warm_us", False),
    ("open+read 4K+close, uncached: median / p99 (us)", "open_read_close_uncached_us", False),
]
print(f"Filesystem benchmark, {datetime.date.today()}, {os.cpu_count()} cores; ratio = value / ext4 (higher-is-better rows) or ext4 / value (time rows)")
print()
print("| row | " + " | ".join(cols) + " |")
print("|---|" + "---|" * len(cols))
for label, key, higher in rows:
    base = data[0].get(key)
    cells = []
    for d in data:
        v = d.get(key)
        if v is None:
            cells.append("n/a"); continue
        if isinstance(v, list):
            b = base[0] if base else None
            ratio = (b / v[0]) if b and v[0] else None
            cells.append(f"{v[0]} / {v[1]}" + (f" ({ratio:.2f}x)" if ratio is not None and d is not data[0] else ""))
        else:
            ratio = (v / base if higher else base / v) if base and v else None
            cells.append(f"{v}" + (f" ({ratio:.2f}x)" if ratio is not None and d is not data[0] else ""))
    print(f"| {label} | " + " | ".join(cells) + " |")
PY
