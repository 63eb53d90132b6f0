#!/usr/bin/env bash
# Builds the local Kubernetes control plane the end-to-end tests and the demo run:
#   kube-apiserver, kube-controller-manager, kubectl (k8s.io/kubernetes, see tools/go.mod)
#   etcd 3.6 (go.etcd.io/etcd/server/v3, see tools/etcd/go.mod; Debian's etcd 3.4 is too old for Kubernetes 1.34)
# into ${METRICOPS_CACHE:-$HOME/.cache/metricops}/k8s-<version>/. A complete folder is reused as is, so only the
# first run compiles (minutes); later runs take a second. Prints the folder on stdout; progress goes to stderr.
# --print-dir: only print the folder, build nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$here/tools"

k8s_version="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$tools/go.mod")"
etcd_version="$(awk '$1 == "require" && $2 == "go.etcd.io/etcd/server/v3" { print $3 }' "$tools/etcd/go.mod")"
cache="${METRICOPS_CACHE:-$HOME/.cache/metricops}"
bin_dir="$cache/k8s-$k8s_version"
binaries=(kube-apiserver kube-controller-manager kubectl etcd)

if [ "${1:-}" = "--print-dir" ]; then echo "$bin_dir"; exit 0; fi

log() { printf '[build-control-plane] %s\n' "$*" >&2; }

# The Kubernetes binaries carry their version (`kubectl version`, the apiserver's /version), as release builds do:
# without it they report v0.0.0-master and tools that check the server version (helm's kubeVersion) refuse them.
k8s_minor="${k8s_version#v*.}"; k8s_minor="${k8s_minor%%.*}"
k8s_major="${k8s_version#v}"; k8s_major="${k8s_major%%.*}"
version_ldflags=""
for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_ldflags+=" -X $package.gitVersion=$k8s_version -X $package.gitMajor=$k8s_major -X $package.gitMinor=$k8s_minor"
  version_ldflags+=" -X $package.gitTreeState=clean"
done

complete() {
  local name
  for name in "${binaries[@]}"; do [ -x "$bin_dir/$name" ] || return 1; done
  [ "$(cat "$bin_dir/.etcd-version" 2>/dev/null)" = "$etcd_version" ] &&
    [ "$(cat "$bin_dir/.version-ldflags" 2>/dev/null)" = "$version_ldflags" ]
}

if complete; then
  echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null || { log "Go is not installed: install Go >= 1.24 (https://go.dev/dl/) and run again"; exit 1; }
mkdir -p "$bin_dir"
staging="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

start=$SECONDS
flags=(-trimpath -ldflags "-s -w")
log "building Kubernetes $k8s_version (kube-apiserver, kube-controller-manager, kubectl) into $bin_dir; the first build takes minutes"
(cd "$tools" && go build -trimpath -ldflags "-s -w$version_ldflags" -o "$staging/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl)
log "building etcd $etcd_version"
(cd "$tools/etcd" && go build "${flags[@]}" -o "$staging/etcd" go.etcd.io/etcd/server/v3)

for name in "${binaries[@]}"; do mv -f "$staging/$name" "$bin_dir/$name"; done
echo "$etcd_version" > "$bin_dir/.etcd-version"
echo "$version_ldflags" > "$bin_dir/.version-ldflags"
log "built in $((SECONDS - start))s"
echo "$bin_dir"
