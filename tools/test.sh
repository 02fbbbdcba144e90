#!/usr/bin/env bash
# Set up .venv and run the whole test suite (unit, integration and CLI tests).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
.venv/bin/python -m pytest -ra "$@"
