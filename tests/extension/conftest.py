"""pytest-jupyter's server fixtures (jp_fetch, jp_serverapp, ...), for the extension's tests only:
its event-loop handling would clash with Playwright's in the browser tests; and a workspace under
the server's root."""

import shutil

import pandas as pd
import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403


@pytest.fixture
def workspace(jp_root_dir, tiny_model_dir, sae_dir):
    """A model, SAEs and a dataset under the server's root (the allowed root)."""
    shutil.copytree(tiny_model_dir, jp_root_dir / "model")
    shutil.copytree(sae_dir, jp_root_dir / "saes")
    pd.DataFrame(
        {
            "text": [f"good film {i}" for i in range(15)] + [f"bad film {i}" for i in range(15)],
            "label": ["pos"] * 15 + ["neg"] * 15,
        }
    ).to_csv(jp_root_dir / "reviews.csv", index=False)
    return jp_root_dir
