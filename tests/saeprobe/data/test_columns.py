"""A table's columns for a form's choices, judged from its head."""

import json

import pandas as pd
import pytest

from saeprobe.data import table_columns
from saeprobe.errors import DataError


def test_default_names_win_and_other_tables_are_judged_by_their_values(tmp_path):
    pd.DataFrame({"label": [0, 1], "text": ["a", "b"]}).to_csv(tmp_path / "plain.csv", index=False)
    found = table_columns(tmp_path / "plain.csv")
    assert (found.columns, found.text_column, found.label_column, found.split_column) == (
        ["label", "text"],
        "text",
        "label",
        None,
    )
    rows = [
        {"body": f"a rather long review number {i}", "y": i % 2, "fold": ["train", "test"][i % 2]} for i in range(6)
    ]
    (tmp_path / "rows.jsonl").write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    found = table_columns(tmp_path / "rows.jsonl", max_rows=4)
    assert found.n_rows_read == 4 and (found.text_column, found.label_column, found.split_column) == (
        "body",
        "y",
        "fold",
    )
    pd.DataFrame({"sentence": ["x y z"] * 3, "tag": ["p", "q", "p"]}).to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    assert table_columns(tmp_path / "t.tsv").columns == ["sentence", "tag"]


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("notes.txt", "text,label\n", "use a .csv"),
        ("empty.csv", "", "is empty"),
        ("semi.csv", "text;label\na;b\n", "separated by ';'"),
        ("bad.jsonl", '{"text": "a"}\nnot json\n', "line 2"),
    ],
)
def test_unreadable_tables_are_named_with_the_fix(tmp_path, name, content, words):
    (tmp_path / name).write_text(content)
    with pytest.raises(DataError, match=words):
        table_columns(tmp_path / name)
