#!/usr/bin/env bash
# Installs everything the test suite needs, idempotently: Debian packages, npm packages, the compiled CLI, promtool 3
# for the unit suite, and for the e2e suite the local Kubernetes control plane, Flux (source- and kustomize-controller),
# helm and the compiled e2e harness.
# Called by test/run-all.sh (`npm test`) and by the demo; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

apt_packages=(prometheus prometheus-alertmanager git openssl curl ca-certificates chromium-headless-shell)
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

# `npm ci`: exactly the locked versions, or a clear error when package.json and package-lock.json disagree (run
# `npm install` to update the lock file, and commit it). npm writes node_modules/.package-lock.json on every install,
# so node_modules is up to date when that file is newer than both: a pulled or edited lock file or package.json
# (or a node_modules without that file) reinstalls.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  [ package.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci, the locked versions)"
  npm ci --no-audit --no-fund
fi

log "building the CLI (tsc)"
npm run --silent build

# The unit suite runs every compiled example and emitted promtool test on Debian's promtool 2.42 and on Prometheus 3's
# promtool, built from the Go module proxy (test/tools/promtool) and cached by version; the first build takes minutes.
if [ ! -x "$(bash test/build-promtool.sh --print-path)" ]; then
  command -v go >/dev/null || { log "Go is not installed: install Go >= 1.26 (https://go.dev/doc/install) to build promtool 3 for the unit tests"; exit 1; }
fi
log "building promtool 3 (cached after the first run)"
bash test/build-promtool.sh >/dev/null

# The e2e suite and the demo run a real Kubernetes control plane built from Go modules (test/e2e/tools), the GitOps
# tests a real Flux (test/e2e/tools/flux), and the chart's e2e test runs helm (test/e2e/tools/helm), all built from Go
# modules; they need Go >= 1.24 (Flux and helm: 1.26) for the first build only. Go >= 1.21 fetches a newer toolchain
# itself through the Go module proxy (GOTOOLCHAIN=auto), so older Go is the only thing we cannot fix here: say so and
# stop.
if [ "${METRICOPS_SKIP_E2E_SETUP:-0}" != "1" ]; then
  if [ ! -x "$(bash test/e2e/build-control-plane.sh --print-dir 2>/dev/null)/kubectl" ] ||
    [ ! -x "$(bash test/e2e/build-flux.sh --print-dir 2>/dev/null)/kustomize-controller" ] ||
    [ ! -x "$(bash test/e2e/build-helm.sh --print-dir 2>/dev/null)/helm" ]; then
    if ! command -v go >/dev/null; then
      log "Go is not installed: install Go >= 1.21 (https://go.dev/doc/install) to build the local control plane, Flux and helm, or set METRICOPS_SKIP_E2E_SETUP=1 to skip the e2e suite"
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
  log "building helm (for the Helm chart's e2e test; cached after the first run)"
  bash test/e2e/build-helm.sh >/dev/null
  log "building the e2e harness (tsc)"
  npx tsc -p test/e2e/tsconfig.build.json
fi
