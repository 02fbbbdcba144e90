"""Fault-injection fixtures: a small labelled file, and sweeps run in their own processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import CORPUS

RUNNER = Path(__file__).with_name("sweep_runner.py")


@pytest.fixture(scope="session")
def reviews(tmp_path_factory) -> Path:
    texts = [f"{a} and {b}" for a in CORPUS for b in CORPUS[:4]]
    labels = ["pos" if any(w in t for w in ("charming", "loved", "brilliant")) else "neg" for t in texts]
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(path, index=False)
    return path


def run_sweep(model: Path, saes: Path, data: Path, cache: Path | str, out: Path, *options: str) -> subprocess.CompletedProcess:
    """The runner in a fresh process: the sweep, its JSON at ``out``, and the process's fate."""
    command = [sys.executable, str(RUNNER), str(model), str(saes), str(data), str(cache), str(out), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=Path(__file__).parents[1])


def layers_of(path: Path) -> list:
    return json.loads(path.read_text())["layers"]


@pytest.fixture(scope="session")
def undisturbed(tiny_model_dir, sae_dir, reviews, tmp_path_factory) -> list:
    """The layers of a sweep that nothing disturbed (no cache at all)."""
    out = tmp_path_factory.mktemp("undisturbed") / "result.json"
    done = run_sweep(tiny_model_dir, sae_dir, reviews, "none", out)
    assert done.returncode == 0, done.stderr
    return layers_of(out)
