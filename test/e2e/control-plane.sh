#!/usr/bin/env bash
# The local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager on 127.0.0.1) for people and
# for the demo:
#   test/e2e/control-plane.sh start   build (first time) and start it in the background; prints the env to use
#   test/e2e/control-plane.sh env     prints `export KUBECONFIG=...` etc.: eval "$(test/e2e/control-plane.sh env)"
#   test/e2e/control-plane.sh stop    stops it and removes its temporary folder
# State lives in ${METRICOPS_E2E_STATE:-/tmp/metricops-control-plane}. `npm run test:e2e` reuses a running one.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
state="${METRICOPS_E2E_STATE:-/tmp/metricops-control-plane}"
log() { printf '[control-plane] %s\n' "$*" >&2; }

running() { [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; }

case "${1:-}" in
  start)
    if running; then log "already running (pid $(cat "$state/pid"))"; cat "$state/env"; exit 0; fi
    mkdir -p "$state"
    bash "$root/test/e2e/build-control-plane.sh" >/dev/null
    (cd "$root" && npx tsc -p test/e2e/tsconfig.build.json)
    rm -f "$state/env"
    setsid node "$root/dist/test/e2e/harness/serve-control-plane.js" "$state" >"$state/serve.log" 2>&1 < /dev/null &
    echo $! > "$state/pid"
    for _ in $(seq 1 240); do
      [ -f "$state/env" ] && { log "$(tail -n 1 "$state/serve.log")"; cat "$state/env"; exit 0; }
      running || { log "it did not start:"; cat "$state/serve.log" >&2; exit 1; }
      sleep 0.5
    done
    log "not ready after 120s; see $state/serve.log"; exit 1
    ;;
  env)
    running && [ -f "$state/env" ] || { log "not running: test/e2e/control-plane.sh start"; exit 1; }
    cat "$state/env"
    ;;
  stop)
    if running; then
      pid="$(cat "$state/pid")"
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
      log "stopped"
    else
      log "not running"
    fi
    rm -f "$state/pid" "$state/env"
    ;;
  *)
    echo "usage: $0 start|env|stop" >&2; exit 2 ;;
esac
