"""Probing one layer: the raw states, the SAE codes and the matched baselines, each probed alike,
with the diagnostics that explain the gap. Public, so activations from anywhere get the same
probes and figures as a sweep."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._threads import one_thread
from ..config import SweepSettings, settings_with
from ..errors import DataError
from ..explain import (
    Resamples,
    compare,
    effective_dimension,
    feature_table,
    fidelity,
    interval,
    sparsity,
    with_diagnosis,
)
from ..records import (
    Comparison,
    Diagnostics,
    LayerEntry,
    Metrics,
    RegimeRun,
    SAESetLayer,
    representation_name,
    split_representation,
)
from ..sae import LayerCodes, LayerSAE, codes_of_pooled, from_object, named_sets, reconstruct
from ._evaluate import ProbeAnswers, evaluate_probe, fit_and_score, probe_factory
from ._regimes import Regime, regimes_from
from ._representations import LayerRepresentations, build_representations


def probe_layer(
    raw: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    *,
    sae: LayerSAE | Any | Mapping[str, LayerSAE | Any] | None = None,
    codes: sp.csr_matrix | LayerCodes | Mapping[str, sp.csr_matrix | LayerCodes] | None = None,
    classes: Sequence[Any] | None = None,
    layer: int = 0,
    hook_name: str = "",
    settings: SweepSettings | None = None,
    **options: Any,
) -> LayerEntry:
    """Probe one layer's hidden states ``raw`` ``[n_examples, d_model]`` and, with an ``sae``
    (SAELens SAE or :class:`~saeprobe.sae.LayerSAE`; or ``{set name: SAE}`` to compare several),
    its codes and the matched baselines; each SAE set adds its SAE and diagnostics to the entry.
    ``codes`` are the SAE's codes of the same examples (a sparse matrix, or
    :class:`~saeprobe.sae.LayerCodes` with the reconstruction and token figures, as the
    sweep makes them by encoding tokens; ``{set name: codes}`` with several sets); without them
    ``raw`` is encoded.

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
    saes = {
        name: value if isinstance(value, LayerSAE) else from_object(layer, value)
        for name, value in named_sets(sae).items()
    }
    with one_thread():
        sets = {name: _set_codes(one, _codes_of(codes, name, saes), raw) for name, one in saes.items()}
    classes = list(classes) if classes is not None else list(range(int(y.max()) + 1))
    make_probe = probe_factory(settings)
    built = build_representations(raw, y, train, len(classes), sets, top_ks=settings.top_ks, seed=settings.seed)
    scores, answers = {}, {}
    for name, matrix in built.matrices.items():
        probe = make_probe(scaling=built.scaling.get(name))
        scores[name], answers[name] = fit_and_score(probe, matrix, y, train, ~train)
    comparisons = _with_intervals(scores, answers, y[~train], list(sets), settings)
    regimes = regimes_from(settings.train_sizes, settings.label_noise, settings.imbalance)
    compared = ["raw", *(representation_name("sae", name) for name in sets)]
    entry = LayerEntry(
        layer=layer,
        hook_name=hook_name,
        scores=scores,
        comparisons=comparisons,
        baselines=built.choices,
        regimes=[
            RegimeRun(
                r.kind, r.value, _regime_scores(r, built, compared, y, train, len(classes), make_probe, settings.seed)
            )
            for r in regimes
        ],
    )
    raw_dimension = effective_dimension(raw)  # one SVD, shared by the sets that read the raw states
    for name, found in sets.items():
        described = saes[name].describe()
        states = found.states if found.states is not None else raw
        features = feature_table(
            found.codes[train], y[train], classes, described.neuronpedia_id, settings.feature_table_size
        )
        entry.saes[name] = SAESetLayer(
            sae=described,
            diagnostics=Diagnostics(
                sparsity=sparsity(found.codes, y, classes, train, settings.always_on_threshold),
                effective_dimension={
                    "raw": raw_dimension if found.states is None else effective_dimension(states),
                    "sae": effective_dimension(found.codes),
                },
                fidelity=fidelity(states, found.reconstruction),
                features=[
                    {str(key): value for key, value in row.items()} for row in features.to_dict(orient="records")
                ],
                token_sparsity=found.token_sparsity,
                token_fidelity=found.token_fidelity,
            ),
        )
    return with_diagnosis(entry)


def _with_intervals(
    scores: dict[str, Metrics],
    answers: dict[str, ProbeAnswers],
    y_test: np.ndarray,
    set_names: list[str],
    settings: SweepSettings,
) -> list[Comparison]:
    """Give every score its bootstrap intervals (in place) and return the paired comparisons: the
    raw probe against every other representation, and each SAE set's code against the set's other
    representations (its baselines, top-k features, reconstruction and error). All of them read the
    same resamples of the test rows. None without resamples (``bootstrap=0``)."""
    if not settings.bootstrap:
        return []
    resamples = Resamples.draw(len(y_test), settings.bootstrap, settings.seed)
    for name, found in answers.items():
        accuracy = interval(resamples.accuracy(found.correct), settings.confidence)
        auc = interval(resamples.auc(y_test, found.proba, found.labels), settings.confidence)
        scores[name] = replace(
            scores[name],
            test_accuracy_low=accuracy[0],
            test_accuracy_high=accuracy[1],
            test_auc_low=auc[0],
            test_auc_high=auc[1],
        )
    correct = {name: found.correct for name, found in answers.items()}
    pairs = [("raw", name) for name in answers if name != "raw"]
    for set_name in set_names:
        code = representation_name("sae", set_name)
        pairs += [
            (code, name)
            for name in answers
            if name != code and split_representation(name)[1] == set_name and name in correct
        ]
    return [compare(reference, other, correct, resamples, settings.confidence) for reference, other in pairs]


def _codes_of(codes: Any, name: str, saes: Mapping[str, LayerSAE]) -> sp.csr_matrix | LayerCodes | None:
    """The codes given for set ``name``: from a mapping by set name, or the one set's codes."""
    if codes is None:
        return None
    if isinstance(codes, Mapping):
        unknown = sorted(set(codes) - set(saes))
        if unknown:
            raise DataError(f"codes are given for SAE sets {unknown} but sae= names {sorted(saes)}; give codes per set")
        return codes.get(name)
    if len(saes) != 1:
        raise DataError(f"one codes matrix for {len(saes)} SAE sets; give codes={{set name: codes}}")
    return codes


def _set_codes(sae: LayerSAE, codes: sp.csr_matrix | LayerCodes | None, raw: np.ndarray) -> LayerCodes:
    """The set's :class:`LayerCodes`: as given, completed with their reconstruction, or encoded."""
    if isinstance(codes, LayerCodes):
        found = codes
    elif codes is not None:
        found = LayerCodes(sp.csr_matrix(codes), reconstruct(sae, codes))
    else:
        found = codes_of_pooled(sae, raw)
    if found.codes.shape[0] != raw.shape[0] or (found.states is not None and found.states.shape != raw.shape):
        raise DataError(
            f"codes have {found.codes.shape[0]} rows but raw has {raw.shape[0]}; give codes of the same examples"
        )
    return found


def _regime_scores(
    regime: Regime,
    built: LayerRepresentations,
    compared: list[str],
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
        name: evaluate_probe(
            make_probe(scaling=built.scaling.get(name)), built.matrices[name], regime_y, regime_train, ~train
        )
        for name in compared
    }
