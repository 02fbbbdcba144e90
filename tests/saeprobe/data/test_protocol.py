"""sae-probes' split as saeprobe draws it, on labels made up here (the package's own function is
compared with it in test_sae_probes.py)."""

import numpy as np
import pytest

from saeprobe import load_dataset
from saeprobe.data import balanced_split, sae_probes_split, with_sae_probes_split
from saeprobe.errors import DataError


def balanced_labels(n: int) -> np.ndarray:
    """0 and 1 shuffled, as many of each in every block of 5,000 rows (sae-probes' datasets are so)."""
    rng = np.random.default_rng(0)
    return np.concatenate([rng.permutation(np.arange(min(5000, n - start)) % 2) for start in range(0, n, 5000)])


@pytest.mark.parametrize("rows, n_train, n_test", [(5000, 1024, 3975), (6400, 1024, 3975), (1000, 900, 99)])
def test_the_split_takes_its_sizes_from_the_first_5000_rows(rows, n_train, n_test):
    y = balanced_labels(rows)
    train, test = sae_probes_split(y)
    assert (len(train), len(test)) == (n_train, n_test)
    assert max(train.max(), test.max()) < 5000 and not set(train) & set(test)
    assert y[train].sum() == n_train // 2 and y[test].sum() == -(-n_test // 2)  # positives rounded up


def test_the_same_seed_draws_the_same_rows_and_another_seed_others():
    y = balanced_labels(2000)
    first, again, other = sae_probes_split(y), sae_probes_split(y), sae_probes_split(y, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other[0])


def test_a_class_too_small_for_balanced_sides_is_refused():
    y = np.array([1] * 900 + [0] * 300)
    with pytest.raises(DataError, match="class 0 has 300 rows where the sae-probes split draws"):
        balanced_split(y, 1000, 100)


@pytest.mark.parametrize(
    "y, message",
    [(np.arange(300) % 3, "for two classes, and the data has 3"), (np.arange(90) % 2, "needs more than 102 rows")],
)
def test_data_the_split_cannot_serve_is_refused_with_the_setting_to_change(y, message):
    with pytest.raises(DataError, match=message) as caught:
        sae_probes_split(y)
    assert caught.value.option == "split" and "to auto" in str(caught.value)


def test_the_data_keeps_only_the_split_rows_in_their_order_with_their_sides():
    labels = ["neg", "pos"] * 200
    data = load_dataset([f"text {i}" for i in range(400)], labels)
    train, test = sae_probes_split(data.y)
    narrowed = with_sae_probes_split(data)
    rows = np.sort(np.concatenate([train, test]))
    assert narrowed.texts == tuple(f"text {i}" for i in rows) and len(narrowed) == 399
    sides = dict(zip(narrowed.texts, narrowed.split, strict=True))
    assert {sides[f"text {i}"] for i in train} == {"train"} and {sides[f"text {i}"] for i in test} == {"test"}
    assert narrowed.classes == data.classes


def test_a_split_the_data_gives_is_not_silently_replaced():
    data = load_dataset(["a", "b", "c", "d"] * 50, ["x", "y"] * 100)
    given = type(data)(data.texts, data.labels, split=tuple(["train", "test"] * 100), name="given")
    with pytest.raises(DataError, match="gives its own train/test split"):
        with_sae_probes_split(given)
