"""sae-probes' datasets read from the installed package, and its split drawn as its own code draws
it, compared with that code on every one of its 113 datasets."""

import importlib.util
import re
import subprocess
import sys

import numpy as np
import pytest

from saeprobe import load_dataset
from saeprobe.data import benchmark_datasets, benchmark_table, sae_probes_split
from saeprobe.errors import DataError


def test_the_package_s_113_binary_datasets_are_listed_with_their_ood_sets(sae_probes_folder):
    table = benchmark_table()
    assert len(table) == 113 and table["name"].is_unique
    assert table["rows"].between(700, 5000).all() and (table["median_prompt_chars"] > 0).all()
    assert table.loc[table["name"] == "113_movie_sent", "classes"].item() == "0 / 1"
    assert sorted(table.loc[table["ood"], "name"]) == [
        "5_hist_fig_ismale",
        "66_living-room",
        "67_social-security",
        "6_hist_fig_isamerican",
        "73_control-group",
        "7_hist_fig_ispolitician",
        "87_glue_cola",
        "90_glue_qnli",
    ]


def test_a_dataset_is_found_by_its_name_or_its_tag_and_an_ood_set_by_its_prefix(sae_probes_folder):
    by_name, by_tag = load_dataset("sae-probes:41_truthqa_tf"), load_dataset("sae-probes:truthqa_tf")
    assert by_name == by_tag and by_name.name == "41_truthqa_tf" and len(by_name) == 786
    assert by_name.classes == ("correct", "incorrect")
    ood = load_dataset("sae-probes-ood:87_glue_cola", template="{text}\nGrammatical?")
    assert ood.name == "87_glue_cola_OOD" and len(ood) == 300 and ood.prompts[0].endswith("\nGrammatical?")


@pytest.mark.parametrize(
    "spec, options, message",
    [
        ("sae-probes:movie_sentiment", {}, "no dataset 'movie_sentiment'; did you mean 113_movie_sent"),
        (
            "sae-probes-ood:113_movie_sent",
            {},
            "no out-of-distribution set for '113_movie_sent'; these have one: 5_hist",
        ),
        ("sae-probes:113_movie_sent", {"text_column": "review"}, "fixed columns ('prompt', 'target'); leave"),
    ],
)
def test_a_wrong_name_or_option_says_what_to_give(sae_probes_folder, spec, options, message):
    with pytest.raises(DataError, match=re.escape(message)):
        load_dataset(spec, **options)


def test_without_the_package_the_error_gives_the_install_line(monkeypatch):
    benchmark_datasets.cache_clear()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    try:
        with pytest.raises(
            DataError, match=r'not installed; run: pip install "saeprobe\[sae-probes\]" && pip install --no-deps'
        ):
            load_dataset("sae-probes:113_movie_sent")
    finally:
        monkeypatch.undo()
        benchmark_datasets.cache_clear()


def test_reading_the_datasets_never_imports_the_package(sae_probes_folder):
    # Importing sae_probes reads all 113 datasets and loads torch; only its files are needed.
    code = (
        "import sys, saeprobe; saeprobe.load_dataset('sae-probes:113_movie_sent'); "
        "from saeprobe.data import benchmark_table; benchmark_table(); print('sae_probes' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


@pytest.mark.integration
def test_labels_and_split_rows_are_those_of_the_package_s_own_code_on_every_dataset(sae_probes_folder):
    peer = pytest.importorskip("sae_probes.utils_data", reason="comparing needs sae-probes' code importable")
    sizes = peer.get_dataset_sizes()
    for dataset in benchmark_datasets():
        y = peer.get_yvals(dataset.name)
        data = load_dataset(f"sae-probes:{dataset.name}")
        assert np.array_equal(data.y, y), dataset.name
        n_train = min(sizes[dataset.name] - 100, 1024)
        head = y[:5000]
        expected = peer.get_train_test_indices(head, n_train, len(head) - n_train - 1, 0.5, 42)
        for ours, theirs in zip(sae_probes_split(data.y), expected, strict=True):
            assert np.array_equal(ours, theirs), dataset.name
