"""sae-probes' 'normal' train/test split, drawn exactly as its code draws it, so scores sit beside
the paper's: of the first 5,000 rows, min(rows - 100, 1,024) balanced training rows and a balanced
test set of all but one of the rest, from ``numpy.random.RandomState(42)``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import DataError
from ._dataset import ProbeDataset

SAE_PROBES_SPLIT = "sae-probes"
PEER_MAX_ROWS = 5000
PEER_MAX_TRAIN = 1024
PEER_MIN_TEST = 100
PEER_SEED = 42


def sae_probes_split(y: np.ndarray, seed: int = PEER_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Training and test row indices of sae-probes' normal setting for binary labels ``y`` (0 and
    1, the package's label encoding), in the order its code returns them. Raises
    :class:`DataError` for labels that are not binary or classes too small for balanced sides."""
    y = np.asarray(y)
    if len(np.unique(y)) != 2 or not np.isin(y, (0, 1)).all():
        raise DataError(
            f"the sae-probes split is for two classes, and the data has {len(np.unique(y))}; set {{option}} to auto",
            option="split",
        )
    n_train = min(len(y) - PEER_MIN_TEST, PEER_MAX_TRAIN)
    head = y[:PEER_MAX_ROWS]
    n_test = len(head) - n_train - 1
    if n_train < 2 or n_train + min(PEER_MIN_TEST, n_test) > len(head):
        raise DataError(
            f"the sae-probes split needs more than {PEER_MIN_TEST + 2} rows ({PEER_MIN_TEST} of them for testing), and "
            f"the data has {len(y)}; set {{option}} to auto",
            option="split",
        )
    return balanced_split(head, n_train, n_test, seed=seed)


def balanced_split(
    y: np.ndarray, n_train: int, n_test: int, positive_share: float = 0.5, seed: int = PEER_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """``n_train`` training and ``n_test`` test row indices with ``positive_share`` of each side
    in class 1 (rounded up), drawn as sae-probes draws them: positives, then negatives, from one
    ``RandomState(seed)``; each side shuffled."""
    rng = np.random.RandomState(seed)
    positives, negatives = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    train_pos = int(np.ceil(positive_share * n_train))
    test_pos = int(np.ceil(positive_share * n_test))
    for label, rows, wanted in (
        (1, positives, train_pos + test_pos),
        (0, negatives, n_train - train_pos + n_test - test_pos),
    ):
        if wanted > len(rows):
            raise DataError(
                f"class {label} has {len(rows)} rows where the sae-probes split draws {wanted} (it balances both "
                "sides); give more rows of that class or set {option} to auto",
                option="split",
            )
    chosen_pos = rng.choice(positives, size=train_pos, replace=False)
    chosen_neg = rng.choice(negatives, size=n_train - train_pos, replace=False)
    test_from_pos = rng.choice(np.setdiff1d(positives, chosen_pos), size=test_pos, replace=False)
    test_from_neg = rng.choice(np.setdiff1d(negatives, chosen_neg), size=n_test - test_pos, replace=False)
    train = rng.permutation(np.concatenate([chosen_pos, chosen_neg]))
    test = rng.permutation(np.concatenate([test_from_pos, test_from_neg]))
    return train, test


def with_sae_probes_split(data: ProbeDataset, seed: int = PEER_SEED) -> ProbeDataset:
    """``data`` narrowed to the rows of sae-probes' split (:func:`sae_probes_split`), in their
    original order, with each row's side given. Raises :class:`DataError` when the data gives a
    split of its own, or the split cannot be drawn."""
    if data.split is not None:
        raise DataError(
            f"{data.name!r} gives its own train/test split; leave its split column out to draw sae-probes' split, "
            "or set {option} to auto to keep the given one",
            option="split",
        )
    train, test = sae_probes_split(data.y, seed)
    rows = np.sort(np.concatenate([train, test]))
    side = np.full(len(data), "test", dtype=object)
    side[train] = "train"
    return replace(
        data,
        texts=tuple(data.texts[i] for i in rows),
        labels=tuple(data.labels[i] for i in rows),
        split=tuple(str(side[i]) for i in rows),
    )
