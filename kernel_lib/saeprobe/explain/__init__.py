"""Why the SAE probe does as well as the raw states, or why not: the figures of a layer's codes
(sparsity, effective dimension, fidelity, the feature table) and the written diagnosis that reads
them. Imports no torch."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._diagnosis import ALWAYS_ON_SHARE, FAR_BEYOND, LABELS, MARGIN, SMALL_UNION, diagnose, with_diagnosis
    from ._evidence import Resamples, compare, examples_to_settle, interval, mcnemar
    from ._figures import (
        NEURONPEDIA,
        class_means,
        effective_dimension,
        feature_table,
        fidelity,
        firing_counts,
        l0_histogram,
        separation,
        sparsity,
    )

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
