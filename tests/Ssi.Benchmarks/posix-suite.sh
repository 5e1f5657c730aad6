#!/usr/bin/env bash
# POSIX conformance of the shared filesystem with pjdfstest, in one run: ext4 (a directory on this
# machine's disk, the baseline), our mount on the home node, our mount on a forwarding node. Prints
# pass/fail counts per target and every test file whose result differs from ext4's.
#
#   posix-suite.sh PJDFSTEST_DIR [--targets ext4,home,remote] [--only 'chmod open/02.t ...']
#
# PJDFSTEST_DIR is a built pjdfstest checkout (the pjdfstest binary and tests/ in it); nothing is
# fetched here, see docs/filesystem.md for how to get and build it. Root (pjdfstest switches users).
# Every target runs the very same assertions: the copy of the tests this script runs declares the
# filesystem to be EXT4 (pjdfstest otherwise skips some ext4 checks, such as ctime on rename, for
# file system types it does not know). Logs stay in $SSI_POSIX_LOGS (default /var/tmp/ssi-posix-suite).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pjd=${1:?usage: posix-suite.sh PJDFSTEST_DIR [--targets ext4,home,remote] [--only TESTS]}
shift
targets="ext4,home,remote"
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) targets=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root: pjdfstest switches users" >&2; exit 1; }
[ -x "$pjd/pjdfstest" ] && [ -d "$pjd/tests" ] || { echo "$pjd has no built pjdfstest (pjdfstest binary and tests/)" >&2; exit 1; }
command -v prove >/dev/null || { echo "prove (perl) is missing" >&2; exit 1; }
ssi="$root/eng/ssi"   # the NativeAOT CLI users run, or a newer JIT build
[ -x "$root/artifacts/cli/ssi" ] || [ -x "$root/artifacts/bin/Ssi.Cli/release/ssi" ] || { echo "build first: eng/install.sh" >&2; exit 1; }

logs=${SSI_POSIX_LOGS:-/var/tmp/ssi-posix-suite}
work="/var/tmp/ssi-posix-suite-$$"
data="/var/lib/ssi-posix-suite-$$"   # outside /var/lib/ssi-operator: this cluster's data only
name="posix-$$"
mount=/ssi-posix
mkdir -p "$logs" "$work/suite" "$data/ext4"
cluster_up=""
cleanup() {
  # The data first: an interrupted run can leave a tree deeper than PATH_MAX, which `ssi local down`
  # cannot delete (.NET's recursive delete fails on it).
  rm -rf "$work" "$data"
  [ -n "$cluster_up" ] && "$ssi" local down -n "$name" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The suite, with the file system type fixed to EXT4 (see above).
cp "$pjd/pjdfstest" "$work/suite/"
cp -r "$pjd/tests" "$work/suite/"
printf '\nfs=EXT4\n' >>"$work/suite/tests/conf"
if [ -n "$only" ]; then
  selection=$(for t in $only; do printf '%s ' "$work/suite/tests/$t"; done)
else
  selection="$work/suite/tests"
fi

run() { # run TARGET DIR [nsenter prefix...]
  local target=$1 dir=$2; shift 2
  echo "running pjdfstest on $target ($dir)" >&2
  "$@" sh -c "mkdir -p '$dir' && cd '$dir' && prove -r $selection" >"$logs/$target.log" 2>&1 || true
}

if [[ ",$targets," == *,home,* || ",$targets," == *,remote,* ]]; then
  cat >"$work/cluster.yaml" <<YAML
apiVersion: ssi.io/v1alpha1
kind: SsiCluster
metadata: {name: $name}
spec:
  nodes: [{name: home}, {name: remote}]
  filesystem: {mountPath: $mount, home: home, hostPath: $data/cfs}
YAML
  "$ssi" local up -f "$work/cluster.yaml" >/dev/null
  cluster_up=1
fi
in_node() { local node=$1; shift; nsenter --mount="/run/ssi-operator/$name/ns/$node.mnt" --net="/run/netns/ssi.$name.$node" -- "$@"; }

ext4_type=$(df -PT "$data/ext4" | awk 'NR==2 {print $2}')
columns=()
for t in ${targets//,/ }; do
  case "$t" in
    ext4) run ext4 "$data/ext4/run" ;;
    home) run home "$mount/home-run" in_node home ;;
    remote) run remote "$mount/remote-run" in_node remote ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
  columns+=("$t")
