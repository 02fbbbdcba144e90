"""Files written by saeprobe 0.3.0, before its modules moved into packages, stay readable: its
result and suite files read back the same, and its caches answer today's sweep and SAE training
without a forward pass, a probe fit or a training step.

``tests/files/written-by-0.3.0/`` was written by saeprobe 0.3.0 (commit f5c821c): the tests' tiny
GPT-2 and one SAE per layer saved in ``model/`` and ``saes/``, a sweep of ``data.csv`` with its
``result.json`` and ``cache/``, SAEs trained into that cache, and a suite of the same sweep in
``suite/`` (its report left out).
"""

import json
import shutil

import jsonschema
import pytest

import saeprobe
from builders import FILES
from saeprobe import SuiteResult, SweepResult, SweepSettings
from saeprobe.config import SAETrainingSettings
from saeprobe.sae import _training
from saeprobe.sweeps import SCHEMA_PATH, SCHEMA_VERSION

WRITTEN = FILES / "written-by-0.3.0"
TEMPLATE = "Review: {text}\nSentiment:"


@pytest.fixture
def copy(tmp_path):
    """The files in a folder of their own: the cache is written to when read."""
    return shutil.copytree(WRITTEN, tmp_path / "written")


def holds(now, before, where="result"):
    """Whether ``now`` keeps every key and value of ``before`` (it may add keys)."""
    if isinstance(before, dict):
        assert isinstance(now, dict), where
        for key, value in before.items():
            assert key in now, f"{where}.{key} was dropped"
            holds(now[key], value, f"{where}.{key}")
    elif isinstance(before, list):
        assert isinstance(now, list) and len(now) == len(before), where
        for index, (a, b) in enumerate(zip(now, before, strict=True)):
            holds(a, b, f"{where}[{index}]")
    else:
        assert now == before, where


def test_a_result_file_reads_back_with_everything_it_held():
    stored = json.loads((WRITTEN / "result.json").read_text())
    jsonschema.validate(stored, json.loads(SCHEMA_PATH.read_text()))  # today's schema reads it too
    result = SweepResult.from_json(WRITTEN / "result.json")
    written = result.to_dict()
    assert written.pop("schema_version") == SCHEMA_VERSION and stored.pop("schema_version") == "2.0"
    holds(written, stored)
    assert written["settings"]["bootstrap"] == 1000  # what it did not know takes its default
    assert result.model.n_layers == 4 and result.dataset.n_examples == 40


def test_its_cache_answers_todays_sweep_with_no_forward_pass(copy):
    stored = json.loads((copy / "result.json").read_text())
    data = saeprobe.load_dataset(copy / "data.csv", template=TEMPLATE)
    result = saeprobe.sweep(
        str(copy / "model"),
        {"narrow": str(copy / "saes")},
        data,
        settings=SweepSettings.from_dict(stored["settings"]),
        cache_dir=copy / "cache",
        progress=False,
    )
    # The activations and token states of 0.3.0 are read: no forward pass. Its finished layers are
    # computed again, since 0.4 adds intervals and comparisons (RESULTS_VERSION), to the same scores.
    assert result.timings["forward_batches"] == 0 and result.timings["layers_from_cache"] == 0
    for entry, before in zip(result.to_dict()["layers"], stored["layers"], strict=True):
        for representation, metrics in before["scores"].items():
            now = entry["scores"][representation]
            assert {key: now[key] for key in metrics} == metrics, representation
        assert entry["comparisons"] and "test_accuracy_low" in entry["scores"]["raw"]


def test_its_trained_saes_are_found_and_not_trained_again(copy, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an SAE was trained again")

    monkeypatch.setattr(_training, "_train_layer", refuse)
    good, bad = ["charming", "brilliant", "moving", "wonderful"], ["dull", "awful", "boring", "tedious"]
    texts = [f"a {word} {noun}" for word in good + bad for noun in ["film", "plot", "score", "cast", "story"]]
    trained = saeprobe.train_saes(
        str(copy / "model"),
        texts[:30],
        layers="0",
        settings=SAETrainingSettings(width=48, k=4, steps=20, batch_size=32),
        cache_dir=copy / "cache",
        progress=False,
    )
    assert trained.directory.parent == copy / "cache" / "saes"
    assert trained.report["width"].tolist() == [48]


def test_a_suite_folder_reads_back_with_its_runs_and_summary(copy):
    suite = SuiteResult.from_json(copy / "suite")
    assert [run.dataset for run in suite.runs] == ["tiny"] and not suite.summary.empty
    holds(suite.result("tiny").to_dict()["layers"], json.loads((copy / "result.json").read_text())["layers"])
    assert set(suite.view_state()["results"]) == {f"{suite.runs[0].model}/tiny"}
