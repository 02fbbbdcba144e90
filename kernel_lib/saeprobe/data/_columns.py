"""A labelled table's columns, read from its head, with the columns a sweep would most likely read
as the text, the label and the split: what a form needs to offer them as choices."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import DataOptions
from ..errors import DataError
from ._tables import TABLE_SUFFIXES, read_json_lines, read_table

# A .json file is one document, read whole; beyond this size, ask for JSON lines.
MAX_JSON_BYTES = 50 * 2**20
SPLIT_VALUES = {"train", "test"}


@dataclass(frozen=True)
class TableColumns:
    """The columns of a table in file order, how many rows were read to judge them, and the
    suggested text, label and split columns (``None`` where none fits)."""

    columns: list[str]
    n_rows_read: int
    text_column: str | None
    label_column: str | None
    split_column: str | None


def table_columns(path: str | Path, max_rows: int = 1000) -> TableColumns:
    """The columns of the CSV, TSV, JSONL or JSON file at ``path``, judged on its first
    ``max_rows`` rows: the suggestions are the default names when present, else the column of the
    longest texts, the column with the fewest distinct values (at least two) and a column holding
    only train and test. Raises :class:`DataError` naming the problem for a file that cannot be
    read as a table."""
    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise DataError(f"cannot read {path.name!r}: use a .csv, .tsv, .jsonl or .json file")
    head = _head(path, max_rows)
    columns = [str(column) for column in head.columns]
    if not columns:
        raise DataError(f"{path.name!r} has no columns; give a table with a header row")
    head.columns = columns
    return TableColumns(
        columns=columns,
        n_rows_read=len(head),
        text_column=_text_column(head),
        label_column=_label_column(head),
        split_column=_split_column(head),
    )


def _head(path: Path, max_rows: int) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".json":
        if path.stat().st_size > MAX_JSON_BYTES:
            raise DataError(
                f"{path.name!r} is over {MAX_JSON_BYTES // 2**20} MiB of JSON; save it as JSON lines (.jsonl)"
            )
        return read_table(path).head(max_rows)
    if suffix in (".jsonl", ".ndjson"):
        return read_json_lines(path, max_rows)
    tabs = suffix in (".tsv", ".tab")
    try:
        head = pd.read_csv(
            path,
            nrows=max_rows,
            keep_default_na=False,
            encoding="utf-8",
            sep="\t" if tabs else ",",
            quoting=3 if tabs else 0,
        )
    except UnicodeDecodeError:
        raise DataError(f"{path.name!r} is not UTF-8 text; save it as UTF-8") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path.name!r} is empty; give a file with a header row") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(
            f"cannot parse {path.name!r} as {suffix[1:].upper()}: {str(exc).splitlines()[0][:200]}"
        ) from None
    if suffix == ".csv" and len(head.columns) == 1 and ";" in str(head.columns[0]):
        raise DataError(f"{path.name!r} has one column, {head.columns[0]!r}: it looks separated by ';', not ','")
    return head


def _text_column(head: pd.DataFrame) -> str | None:
    default = DataOptions().text_column
    if default in head.columns:
        return default
    splits = _split_columns(head)
    texts = {
        column: head[column].astype(str).str.len().mean()
        for column in head.columns
        if column not in splits and (head[column].dtype == object or pd.api.types.is_string_dtype(head[column]))
    }
    return max(texts, key=lambda column: texts[column]) if texts else None


def _label_column(head: pd.DataFrame) -> str | None:
    default = DataOptions().label_column
    if default in head.columns:
        return default
    text = _text_column(head)
    distinct = {
        column: head[column].astype(str).nunique()
        for column in head.columns
        if column != text and column not in _split_columns(head) and head[column].astype(str).nunique() >= 2
    }
    return min(distinct, key=lambda column: distinct[column]) if distinct else None


def _split_column(head: pd.DataFrame) -> str | None:
    found = _split_columns(head)
    return "split" if "split" in found else (found[0] if found else None)


def _split_columns(head: pd.DataFrame) -> list[str]:
    return [
        column
        for column in head.columns
        if len(head) and set(head[column].astype(str).str.strip().str.lower()) <= SPLIT_VALUES
    ]
