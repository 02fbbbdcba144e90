"""The module paths of saeprobe 0.3, before its modules moved into packages: deprecated, removed in
0.5.

Importing one (``from saeprobe.settings import SweepSettings``) warns and gives a module whose
names are those of the modules that now hold them; ``python -m saeprobe.jobs`` and
``python -m saeprobe.cli`` still run. Nothing of the package imports these paths.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from typing import Any

REMOVED_IN = "0.5"
# Old module → the modules that hold its names now, searched in order.
MOVED: dict[str, tuple[str, ...]] = {
    "batched_probes": ("probe._batched",),
    "cache": ("store._folders", "store._keys", "store._stores"),
    "cli": ("app._cli",),
    "codes": ("sae._sources", "sae._encode"),
    "demo": ("app._demo",),
    "diagnosis": ("explain._diagnosis",),
    "diagnostics": ("explain._figures",),
    "embedded": ("data._builtin", "model._builtin"),
    "file_digests": ("store._digests",),
    "gguf_models": ("model._gguf",),
    "jobs": ("app._jobs",),
    "jsonio": ("store._jsonio",),
    "layer_codes": ("sae._encode",),
    "layer_probe": ("probe._layer", "probe._evaluate"),
    "layer_sweep": ("sweeps._run", "sweeps._plan"),
    "layers": ("config._layers",),
    "models": ("model._sources",),
    "options": ("config._options",),
    "pooling": ("activations._pooling",),
    "preparation": ("model._preparation",),
    "probes": ("probe._sklearn", "probe._evaluate"),
    "regimes": ("probe._regimes",),
    "registry": ("sae._pretrained",),
    "report": ("view._report",),
    "representations": ("probe._representations",),
    "result": ("sweeps._result",),
    "sae_sets": ("sae._sets", "records"),
    "settings": ("config._settings",),
    "suite_ray": ("suites._ray",),
    "suite_runner": ("suites._run", "suites._units", "suites._local"),
    "suite_spec": ("suites._spec",),
    "suite_summary": ("suites._summary",),
    "svg_chart": ("view._svg",),
    "target": ("model._target",),
    "threads": ("_threads",),
    "training": ("sae._training",),
    "widget": ("view._widget",),
}
# What ``python -m saeprobe.<old>`` runs, for the old modules that could be run.
RUNNABLE = {
    "cli": "import sys\nfrom saeprobe.app import main\nsys.exit(main())\n",
    "jobs": "import sys\nfrom saeprobe.app import run_job\nsys.exit(run_job(sys.argv[1]))\n",
}


def install() -> None:
    """Serve the old module paths (once per process)."""
    if not any(isinstance(finder, _MovedFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedFinder())


def _advice(old: str) -> str:
    homes = ", ".join(dict.fromkeys(f"saeprobe.{home.split('._')[0]}" for home in MOVED[old]))
    return (
        f"saeprobe.{old} moved to {homes} in saeprobe 0.4 (see the README's layout table); the old path goes "
        f"in {REMOVED_IN}"
    )


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        package, _, old = fullname.rpartition(".")
        if package != __package__ or old not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _MovedLoader(old))


class _MovedLoader(importlib.abc.Loader):
    def __init__(self, old: str):
        self.old = old

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        warnings.warn(_advice(self.old), DeprecationWarning, stacklevel=2)
        homes = [importlib.import_module(f"{__package__}.{home}") for home in MOVED[self.old]]
        module = types.ModuleType(spec.name, f"Deprecated: {_advice(self.old)}.")

        def __getattr__(name: str) -> Any:
            for home in homes:
                if hasattr(home, name):
                    return getattr(home, name)
            raise AttributeError(f"module {spec.name!r} has no attribute {name!r}; {_advice(self.old)}")

        module.__getattr__ = __getattr__  # type: ignore[method-assign]  # a module's lookup of missing names (PEP 562)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass

    def get_code(self, fullname: str) -> types.CodeType:
        """The code ``python -m`` runs for an old module that could be run."""
        if self.old not in RUNNABLE:
            raise ImportError(f"{fullname} cannot be run; {_advice(self.old)}")
        source = f"import warnings\nwarnings.warn({_advice(self.old)!r}, DeprecationWarning)\n{RUNNABLE[self.old]}"
        return compile(source, f"<{fullname}>", "exec")
