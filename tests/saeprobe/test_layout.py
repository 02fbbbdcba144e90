"""The package's shape, as the README's layout table states it: the folders in the order of the data
path, each importing only those before it, the heavy libraries only where they belong, every public
name reachable, and the module paths of 0.3 still served with a warning."""

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import saeprobe
from patience import patience
from saeprobe import _moved

PACKAGE = Path(saeprobe.__file__).parent
# The folders (and top-level modules) from the bottom of the data path to the top: each imports, at
# module level, only what comes before it. The README's layout table lists them in this order.
LAYERS = [
    "errors",
    "_lazy",
    "_moved",
    "_threads",
    "_paths",
    "plugins",
    "config",
    "store",
    "data",
    "model",
    "records",
    "explain",
    "activations",
    "sae",
    "probe",
    "sweeps",
    "suites",
    "view",
    "app",
]
# What a folder's modules may import when they are imported; torch and the libraries built on it
# load only with activations, scikit-learn and scipy only where codes and probes are computed.
TORCH = ("torch", "transformers", "transformer_lens", "sae_lens")
SCIENCE = ("sklearn", "scipy")
HEAVY_ALLOWED = {"activations": TORCH + SCIENCE, "sae": SCIENCE, "probe": SCIENCE, "explain": SCIENCE}
PACKAGES = [name for name in LAYERS if (PACKAGE / name).is_dir()]


def _unit(path: Path) -> str:
    """The folder (or top-level module) a file of the package belongs to."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _module_level_imports(path: Path) -> set[str]:
    """The folders and top-level modules of saeprobe that ``path`` imports when it is imported."""
    inside_package = len(path.relative_to(PACKAGE).parts) > 1
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.level == 1 and inside_package:
                continue  # a module of the same folder
            found.add((node.module or "").split(".")[0] or "__init__")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("saeprobe."):
            found.add(node.module.split(".")[1])
    return found - {"__init__"}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_folder_imports_only_the_folders_before_it(path):
    me = _unit(path)
    if me in ("__init__", "__main__"):
        return
    later = [name for name in _module_level_imports(path) if LAYERS.index(name) >= LAYERS.index(me) and name != me]
    assert not later, f"{path.relative_to(PACKAGE)} imports {later} at module level, which come after {me!r}"


def test_every_folder_and_module_is_in_the_layer_order():
    present = {_unit(path) for path in PACKAGE.rglob("*.py")} - {"__init__", "__main__"}
    assert present == set(LAYERS)


@pytest.mark.parametrize("folder", PACKAGES)
def test_a_folder_loads_heavy_libraries_only_where_it_may(folder):
    modules = sorted(f"saeprobe.{folder}.{p.stem}" for p in (PACKAGE / folder).glob("_*.py") if p.stem != "__init__")
    allowed = HEAVY_ALLOWED.get(folder, ())
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n    importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(TORCH + SCIENCE)!r} - {set(allowed)!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=patience(300))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"importing saeprobe.{folder} loads {done.stdout.strip()}"


def test_public_names_resolve_and_stay_the_functions_after_every_module_is_imported():
    for module in pkgutil.walk_packages(saeprobe.__path__, "saeprobe."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    for package in [saeprobe, *(importlib.import_module(f"saeprobe.{name}") for name in PACKAGES)]:
        assert package.__all__, package.__name__
        for name in package.__all__:
            value = getattr(package, name)
            assert not isinstance(value, type(saeprobe)), f"{package.__name__}.{name} is shadowed by a module"
    assert callable(saeprobe.sweep) and callable(saeprobe.suite) and callable(saeprobe.extract)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match=r"'saeprobe.sweeps' has no attribute 'swep'"):
        importlib.import_module("saeprobe.sweeps").swep  # noqa: B018


@pytest.mark.parametrize("old", sorted(_moved.MOVED))
def test_the_module_paths_of_0_3_still_work_with_a_warning(old):
    sys.modules.pop(f"saeprobe.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"saeprobe.{old} moved to"):
        module = importlib.import_module(f"saeprobe.{old}")
    homes = [importlib.import_module(f"saeprobe.{home}") for home in _moved.MOVED[old]]
    names = [name for home in homes for name in vars(home) if not name.startswith("__")]
    for name in names[:20]:
        assert getattr(module, name) is next(getattr(home, name) for home in homes if hasattr(home, name))
    with pytest.raises(AttributeError, match="moved to"):
        module.no_such_name  # noqa: B018


def test_old_public_imports_give_the_same_objects():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from saeprobe.embedded import DEMO_DATA, minilm_directory
        from saeprobe.layer_sweep import sweep
        from saeprobe.settings import SweepSettings
    assert sweep is saeprobe.sweep and SweepSettings is saeprobe.SweepSettings
    assert DEMO_DATA.is_file() and minilm_directory is saeprobe.model.minilm_directory


def test_python_dash_m_on_the_old_paths_still_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "saeprobe.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=patience(120),
        cwd=tmp_path,
    )
    assert done.returncode == 0 and "usage: saeprobe" in done.stdout
    assert "saeprobe.cli moved to saeprobe.app" in done.stderr
    # A job folder as the server of 0.3 wrote it: the job runs and records why it failed.
    (tmp_path / "params.json").write_text(json.dumps({"model": "minilm", "data": str(tmp_path / "missing.csv")}))
    done = subprocess.run(
        [sys.executable, "-m", "saeprobe.jobs", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=patience(120),
        cwd=tmp_path,
    )
    status = json.loads((tmp_path / "status.json").read_text())
    assert done.returncode == 1 and status["state"] == "failed" and "missing.csv" in status["error"]
    assert "saeprobe.jobs moved to saeprobe.app" in done.stderr
