#!/usr/bin/env bash
# The main job: sets up this machine (eng/install.sh) and brings up a 3-node SSI cluster in
# local mode, every node a network + mount namespace with its own agent, then shows it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

./eng/install.sh
ssi="$root/eng/ssi"
sample=crds/samples/ssicluster-local.yaml

step() { printf '\n\033[1;36m== %s\033[0m\n' "$*"; }

step "A fresh 3-node cluster from $sample"
"$ssi" local down -n demo >/dev/null
"$ssi" local up -f "$sample"

step "Every node and its agent (mTLS gRPC, inside the node's own network namespace)"
"$ssi" local status -n demo

step "What the nodes are on this machine"
ip netns list | grep '^ssi\.demo' || true

cat <<TXT

The cluster stays up. Try:
  $ssi local status -n demo
  $ssi local status -n demo -o json
  $ssi local down -n demo        # removes every namespace, mount and process it made
TXT
