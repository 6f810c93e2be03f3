#!/usr/bin/env bash
# Installs what fleet's tests and local cluster need on a fresh Debian machine: etcd, dockerd,
# a static busybox (the test image is built FROM scratch from it), iproute2 and iptables.
# Idempotent: does nothing when everything is present.
set -euo pipefail

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
# The test image is FROM scratch, so busybox must be the statically linked build.
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v iptables >/dev/null 2>&1 || need+=(iptables)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Debian's etcd-server and docker.io start system services on install; fleet's tests and local
# cluster start private instances and never use (or disturb) those.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
