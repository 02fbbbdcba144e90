"""Labelled text datasets: loading, validation, prompt templates and the train/test split."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError
from .settings import TEXT_SLOT, DataOptions, template_problem
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json")
SPLIT_NAMES = ("train", "test")


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
        classes = tuple(sorted(set(self.labels), key=_label_sort_key))
        if len(classes) < 2:
            raise DataError(
                f"dataset {self.name!r} has only one class ({classes[0]!r}); a probe needs at least two"
            )
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

    def train_test_masks(self, test_size: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Boolean train and test masks: the given split, else a stratified seeded split.

        Raises :class:`DataError` when a class is too small to appear on both sides.
        """
        if self.split is not None:
            is_test = np.array([s == "test" for s in self.split])
            return ~is_test, is_test
        if not 0.0 < test_size < 1.0:
            raise DataError(f"test_size {test_size} must lie strictly between 0 and 1, e.g. 0.3")
        counts = np.bincount(self.y)
        if counts.min() < 2:
            small = self.classes[int(counts.argmin())]
            raise DataError(
                f"class {small!r} has {counts.min()} example; each class needs at least 2 to be "
                "split into train and test; add examples or drop the class"
            )
        rng = np.random.default_rng(seed)
        is_test = np.zeros(len(self), dtype=bool)
        for cls in range(len(self.classes)):
            members = np.flatnonzero(self.y == cls)
            n_test = int(round(test_size * len(members)))
            n_test = min(max(n_test, 1), len(members) - 1)
            is_test[rng.permutation(members)[:n_test]] = True
        return ~is_test, is_test


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


def _python_scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def read_table(path: Path) -> pd.DataFrame:
    """A CSV/TSV/JSONL/JSON file as a DataFrame; raises :class:`DataError` for other types."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, keep_default_na=False)
    if suffix in (".tsv", ".tab"):
        return pd.read_csv(path, sep="\t", keep_default_na=False, quoting=3)
    if suffix in (".jsonl", ".ndjson"):
        return pd.read_json(path, lines=True)
    if suffix == ".json":
        with path.open(encoding="utf-8") as handle:
            return pd.DataFrame(json.load(handle))
    raise DataError(f"cannot read {path.name!r}: use a .csv, .tsv, .jsonl or .json file")


def _from_frame(frame: pd.DataFrame, options: DataOptions, name: str) -> ProbeDataset:
    for option in ("text_column", "label_column", "split_column"):
        column = getattr(options, option)
        if column is not None and column not in frame.columns:
            raise DataError(
                f"column {column!r} is not in {name!r}; its columns are {list(frame.columns)}; "
                "name the right one with {option}", option=option,
            )
    texts = frame[options.text_column]
    if texts.isna().any():
        raise DataError(f"column {options.text_column!r} of {name!r} has missing texts; drop or fill those rows")
    labels = frame[options.label_column]
    if labels.isna().any() or (labels.astype(str).str.strip() == "").any():
        raise DataError(f"column {options.label_column!r} of {name!r} has missing labels; drop or fill those rows")
    split = None
    if options.split_column is not None:
        split = tuple(str(s).strip().lower() for s in frame[options.split_column])
    return ProbeDataset(
        texts=tuple(str(t) for t in texts),
        labels=tuple(_python_scalar(v) for v in labels),
        template=options.template,
        split=split,
        name=name,
    )


def load_dataset(
    source: str | Path | pd.DataFrame | Sequence[str] | Any,
    labels: Sequence[Any] | None = None,
    *,
    name: str | None = None,
    options: DataOptions | None = None,
    **fields: Any,
) -> ProbeDataset:
    """Load a labelled text dataset from a file, a DataFrame, lists, or a Hugging Face dataset.

    ``source`` is a path to a CSV/TSV/JSONL/JSON file, a dataset plugin's name, a
    :class:`pandas.DataFrame`, a list of texts (then ``labels`` is required), or a
    ``datasets.Dataset``. ``fields`` are :class:`~saeprobe.DataOptions` fields (``text_column``,
    ``label_column``, ``split_column``, ``template``) applied to ``options``; ``template`` places
    each text at ``{text}``. Raises :class:`DataError` for missing files or columns, empty data, a
    single class, or a template without ``{text}``.
    """
    options = (options or DataOptions()).replace(**fields)
    if isinstance(source, (str, Path)):
        from .plugins import require

        return require("datasets", str(source)).load(str(source), **options.to_dict(), name=name)
    if isinstance(source, pd.DataFrame):
        return _from_frame(source, options, name or "dataframe")
    if hasattr(source, "to_pandas") and hasattr(source, "column_names"):
        return _from_frame(source.to_pandas(), options, name or "hf-dataset")
    if isinstance(source, Sequence):
        if labels is None:
            raise DataError("a list of texts needs labels: call load_dataset(texts, labels)")
        return ProbeDataset(
            texts=tuple(str(t) for t in source),
            labels=tuple(_python_scalar(v) for v in labels),
            template=options.template,
            name=name or "list",
        )
    raise DataError(
        f"cannot load data from a {type(source).__name__}; give a file path, a DataFrame, "
        "a list of texts with labels, or a datasets.Dataset"
    )


def load_texts(path: str | Path, *, text_column: str = "text", template: str | None = None) -> list[str]:
    """Unlabelled texts (e.g. to train SAEs on): a ``.txt`` file has one text per line, tables
    give ``text_column``; ``template`` places each text at ``{text}``. Raises :class:`DataError`
    for a missing file or column, or no text."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"text file {str(path)!r} does not exist")
    if template is not None and (problem := template_problem(template)):
        raise DataError(f"template {template!r} {problem}")
    if path.suffix.lower() == ".txt":
        texts = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        frame = read_table(path)
        if text_column not in frame.columns:
            raise DataError(f"column {text_column!r} is not in {path.name!r}; its columns are {list(frame.columns)}")
        texts = [str(t) for t in frame[text_column] if str(t).strip()]
    if not texts:
        raise DataError(f"{path.name!r} holds no text")
    return [template.replace(TEXT_SLOT, t) for t in texts] if template else texts


class TableFiles:
    """CSV, TSV, JSONL and JSON files with a text and a label column (and optionally a split)."""

    def matches(self, spec: str) -> bool:
        return Path(spec).suffix.lower() in TABLE_SUFFIXES

    def load(self, spec: str, name: str | None = None, **options: Any) -> ProbeDataset:
        path = Path(spec).expanduser()
        if not path.is_file():
            raise DataError(f"data file {str(path)!r} does not exist; give the path of a .csv, .tsv or .jsonl file")
        return _from_frame(read_table(path), DataOptions(**options), name or path.name)


FILES = TableFiles()
