#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs what the tests need, builds, runs
# every test (unit, real UDP, real slapd/FreeRADIUS/Samba AD peers, eapol_test, radclient, headless
# Chromium), checks every log the suite wrote for leaked secrets, and prints a closing
# "tests: N passed, N failed" line. Arguments are passed to vitest (e.g. a directory).
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/support/install-deps.sh
npm run --silent build
rm -f test-results/no-secret-in-logs.json
set +e
npx vitest run "$@"
rc=$?
whole=0; [ $# -eq 0 ] && whole=1
node test/support/summary.mjs test-results/vitest.json test-results/no-secret-in-logs.json "$whole"
src=$?
set -e
[ $rc -eq 0 ] && [ $src -eq 0 ]
