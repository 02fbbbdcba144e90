"""saeprobe: can a linear probe read a concept from a model's hidden states, and from its SAE codes?"""

from __future__ import annotations

__version__ = "0.1.0"

from .activations import ActivationSet, extract
from .codes import encode
from .data import ProbeDataset, load_dataset
from .errors import DataError, LayerError, ModelError, SAEError, SaeprobeError
from .probes import LogisticProbe
from .result import SweepResult
from .sweep import sweep
from .training import SAETrainingSettings, train_saes
from .widget import LayerSweepWidget

__all__ = [
    "ActivationSet",
    "DataError",
    "LayerError",
    "LayerSweepWidget",
    "LogisticProbe",
    "ModelError",
    "ProbeDataset",
    "SAETrainingSettings",
    "SAEError",
    "SaeprobeError",
    "SweepResult",
    "encode",
    "extract",
    "load_dataset",
    "sweep",
    "train_saes",
]
