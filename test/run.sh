#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs what the tests need, builds, runs
# every test (unit, real UDP, real slapd/FreeRADIUS/Samba AD peers, headless Chromium), and prints
# a closing "tests: N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/support/install-deps.sh
npm run --silent build
set +e
npx vitest run "$@"
rc=$?
set -e
node test/support/summary.mjs test-results/vitest.json
exit $rc
