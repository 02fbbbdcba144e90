import importlib
import pkgutil
import subprocess
import sys

import pytest

import saeprobe


def test_public_names_stay_the_functions_after_every_submodule_is_imported():
    for module in pkgutil.iter_modules(saeprobe.__path__):
        importlib.import_module(f"saeprobe.{module.name}")
    for name in saeprobe.__all__:
        assert not isinstance(getattr(saeprobe, name), type(saeprobe)), f"saeprobe.{name} is shadowed by a module"
    assert callable(saeprobe.sweep) and callable(saeprobe.extract)


HEAVY = ("torch", "transformer_lens", "sae_lens", "transformers")


@pytest.mark.parametrize("statement", [
    "import saeprobe, saeprobe.jobs, saeprobe.cache, saeprobe.settings",
    "from saeprobe.cli import main; main(['--help'])",
    "from saeprobe.cli import main; main(['sweep', '--help'])",
    "from saeprobe.cli import main; main(['plugins'])",
])
def test_light_entry_points_load_no_torch(statement):
    # The server, `saeprobe --help` and `saeprobe plugins` must start fast: nothing imports torch.
    code = (f"import sys\ntry:\n    {statement}\nexcept SystemExit:\n    pass\n"
            f"loaded = [m for m in sys.modules if m.split('.')[0] in {HEAVY!r}]\n"
            "assert not loaded, f'imported {loaded[:3]}'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, capture_output=True)


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
