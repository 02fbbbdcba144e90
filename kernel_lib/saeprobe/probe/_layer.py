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
    probe_of,
    representation_name,
    split_representation,
)
from ..sae import (
    LayerCodes,
    LayerSAE,
    codes_of_pooled,
    from_object,
    is_transcoder,
    named_sets,
    output_hook,
    random_like,
    reconstruct,
)
from ._controls import leak_check, leak_warnings, relabelled, shuffled_training_labels
from ._evaluate import ProbeAnswers, evaluate_probe, fit_and_score, probe_factory, score_fitted
from ._quiver import fit_quiver
from ._regimes import COVARIATE_SHIFT, Regime, ShiftedTest, regimes_from
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
    random_codes: Mapping[str, LayerCodes] | None = None,
    repeat_splits: Mapping[int, np.ndarray] | None = None,
    shift: ShiftedTest | None = None,
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
    ``top_ks``, ``controls``, regimes, ...). The ``sae_random`` control encodes ``raw`` with a
    random SAE of each set's shape unless ``random_codes`` (by set name) are given, as the sweep
    gives them. With the ``seeds`` setting every probe but the controls is refitted on each
    repeated split (``repeat_splits``: training rows by seed, as the sweep makes them; without them,
    stratified splits of ``test_size`` from each seed) and its metrics gain the mean and standard
    deviation of the test accuracy over them. With ``shift`` (another dataset's rows, see
    :class:`~saeprobe.probe.ShiftedTest`) the raw and SAE probes, trained on the training rows as
    always, are also tested on those rows, and the entry gains a ``covariate_shift`` regime run
    with their scores. With the ``probes`` setting, the raw and SAE codes are also read by each
    named probe plugin (scores ``raw@knn``, ``sae@knn:task``; ``@best``: the best of them by
    validation AUC, its choice under ``baselines``). Raises :class:`DataError` when the shapes
    disagree.
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
    randoms = _random_codes(saes, sets, raw, random_codes, settings)
    make_probe = probe_factory(settings)
    built = build_representations(
        raw,
        y,
        train,
        len(classes),
        sets,
        top_ks=settings.top_ks,
        seed=settings.seed,
        random_codes=randoms,
        controls=settings.controls,
        baselines=settings.baselines,
    )
    scores, answers, fitted = {}, {}, {}
    for name, matrix in built.matrices.items():
        fitted[name] = make_probe(scaling=built.scaling.get(name))
        scores[name], answers[name] = fit_and_score(fitted[name], matrix, y, train, ~train)
    checks = {}
    if "shuffled_labels" in settings.controls:
        bases = ["raw", *(representation_name("sae", name) for name in sets)]
        for base in bases:
            name = _shuffled_name(base)
            scores[name], answers[name], checks[name] = _shuffled_fit(
                make_probe, built, base, y, train, len(classes), settings.seed
            )
            built.choices[name] = {"seed": settings.seed, **checks[name]}
    compared = ["raw", *(representation_name("sae", name) for name in sets)]
    if settings.probes:
        own = {name: (scores[name], answers[name], fitted[name]) for name in compared}
        quiver = fit_quiver(compared, built.matrices, built.scaling, own, y, train, settings)
        scores.update(quiver.scores)
        answers.update(quiver.answers)
        fitted.update(quiver.fitted)
        built.choices.update(quiver.choices)
    comparisons = _with_intervals(scores, answers, y[~train], list(sets), settings)
    splits = _repeat_splits(repeat_splits, y, settings)
    if splits:
        scores.update(_over_splits(scores, splits, raw, y, len(classes), sets, make_probe, settings))
    regimes = regimes_from(settings.train_sizes, settings.label_noise, settings.imbalance)
    entry = LayerEntry(
        layer=layer,
        hook_name=hook_name,
        scores=scores,
        comparisons=comparisons,
        warnings=leak_warnings(checks),
        split_seeds=list(splits),
        baselines=built.choices,
        regimes=[
            RegimeRun(
                r.kind, r.value, _regime_scores(r, built, compared, y, train, len(classes), make_probe, settings.seed)
            )
            for r in regimes
        ],
    )
    if shift is not None:
        shifted = _shift_scores(shift, built, saes, fitted, scores)
        entry.regimes.append(RegimeRun(COVARIATE_SHIFT, float(len(shift.y)), shifted, test_data=shift.name))
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
                fidelity=fidelity(_measured_against(found, states), found.reconstruction),
                features=[
                    {str(key): value for key, value in row.items()} for row in features.to_dict(orient="records")
                ],
                token_sparsity=found.token_sparsity,
                token_fidelity=found.token_fidelity,
            ),
        )
        if name in randoms:
            entry.saes[name].random_diagnostics = _random_diagnostics(
                randoms[name],
                _measured_against(randoms[name], states),
                y,
                classes,
                train,
                entry.saes[name].diagnostics.effective_dimension["raw"],
                settings,
            )
    return with_diagnosis(entry)


