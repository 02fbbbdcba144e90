"""The main job end to end: `saeprobe demo`, then the quickstart notebook, sharing one cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-cache")


def run_demo(out: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SAEPROBE_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "saeprobe.cli", "demo", "--out", str(out), "--quiet"],
                          capture_output=True, text=True, env=env, timeout=900)


def test_demo_writes_reports_and_reruns_from_cache(demo_cache, tmp_path):
    first = run_demo(tmp_path / "demo.html", demo_cache)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "SAEs trained on the 246 training sentences of the demo task" in first.stdout
    assert "prose sentences of Python's bundled documentation" in first.stdout
    assert (tmp_path / "demo.html").stat().st_size > 20_000 and (tmp_path / "demo-general.html").is_file()
    again = run_demo(tmp_path / "again.html", demo_cache)
    assert again.returncode == 0
    tables = lambda text: text.split("report:")[0]  # noqa: E731 - the tables, without paths and timing
    assert tables(again.stdout) == tables(first.stdout)


def test_quickstart_notebook_executes(demo_cache, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("SAEPROBE_CACHE_DIR", str(demo_cache))
    notebook = nbformat.read(ROOT / "examples" / "quickstart.ipynb", as_version=4)
    NotebookClient(notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    widget_views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget_views, "the notebook shows the widget"
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "skipped: the model hub is not reachable" in text
