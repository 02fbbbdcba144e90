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
from saeprobe.sweeps import SCHEMA_PATH

WRITTEN = FILES / "written-by-0.3.0"
TEMPLATE = "Review: {text}\nSentiment:"


@pytest.fixture
def copy(tmp_path):
    """The files in a folder of their own: the cache is written to when read."""
    return shutil.copytree(WRITTEN, tmp_path / "written")


def test_a_result_file_reads_back_as_it_was_written():
    stored = json.loads((WRITTEN / "result.json").read_text())
    result = SweepResult.from_json(WRITTEN / "result.json")
    assert result.to_dict() == stored
    assert result.model.n_layers == 4 and result.dataset.n_examples == 40
    jsonschema.validate(stored, json.loads(SCHEMA_PATH.read_text()))


def test_its_cache_answers_todays_sweep_with_no_forward_pass_and_no_fit(copy):
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
    assert result.timings["forward_batches"] == 0 and result.timings["layers_from_cache"] == 4
    assert result.to_dict()["layers"] == stored["layers"]


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
    assert suite.result("tiny").to_dict()["layers"] == json.loads((copy / "result.json").read_text())["layers"]
    assert set(suite.view_state()["results"]) == {f"{suite.runs[0].model}/tiny"}
