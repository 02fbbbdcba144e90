"""saeprobe: can a linear probe read a concept from a model's hidden states, and from its SAE codes?

The public names are imported on first use, so light parts (settings, the job files, the cache)
load without torch — the Jupyter server extension and ``saeprobe --help`` rely on that. Each
folder of the package holds one stage of the data path (see the README's layout table).
"""

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._moved import install as _install_moved_modules

__version__ = "0.4.0"

if TYPE_CHECKING:
    from .activations import ActivationSet, extract
    from .config import DataOptions, SAETrainingSettings, SweepSettings
    from .data import ProbeDataset, load_dataset
    from .errors import (
        DataError,
        LayerError,
        ModelError,
        PluginError,
        SAEError,
        SaeprobeError,
        SettingsError,
    )
    from .probe import LogisticProbe, probe_layer
    from .sae import LayerCodes, LayerSAE, encode, train_saes
    from .suites import SuiteResult, load_suite, suite
    from .sweeps import SweepResult, sweep
    from .view import LayerSweepWidget, SuiteWidget

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
_install_moved_modules()
