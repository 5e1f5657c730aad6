#!/usr/bin/env bash
# Benchmark: wall time of `ssi local up` (until every agent answers health over mTLS) and
# `ssi local down` of the 3-node sample. Prints a table. Usage: local-up.sh [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
ssi="$root/eng/ssi"   # the NativeAOT CLI users run, or a newer JIT build
[ -x "$root/artifacts/cli/ssi" ] || [ -x "$root/artifacts/bin/Ssi.Cli/release/ssi" ] || { echo "build first: eng/install.sh" >&2; exit 1; }
name="bench-$$"
manifest=$(mktemp --suffix=.yaml)
trap 'rm -f "$manifest"; "$ssi" local down -n "$name" >/dev/null 2>&1 || true' EXIT
sed "s/name: demo/name: $name/" "$root/crds/samples/ssicluster-local.yaml" >"$manifest"

ups=() downs=()
for _ in $(seq "$runs"); do
  t0=$(date +%s.%N); "$ssi" local up -f "$manifest" >/dev/null; t1=$(date +%s.%N)
  "$ssi" local down -n "$name" >/dev/null; t2=$(date +%s.%N)
  ups+=("$(awk "BEGIN{print $t1 - $t0}")") downs+=("$(awk "BEGIN{print $t2 - $t1}")")
done

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.2f | %.2f | %.2f", a[1], a[int((NR+1)/2)], a[NR]}'; }
echo "| operation (3 nodes, $runs runs) | min s | median s | max s | goal |"
echo "|---|---|---|---|---|"
echo "| ssi local up | $(stats "${ups[@]}") | < 10 s |"
echo "| ssi local down | $(stats "${downs[@]}") | - |"
