from saeprobe import LayerSweepWidget, load_dataset
from saeprobe.report import STATIC


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
    result = widget.run(model=str(tiny_model_dir), saes=str(sae_dir), data=data, layers="0-2",
                        cache_dir=tmp_path, progress=False)
    assert seen_layers[:3] == [1, 2, 3]
    assert {"forward pass", "probe fits"} <= stages
    assert widget.progress == {} and widget.result == result.to_dict()
