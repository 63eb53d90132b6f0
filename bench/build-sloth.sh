#!/usr/bin/env bash
# Builds Sloth (the baseline of the compiler benchmark) from the Go module proxy, once, into a cache folder,
# and prints the path of the sloth binary. Reuses the binary when present.
#
# v0.12.0 is the newest Sloth release the Go module proxy serves here, and it builds with Go 1.26.
# `go install github.com/slok/sloth/cmd/sloth@v0.12.0` would be the one-liner, but it also reads the module's
# version list (for deprecation notices), which the proxy here refuses; building from a throwaway module
# that requires the pinned version gives the same binary (same go.mod, same dependency versions).
set -euo pipefail
version="${SLOTH_VERSION:-v0.12.0}"
cache="${METRICOPS_CACHE:-$HOME/.cache/metricops}"
bin_dir="$cache/bin/sloth-$version"
if [[ ! -x "$bin_dir/sloth" ]]; then
  command -v go >/dev/null || { echo "build-sloth.sh: Go is needed to build Sloth $version (apt-get install golang-go)" >&2; exit 1; }
  echo "build-sloth.sh: building Sloth $version into $bin_dir (takes a few minutes once)" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$bin_dir"
  (
    cd "$work"
    go mod init metricops.io/sloth-build >/dev/null 2>&1
    go get "github.com/slok/sloth/cmd/sloth@$version" >/dev/null 2>&1
    GOFLAGS=-buildvcs=false go build -ldflags "-X github.com/slok/sloth/internal/info.Version=$version" -o "$bin_dir/sloth.tmp" github.com/slok/sloth/cmd/sloth
  ) >&2
  mv "$bin_dir/sloth.tmp" "$bin_dir/sloth"
fi
echo "$bin_dir/sloth"
