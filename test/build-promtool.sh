#!/usr/bin/env bash
# Builds Prometheus 3's promtool (github.com/prometheus/prometheus/cmd/promtool, pinned in test/tools/promtool/go.mod)
# into ${METRICOPS_CACHE:-$HOME/.cache/metricops}/promtool-<module version>/promtool. The unit suite runs every
# compiled example and every emitted promtool test on both Debian's promtool 2.42 (/usr/bin/promtool) and this one.
# A built binary is reused as is, so only the first run compiles (a few minutes); later runs take a moment.
# Prints the binary's path on stdout; progress goes to stderr.
# --print-path: only print the path, build nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$here/tools/promtool"

version="$(awk '$1 == "require" && $2 == "github.com/prometheus/prometheus" { print $3 }' "$tools/go.mod")"
cache="${METRICOPS_CACHE:-$HOME/.cache/metricops}"
bin_dir="$cache/promtool-$version"
binary="$bin_dir/promtool"

if [ "${1:-}" = "--print-path" ]; then echo "$binary"; exit 0; fi
if [ -x "$binary" ]; then echo "$binary"; exit 0; fi

log() { printf '[build-promtool] %s\n' "$*" >&2; }
command -v go >/dev/null || { log "Go is not installed: install Go >= 1.26 (https://go.dev/dl/) and run again"; exit 1; }

# The module version v0.3NN.x is Prometheus 3.NN.x: promtool --version says so.
release="$(echo "$version" | sed -E 's/^v0\.3([0-9]{2})\.([0-9]+)$/3.\1.\2/; s/^3\.0([0-9])/3.\1/')"
mkdir -p "$bin_dir"
staging="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

start=$SECONDS
log "building promtool $release ($version) into $bin_dir; the first build takes a few minutes"
(cd "$tools" && nice -n 10 go build -trimpath \
  -ldflags "-s -w -X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Branch=metricops" \
  -o "$staging/promtool" github.com/prometheus/prometheus/cmd/promtool)
mv -f "$staging/promtool" "$binary"
log "built in $((SECONDS - start))s"
echo "$binary"
