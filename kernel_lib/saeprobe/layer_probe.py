"""Probing one layer: the raw states, the SAE codes and the matched baselines, each probed alike,
with the diagnostics that explain the gap. Public, so activations from anywhere get the same
probes and figures as a sweep."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp

from .codes import LayerSAE, from_object, reconstruct
from .diagnosis import diagnose
from .diagnostics import effective_dimension, feature_table, fidelity, sparsity
from .errors import DataError
from .layer_codes import LayerCodes, codes_of_pooled
from .plugins import require
from .probes import evaluate_probe
from .records import Diagnostics, LayerEntry, Metrics, RegimeRun
from .regimes import Regime, regimes_from
from .representations import LayerRepresentations, build_representations
from .settings import SweepSettings, settings_with


def probe_layer(
    raw: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    *,
    sae: LayerSAE | Any | None = None,
    codes: sp.csr_matrix | LayerCodes | None = None,
    classes: Sequence[Any] | None = None,
    layer: int = 0,
    hook_name: str = "",
    settings: SweepSettings | None = None,
    **options: Any,
) -> LayerEntry:
    """Probe one layer's hidden states ``raw`` ``[n_examples, d_model]`` and, with an ``sae``
    (SAELens SAE or :class:`~saeprobe.codes.LayerSAE`), its codes and the matched baselines; with
    an SAE the entry also carries its diagnostics. ``codes`` are the SAE's codes of the same
    examples (a sparse matrix, or :class:`~saeprobe.layer_codes.LayerCodes` with the reconstruction
    and token figures, as the sweep makes them by encoding tokens); without them ``raw`` is encoded.

    ``y`` holds class indices ``[n_examples]``, ``train`` a boolean mask (the rest is the test
    split); ``classes`` names the classes (default: their indices). ``options`` are
    :class:`~saeprobe.SweepSettings` fields (``Cs``, ``cv_folds``, ``seed``, ``probe``,
    ``top_ks``, regimes, ...). Raises :class:`DataError` when the shapes disagree.
    """
    settings = settings_with(settings, options)
    raw = np.asarray(raw)
    y = np.asarray(y)
    train = np.asarray(train, dtype=bool)
    if raw.ndim != 2 or y.shape != (raw.shape[0],) or train.shape != (raw.shape[0],):
        raise DataError(
            f"probe_layer needs raw [n, d], y [n] and train [n]; got raw {raw.shape}, y {y.shape}, train {train.shape}"
        )
    if sae is not None and not isinstance(sae, LayerSAE):
        sae = from_object(layer, sae)
    layer_codes = None
    if sae is not None:
        if isinstance(codes, LayerCodes):
            layer_codes = codes
        elif codes is not None:
            layer_codes = LayerCodes(sp.csr_matrix(codes), reconstruct(sae, codes))
        else:
            layer_codes = codes_of_pooled(sae, raw)
        if layer_codes.codes.shape[0] != raw.shape[0]:
            raise DataError(f"codes have {layer_codes.codes.shape[0]} rows but raw has {raw.shape[0]}; "
                            "give codes of the same examples")
    codes = layer_codes.codes if layer_codes is not None else None
    classes = list(classes) if classes is not None else list(range(int(y.max()) + 1))
    make_probe = probe_factory(settings)
    reconstruction = layer_codes.reconstruction if layer_codes is not None else None
    built = build_representations(raw, y, train, len(classes), codes, reconstruction, top_ks=settings.top_ks,
                                  seed=settings.seed)
    scores = {
        name: evaluate_probe(make_probe(scaling=built.scaling.get(name)), matrix, y, train, ~train)
        for name, matrix in built.matrices.items()
    }
    regimes = regimes_from(settings.train_sizes, settings.label_noise, settings.imbalance)
    entry = LayerEntry(
        layer=layer,
        hook_name=hook_name,
        scores=scores,
        sae=sae.describe() if sae is not None else None,
        baselines=built.choices,
        regimes=[RegimeRun(r.kind, r.value, _regime_scores(r, built, y, train, len(classes), make_probe, settings.seed))
                 for r in regimes],
    )
    if sae is not None:
        features = feature_table(codes[train], y[train], classes, sae.describe().neuronpedia_id, settings.feature_table_size)
        entry.diagnostics = Diagnostics(
            sparsity=sparsity(codes, y, classes, train, settings.always_on_threshold),
            effective_dimension={"raw": effective_dimension(raw), "sae": effective_dimension(codes)},
            fidelity=fidelity(raw, reconstruction),
            features=features.to_dict(orient="records"),
            token_sparsity=layer_codes.token_sparsity,
            token_fidelity=layer_codes.token_fidelity,
        )
        entry.diagnosis = {"sae": diagnose(entry)}
    return entry


def probe_factory(settings: SweepSettings) -> Callable[..., Any]:
    """The probe plugin of ``settings.probe`` with its keywords bound: ``Cs``, ``cv_folds``, ``seed``
    and, for plugins that take one, the ``device``."""
    probe_class = require("probes", settings.probe)
    options: dict[str, Any] = {"Cs": settings.Cs, "cv_folds": settings.cv_folds, "seed": settings.seed}
    if "device" in inspect.signature(probe_class).parameters:
        options["device"] = settings.device
    return partial(probe_class, **options)


def _regime_scores(
    regime: Regime,
    built: LayerRepresentations,
    y: np.ndarray,
    train: np.ndarray,
    n_classes: int,
    make_probe: Callable[..., Any],
    seed: int,
) -> dict[str, Metrics]:
    regime_train, regime_y = regime.apply(y, train, n_classes, seed)
    # Test rows keep their true labels: only what the probe learns from changes.
    regime_y[~train] = y[~train]
    return {
        name: evaluate_probe(make_probe(scaling=built.scaling.get(name)), built.matrices[name], regime_y, regime_train, ~train)
        for name in ("raw", "sae")
        if name in built.matrices
    }
