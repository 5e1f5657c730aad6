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

step "One filesystem: written on node2, read on node3 and node1 (/ssi, data kept on node1)"
"$ssi" run -c demo --node node2 -- sh -c 'echo "written on $SSI_NODE at $(date +%T)" > /ssi/hello.txt'
"$ssi" run -c demo --node node3 -- sh -c 'echo "node3 reads: $(cat /ssi/hello.txt)"; echo "appended on node3" >> /ssi/hello.txt'
"$ssi" run -c demo --node node1 -- sh -c 'echo "node1 reads:"; cat /ssi/hello.txt'

step "Every node's devices from every node: node1 exports /dev/null, /dev/zero, /dev/urandom; node3 uses them as /run/ssi/dev/node1/*"
"$ssi" run -c demo --node node3 -- sh -c '
  ls -l /run/ssi/dev/node1
  echo "node3 reads node1'"'"'s /dev/urandom:$(head -c 8 /run/ssi/dev/node1/urandom | od -An -tx1)"
  echo "written on node3" > /run/ssi/dev/node1/null && echo "node3 wrote to node1'"'"'s /dev/null"
  echo "node3 read $(head -c 1048576 /run/ssi/dev/node1/zero | wc -c) bytes from node1'"'"'s /dev/zero"'
"$ssi" run -c demo --detach --node node3 -- sh -c 'exec 3</run/ssi/dev/node1/zero; sleep 5' >/dev/null
sleep 0.5
echo "ssi dev ls: every exported device, its node, and who has it open"
"$ssi" dev ls -c demo

step "One process space: run a program on every node (OpenSSI's rexec), output and exit code come back"
for node in node1 node2 node3; do
  "$ssi" run -c demo --node "$node" -- sh -c 'echo "hello from $SSI_NODE, pid $$ in my own PID namespace"'
done

step "Long-running workloads, one per node, started detached"
for node in node1 node2 node3; do
  line=$("$ssi" run -c demo --detach --node "$node" -- sh -c 'while :; do sleep 1; done')
  echo "$line"
  [ "$node" = node2 ] && victim=${line%% *}
done
sleep 0.5

step "ssi ps: every SSI process of the cluster, with cluster PIDs (node index + 1) x 1000000 + n"
"$ssi" ps -c demo

step "ssi kill from anywhere: the workload of node2, by its cluster PID $victim"
"$ssi" kill -c demo "$victim"
sleep 0.3
"$ssi" ps -c demo

step "Live migration: a worker on node1 holding a file on /ssi, a pipe and a socket to a process left on node1, its terminal and node1's /dev/kmsg"
sock=/tmp/ssi-demo-$$.sock
rm -f "$sock"
listener=$("$ssi" run -c demo --detach --node node1 -- python3 "$root/eng/demo/listener.py" "$sock")
listener_log=${listener##*output: }
listener_log=${listener_log%)}
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
terminal=$(mktemp /tmp/ssi-demo-terminal-XXXX)
# `script` gives `ssi run` a terminal, so the worker gets one too (a pty on node1, the caller's side here).
script -qfec "$ssi run -c demo --node node1 -- python3 $root/eng/demo/worker.py $sock /dev/kmsg" "$terminal" </dev/null >/dev/null 2>&1 &
script_pid=$!
worker=""
for _ in $(seq 100); do
  worker=$("$ssi" ps -c demo -o json | python3 -c 'import json,sys; print(next((p["clusterPid"] for p in json.load(sys.stdin)["processes"] if "worker.py" in p["commandLine"]), ""))')
  [ -n "$worker" ] && break
  sleep 0.1
done
sleep 1.5
"$ssi" ps -c demo
echo
echo "The plan (nothing is frozen by --dry-run):"
"$ssi" migrate "$worker" --to node2 -c demo --dry-run | grep -v '^ *$' || true
for node in node2 node3; do
  step "ssi migrate $worker --to $node"
  "$ssi" migrate "$worker" --to "$node" -c demo | tail -3
  sleep 2
  echo "-- its terminal (seen by the caller on this machine):"
  tail -n 2 "$terminal" | tr -d '\r'
  echo "-- the listener left on node1 (through the relayed pipe):"
  tail -n 2 "$listener_log"
  echo "-- the file it appends to on the shared filesystem: $(tail -n 1 /var/lib/ssi-operator/demo/cfs/demo/worker.log)"
done
step "ssi ps after: same cluster PID $worker, now on node3"
"$ssi" ps -c demo
"$ssi" kill -c demo "$worker" >/dev/null
wait "$script_pid" 2>/dev/null || true
sleep 0.5
tail -n 1 "$listener_log"
rm -f "$terminal" "$sock"

cat <<TXT

The cluster stays up. Try:
  $ssi local status -n demo
  $ssi local status -n demo -o json
  $ssi run --node node3 -- bash -i      # a terminal on node3
  $ssi ps -o json
  $ssi dev ls                    # devices of every node; use them on any node under /run/ssi/dev/<node>/
  $ssi kill -9 1000001
  $ssi migrate CPID --to node2 [--mode stop-copy|lazy|auto] [--dry-run]
  $ssi apply -f crds/samples/processmigration-local.yaml
  $ssi local down -n demo        # removes every namespace, mount and process it made
TXT
