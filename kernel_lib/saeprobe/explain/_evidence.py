"""How sure a layer's figures are: bootstrap intervals of test accuracy and AUC, paired intervals
and McNemar tests of the gap between two probes, and how many test examples would settle a gap
the data leaves open.

Every probe of a layer is scored on the same resamples of its test rows, drawn once: a resample is
a row of counts (how often each test row was drawn), so an accuracy over all resamples is one
matrix product, and an AUC one sort of the scores and a cumulative sum, whatever the number of
resamples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

import numpy as np

from ..records import Comparison

# The gap is settled when its interval clears the margin; these bounds keep the estimate readable.
MOST_TESTS_REPORTED = 1_000_000


@dataclass
class Resamples:
    """``counts`` ``[n_resamples, n_test]``: how often each test row was drawn in each bootstrap
    resample of the test rows (each resample draws ``n_test`` rows with replacement). They are
    kept a test row to a row (``[n_test, n_resamples]``, contiguous), so that putting the rows in
    a probe's score order gathers whole rows: about ten times faster than gathering columns on
    thousands of test rows."""

    by_row: np.ndarray

    @classmethod
    def draw(cls, n_test: int, n_resamples: int, seed: int) -> Resamples:
        """``n_resamples`` resamples of ``n_test`` rows, from ``seed``."""
        rng = np.random.default_rng(seed)
        counts = rng.multinomial(n_test, np.full(n_test, 1.0 / n_test), size=n_resamples)
        # float32 holds every count and every running sum of counts exactly (all below 2**24).
        return cls(np.ascontiguousarray(counts.T, dtype=np.float32))

    @property
    def counts(self) -> np.ndarray:
        """The counts ``[n_resamples, n_test]``."""
        return self.by_row.T

    @property
    def n_test(self) -> int:
        return int(self.by_row.shape[0])

    def accuracy(self, correct: np.ndarray) -> np.ndarray:
        """The accuracy in every resample, of a probe right on the test rows ``correct`` (bool)."""
        hits = np.asarray(correct, dtype=np.float32) @ self.by_row  # whole numbers below 2**24: exact
        return hits.astype(np.float64) / self.n_test

    def auc(self, y: np.ndarray, proba: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """The ROC-AUC in every resample, as :func:`saeprobe.probe.roc_auc` scores it (the positive
        class's for two classes, macro one-vs-rest for more); NaN where a resample lacks a class."""
        present = np.isin(labels, np.unique(y))
        if present.sum() < 2:
            return np.full(self.by_row.shape[1], np.nan)
        if proba.shape[1] == 2:
            return self._binary_auc(y == labels[1], proba[:, 1])
        if not present.all():  # a class absent from the test rows: score over the others, renormalised
            proba = proba[:, present] / proba[:, present].sum(axis=1, keepdims=True)
            labels = labels[present]
        if len(labels) == 2:
            return self._binary_auc(y == labels[1], proba[:, 1])
        return np.mean([self._binary_auc(y == label, proba[:, k]) for k, label in enumerate(labels)], axis=0)

    def _binary_auc(self, positive: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """The Mann-Whitney AUC with each row weighted by its count in each resample: the share of
        (positive, negative) pairs ordered right, ties counted half. In score order, a positive row
        counts the negatives drawn before its group of tied scores and half of those within it,
        both read off one running sum of the negatives."""
        order = np.argsort(scores, kind="stable")
        sorted_scores, positive = scores[order], positive[order]
        counts = self.by_row[order]  # [n_test, n_resamples], in score order
        negatives_before = np.zeros((len(order) + 1, counts.shape[1]), dtype=counts.dtype)  # row r: the first r rows
        np.cumsum(counts * ~positive[:, None], axis=0, out=negatives_before[1:])
        new_group = np.r_[True, np.diff(sorted_scores) != 0]
        starts = np.flatnonzero(new_group)
        group = np.cumsum(new_group) - 1
        first, past = starts[group][positive], np.r_[starts[1:], len(order)][group][positive]
        drawn = counts[positive]
        # Products and their sums in float64: they outgrow float32's exact integers.
        halves = negatives_before[first].astype(np.float64) + negatives_before[past]
        right = np.einsum("ij,ij->j", drawn, halves, dtype=np.float64) / 2
        pairs = drawn.sum(axis=0, dtype=np.float64) * negatives_before[-1]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(pairs > 0, right / pairs, np.nan)


def interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """The percentile interval of ``values`` (resampled statistics) covering ``confidence``;
    NaN values (resamples where the statistic is undefined) are left out."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return float("nan"), float("nan")
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def mcnemar(reference_correct: np.ndarray, other_correct: np.ndarray) -> float:
    """McNemar's exact two-sided p-value: of the test rows exactly one probe gets right, is the
    split between the two more uneven than a fair coin makes it?"""
    only_reference = int(np.sum(reference_correct & ~other_correct))
    only_other = int(np.sum(~reference_correct & other_correct))
    discordant = only_reference + only_other
    if discordant == 0:
        return 1.0
    # The exact binomial tail, in whole numbers: no rounding however many rows disagree.
    tail = Fraction(sum(math.comb(discordant, k) for k in range(min(only_reference, only_other) + 1)), 2**discordant)
    return float(min(Fraction(1), 2 * tail))


def compare(
    reference: str,
    other: str,
    correct: dict[str, np.ndarray],
    resamples: Resamples,
    confidence: float,
) -> Comparison:
    """The paired comparison of two probes' test accuracies (``correct``: each representation's
    right answers on the test rows), on the shared ``resamples``."""
    gaps = resamples.accuracy(correct[reference]) - resamples.accuracy(correct[other])
    low, high = interval(gaps, confidence)
    gap = float(np.mean(correct[reference]) - np.mean(correct[other]))
    spread = float(np.std(gaps))
    p_value = mcnemar(correct[reference], correct[other])
    return Comparison(reference, other, gap, low, high, spread, p_value, resamples.n_test, confidence)


def examples_to_settle(comparison: Comparison, margin: float) -> int | None:
    """About how many test examples would settle ``comparison`` against ``margin``: put the
    interval of the gap (its observed value and spread, the spread shrinking as one over the square
    root of the test rows) wholly below the margin when the gap lies below it (no loss), or wholly
    above it when the gap lies above (a loss). ``None`` when the gap sits on the margin itself or
    has no spread."""
    distance = abs(comparison.gap - margin)
    if distance <= 1e-9 or not comparison.spread > 0:
        return None
    z = NormalDist().inv_cdf(1 - (1 - comparison.confidence) / 2)
    needed = comparison.n_test * (z * comparison.spread / distance) ** 2
    return min(MOST_TESTS_REPORTED, max(comparison.n_test + 1, math.ceil(needed)))
