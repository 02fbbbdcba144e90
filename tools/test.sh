#!/usr/bin/env bash
# Set up .venv and node_modules, rebuild the widget bundle, and run every test: front-end unit
# tests (vitest), then Python unit, integration and browser tests (pytest).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
npm ci --no-audit --no-fund --loglevel=error
before=$(mktemp -d)
cp -r kernel_lib/saeprobe/static/. "$before"
npm run --silent build
if ! diff -rq "$before" kernel_lib/saeprobe/static >/dev/null; then
  echo "the widget bundle in kernel_lib/saeprobe/static was stale: it is rebuilt now; commit it" >&2
  exit 1
fi
rm -rf "$before"
npm run --silent typecheck
npm test --silent
.venv/bin/python -m pytest -ra "$@"
