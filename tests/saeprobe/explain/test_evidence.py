"""The statistics behind every interval: resampled accuracy and AUC equal the same figures computed
on each resample's rows, McNemar's test and the estimate of test examples that settle a gap."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from saeprobe.explain import Resamples, compare, examples_to_settle, interval, mcnemar
from saeprobe.probe import roc_auc
from saeprobe.records import Comparison


def rows_of(counts):
    """The rows of a resample, each as often as its count says."""
    return np.repeat(np.arange(len(counts)), counts.astype(int))


def test_resampled_accuracy_is_the_accuracy_of_each_resamples_rows():
    rng = np.random.default_rng(0)
    correct = rng.random(50) < 0.7
    resamples = Resamples.draw(50, 200, seed=3)
    assert resamples.counts.shape == (200, 50) and (resamples.counts.sum(axis=1) == 50).all()
    for b in (0, 17, 199):
        assert resamples.accuracy(correct)[b] == pytest.approx(correct[rows_of(resamples.counts[b])].mean())
    assert np.array_equal(Resamples.draw(50, 200, seed=3).counts, resamples.counts)  # seeded


def test_resampled_binary_auc_is_sklearns_on_each_resample_ties_included():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 60)
    score = np.round(rng.random(60) + 0.3 * y, 1)  # rounded: many ties
    proba = np.column_stack([1 - score / 2, score / 2])
    resamples = Resamples.draw(60, 50, seed=0)
    aucs = resamples.auc(y, proba, np.array([0, 1]))
    for b in range(0, 50, 7):
        rows = rows_of(resamples.counts[b])
        assert aucs[b] == pytest.approx(roc_auc_score(y[rows], score[rows]))


@pytest.mark.parametrize("absent", [None, 2])
def test_resampled_multiclass_auc_is_the_probes_own_auc_on_each_resample(absent):
    rng = np.random.default_rng(2)
    labels = np.arange(4)
    y = rng.integers(0, 4, 80)
    if absent is not None:
        y[y == absent] = 0  # a class the test rows lack: scored over the others, renormalised
    proba = rng.dirichlet(np.ones(4), 80) + 0.4 * np.eye(4)[y]
    proba /= proba.sum(axis=1, keepdims=True)
    resamples = Resamples.draw(80, 30, seed=5)
    aucs = resamples.auc(y, proba, labels)
    for b in range(0, 30, 6):
        rows = rows_of(resamples.counts[b])
        assert aucs[b] == pytest.approx(roc_auc(y[rows], proba[rows], labels))


def test_an_auc_is_undefined_where_a_resample_lacks_a_class():
    y = np.array([0] * 19 + [1])
    proba = np.column_stack([np.linspace(1, 0, 20), np.linspace(0, 1, 20)])
    aucs = Resamples.draw(20, 400, seed=0).auc(y, proba, np.array([0, 1]))
    assert np.isnan(aucs).any() and np.isfinite(aucs).any()
    low, high = interval(aucs, 0.95)
    assert 0 <= low <= high <= 1


def test_intervals_of_a_fair_coin_cover_its_accuracy_about_as_often_as_claimed():
    rng = np.random.default_rng(4)
    covered = 0
    for trial in range(200):
        correct = rng.random(100) < 0.8
        low, high = interval(Resamples.draw(100, 300, seed=trial).accuracy(correct), 0.9)
        covered += low <= 0.8 <= high
    assert 0.8 <= covered / 200 <= 0.97


def test_mcnemar_counts_only_the_rows_where_the_probes_disagree():
    reference = np.array([True] * 10 + [True] * 40 + [False] * 50)
    other = np.array([False] * 10 + [True] * 40 + [False] * 50)
    assert mcnemar(reference, other) == pytest.approx(2 * 0.5**10)
    assert mcnemar(reference, reference) == 1.0
    swapped = np.array([False] * 5 + [True] * 5 + [True] * 40 + [False] * 50)
    assert mcnemar(np.array([True] * 5 + [False] * 5 + [True] * 40 + [False] * 50), swapped) == 1.0


def test_a_paired_comparison_reads_the_same_resamples_for_both_probes():
    rng = np.random.default_rng(6)
    right = rng.random(120) < 0.85
    wrong_more = right & (rng.random(120) < 0.8)
    resamples = Resamples.draw(120, 500, seed=1)
    found = compare("raw", "sae", {"raw": right, "sae": wrong_more}, resamples, 0.95)
    assert found.gap == pytest.approx(right.mean() - wrong_more.mean())
    assert 0 <= found.low <= found.gap <= found.high  # the SAE is never right where raw is wrong
    assert found.n_test == 120 and found.confidence == 0.95 and found.p_value < 0.01


def test_the_examples_that_settle_a_gap_grow_as_it_nears_the_margin():
    def needed(gap):
        return examples_to_settle(Comparison("raw", "sae", gap, gap - 0.05, gap + 0.05, 0.025, 0.3, 100), 0.02)

    assert needed(0.05) < needed(0.03) and needed(-0.02) < needed(0.0) < needed(0.015)
    assert needed(0.02) is None
    assert needed(0.05) == pytest.approx(100 * (1.96 * 0.025 / 0.03) ** 2, rel=0.01)
