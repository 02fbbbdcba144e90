#!/usr/bin/env bash
# Set up .venv and run the main job: `saeprobe demo`, entirely offline — the pretrained MiniLM-L6
# encoder (installed from PyPI), the embedded demo sentences, two SAE sets trained here, one sweep with
# diagnostics, and one offline report comparing both SAE sets, out/demo.html.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mkdir -p out
.venv/bin/saeprobe demo --out out/demo.html "$@"
