"""Sweeps run in processes of their own (``sweep_runner.py``), and what they wrote."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from patience import patience

RUNNER = Path(__file__).with_name("sweep_runner.py")


def run_sweep(
    model: Path, saes: Path, data: Path, cache: Path | str, out: Path, *options: str
) -> subprocess.CompletedProcess:
    """The runner in a fresh process: the sweep, its JSON at ``out``, and the process's fate."""
    command = [sys.executable, str(RUNNER), str(model), str(saes), str(data), str(cache), str(out), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=patience(600), cwd=Path(__file__).parents[1])


def layers_of(path: Path) -> list:
    return json.loads(path.read_text())["layers"]
