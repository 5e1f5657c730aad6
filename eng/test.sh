#!/usr/bin/env bash
# Installs everything the tests need (eng/install.sh, idempotent) and runs every test:
# unit tests, and integration tests as root with real namespaces, FUSE and CRIU.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

./eng/install.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test SsiOperator.sln -c Release --no-build --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test assemblies: "N passed, N failed".
awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") { f += $(i + 1) + 0 }
      if ($i == "Passed:") { p += $(i + 1) + 0 }
      if ($i == "Skipped:") { s += $(i + 1) + 0 }
    }
  }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }
' "$log"
exit "$status"
