#!/usr/bin/env bash
# Installs everything the test suite needs, idempotently: Debian packages, npm packages, the compiled CLI, and for
# the e2e suite Go (if missing), the local Kubernetes control plane and the compiled e2e harness.
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
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

log "building the CLI (tsc)"
npm run --silent build

# The e2e suite and the demo run a real Kubernetes control plane built from Go modules (test/e2e/tools): Go >= 1.24
# is needed for the first build only. Debian 12 ships Go 1.19, so an official Go is fetched into the cache if needed.
if [ "${METRICOPS_SKIP_E2E_SETUP:-0}" != "1" ]; then
  cache="${METRICOPS_CACHE:-$HOME/.cache/metricops}"
  go_version=1.24.6
  go_ok() { command -v go >/dev/null && [ "$(printf '%s\n' "go1.24" "$(go env GOVERSION 2>/dev/null)" | sort -V | head -n1)" = "go1.24" ]; }
  if ! go_ok && [ -x "$cache/go-$go_version/bin/go" ]; then export PATH="$cache/go-$go_version/bin:$PATH"; fi
  if ! go_ok && [ ! -x "$(bash test/e2e/build-control-plane.sh --print-dir 2>/dev/null)/kubectl" ]; then
    arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
    log "installing Go $go_version ($arch) into $cache/go-$go_version"
    mkdir -p "$cache/go-$go_version.tmp"
    curl -fsSL "https://go.dev/dl/go$go_version.linux-$arch.tar.gz" | tar -xz -C "$cache/go-$go_version.tmp" --strip-components=1
    mv "$cache/go-$go_version.tmp" "$cache/go-$go_version"
    export PATH="$cache/go-$go_version/bin:$PATH"
  fi
  log "building the local control plane (kube-apiserver, kube-controller-manager, kubectl, etcd; cached after the first run)"
  bash test/e2e/build-control-plane.sh >/dev/null
  log "building the e2e harness (tsc)"
  npx tsc -p test/e2e/tsconfig.build.json
fi
