#!/usr/bin/env bash
# Set up .venv and node_modules, rebuild the widget bundle, and run every test: front-end unit
# tests (vitest), then Python unit, integration and browser tests (pytest).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
npm ci --no-audit --no-fund --loglevel=error
before=$(mktemp -d)
cp -r kernel_lib/saeprobe/static/. "$before"
cp widgets/src/schema.generated.ts "$before/schema.generated.ts.committed"
npm run --silent build
if ! diff -rq --exclude=schema.generated.ts.committed "$before" kernel_lib/saeprobe/static >/dev/null \
   || ! diff -q "$before/schema.generated.ts.committed" widgets/src/schema.generated.ts >/dev/null; then
  echo "the widget bundle (kernel_lib/saeprobe/static) or the result types (widgets/src/schema.generated.ts)" \
       "were stale: they are rebuilt now; commit them" >&2
  exit 1
fi
rm -rf "$before"
npm run --silent typecheck
npm test --silent
.venv/bin/python -m pytest -ra "$@"