def _repeat_splits(
    given: Mapping[int, np.ndarray] | None, y: np.ndarray, settings: SweepSettings
) -> dict[int, np.ndarray]:
    """The training rows of each repeated split: as given, or stratified splits of
    ``settings.test_size`` from each of ``settings.seeds``."""
    if given is not None:
        return {int(seed): np.asarray(train, dtype=bool) for seed, train in given.items()}
    if not settings.seeds:
        return {}
    from sklearn.model_selection import StratifiedShuffleSplit

    found = {}
    for seed in settings.seeds:
        train = np.zeros(len(y), dtype=bool)
        split = StratifiedShuffleSplit(n_splits=1, test_size=settings.test_size, random_state=seed)
        train[next(split.split(np.zeros(len(y)), y))[0]] = True
        found[seed] = train
    return found


def _over_splits(
    scores: dict[str, Metrics],
    splits: Mapping[int, np.ndarray],
    raw: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    sets: Mapping[str, LayerCodes],
    make_probe: Callable[..., Any],
    settings: SweepSettings,
) -> dict[str, Metrics]:
    """``scores`` of every representation but the controls with the mean and standard deviation
    of its test accuracy over ``splits``: its representation rebuilt on each split's training rows
    (PCA, top-k choices) and its probe refitted."""
    accuracies: dict[str, list[float]] = {}
    for train in splits.values():
        built = build_representations(
            raw, y, train, n_classes, sets, top_ks=settings.top_ks, seed=settings.seed, baselines=settings.baselines
        )
        for name, matrix in built.matrices.items():
            metrics, _ = fit_and_score(make_probe(scaling=built.scaling.get(name)), matrix, y, train, ~train)
            accuracies.setdefault(name, []).append(metrics.test_accuracy)
    return {
        name: replace(
            scores[name],
            split_accuracy_mean=float(np.mean(found)),
            split_accuracy_std=float(np.std(found, ddof=1)) if len(found) > 1 else 0.0,
        )
        for name, found in accuracies.items()
        if name in scores and len(found) == len(splits)
    }


def _shuffled_fit(
    make_probe: Callable[..., Any],
    built: LayerRepresentations,
    base: str,
    y: np.ndarray,
    train: np.ndarray,
    n_classes: int,
    seed: int,
) -> tuple[Metrics, ProbeAnswers, dict[str, float]]:
    """The shuffled-label control of ``base``: its probe refitted on shuffled training labels
    (the metrics and answers reported), and on each relabelling of that shuffle, whose average says
    whether the answers follow the training labels (see :func:`saeprobe.probe._controls.leak_check`)."""
    fits = [
        fit_and_score(make_probe(scaling=built.scaling.get(base)), built.matrices[base], labels, train, ~train)
        for labels in relabelled(shuffled_training_labels(y, train, seed), train, n_classes)
    ]
    metrics, answers = fits[0]
    return metrics, answers, leak_check([found.correct for _, found in fits], n_classes)


