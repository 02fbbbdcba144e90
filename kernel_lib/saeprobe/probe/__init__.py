"""Probes: the representations a layer is probed on (the raw states, each SAE set's codes and the
baselines matched to them), the logistic probes (solved in batches, and scikit-learn's reference),
the field's other probes (DiffMean, and sae-probes' PCA, KNN, MLP and XGBoost baselines),
the training regimes, and :func:`probe_layer`, which probes one layer and explains its gap.
Imports no torch at module level (the batched solver loads it when it fits)."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._batched import BatchedLogisticProbe
    from ._evaluate import METRICS, evaluate_probe, probe_factory, roc_auc
    from ._field import DiffMeanProbe, KNNProbe, MLPProbe, PCAProbe, XGBoostProbe
    from ._layer import probe_layer
    from ._quiver import QuiverFits, extra_probes, fit_quiver, validation_split
    from ._regimes import COVARIATE_SHIFT, REGIME_KINDS, Regime, ShiftedTest, regimes_from
    from ._representations import LayerRepresentations, SetCodes, build_representations, column_scale, top_k_columns
    from ._sklearn import SCALINGS, LogisticProbe, cv_folds_for, default_scaling, probe_pipeline

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
