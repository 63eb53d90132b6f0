#!/usr/bin/env bash
# `npm run test:e2e`: the end-to-end suite against a real local control plane (test/e2e/harness), real Prometheus
# and Alertmanager (Debian) and the metricops CLI. Installs and builds what it needs first (test/setup.sh), unless
# --skip-setup (test/run-all.sh has just done it). Extra arguments go to jest, e.g. test/e2e/loop.test.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${1:-}" = "--skip-setup" ]; then shift; else bash test/setup.sh; fi
# The harness' globalSetup starts ONE control plane for the run, or reuses one from control-plane.sh start
# (eval "$(test/e2e/control-plane.sh env)" first).
NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects e2e --runInBand -- "$@"
