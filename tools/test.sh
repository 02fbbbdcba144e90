#!/usr/bin/env bash
# Set up .venv and node_modules, rebuild the widget bundle and the JupyterLab extension, and run
# every check: the front end's types and unit tests (vitest), ruff (lint and format) and mypy on the
# Python sources, then Python unit, integration and browser tests (pytest; tests/docs builds the
# docs site offline in strict mode).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
npm ci --no-audit --no-fund --loglevel=error
before=$(mktemp -d)
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
rm -rf "$before"
npm run --silent typecheck
npm test --silent
.venv/bin/ruff check kernel_lib extension tests benchmarks tools
.venv/bin/ruff format --check --quiet kernel_lib extension tests benchmarks tools
.venv/bin/mypy
.venv/bin/python -m pytest -ra "$@"
