#!/usr/bin/env bash
# The first thing to run on a fresh machine: installs what fleet needs, builds it, and brings up a
# local three-machine cluster (one etcd, three dockerd, three fleetd) running units/hello.service.
# The cluster keeps running afterwards; `npm run cluster:down` removes it. Needs root (dockerd).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "demo.sh: Node.js >= 20.19 with npm is required (https://nodejs.org)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: run as root: the local cluster starts private dockerd instances, bridges and cgroups" >&2
  exit 1
fi

bash scripts/install-deps.sh
npm run cluster:up
