#!/usr/bin/env bash
# Installs everything the test suite needs, idempotently: Debian packages, npm packages, the compiled CLI, and for
# the e2e suite the local Kubernetes control plane, Flux (source- and kustomize-controller) and the compiled e2e
# harness.
# Called by test/run-all.sh (`npm test`) and by the demo; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

apt_packages=(prometheus prometheus-alertmanager git openssl curl ca-certificates)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: registries that serve only this platform's optional binaries (e.g. @swc/core's
  # darwin/win32 builds missing) leave the lock file without them, and `npm ci` then refuses it as out of sync.
  # With a lock file present, `npm install` installs the locked versions.
  log "installing npm packages (npm install, locked versions)"
  npm install --no-audit --no-fund
fi

log "building the CLI (tsc)"
npm run --silent build

# The e2e suite and the demo run a real Kubernetes control plane and a real Flux built from Go modules
# (test/e2e/tools, test/e2e/tools/flux), which need Go >= 1.24 and >= 1.26 for the first build only. Go >= 1.21
# fetches a newer toolchain itself through the Go module proxy (GOTOOLCHAIN=auto), so older Go is the only thing we
# cannot fix here: say so and stop.
if [ "${METRICOPS_SKIP_E2E_SETUP:-0}" != "1" ]; then
  if [ ! -x "$(bash test/e2e/build-control-plane.sh --print-dir 2>/dev/null)/kubectl" ] ||
     [ ! -x "$(bash test/e2e/build-flux.sh --print-dir 2>/dev/null)/kustomize-controller" ]; then
    if ! command -v go >/dev/null; then
      log "Go is not installed: install Go >= 1.21 (https://go.dev/doc/install) to build the local control plane and Flux, or set METRICOPS_SKIP_E2E_SETUP=1 to skip the e2e suite"
      exit 1
    fi
    if [ "$(printf '%s\n' go1.21 "$(go env GOVERSION)" | sort -V | head -n1)" != "go1.21" ]; then
      log "Go $(go env GOVERSION) is too old: Go >= 1.21 is needed (it fetches the toolchain test/e2e/tools asks for through the module proxy)"
      exit 1
    fi
  fi
  log "building the local control plane (kube-apiserver, kube-controller-manager, kubectl, etcd; cached after the first run)"
  bash test/e2e/build-control-plane.sh >/dev/null
  log "building Flux (source-controller, kustomize-controller; cached after the first run)"
  bash test/e2e/build-flux.sh >/dev/null
  log "building the e2e harness (tsc)"
  npx tsc -p test/e2e/tsconfig.build.json
fi
