#!/usr/bin/env bash
# Set up .venv and node_modules, rebuild the widget bundle and the JupyterLab extension, and run
# every check: ruff (lint and format) on the Python sources, then Python unit, integration and
# browser tests (pytest; tests/docs builds the docs site offline in strict mode) with, beside them,
# the front end's types and unit tests (tsc, vitest) and mypy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
logs=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$logs"' EXIT
# npm's packages install while pip installs Python's: neither waits on the other.
npm ci --no-audit --no-fund --loglevel=error >"$logs/npm" 2>&1 &
npm_install=$!
source tools/env.sh
if ! wait "$npm_install"; then
  cat "$logs/npm" >&2
  exit 1
fi
before="$logs/before"
mkdir "$before"
cp -r kernel_lib/saeprobe/view/static "$before/static"
cp -r extension/labextension "$before/labextension"
cp widgets/src/schema.generated.ts "$before/schema.generated.ts"
npm run --silent build
npm run --silent build:lab
if ! diff -rq "$before/static" kernel_lib/saeprobe/view/static >/dev/null \
   || ! diff -rq "$before/labextension" extension/labextension >/dev/null \
   || ! diff -q "$before/schema.generated.ts" widgets/src/schema.generated.ts >/dev/null; then
  echo "the widget bundle (kernel_lib/saeprobe/view/static), the JupyterLab extension (extension/labextension)" \
       "or the result types (widgets/src/schema.generated.ts) were stale: they are rebuilt now; commit them" >&2
  exit 1
fi
.venv/bin/ruff check kernel_lib extension tests benchmarks tools
.venv/bin/ruff format --check --quiet kernel_lib extension tests benchmarks tools
# The type checks and the front end's unit tests keep one core busy for about a minute and a half;
# pytest mostly leaves the second core free, so they run beside it, and their output follows its.
(npm run --silent typecheck && npm test --silent && .venv/bin/mypy) >"$logs/checks" 2>&1 &
checks=$!
failed=0
.venv/bin/python -m pytest -ra "$@" || failed=$?
if wait "$checks"; then
  tail -n 3 "$logs/checks"
else
  cat "$logs/checks"
  echo "the type checks (tsc, mypy) or the front end's unit tests (vitest) failed: see above" >&2
  failed=1
fi
exit "$failed"
