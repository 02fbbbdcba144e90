"""Labelled texts: the dataset, its prompts (texts in a template) and its train/test split."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..config import TEXT_SLOT, template_problem
from ..errors import DataError

SPLIT_NAMES = ("train", "test")
# Label texts that mean "no value" (as pandas and spreadsheets write it), never a class.
MISSING_LABELS = {"", "nan", "na", "n/a", "none", "null", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}


@dataclass(frozen=True)
class ProbeDataset:
    """Texts with class labels, an optional prompt template and an optional given split.

    ``labels`` holds the original label values; ``classes`` their sorted distinct values and
    ``y`` the index of each label in ``classes``. ``split`` is ``None`` or an array of
    ``"train"``/``"test"`` taken from the data as given.
    """

    texts: tuple[str, ...]
    labels: tuple[Any, ...]
    template: str | None = None
    split: tuple[str, ...] | None = None
    name: str = "data"
    classes: tuple[Any, ...] = field(init=False)
    y: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.texts) == 0:
            raise DataError(f"dataset {self.name!r} is empty; give at least two examples of each class")
        if len(self.texts) != len(self.labels):
            raise DataError(f"{len(self.texts)} texts but {len(self.labels)} labels; give one label per text")
        if self.template is not None and (problem := template_problem(self.template)):
            raise DataError(f"template {self.template!r} {problem}")
        for row, label in enumerate(self.labels):
            if _is_missing_label(label):
                raise DataError(
                    f"row {row} of {self.name!r} has the label {label!r}, which is no class (a missing or not-a-number "
                    "value); drop the row or give it its class"
                )
        classes = tuple(sorted(set(self.labels), key=_label_sort_key))
        if len(classes) < 2:
            raise DataError(f"dataset {self.name!r} has only one class ({classes[0]!r}); a probe needs at least two")
        if self.split is not None:
            bad = sorted(set(self.split) - set(SPLIT_NAMES))
            if bad:
                raise DataError(f"split column holds {bad!r}; use only 'train' and 'test'")
            for name in SPLIT_NAMES:
                if name not in self.split:
                    raise DataError(f"split column has no {name!r} rows; give both 'train' and 'test' rows")
        index = {label: i for i, label in enumerate(classes)}
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "y", np.array([index[label] for label in self.labels], dtype=np.int64))

    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        counts = dict(zip(self.classes, np.bincount(self.y).tolist(), strict=True))
        split = "given" if self.split is not None else "stratified"
        return (
            f"ProbeDataset(name={self.name!r}, n_examples={len(self)}, classes={counts}, "
            f"template={self.template!r}, split={split!r})"
        )

    @cached_property
    def prompt_set(self) -> Prompts:
        """The texts with the template, as the model reads them (see :class:`Prompts`)."""
        return Prompts(self.texts, self.template or TEXT_SLOT)

    @property
    def prompts(self) -> list[str]:
        """The texts placed in the template (the texts themselves when there is none)."""
        if self.template is None:
            return list(self.texts)
        return [self.template.replace(TEXT_SLOT, text) for text in self.texts]

    def fingerprint(self) -> str:
        """A content hash of texts and template, so caches key on what the model reads."""
        return prompts_of(self).fingerprint

    def train_test_masks(
        self, test_size: float = 0.3, seed: int = 0, duplicates: str = "group"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Boolean train and test masks (see :meth:`split`)."""
        split = self.split_rows(test_size, seed, duplicates)
        return split.train, split.test

    def split_rows(self, test_size: float = 0.3, seed: int = 0, duplicates: str = "group") -> Split:
        """The train/test split: the given one, else a stratified seeded one. With
        ``duplicates="group"`` every copy of a repeated text falls on the same side, so a test text
        is never one the probe trained on; ``"ignore"`` splits rows as they come. A given split is
        kept as it is; the rows it repeats across sides are counted.

        Raises :class:`DataError` when a class is too small to appear on both sides, or a given
        split leaves a class without training rows.
        """
        groups = _duplicate_groups(self.texts)
        if self.split is not None:
            is_test = np.array([s == "test" for s in self.split])
            missing = [cls for i, cls in enumerate(self.classes) if not np.any((self.y == i) & ~is_test)]
            if missing:
                raise DataError(
                    f"class {missing[0]!r} has no training rows in the given split, so no probe can learn it; "
                    "move some of its rows to 'train' or drop the class"
                )
            return Split(~is_test, is_test, groups)
        if not 0.0 < test_size < 1.0:
            raise DataError(f"test_size {test_size} must lie strictly between 0 and 1, e.g. 0.3")
        counts = np.bincount(self.y)
        if counts.min() < 2:
            small = self.classes[int(counts.argmin())]
            raise DataError(
                f"class {small!r} has {counts.min()} example; each class needs at least 2 to be "
                "split into train and test; add examples or drop the class"
            )
        units = groups if duplicates == "group" else np.arange(len(self))
        rng = np.random.default_rng(seed)
        is_test = np.zeros(len(self), dtype=bool)
        for cls in range(len(self.classes)):
            members = np.flatnonzero(self.y == cls)
            n_test = min(max(round(float(test_size * len(members))), 1), len(members) - 1)
            # Whole groups of copies go to test, a group at a time, until the class has its share.
            taken = 0
            for unit in rng.permutation(np.unique(units[members])):
                if taken >= n_test:
                    break
                rows = np.flatnonzero(units == unit)
                is_test[rows] = True
                taken += int(np.sum(self.y[rows] == cls))
        for cls in range(len(self.classes)):
            if not np.any((self.y == cls) & ~is_test):
                raise DataError(
                    f"every example of class {self.classes[cls]!r} is a copy of one text, so it cannot be on both "
                    "sides of the split; add different examples, or pass duplicates='ignore'"
                )
        return Split(~is_test, is_test, groups)


