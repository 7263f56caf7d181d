#!/usr/bin/env bash
# Makes `npm run bench|fuzz|soak` work on a fresh clone: npm packages from the lockfile, the build.
# (bench/run.ts installs FreeRADIUS itself when it is missing.)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build
