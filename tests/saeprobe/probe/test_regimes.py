import numpy as np
import pytest

from saeprobe.config import SweepSettings
from saeprobe.errors import DataError, SettingsError
from saeprobe.probe import Regime, regimes_from


@pytest.fixture
def split():
    y = np.array([0] * 60 + [1] * 40)
    train = np.ones(100, dtype=bool)
    train[::4] = False
    return y, train


def test_train_size_keeps_a_stratified_subset_of_training_rows(split):
    y, train = split
    mask, labels = Regime("train_size", 20).apply(y, train, 2, seed=0)
    assert mask.sum() == 20 and not (mask & ~train).any()
    assert np.bincount(labels[mask]).tolist() == [12, 8]
    assert np.array_equal(labels, y)


def test_label_noise_flips_that_share_of_training_labels_only(split):
    y, train = split
    mask, labels = Regime("label_noise", 0.25).apply(y, train, 2, seed=0)
    assert np.array_equal(mask, train)
    assert (labels != y).sum() == round(0.25 * train.sum())
    assert np.array_equal(labels[~train], y[~train])


def test_imbalance_makes_the_last_class_that_share(split):
    y, train = split
    mask, _ = Regime("imbalance", 0.1).apply(y, train, 2, seed=0)
    counts = np.bincount(y[mask])
    assert counts[0] == (y[train] == 0).sum()
    assert counts[1] / counts.sum() == pytest.approx(0.1, abs=0.02)


def test_regime_values_are_checked(split):
    y, train = split
    # Values are checked where the settings declare them; the kind where a regime is built.
    for field, value, message in [
        ("train_sizes", [1.5], "whole numbers"),
        ("label_noise", [1.0], r"\[0, 1\)"),
        ("imbalance", [0.0], r"\(0, 1\)"),
    ]:
        with pytest.raises(SettingsError, match=message):
            SweepSettings(**{field: value})
    with pytest.raises(DataError, match="unknown regime"):
        Regime("bootstrap", 1)
    with pytest.raises(DataError, match="exceeds"):
        Regime("train_size", 500).apply(y, train, 2, seed=0)
    with pytest.raises(DataError, match="fewer than 2 rows per class"):
        Regime("train_size", 3).apply(y, train, 2, seed=0)
    assert [r.kind for r in regimes_from([10], [0.1], [0.2])] == ["train_size", "label_noise", "imbalance"]


def test_covariate_shift_tests_the_standard_probes_on_the_other_rows_only():
    from saeprobe import probe_layer
    from saeprobe.probe import BatchedLogisticProbe, ShiftedTest, evaluate_probe

    rng = np.random.default_rng(0)
    y = np.arange(200) % 2
    raw = rng.normal(size=(200, 12))
    raw[:, 0] += 2.0 * y
    train = np.arange(200) < 140
    shifted_y = np.arange(60) % 2
    shifted = rng.normal(size=(60, 12)) + np.array([1.0] + [0.0] * 11)  # the concept, moved along it
    shifted[:, 0] += 2.0 * shifted_y
    entry = probe_layer(raw, y, train, controls=(), top_ks=(1,), shift=ShiftedTest("moved", shifted, shifted_y))
    standard = probe_layer(raw, y, train, controls=(), top_ks=(1,))
    assert entry.scores == standard.scores  # the test split's own scores are untouched
    (run,) = entry.regimes
    assert (run.regime, run.value, run.test_data, set(run.scores)) == ("covariate_shift", 60.0, "moved", {"raw"})
    rows = np.arange(200) < 140
    expected = evaluate_probe(
        BatchedLogisticProbe(),
        np.vstack([raw[rows], shifted]),
        np.concatenate([y[rows], shifted_y]),
        np.arange(200) < 140,
        np.arange(200) >= 140,
    )
    assert run.scores["raw"].test_accuracy == pytest.approx(expected.test_accuracy)
    assert run.scores["raw"].test_auc == pytest.approx(expected.test_auc)
    with pytest.raises(DataError, match="shifted test rows need raw \\[n, 12\\]"):
        probe_layer(raw, y, train, controls=(), shift=ShiftedTest("bad", shifted[:, :5], shifted_y))
