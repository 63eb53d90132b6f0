#!/usr/bin/env bash
# Builds Sloth (the baseline of the compiler and rule-cost benchmarks) from the Go module proxy, once, into a cache
# folder, and prints the path of the sloth binary. Reuses the binary when present.
#
# `go install github.com/slok/sloth/cmd/sloth@<version>` builds it with the dependency versions of Sloth's own go.mod;
# the version is stamped the way Sloth's release builds do, so `sloth version` and sloth_version say it.
set -euo pipefail
version="${SLOTH_VERSION:-v0.16.0}"
cache="${METRICOPS_CACHE:-$HOME/.cache/metricops}"
bin_dir="$cache/bin/sloth-$version"
if [[ ! -x "$bin_dir/sloth" ]]; then
  command -v go >/dev/null || { echo "build-sloth.sh: Go is needed to build Sloth $version (https://go.dev/dl/)" >&2; exit 1; }
  echo "build-sloth.sh: building Sloth $version into $bin_dir (takes a few minutes once)" >&2
  start=$SECONDS
  staging="$(mktemp -d)"
  trap 'rm -rf "$staging"' EXIT
  mkdir -p "$bin_dir"
  GOBIN="$staging" GOFLAGS=-buildvcs=false nice -n 10 go install \
    -ldflags "-X github.com/slok/sloth/internal/info.Version=$version" "github.com/slok/sloth/cmd/sloth@$version" >&2
  mv "$staging/sloth" "$bin_dir/sloth"
  echo "build-sloth.sh: built in $((SECONDS - start))s" >&2
fi
echo "$bin_dir/sloth"
