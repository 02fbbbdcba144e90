"""The wheel carries the widget bundle, the result schema, the demo data, the server extension and
the file that enables it, and the prebuilt JupyterLab extension where JupyterLab finds it."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import saeprobe
from patience import patience

ROOT = Path(__file__).resolve().parents[1]
LAB = f"saeprobe-{saeprobe.__version__}.data/data/share/jupyter/labextensions/saeprobe"

pytestmark = pytest.mark.integration


def test_wheel_contains_the_front_end_bundle_and_schema(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=patience(600),
    )
    wheel = next(tmp_path.glob("saeprobe-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "saeprobe/view/static/widget.js",
        "saeprobe/view/static/widget.css",
        "saeprobe/view/static/report.js",
        "saeprobe/sweeps/schema/sweep_result.schema.json",
        "saeprobe/sweeps/_run.py",
        "saeprobe/data/files/movie_sentiment.csv",
        "saeprobe/suites/builtin/small/suite.yaml",
        "saeprobe/__main__.py",
        "saeprobe_server/app.py",
        "saeprobe_server/openapi.json",
        f"saeprobe-{saeprobe.__version__}.data/data/etc/jupyter/jupyter_server_config.d/saeprobe_server.json",
        f"{LAB}/package.json",
        f"{LAB}/install.json",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    # The prebuilt JupyterLab extension: its federated entry point and the modules it loads.
    assert any(name.startswith(f"{LAB}/static/remoteEntry.") for name in names)
    assert not any(name.startswith(("widgets/", "extension/", "tests/")) for name in names)


def test_jupyterlab_lists_the_extension_enabled():
    """`pip install` puts the prebuilt extension where JupyterLab looks: it is listed, enabled, OK."""
    listing = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        capture_output=True,
        text=True,
        timeout=patience(120),
    )
    line = next((line for line in (listing.stdout + listing.stderr).splitlines() if "saeprobe v" in line), "")
    assert "enabled" in line and "OK" in line and "(python, saeprobe)" in line, listing.stdout + listing.stderr
