"""Labelled tables read from files (CSV, TSV, JSONL, JSON), data frames, lists and Hugging Face
datasets; unlabelled texts for SAE training."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import TEXT_SLOT, DataOptions, template_problem
from ..errors import DataError, SaeprobeWarning
from ._dataset import ProbeDataset

TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json")


def _rows(mask: pd.Series) -> str:
    """How many rows ``mask`` marks, and the first few (numbered from 1, after the header)."""
    found = [int(i) + 1 for i in np.flatnonzero(mask.to_numpy())]
    shown = ", ".join(map(str, found[:5])) + (", ..." if len(found) > 5 else "")
    return f"{len(found)} of {len(mask)} rows ({shown})"


def _python_scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def label_values(values: Sequence[Any], name: str) -> tuple[Any, ...]:
    """Labels as one class per value: numpy scalars as Python ones, and whole-valued floats as
    integers (``1.0`` is the class ``1``, as a CSV column of ``1`` and ``1.0`` reads). Warns when
    text labels read like number labels beside them (``"1"`` and ``1`` stay two classes)."""
    found = []
    for value in map(_python_scalar, values):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        found.append(value)
    numbers = {value for value in found if isinstance(value, int | float) and not isinstance(value, bool)}
    alike = sorted({value for value in found if isinstance(value, str) and _as_number(value) in numbers})
    if alike:
        warnings.warn(
            f"labels of {name!r} mix text and numbers that read alike ({', '.join(map(repr, alike[:5]))} beside the "
            "numbers they spell); they are different classes. Write the label column in one type",
            SaeprobeWarning,
            stacklevel=4,
        )
    return tuple(found)


def _as_number(text: str) -> int | float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def read_table(path: Path) -> pd.DataFrame:
    """A CSV/TSV/JSONL/JSON file as a DataFrame. Raises :class:`DataError` naming the problem for
    another type, an empty file, text that is not UTF-8, or a line that does not parse."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise DataError(f"cannot read {path.name!r}: use a .csv, .tsv, .jsonl or .json file")
    raw = path.read_bytes()
    if not raw:
        raise DataError(
            f"{path.name!r} is empty (0 bytes); give a file with a header row and at least two examples per class"
        )
    if b"\x00" in raw[:8192]:
        raise DataError(f"{path.name!r} is a binary file, not text (it holds NUL bytes); give a UTF-8 table")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path.name!r} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}): text in "
            "another encoding such as Latin-1, or a binary file; save it as UTF-8"
        ) from None
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, keep_default_na=False, encoding="utf-8")
        elif suffix in (".tsv", ".tab"):
            frame = pd.read_csv(path, sep="\t", keep_default_na=False, quoting=3, encoding="utf-8")
        elif suffix in (".jsonl", ".ndjson"):
            frame = read_json_lines(path)
        else:
            with path.open(encoding="utf-8") as handle:
                frame = pd.DataFrame(json.load(handle))
    except DataError:
        raise
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(
            f"cannot parse {path.name!r} as {suffix[1:].upper()}: {str(exc).splitlines()[0][:200]}"
        ) from None
    if suffix == ".csv" and len(frame.columns) == 1 and ";" in str(frame.columns[0]):
        raise DataError(
            f"{path.name!r} has one column, {frame.columns[0]!r}: it looks separated by ';', not ','; save it "
            "with commas (or as .tsv with tabs)"
        )
    return frame


def read_json_lines(path: Path, max_rows: int | None = None) -> pd.DataFrame:
    """The records of a JSON-lines file (its first ``max_rows`` when given) as a DataFrame. Raises
    :class:`DataError` naming the first line that is not a JSON object."""
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if max_rows is not None and len(records) == max_rows:
                break
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise DataError(
                    f"line {number} of {path.name!r} is not a JSON object: {exc}; fix or remove it"
                ) from None
            if not isinstance(record, dict):
                raise DataError(
                    f"line {number} of {path.name!r} is a JSON {type(record).__name__}, not an object of columns"
                )
            records.append(record)
    return pd.DataFrame(records)


def _from_frame(frame: pd.DataFrame, options: DataOptions, name: str) -> ProbeDataset:
    for option in ("text_column", "label_column", "split_column"):
        column = getattr(options, option)
        if column is not None and column not in frame.columns:
            raise DataError(
                f"column {column!r} is not in {name!r}; its columns are {list(frame.columns)}; "
                "name the right one with {option}",
                option=option,
            )
    texts = frame[options.text_column]
    if texts.isna().any():
        raise DataError(
            f"column {options.text_column!r} of {name!r} has missing texts in {_rows(texts.isna())}; drop or fill them"
        )
    labels = frame[options.label_column]
    missing = labels.isna() | (labels.astype(str).str.strip() == "")
    if missing.any():
        raise DataError(
            f"column {options.label_column!r} of {name!r} has missing labels in {_rows(missing)}; drop or fill them"
        )
    split = None
    if options.split_column is not None:
        split = tuple(str(s).strip().lower() for s in frame[options.split_column])
    return ProbeDataset(
        texts=tuple(str(t) for t in texts),
        labels=label_values(labels.tolist(), name),
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
        from ..plugins import require

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
            labels=label_values(labels, name or "list"),
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
            raise DataError(
                f"column {text_column!r} is not in {path.name!r}; its columns are {list(frame.columns)}; name the "
                "right one with {option}",
                option="text_column",
            )
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
