#!/usr/bin/env bash
# `npm run demo [-- --kubectl] [-- --keep]`: installs what it needs (test/setup.sh: Debian packages, npm packages,
# the local control plane and Flux builds, cached after the first run), then runs the whole loop and prints its
# timeline, ending with "rolled back in <N>s" and the web UI's URL. GitOps by default (Git commits that Flux
# applies, metricops writes the rollback back); --kubectl deploys with kubectl. Stops everything it started, also on
# failure or Ctrl-C; with --keep it leaves everything running until Ctrl-C, so the UI can be opened.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS
bash test/setup.sh
echo "[demo] setup took $((SECONDS - start))s"
exec node dist/test/e2e/demo/demo.js "$@"