@dataclass(frozen=True)
class Split:
    """Boolean ``train`` and ``test`` masks, and for each row the group of identical texts it
    belongs to (the row number of the group's first copy)."""

    train: np.ndarray
    test: np.ndarray
    groups: np.ndarray

    @property
    def n_duplicates(self) -> int:
        """Rows whose text occurs more than once."""
        _, inverse, counts = np.unique(self.groups, return_inverse=True, return_counts=True)
        return int(np.sum(counts[inverse] > 1))

    @property
    def n_test_seen_in_train(self) -> int:
        """Test rows whose text is also a training row's: a probe may have learnt them by heart."""
        return int(np.sum(self.test & np.isin(self.groups, self.groups[self.train])))


def _duplicate_groups(texts: Sequence[str]) -> np.ndarray:
    first: dict[str, int] = {}
    return np.array([first.setdefault(text, row) for row, text in enumerate(texts)], dtype=np.int64)


def _is_missing_label(label: Any) -> bool:
    if label is None:
        return True
    if isinstance(label, (float, np.floating)):
        return not np.isfinite(label)
    return isinstance(label, str) and label.strip().lower() in MISSING_LABELS


@dataclass(frozen=True)
class Prompts:
    """What a model reads: texts and the template each is placed in, with their content hash
    (computed once)."""

    texts: tuple[str, ...]
    template: str = TEXT_SLOT

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the template and the texts placed in it."""
        digest = hashlib.sha256(self.template.encode("utf-8"))
        for text in self.texts:
            digest.update(b"\x00" + text.encode("utf-8"))
        return digest.hexdigest()


def prompts_of(data: ProbeDataset | Sequence[str]) -> Prompts:
    """The prompts of a dataset (its texts in its template) or of a list of strings. Raises
    :class:`DataError` for anything else or an empty list."""
    if isinstance(data, ProbeDataset):
        return data.prompt_set
    if isinstance(data, str) or not isinstance(data, Sequence):
        raise DataError("give a ProbeDataset (saeprobe.load_dataset(...)) or a list of strings")
    if len(data) == 0:
        raise DataError("no texts to read; give at least one")
    return Prompts(tuple(str(t) for t in data))


def _label_sort_key(label: Any) -> tuple[int, Any]:
    # Numbers sort numerically, everything else as text, so 2 < 10 and mixed labels still sort.
    if isinstance(label, (int, float, np.integer, np.floating)) and not isinstance(label, bool):
        return (0, float(label))
    return (1, str(label))
