"""Suite files: what a suite may say, and the errors that name the key and the fix."""

from pathlib import Path

import pytest

from saeprobe.errors import SAEError, SettingsError
from saeprobe.suites import BUILTIN_SUITES, TrainedSet, load_suite, model_slug, parse_suite


def write(tmp_path, text):
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    return path


def test_a_suite_file_with_sets_datasets_and_settings(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("text,label\nx,0\n")
    (tmp_path / "saes").mkdir()
    spec = load_suite(
        write(
            tmp_path,
            """
models: [minilm]
saes: {task: saes, general: {train: general, k: 8, width: 256}}
datasets:
  - {name: a, path: data/a.csv, text_column: text}
  - {path: elsewhere.csv, template: "Q: {text}"}
layers: "0-2"
settings: {pooling: mean}
""",
        )
    )
    assert spec.models == ["minilm"] and spec.settings.layers == "0-2" and spec.settings.pooling == "mean"
    sets = spec.saes["minilm"]
    assert sets["task"] == str(tmp_path / "saes")  # read against the suite's folder
    assert sets["general"] == TrainedSet("general", sets["general"].settings) and sets["general"].settings.k == 8
    assert [(d.name, d.path) for d in spec.datasets] == [
        ("a", str(tmp_path / "data" / "a.csv")),
        ("elsewhere", "elsewhere.csv"),
    ]
    assert spec.datasets[1].options.template == "Q: {text}"
    assert [unit.key for unit in spec.units()] == ["minilm/a", "minilm/elsewhere"]


def test_sets_may_differ_per_model():
    spec = parse_suite(
        {"models": ["m1", "org/m2"], "saes": {"m1": {"a": "x"}, "org/m2": {"b": "y"}}, "datasets": [{"path": "d.csv"}]},
        folder=Path("/nonexistent"),
        source="t",
    )
    assert spec.saes == {"m1": {"a": "x"}, "org/m2": {"b": "y"}}
    assert model_slug("org/m2") == "m2" and model_slug("/models/Llama 3/") == "Llama-3"


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"datasets": [{"path": "d.csv"}]}, "'models' must list"),
        ({"models": ["m"]}, "'datasets' must list"),
        ({"models": ["m"], "datasets": [{"name": "x"}]}, r"datasets\[0\] must be a mapping with at least 'path'"),
        ({"models": ["m"], "datasets": [{"path": "d.csv", "txt_column": "t"}]}, "did you mean 'text_column'"),
        ({"models": ["m"], "datasets": [{"path": "d.csv"}, {"path": "other/d.csv"}]}, "two datasets are named 'd'"),
        ({"models": ["m"], "datasets": [{"path": "d.csv"}], "modles": []}, "did you mean 'models'"),
        ({"models": ["m"], "datasets": [{"path": "d.csv"}], "settings": {"polling": "mean"}}, "did you mean 'pooling'"),
        ({"models": ["m"], "datasets": [{"path": "d.csv"}], "saes": {"a": {"k": 4}}}, "must say what to train on"),
        (
            {"models": ["m"], "datasets": [{"path": "d.csv"}], "layers": "all", "settings": {"layers": "0"}},
            "give 'layers' once",
        ),
    ],
)
def test_bad_suites_name_the_key(payload, message):
    with pytest.raises(SettingsError, match=message):
        parse_suite(payload, Path("/nonexistent"), "test")


def test_bad_set_names_and_files(tmp_path):
    with pytest.raises(SAEError, match="start with a letter"):
        parse_suite({"models": ["m"], "datasets": [{"path": "d.csv"}], "saes": {"a:b": "x"}}, tmp_path, "t")
    with pytest.raises(SettingsError, match="does not exist"):
        load_suite(tmp_path / "missing.yaml")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_suite(write(tmp_path, "models: [a\n"))


def test_the_builtin_small_suite_reads_and_ships_its_data():
    spec = load_suite(BUILTIN_SUITES["small"])
    assert spec.models == ["minilm"] and set(spec.saes["minilm"]) == {"k4", "k32"}
    assert [d.name for d in spec.datasets] == ["movie_sentiment", "larger_than", "capitals", "topics"]
    assert spec.datasets[0].path == "demo"  # the built-in dataset, by its plugin name
    for dataset in spec.datasets[1:]:
        assert Path(dataset.path).is_file(), dataset.path
    assert (BUILTIN_SUITES["small"].parent / "PROVENANCE.md").is_file()


def test_the_builtin_sae_probes_suite_holds_every_dataset_split_as_the_package_splits_it(sae_probes_folder):
    spec = load_suite(BUILTIN_SUITES["sae-probes"])
    assert len(spec.datasets) == 113 and spec.datasets[-1].path == "sae-probes:163_agnews_2"
    assert spec.settings.split == "sae-probes" and spec.settings.top_ks == (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
    assert set(spec.saes["minilm"]) == {"k32"}
    shifted = {d.name: d.test_path for d in spec.datasets if d.test_path is not None}
    assert len(shifted) == 8 and shifted["87_glue_cola"] == "sae-probes-ood:87_glue_cola"
    (unit,) = spec.subset(["87_glue_cola"]).units()
    assert unit.load_test_data().name == "87_glue_cola_OOD" and len(unit.load_test_data()) == 300
    # Seven of the package's names hold spaces: a unit's name (a file's) says '-' for them.
    (typical,) = spec.subset(["131_temp_cat_Typical Time"]).datasets
    assert typical.name == "131_temp_cat_Typical-Time" and typical.path == "sae-probes:131_temp_cat_Typical Time"


def test_a_subset_by_name_tag_or_count_keeps_the_suite_s_order(sae_probes_folder, tmp_path):
    spec = parse_suite(
        {"models": ["m"], "datasets": [{"path": "sae-probes:*", "template": "{text}."}, {"path": "demo"}]},
        tmp_path,
        "t",
    )
    assert len(spec.datasets) == 114 and spec.datasets[0].options.template == "{text}."
    chosen = spec.subset(["demo", "movie_sent", "5_hist_fig_ismale"])
    assert [d.name for d in chosen.datasets] == ["5_hist_fig_ismale", "113_movie_sent", "demo"]
    assert [d.name for d in spec.subset(first=2).datasets] == ["5_hist_fig_ismale", "6_hist_fig_isamerican"]
    assert [d.name for d in spec.subset(["demo", "movie_sent"], first=1).datasets] == ["113_movie_sent"]
    with pytest.raises(SettingsError, match="no dataset 'movie_sentiment' \\(did you mean 113_movie_sent"):
        spec.subset(["movie_sentiment"])
    with pytest.raises(SettingsError, match="first=0 must be a whole number"):
        spec.subset(first=0)
    with pytest.raises(SettingsError, match="give only 'sae-probes-ood:\\*'"):
        parse_suite({"models": ["m"], "datasets": [{"path": "sae-probes:*", "test_path": "x.csv"}]}, tmp_path, "t")
    (one,) = parse_suite(
        {"models": ["m"], "datasets": [{"name": "a", "path": "a.csv", "test_path": "b.csv"}]}, tmp_path, "t"
    ).datasets
    assert one.test_path == "b.csv" and spec.to_dict()["datasets"][0].get("test_path") is None
    with pytest.raises(SettingsError, match="leave 'name' out"):
        parse_suite({"models": ["m"], "datasets": [{"name": "all", "path": "sae-probes:*"}]}, tmp_path, "t")