done

python3 - "$logs" "$ext4_type" "${columns[@]}" <<'PY'
import datetime, os, platform, re, sys
logs, ext4_type, targets = sys.argv[1], sys.argv[2], sys.argv[3:]

def parse(path):
    text = open(path, errors="replace").read()
    files = tests = 0
    m = re.search(r"Files=(\d+), Tests=(\d+)", text)
    if m:
        files, tests = int(m.group(1)), int(m.group(2))
    failed, todo = {}, {}
    summary = text.split("Test Summary Report", 1)[1] if "Test Summary Report" in text else ""
    current, detail = None, {}
    for line in summary.splitlines():
        m = re.match(r"(\S+\.t)\s+\(Wstat: (\d+) Tests: (\d+) Failed: (\d+)\)", line)
        if m:
            current, key = m.group(1).split("/tests/", 1)[-1], None
            if int(m.group(4)) or int(m.group(2)):
                failed[current] = ("failed %s of %s" % (m.group(4), m.group(3))) if int(m.group(4)) else "wait status %s" % m.group(2)
            continue
        m = re.match(r"\s+(TODO passed|Failed tests?|Parse errors?):\s+(.*)", line)
        if m and current:
            key = (current, "todo" if m.group(1) == "TODO passed" else "failed")
            detail[key] = m.group(2).strip()
            continue
        if current and key and re.match(r"^\s+[\d, -]+$", line):
            detail[key] += ", " + line.strip()  # a long list goes on over several lines
    for (f, kind), numbers in detail.items():
        numbers = re.sub(r",\s*,", ",", numbers).strip(", ")
        if kind == "todo":
            todo[f] = "TODO passed: " + numbers
        elif f in failed:
            failed[f] += " (" + numbers + ")"
    failed_tests = sum(int(re.match(r"failed (\d+)", v).group(1)) for v in failed.values() if v.startswith("failed"))
    return {"files": files, "tests": tests, "failed_files": failed, "failed_tests": failed_tests, "todo": todo}

results = {t: parse(os.path.join(logs, t + ".log")) for t in targets}
print(f"pjdfstest, {datetime.date.today()}, {platform.system()} {platform.release()}, {os.cpu_count()} cores; ext4 target is {ext4_type}")
print()
print("| target | test files | tests | passed | failed | files with a failure | TODO tests that passed |")
print("|---|---|---|---|---|---|---|")
for t in targets:
    r = results[t]
    print(f"| {t} | {r['files']} | {r['tests']} | {r['tests'] - r['failed_tests']} | {r['failed_tests']} | {len(r['failed_files'])} | {sum(len(v.split(',')) for v in r['todo'].values())} |")
base = results.get("ext4")
if base:
    print()
    for t in targets:
        if t == "ext4":
            continue
        r = results[t]
        diff = []
        for f in sorted(set(r["failed_files"]) | set(base["failed_files"]) | set(r["todo"]) | set(base["todo"])):
            mine = "; ".join(x for x in (r["failed_files"].get(f), r["todo"].get(f)) if x) or "ok"
            theirs = "; ".join(x for x in (base["failed_files"].get(f), base["todo"].get(f)) if x) or "ok"
            if mine != theirs:
                diff.append(f"- {f}: {t} {mine}; ext4 {theirs}")
        print(f"Differences from ext4 on {t}: {len(diff) or 'none'}")
        print("\n".join(diff))
print()
print(f"logs: {logs}/<target>.log")
PY
