#!/usr/bin/env bash
# Builds Cortex (github.com/cortexproject/cortex, the version pinned in tools/cortex/go.mod), whose ruler the e2e
# tests of the ruler sync (test/e2e/ruler.test.ts) and `npm run bench -- ruler` push rules to, into
# ${METRICOPS_CACHE:-$HOME/.cache/metricops}/cortex-<version>/. A complete folder is reused as is, so only the first
# run compiles (minutes, one `go build`); later runs take a second. Built as Cortex's own Makefile does: CGO off,
# tags "netgo slicelabels" (without slicelabels it crashes on the first remote-write push), stripped, the version
# stamped in. Prints the folder on stdout; progress goes to stderr.
# --print-dir: only print the folder, build nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$here/tools/cortex"

cortex_version="$(awk '$1 == "require" && $2 == "github.com/cortexproject/cortex" { print $3 }' "$tools/go.mod")"
cache="${METRICOPS_CACHE:-$HOME/.cache/metricops}"
bin_dir="$cache/cortex-$cortex_version"

if [ "${1:-}" = "--print-dir" ]; then echo "$bin_dir"; exit 0; fi

log() { printf '[build-cortex] %s\n' "$*" >&2; }

if [ -x "$bin_dir/cortex" ]; then
  echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null || { log "Go is not installed: install Go >= 1.21 (https://go.dev/doc/install; it fetches the toolchain tools/cortex/go.mod asks for) and run again"; exit 1; }
mkdir -p "$bin_dir"
staging="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

start=$SECONDS
log "building Cortex $cortex_version into $bin_dir; the first build takes minutes"
(cd "$tools" && CGO_ENABLED=0 go build -trimpath -tags "netgo slicelabels" \
  -ldflags "-s -w -X main.Version=${cortex_version#v} -X main.Branch=release -X main.Revision=$cortex_version" \
  -o "$staging/cortex" github.com/cortexproject/cortex/cmd/cortex)
mv -f "$staging/cortex" "$bin_dir/cortex"
log "built in $((SECONDS - start))s"
echo "$bin_dir"
