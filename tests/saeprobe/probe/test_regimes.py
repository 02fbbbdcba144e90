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
