"""What must stay fast and work from a source checkout: the light entry points load no torch, and
saeprobe's own plugins are found without installed metadata."""

import subprocess
import sys

import pytest

from patience import patience

HEAVY = ("torch", "transformer_lens", "sae_lens", "transformers")


@pytest.mark.parametrize(
    "statement",
    [
        "from saeprobe.app import read_status, validate_params; "
        "from saeprobe.store import write_json, default_cache_dir",
        "import saeprobe_server.job_queue, saeprobe_server.handlers",
        "from saeprobe.app import main; main(['--help'])",
        "from saeprobe.app import main; main(['sweep', '--help'])",
        "from saeprobe.app import main; main(['plugins'])",
    ],
)
def test_light_entry_points_load_no_torch(statement):
    # The server, `saeprobe --help` and `saeprobe plugins` must start fast: nothing imports torch.
    code = (
        f"import sys\ntry:\n    {statement}\nexcept SystemExit:\n    pass\n"
        f"loaded = [m for m in sys.modules if m.split('.')[0] in {HEAVY!r}]\n"
        "assert not loaded, f'imported {loaded[:3]}'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=patience(120), capture_output=True)


def test_the_builtin_plugins_are_found_without_installed_metadata(monkeypatch):
    # A source checkout on sys.path (no entry points) still has saeprobe's own plugins.
    from saeprobe import plugins

    monkeypatch.setattr(plugins, "entry_points", lambda group: [])
    plugins.refresh()
    try:
        assert {"huggingface", "embedded", "gguf"} <= set(plugins.plugins("models"))
        assert plugins.require("probes", "logistic").__name__ == "BatchedLogisticProbe"
        assert plugins.require("probes", "sklearn-logistic").__name__ == "LogisticProbe"
    finally:
        monkeypatch.undo()
        plugins.refresh()
