#!/usr/bin/env bash
# The whole test suite: `npm test`. Installs what it needs first (see test/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash test/setup.sh
echo '[test] typecheck'
npm run --silent typecheck
echo '[test] unit and integration tests'
npm run --silent test:unit
echo '[test] end-to-end tests (local control plane, Prometheus, Alertmanager)'
bash test/e2e/run.sh --skip-setup
