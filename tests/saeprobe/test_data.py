import json

import numpy as np
import pandas as pd
import pytest

from saeprobe import load_dataset
from saeprobe.errors import DataError


def test_csv_with_template_and_string_labels(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"text": ["a", "b", "c", "d"], "label": ["pos", "neg", "pos", "neg"]}).to_csv(path, index=False)
    data = load_dataset(path, template='Review: "{text}"\nSentiment:')
    assert data.classes == ("neg", "pos")
    assert data.y.tolist() == [1, 0, 1, 0]
    assert data.prompts[0] == 'Review: "a"\nSentiment:'
    assert data.name == "d.csv"


def test_template_with_other_braces_is_kept_literally():
    data = load_dataset(["x", "y"], [0, 1], template='{"review": "{text}"}')
    assert data.prompts == ['{"review": "x"}', '{"review": "y"}']


def test_tsv_jsonl_dataframe_and_hf_like(tmp_path):
    tsv = tmp_path / "d.tsv"
    tsv.write_text("text\tlabel\nhello\t0\nworld\t1\n")
    assert load_dataset(tsv).labels == (0, 1)
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text("\n".join(json.dumps({"sentence": s, "y": y}) for s, y in [("a", 2), ("b", 10), ("c", 2)]))
    data = load_dataset(jsonl, text_column="sentence", label_column="y")
    assert data.classes == (2, 10)
    frame = pd.DataFrame({"text": ["p", "q"], "label": [1, 0]})
    assert load_dataset(frame).texts == ("p", "q")

    class HFLike:
        column_names = ["text", "label"]

        def to_pandas(self):
            return frame

    assert load_dataset(HFLike()).name == "hf-dataset"


def test_given_split_is_used_as_is(tmp_path):
    frame = pd.DataFrame(
        {"text": list("abcdef"), "label": [0, 1, 0, 1, 0, 1], "split": ["train"] * 4 + ["TEST", "test"]}
    )
    data = load_dataset(frame, split_column="split")
    train, test = data.train_test_masks(test_size=0.5, seed=3)
    assert test.tolist() == [False] * 4 + [True, True]
    assert (train == ~test).all()


def test_stratified_split_is_seeded_and_keeps_class_balance():
    labels = [0] * 60 + [1] * 40
    data = load_dataset([f"t{i}" for i in range(100)], labels)
    train, test = data.train_test_masks(test_size=0.3, seed=1)
    assert test.sum() == 30
    assert np.bincount(data.y[test]).tolist() == [18, 12]
    again, _ = data.train_test_masks(test_size=0.3, seed=1)
    other, _ = data.train_test_masks(test_size=0.3, seed=2)
    assert (again == train).all() and not (other == train).all()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: load_dataset([], []), "empty"),
        (lambda: load_dataset(["a", "b"], [1, 1]), "only one class"),
        (lambda: load_dataset(["a", "b"], [0, 1], template="no slot"), r"no \{text\} slot"),
        (lambda: load_dataset(pd.DataFrame({"txt": ["a"], "label": [0]})), "column 'text' is not in"),
        (lambda: load_dataset("/nonexistent/file.csv"), "does not exist"),
        (lambda: load_dataset(["a"]), "needs labels"),
        (lambda: load_dataset(pd.DataFrame({"text": ["a", "b"], "label": [0, 1], "s": ["train", "dev"]}), split_column="s"), "only 'train' and 'test'"),
    ],
)
def test_bad_input_names_the_problem(make, message):
    with pytest.raises(DataError, match=message):
        make()


def test_tiny_class_cannot_be_split():
    data = load_dataset(["a", "b", "c"], [0, 0, 1])
    with pytest.raises(DataError, match="at least 2"):
        data.train_test_masks()


def test_unknown_file_type(tmp_path):
    path = tmp_path / "d.parquet"
    path.write_bytes(b"x")
    with pytest.raises(DataError, match=r"\.csv, \.tsv, \.jsonl"):
        load_dataset(path)


def test_shared_sst2_loads(shared_data):
    data = load_dataset(shared_data / "sst2" / "validation.csv")
    assert len(data) == 872
    assert np.bincount(data.y).tolist() == [428, 444]
