"""The main job end to end: `saeprobe demo`, then the quickstart notebook, sharing one cache."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from patience import patience
from saeprobe.app import run_demo as demo_in_process
from saeprobe.errors import SaeprobeError

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def demo_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-cache")


def run_demo(out: Path, cache: Path, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SAEPROBE_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "saeprobe", "demo", "--out", str(out), "--quiet", *options],
        capture_output=True,
        text=True,
        env=env,
        timeout=patience(900),
    )


def test_demo_writes_reports_and_reruns_from_cache(demo_cache, tmp_path):
    first = run_demo(tmp_path / "demo.html", demo_cache)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "SAE set 'task': SAEs trained on the 246 training sentences of the demo task" in first.stdout
    assert "SAE set 'general': SAEs trained on" in first.stdout and "Python's bundled documentation" in first.stdout
    # How each set was trained follows what it saw; the many passes over the task's few tokens are
    # said there, once, not as a warning; nor does SAELens's advice on loading reach the user.
    how = r"trained here: topk SAEs of 512 features, k=16, 300 steps over [\d,]+ tokens \(\d+ passes\)"
    described = re.search(rf"SAE set 'task': (.*\(no labels\); {how})", first.stdout)
    assert described, first.stdout[:2000]
    assert "passes over the same tokens" not in first.stderr and "model_from_pretrained_kwargs" not in first.stderr
    # One report compares both sets.
    report = (tmp_path / "demo.html").read_text()
    assert len(report) > 20_000 and '"sae:task"' in report and '"sae:general"' in report
    # The report's header names the model and each set in the same words, no cache hash or site-packages path.
    assert '"label": "all-MiniLM-L6-v2"' in report and described.group(1) in report
    assert "<title>saeprobe sweep: all-MiniLM-L6-v2 on movie_sentiment</title>" in report
    assert not (tmp_path / "demo-general.html").exists()
    assert "layer 5 task (" in first.stdout and "layer 5 general (" in first.stdout
    assert re.search(r"At 106 test examples, \d+ of 12 findings are conclusive", first.stdout)
    again = run_demo(tmp_path / "again.html", demo_cache)
    assert again.returncode == 0
    tables = lambda text: text.split("report:")[0]  # noqa: E731 - the tables, without paths and timing
    assert tables(again.stdout) == tables(first.stdout)


def test_quickstart_notebook_executes(demo_cache, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("SAEPROBE_CACHE_DIR", str(demo_cache))
    # No offline flag: the notebook finds by itself that the hub cannot be reached (here a closed port).
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    notebook = nbformat.read(ROOT / "examples" / "quickstart.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=int(patience(900)), kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    widget_views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget_views, "the notebook shows the widget"
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "skipped: the model hub is not reachable" in text


def test_smollm2_demo_probes_the_last_prompt_token(smollm2_cache, tmp_path):
    # One early layer: the forward passes stop there (layer 29's extraction is checked against the
    # model's own run in model/test_builtin.py).
    run = run_demo(tmp_path / "smollm2.html", smollm2_cache, "--model", "smollm2", "--layers", "3")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "SmolLM2-135M (decoder) at the last prompt token, 246 train / 106 test sentences" in run.stdout
    table = run.stdout.split("SAE set 'task'")[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in table[3:]] == ["3"]
    # The seed's situation (a decoder read at the last prompt token, an early layer): most active
    # features fire on every example, and PCA to as many dimensions loses the concept too.
    diagnoses = [line for line in run.stdout.splitlines() if line.startswith("layer ") and "): " in line]
    assert [line.split(" (")[0] for line in diagnoses] == ["layer 3 task", "layer 3 general"]
    assert diagnoses[0].startswith("layer 3 task (dimensionality)")
    assert (tmp_path / "smollm2.html").stat().st_size > 20_000 and not (tmp_path / "smollm2-general.html").exists()


def test_unknown_demo_model_lists_the_choices(tmp_path):
    with pytest.raises(SaeprobeError, match=r"choose one of \['minilm', 'smollm2'\]"):
        demo_in_process(tmp_path / "x.html", model="pythia")
