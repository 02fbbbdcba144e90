"""saeprobe: can a linear probe read a concept from a model's hidden states, and from its SAE codes?

The public names are imported on first use, so light parts (settings, the job files, the cache)
load without torch — the Jupyter server extension and ``saeprobe --help`` rely on that.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.3.0"

_EXPORTS = {
    "ActivationSet": "activations",
    "extract": "activations",
    "encode": "layer_codes",
    "DataOptions": "settings",
    "ProbeDataset": "data",
    "load_dataset": "data",
    "DataError": "errors",
    "LayerError": "errors",
    "ModelError": "errors",
    "PluginError": "errors",
    "SAEError": "errors",
    "SaeprobeError": "errors",
    "SettingsError": "errors",
    "LogisticProbe": "probes",
    "probe_layer": "layer_probe",
    "SweepResult": "result",
    "SweepSettings": "settings",
    "sweep": "layer_sweep",
    "SAETrainingSettings": "settings",
    "train_saes": "training",
    "LayerSweepWidget": "widget",
    "SuiteWidget": "widget",
    "suite": "suite_runner",
    "SuiteResult": "suite_runner",
    "load_suite": "suite_spec",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'saeprobe' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
