"""Fault-injection fixtures: a small labelled file, and sweeps run in their own processes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from runs import layers_of, run_sweep

from builders import CORPUS


@pytest.fixture(scope="session")
def reviews(tmp_path_factory) -> Path:
    texts = [f"{a} and {b}" for a in CORPUS for b in CORPUS[:4]]
    labels = ["pos" if any(w in t for w in ("charming", "loved", "brilliant")) else "neg" for t in texts]
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def undisturbed(tiny_model_dir, sae_dir, reviews, tmp_path_factory) -> list:
    """The layers of a sweep that nothing disturbed (no cache at all)."""
    out = tmp_path_factory.mktemp("undisturbed") / "result.json"
    done = run_sweep(tiny_model_dir, sae_dir, reviews, "none", out)
    assert done.returncode == 0, done.stderr
    return layers_of(out)
