import json
from pathlib import Path

from jsonschema import validate

from saeprobe import LayerSweepWidget, SweepResult, load_dataset, sweep
from saeprobe.sweeps import SCHEMA_PATH, SCHEMA_VERSION
from saeprobe.view import STATIC

FIXTURE = Path(__file__).resolve().parents[3] / "widgets" / "tests" / "fixture.json"


def test_widget_carries_the_result_json_and_the_bundle(tiny_result):
    widget = tiny_result.show(selected_layer=3)
    assert isinstance(widget, LayerSweepWidget)
    assert widget.result == tiny_result.to_dict() and widget.selected_layer == 3
    assert (STATIC / "widget.js").is_file() and (STATIC / "widget.css").is_file()
    assert "define.amd" not in (STATIC / "widget.js").read_text()
    data, _ = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/html"].startswith("<iframe srcdoc=")


def test_default_selection_is_the_first_layer(tiny_result):
    assert LayerSweepWidget(tiny_result.to_dict()).selected_layer == 0
    assert LayerSweepWidget().result is None


def test_live_run_draws_layers_as_they_finish(tiny_model_dir, sae_dir, tmp_path):
    widget = LayerSweepWidget()
    seen_layers, stages = [], set()
    widget.observe(lambda change: seen_layers.append(len(change["new"]["layers"])), names="result")
    widget.observe(lambda change: stages.add(change["new"].get("stage")), names="progress")
    data = load_dataset([f"good film {i}" for i in range(8)] + [f"bad film {i}" for i in range(8)], [1] * 8 + [0] * 8)
    result = sweep(
        model=str(tiny_model_dir),
        saes=str(sae_dir),
        data=data,
        layers="0-2",
        cache_dir=tmp_path,
        progress=False,
        on_progress=widget.on_progress,
        on_layer=widget.on_layer,
    )
    assert seen_layers[:3] == [1, 2, 3]
    assert {"forward pass", "probe fits"} <= stages
    assert widget.progress == {} and widget.result["layers"] == result.to_dict()["layers"]


def test_the_front_end_fixture_is_a_real_result_of_the_current_schema():
    # widgets/tests/fixture.json is dumped from a real sweep by tools/dump_widget_fixture.py.
    payload = json.loads(FIXTURE.read_text())
    validate(payload, json.loads(SCHEMA_PATH.read_text()))
    assert payload["schema_version"] == SCHEMA_VERSION, (
        "the result schema changed: run python tools/dump_widget_fixture.py"
    )
    assert SweepResult.from_dict(payload).to_dict() == payload
