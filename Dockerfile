# syntax=docker/dockerfile:1
# Images of SSI Operator. Targets:
#   agent  the per-node agent (DaemonSet): .NET agent, NativeAOT workload init, CRIU 4.2.1, fuse3, iproute2
#   cli      the `ssi` command line
#   operator the controller (Deployment from charts/ssi-operator), non-root, no agent tooling
# Build: docker build --target agent -t ssi-agent .   (and --target operator, --target cli)
# Runtime images are Debian 13 (trixie) so that CRIU is built against the same libraries it runs with.

ARG DOTNET_TAG=10.0-trixie-slim

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_TAG} AS build
# gcc links the NativeAOT programs (workload init, CLI).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The agent precompiled (ReadyToRun), as local mode runs it: a node's first migration skips the JIT.
RUN dotnet publish agent/Ssi.Agent/Ssi.Agent.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o /out/agent \
 && dotnet publish agent/Ssi.Shim/Ssi.Shim.csproj -c Release -r linux-x64 -o /out/shim \
 && dotnet publish operator/Ssi.Cli/Ssi.Cli.csproj -c Release -r linux-x64 -o /out/cli \
 && dotnet publish operator/Ssi.Kubectl/Ssi.Kubectl.csproj -c Release -o /out/kubectl-ssi

FROM debian:trixie-slim AS criu
# CRIU 4.2.1 from Debian sid's source, pinned by sha256 (eng/versions.sh has the same pin).
ARG CRIU_VERSION=4.2.1
ARG CRIU_ORIG_SHA256=29ec0ee09e296479fe7048c80980e8ef1d0684d0b0204c2b101dfea19f6725b9
RUN printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      > /etc/apt/sources.list.d/sid-src.sources \
 && apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates dpkg-dev gcc make pkgconf protobuf-compiler \
      libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev libnl-3-dev libnet1-dev libcap-dev \
      libgnutls28-dev libnftables-dev libbsd-dev uuid-dev python3-protobuf libaio-dev xz-utils \
 && mkdir /build && cd /build \
 && (apt-get source --download-only "criu=${CRIU_VERSION}-1" || true) \
 && echo "${CRIU_ORIG_SHA256}  criu_${CRIU_VERSION}.orig.tar.xz" | sha256sum -c - \
 && tar -xf "criu_${CRIU_VERSION}.orig.tar.xz" \
 && make -C "criu-${CRIU_VERSION}" -j"$(nproc)" criu \
 && install -D -m 0755 "criu-${CRIU_VERSION}/criu/criu" /out/criu \
 && rm -rf /var/lib/apt/lists/*

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_TAG} AS agent
# Runtime libraries of CRIU, FUSE and the tools the agent runs (unshare, nsenter, ip).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fuse3 iproute2 util-linux nftables \
      libprotobuf-c1 libnl-3-200 libnet1 libcap2 libgnutls30t64 libnftables1 libbsd0 libuuid1 libaio1t64 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=criu /out/criu /opt/ssi-operator/criu/sbin/criu
COPY --from=build /out/agent /app/
COPY --from=build /out/shim/ssi-shim /app/ssi-shim
ENV DOTNET_gcServer=0
ENTRYPOINT ["/app/ssi-agent"]

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_TAG} AS cli
# `ssi` is NativeAOT; `ssi local up` runs the agent and the workload init found next to it.
COPY --from=build /out/cli/ssi /app/ssi
COPY --from=build /out/agent /app/
COPY --from=build /out/shim/ssi-shim /app/ssi-shim
# The kubectl plugin (`kubectl ssi`), next to the CLI: copy /opt/kubectl-ssi onto PATH to use it.
COPY --from=build /out/kubectl-ssi /opt/kubectl-ssi/
ENTRYPOINT ["/app/ssi"]

# The operator needs none of the agent's native tooling: its own build stage, so that
# `--target operator` neither compiles CRIU nor publishes the agent.
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_TAG} AS build-operator
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY operator/ operator/
COPY agent/Ssi.Agent.Contracts/ agent/Ssi.Agent.Contracts/
COPY agent/Ssi.Agent.Native/ agent/Ssi.Agent.Native/
RUN dotnet publish operator/Ssi.Operator/Ssi.Operator.csproj -c Release -o /out/operator

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_TAG} AS operator
COPY --from=build-operator /out/operator /app/
# The image's unprivileged `app` user (uid 1654); the chart runs it with a read-only root
# filesystem and an emptyDir at /tmp.
USER $APP_UID
# Runtime settings: operator/Ssi.Operator/Hosting/OperatorRuntimeSettings.cs (kept equal by a test).
ENV DOTNET_gcServer=0 \
    DOTNET_GCgen0size=0x200000 \
    DOTNET_EnableDiagnostics=0 \
    Operator__HttpUrl=http://0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/app/ssi-operator"]
