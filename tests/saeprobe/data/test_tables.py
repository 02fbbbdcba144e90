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
        column_names = ("text", "label")

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
        (
            lambda: load_dataset(
                pd.DataFrame({"text": ["a", "b"], "label": [0, 1], "s": ["train", "dev"]}), split_column="s"
            ),
            "only 'train' and 'test'",
        ),
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


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", r"is empty \(0 bytes\)"),
        (b"text;label\ngood;1\nbad;0\n", "looks separated by ';'"),
        (bytes(range(256)) * 4, "is a binary file, not text"),
        (
            "text,label\ncaf\u00e9 cr\u00e8me,1\nbad,0\n".encode("latin-1"),
            "such as Latin-1, or a binary file; save it as UTF-8",
        ),
    ],
)
def test_unreadable_tables_say_why(tmp_path, content, message):
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_dataset(path)


def test_a_bad_jsonl_line_is_named(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": 1}\n{"text": "b", "label": \n')
    with pytest.raises(DataError, match=r"line 2 of 'd.jsonl' is not a JSON object"):
        load_dataset(path)


@pytest.mark.parametrize("bad", ["Infinity", "NaN", "nan", "-inf", ""])
def test_a_missing_or_infinite_label_is_no_class(tmp_path, bad):
    path = tmp_path / "d.csv"
    path.write_text(f"text,label\na,0\nb,1\nc,{bad}\nd,1\n")
    with pytest.raises(DataError, match=r"row 2 of 'd.csv'|missing labels"):
        load_dataset(path)
    with pytest.raises(DataError, match="no class"):
        load_dataset(["a", "b", "c"], [0, 1, float("inf")])


def test_a_class_only_in_the_given_test_split_is_refused():
    data = load_dataset(
        pd.DataFrame({"text": list("abcde"), "label": [0, 0, 1, 1, 2], "split": ["train"] * 4 + ["test"]}),
        split_column="split",
    )
    with pytest.raises(DataError, match="class 2 has no training rows"):
        data.split_rows()


def test_copies_of_a_text_fall_on_one_side_of_the_split():
    texts = [f"text {i % 30}" for i in range(90)]  # every text three times
    data = load_dataset(texts, [i % 30 % 2 for i in range(90)])
    split = data.split_rows(test_size=0.3, seed=0)
    groups = {}
    for text, in_test in zip(texts, split.test, strict=True):
        groups.setdefault(text, set()).add(bool(in_test))
    assert all(len(sides) == 1 for sides in groups.values())
    assert split.n_duplicates == 90 and split.n_test_seen_in_train == 0 and 20 <= split.test.sum() <= 34
    leaky = data.split_rows(test_size=0.3, seed=0, duplicates="ignore")
    assert leaky.n_test_seen_in_train > 0
    # Without copies the grouped split is the plain stratified one.
    unique = load_dataset([f"t{i}" for i in range(40)], [i % 2 for i in range(40)])
    assert np.array_equal(unique.split_rows(0.3, 3).test, unique.split_rows(0.3, 3, duplicates="ignore").test)


def test_a_dataset_prints_as_a_summary():
    data = load_dataset([f"text {i}" for i in range(1000)], [i % 2 for i in range(1000)], name="big")
    assert (
        repr(data)
        == "ProbeDataset(name='big', n_examples=1000, classes={0: 500, 1: 500}, template=None, split='stratified')"
    )


def test_numeric_labels_are_one_class_per_value_and_text_that_reads_alike_is_warned_of(tmp_path):
    import warnings

    from saeprobe.errors import SaeprobeWarning

    rows = [{"text": f"t{i}", "label": label} for i, label in enumerate([1.0, 1, 0, 0.0] * 3)]
    path = tmp_path / "numbers.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = load_dataset(str(path))
    assert data.classes == (0, 1)
    path.write_text("\n".join(json.dumps(row) for row in rows + [{"text": "t", "label": "1"}] * 4))
    with pytest.warns(SaeprobeWarning, match=r"mix text and numbers that read alike \('1' beside"):
        data = load_dataset(str(path))
    assert data.classes == (0, 1, "1")
    csv = tmp_path / "numbers.csv"
    csv.write_text("text,label\n" + "".join(f"t{i},{label}\n" for i, label in enumerate(["1", "1.0", "0", "0.0"] * 3)))
    assert load_dataset(str(csv)).classes == (0, 1)


def test_missing_labels_and_texts_say_how_many_rows_and_which(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("text,label\n" + "".join(f"t{i},{'' if i % 3 == 0 else i % 2}\n" for i in range(20)))
    with pytest.raises(DataError, match=r"missing labels in 7 of 20 rows \(1, 4, 7, 10, 13, \.\.\.\)"):
        load_dataset(path)
    frame = pd.DataFrame({"text": ["a", None, "c", "d"], "label": [0, 1, 0, 1]})
    with pytest.raises(DataError, match=r"missing texts in 1 of 4 rows \(2\)"):
        load_dataset(frame)
