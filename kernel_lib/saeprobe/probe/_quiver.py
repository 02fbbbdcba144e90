"""More probes than one on the same representations: the ``probes`` setting fits each named probe
plugin beside the sweep's own probe on raw and on each SAE code, and ``best`` picks, per
representation, the probe with the highest AUC on a validation fifth of the training rows (the
quiver of arrows of sae-probes). The validation rows are held out of the choice only: every probe
reported is fitted on all the training rows, and ``best`` reports the chosen one's fit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..config import SweepSettings
from ..errors import DataError
from ..records import BEST_PROBE, Metrics, with_probe
from ._evaluate import ProbeAnswers, fit_and_score, probe_factory, roc_auc

VALIDATION_SHARE = 0.2


def extra_probes(settings: SweepSettings) -> list[str]:
    """The plugins of ``settings.probes`` other than the sweep's own probe, in the order given."""
    return [name for name in settings.probes if name not in (settings.probe, BEST_PROBE)]


@dataclass
class QuiverFits:
    """Every extra probe's scores, answers and fitted probe by score name (``raw@knn``, ...), and
    for each ``best`` what it chose: the probe and every candidate's validation AUC."""

    scores: dict[str, Metrics] = field(default_factory=dict)
    answers: dict[str, ProbeAnswers] = field(default_factory=dict)
    fitted: dict[str, Any] = field(default_factory=dict)
    choices: dict[str, dict[str, Any]] = field(default_factory=dict)


def fit_quiver(
    bases: Sequence[str],
    matrices: dict[str, np.ndarray | sp.csr_matrix],
    scaling: dict[str, str],
    own: dict[str, tuple[Metrics, ProbeAnswers, Any]],
    y: np.ndarray,
    train: np.ndarray,
    settings: SweepSettings,
) -> QuiverFits:
    """Fit the ``probes`` setting's plugins on each representation of ``bases`` and, when it names
    ``best``, choose among them and the sweep's own probe (whose fits ``own`` holds by
    representation: scores, answers, fitted probe)."""
    found = QuiverFits()
    names = extra_probes(settings)
    makers = {name: probe_factory(settings, name) for name in names}
    for base in bases:
        for name in names:
            key = with_probe(base, name)
            found.fitted[key] = makers[name](scaling=scaling.get(base))
            found.scores[key], found.answers[key] = fit_and_score(found.fitted[key], matrices[base], y, train, ~train)
    if BEST_PROBE not in settings.probes:
        return found
    candidates: dict[str, Callable[..., Any]] = {settings.probe: probe_factory(settings), **makers}
    fit_rows, held_out = validation_split(y, train, settings.seed)
    for base in bases:
        aucs = {
            name: _validation_auc(make(scaling=scaling.get(base)), matrices[base], y, fit_rows, held_out)
            for name, make in candidates.items()
        }
        chosen = max(aucs, key=aucs.__getitem__)  # the first of equals: the sweep's own probe first
        key = with_probe(base, BEST_PROBE)
        if chosen == settings.probe:
            found.scores[key], found.answers[key], found.fitted[key] = own[base]
        else:
            picked = with_probe(base, chosen)
            found.scores[key], found.answers[key] = found.scores[picked], found.answers[picked]
            found.fitted[key] = found.fitted[picked]
        found.choices[key] = {"probe": chosen, "validation_auc": aucs, "n_validation": int(held_out.sum())}
    return found


def validation_split(y: np.ndarray, train: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The training rows split for choosing a probe: a stratified fifth held out (``seed``), the
    rest to fit on; as two masks over all rows. Raises :class:`DataError` when a class has too few
    training rows to give both sides two."""
    from sklearn.model_selection import train_test_split

    rows = np.flatnonzero(train)
    counts = np.bincount(y[rows])
    present = counts[counts > 0]
    if len(present) < 2 or present.min() < 5:
        raise DataError(
            f"the best probe is chosen on a fifth of the training rows, which needs five training examples of each "
            f"class or more; class counts are {present.tolist()}. Drop best from probes, or give more rows"
        )
    fit_rows, held_rows = train_test_split(
        rows, test_size=VALIDATION_SHARE, stratify=y[rows], random_state=seed % (2**32 - 1)
    )
    fit_mask = np.zeros(len(y), dtype=bool)
    held_mask = np.zeros(len(y), dtype=bool)
    fit_mask[fit_rows] = True
    held_mask[held_rows] = True
    return fit_mask, held_mask


def _validation_auc(
    probe: Any, matrix: np.ndarray | sp.csr_matrix, y: np.ndarray, fit_rows: np.ndarray, held_out: np.ndarray
) -> float:
    """AUC on the ``held_out`` rows of ``probe`` fitted on ``fit_rows``."""
    _, answers = fit_and_score(probe, matrix, y, fit_rows, held_out)
    return roc_auc(y[held_out], answers.proba, answers.labels)