def _shuffled_name(base: str) -> str:
    """The shuffled-label control of ``raw`` or of a set's ``sae``."""
    set_name = split_representation(base)[1]
    return "raw_shuffled" if set_name is None else representation_name("sae_shuffled", set_name)


def _random_codes(
    saes: Mapping[str, LayerSAE],
    sets: Mapping[str, LayerCodes],
    raw: np.ndarray,
    given: Mapping[str, LayerCodes] | None,
    settings: SweepSettings,
) -> dict[str, LayerCodes]:
    """Each set's random-SAE codes for the ``sae_random`` control: as given, or the states the
    set's SAE read encoded by a random SAE of its shape (see :func:`saeprobe.sae.random_like`)."""
    if "sae_random" not in settings.controls:
        return {}
    if given is not None:
        return dict(given)
    found = {}
    with one_thread():
        for name, sae in saes.items():
            own = sets[name].states
            states = raw if own is None else own
            found[name] = codes_of_pooled(random_like(sae, settings.seed), states)
            found[name].outputs = sets[name].outputs
    return found


def _measured_against(found: LayerCodes, states: np.ndarray) -> np.ndarray:
    """What the reconstruction of ``found`` is measured against: a transcoder's output states,
    else the ``states`` its SAE read."""
    return found.outputs if found.outputs is not None else states


def _random_diagnostics(
    random: LayerCodes,
    states: np.ndarray,
    y: np.ndarray,
    classes: list[Any],
    train: np.ndarray,
    raw_dimension: Any,
    settings: SweepSettings,
) -> Diagnostics:
    """The random SAE's sparsity, effective dimension and fidelity, as the set's own are measured
    (no feature table: its features mean nothing)."""
    return Diagnostics(
        sparsity=sparsity(random.codes, y, classes, train, settings.always_on_threshold),
        effective_dimension={"raw": raw_dimension, "sae": effective_dimension(random.codes)},
        fidelity=fidelity(states, random.reconstruction),
        features=[],
        token_sparsity=random.token_sparsity,
        token_fidelity=random.token_fidelity,
    )


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
        found = LayerCodes(sp.csr_matrix(codes), reconstruct(sae, sp.csr_matrix(codes), raw))
    else:
        found = codes_of_pooled(sae, raw)
    if is_transcoder(sae.cfg) and found.outputs is None:
        raise DataError(
            f"the transcoder {sae.source!r} rebuilds {output_hook(sae.cfg)!r}, not the states it reads; give its "
            "codes with the pooled states of that hook, codes=LayerCodes(codes, reconstruction, outputs=...), as the "
            "sweep does"
        )
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


def _shift_scores(
    shift: ShiftedTest,
    built: LayerRepresentations,
    saes: Mapping[str, LayerSAE],
    fitted: Mapping[str, Any],
    scores: Mapping[str, Metrics],
) -> dict[str, Metrics]:
    """The raw and each set's SAE probes (the sweep's own and those of the ``probes`` setting), as
    fitted for the standard run, scored on every row of the shifted dataset."""
    if shift.raw.ndim != 2 or shift.raw.shape[1] != built.matrices["raw"].shape[1] or len(shift.y) != len(shift.raw):
        raise DataError(
            f"the shifted test rows need raw [n, {built.matrices['raw'].shape[1]}] and one label each; got raw "
            f"{shift.raw.shape} and {len(shift.y)} labels"
        )
    matrices: dict[str, Any] = {"raw": np.asarray(shift.raw)}
    for name, one in saes.items():
        given = shift.codes.get(name)
        found = given if given is not None else codes_of_pooled(one, np.asarray(shift.raw))
        codes = found.codes if isinstance(found, LayerCodes) else found
        matrices[representation_name("sae", name)] = sp.csr_matrix(codes)
    return {
        name: score_fitted(probe, matrices[base], shift.y, scores[name].train_accuracy)[0]
        for name, probe in fitted.items()
        if (base := probe_of(name)[0]) in matrices
    }
