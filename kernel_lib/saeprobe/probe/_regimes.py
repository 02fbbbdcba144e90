"""Training regimes under which SAE probes were claimed to help: few examples, noisy labels,
imbalanced classes. Each changes only the training rows; the test split stays as it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataError

REGIME_KINDS = ("train_size", "label_noise", "imbalance")
COVARIATE_SHIFT = "covariate_shift"


@dataclass(frozen=True)
class Regime:
    """``train_size``: keep this many training rows (stratified); ``label_noise``: flip this share
    of training labels to another class; ``imbalance``: subsample the last class so it makes up
    this share of the training rows."""

    kind: str
    value: float

    def __post_init__(self) -> None:
        # The values are checked where they are declared (SweepSettings' regime fields).
        if self.kind not in REGIME_KINDS:
            raise DataError(f"unknown regime {self.kind!r}; use one of {REGIME_KINDS}")

    def apply(self, y: np.ndarray, train: np.ndarray, n_classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The training mask and labels of this regime; rows outside ``train`` are untouched."""
        rng = np.random.default_rng(seed)
        rows = np.flatnonzero(train)
        y = y.copy()
        if self.kind == "label_noise":
            flipped = rng.choice(rows, size=round(float(self.value * len(rows))), replace=False)
            y[flipped] = (y[flipped] + rng.integers(1, n_classes, len(flipped))) % n_classes
            return train.copy(), y
        if self.kind == "train_size":
            kept = _stratified_sample(rows, y, int(self.value), rng)
        else:
            kept = _imbalanced_sample(rows, y, n_classes, self.value, rng)
        mask = np.zeros_like(train)
        mask[kept] = True
        return mask, y


@dataclass(frozen=True)
class ShiftedTest:
    """Another dataset's rows to test the standard probes on (covariate shift): its ``name``, the
    pooled ``raw`` states ``[n, d_model]`` read as the training data's, the class index of each
    row in the training data's classes (``y``), and each SAE set's codes of them by set name
    (sparse, or :class:`~saeprobe.sae.LayerCodes`; a set left out is encoded from ``raw``)."""

    name: str
    raw: np.ndarray
    y: np.ndarray
    codes: Mapping[str, Any] = field(default_factory=dict)


def regimes_from(train_sizes=(), label_noise=(), imbalance=()) -> list[Regime]:
    """The regimes asked for, in a stable order."""
    return (
        [Regime("train_size", float(v)) for v in train_sizes]
        + [Regime("label_noise", float(v)) for v in label_noise]
        + [Regime("imbalance", float(v)) for v in imbalance]
    )


def _stratified_sample(rows: np.ndarray, y: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    if size > len(rows):
        raise DataError(f"train size {size} exceeds the {len(rows)} training rows; choose smaller sizes")
    classes, counts = np.unique(y[rows], return_counts=True)
    if size < 2 * len(classes):
        raise DataError(f"train size {size} leaves fewer than 2 rows per class; use at least {2 * len(classes)}")
    quota = np.maximum(2, np.floor(counts / counts.sum() * size).astype(int))
    while quota.sum() < size:
        quota[np.argmax(counts - quota)] += 1
    while quota.sum() > size:
        quota[np.argmax(quota)] -= 1
    chosen = [rng.choice(rows[y[rows] == c], size=q, replace=False) for c, q in zip(classes, quota, strict=True)]
    return np.concatenate(chosen)


def _imbalanced_sample(
    rows: np.ndarray, y: np.ndarray, n_classes: int, share: float, rng: np.random.Generator
) -> np.ndarray:
    minority = n_classes - 1
    others = rows[y[rows] != minority]
    wanted = max(2, round(float(share / (1 - share) * len(others))))
    members = rows[y[rows] == minority]
    if wanted > len(members):
        raise DataError(
            f"imbalance {share} needs {wanted} training rows of the last class but there are {len(members)}; "
            "choose a smaller share"
        )
    return np.concatenate([others, rng.choice(members, size=wanted, replace=False)])
