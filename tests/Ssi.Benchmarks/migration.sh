#!/usr/bin/env bash
# Benchmark of live migration, in one run: freeze time of a small workload holding a file, a pipe,
# a pty and a socket over repeated migrations, next to raw criu dump + restore of the same kind of
# workload (the floor); freeze for 16 MiB / 256 MiB / 1 GiB of touched memory; relay throughput of
# a stays-home pipe. Prints tables with ratios. Usage: migration.sh [--quick]   (root)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ssi="$root/eng/ssi"   # the NativeAOT CLI users run, or a newer JIT build
[ -x "$root/artifacts/cli/ssi" ] || [ -x "$root/artifacts/bin/Ssi.Cli/release/ssi" ] || { echo "build first: eng/install.sh" >&2; exit 1; }
name="mbench-$$"
manifest=$(mktemp /tmp/mbench-XXXX.yaml)
sed "s/name: demo/name: $name/" "$root/crds/samples/ssicluster-local.yaml" >"$manifest"
cleanup() { "$ssi" local down -n "$name" >/dev/null 2>&1 || true; rm -f "$manifest"; }
trap cleanup EXIT
"$ssi" local up -f "$manifest" >/dev/null
python3 "$root/tests/Ssi.Benchmarks/migbench.py" "$ssi" "$name" "${1:-}"
