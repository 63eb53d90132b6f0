#!/usr/bin/env bash
# Builds helm (helm.sh/helm/v4, the version pinned in tools/helm/go.mod), which the e2e tests of the Helm chart
# (charts/metricops, test/e2e/helm.test.ts) run, into ${METRICOPS_CACHE:-$HOME/.cache/metricops}/helm-<version>/.
# A complete folder is reused as is, so only the first run compiles (a few minutes, one `go build`); later runs take
# a second. Built like helm's own release (CGO off, stripped, the version stamped in). Prints the folder on stdout;
# progress goes to stderr.
# --print-dir: only print the folder, build nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$here/tools/helm"

helm_version="$(awk '$1 == "require" && $2 == "helm.sh/helm/v4" { print $3 }' "$tools/go.mod")"
cache="${METRICOPS_CACHE:-$HOME/.cache/metricops}"
bin_dir="$cache/helm-$helm_version"

if [ "${1:-}" = "--print-dir" ]; then echo "$bin_dir"; exit 0; fi

log() { printf '[build-helm] %s\n' "$*" >&2; }

if [ -x "$bin_dir/helm" ]; then
  echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null || { log "Go is not installed: install Go >= 1.21 (https://go.dev/doc/install; it fetches the toolchain tools/helm/go.mod asks for) and run again"; exit 1; }
mkdir -p "$bin_dir"
staging="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

start=$SECONDS
version_pkg=helm.sh/helm/v4/internal/version
log "building helm $helm_version into $bin_dir; the first build takes minutes"
(cd "$tools" && CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X $version_pkg.version=$helm_version -X $version_pkg.metadata= -X $version_pkg.gitTreeState=clean" \
  -o "$staging/helm" helm.sh/helm/v4/cmd/helm)
mv -f "$staging/helm" "$bin_dir/helm"
log "built in $((SECONDS - start))s"
echo "$bin_dir"
