#!/usr/bin/env bash
# Builds the Flux controllers the GitOps end-to-end tests run against the local control plane:
#   source-controller and kustomize-controller (github.com/fluxcd/*, see tools/flux/go.mod), in one `go build`,
#   and their CustomResourceDefinitions (config/crd/bases of both modules, from the Go module cache) in crds/
# into ${METRICOPS_CACHE:-$HOME/.cache/metricops}/flux-<version>/. A complete folder is reused as is, so only the
# first run compiles (about 10 minutes on 2 cores); later runs take a second. Prints the folder on stdout; progress
# goes to stderr.
# --print-dir: only print the folder, build nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$here/tools/flux"

module_version() { awk -v module="$1" '$1 == module && $2 ~ /^v/ { print $2; exit }' "$tools/go.mod"; }
source_version="$(module_version github.com/fluxcd/source-controller)"
kustomize_version="$(module_version github.com/fluxcd/kustomize-controller)"
cache="${METRICOPS_CACHE:-$HOME/.cache/metricops}"
bin_dir="$cache/flux-$source_version"
binaries=(source-controller kustomize-controller)
modules=(github.com/fluxcd/source-controller github.com/fluxcd/kustomize-controller)
stamp="source-controller $source_version kustomize-controller $kustomize_version"

if [ "${1:-}" = "--print-dir" ]; then echo "$bin_dir"; exit 0; fi

log() { printf '[build-flux] %s\n' "$*" >&2; }

if [ "$source_version" != "$kustomize_version" ]; then
  log "tools/flux/go.mod requires source-controller $source_version but kustomize-controller $kustomize_version: use one Flux version for both"
  exit 1
fi

complete() {
  local name
  for name in "${binaries[@]}"; do [ -x "$bin_dir/$name" ] || return 1; done
  [ "$(cat "$bin_dir/.versions" 2>/dev/null)" = "$stamp" ]
}

if complete; then
  echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null || { log "Go is not installed: install Go >= 1.21 (https://go.dev/doc/install; it fetches the toolchain tools/flux/go.mod asks for) and run again"; exit 1; }
mkdir -p "$bin_dir"
staging="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

start=$SECONDS
log "building Flux $source_version (source-controller, kustomize-controller) into $bin_dir; the first build takes about 10 minutes"
# The same flags as build-control-plane.sh: packages both builds share (the standard library, a few dependencies)
# compile once in Go's build cache.
(cd "$tools" && go build -trimpath -ldflags "-s -w" -o "$staging/" "${modules[@]}")

mkdir -p "$staging/crds"
for module in "${modules[@]}"; do
  dir="$(cd "$tools" && go mod download -json "$module" | awk -F'"' '$2 == "Dir" { print $4 }')"
  [ -d "$dir/config/crd/bases" ] || { log "no config/crd/bases in $module ($dir)"; exit 1; }
  cp "$dir"/config/crd/bases/*.yaml "$staging/crds/"
done
chmod -R u+w "$staging/crds"

rm -rf "$bin_dir/crds"
mv "$staging/crds" "$bin_dir/crds"
for name in "${binaries[@]}"; do mv -f "$staging/$name" "$bin_dir/$name"; done
echo "$stamp" > "$bin_dir/.versions"
log "built in $((SECONDS - start))s"
echo "$bin_dir"
