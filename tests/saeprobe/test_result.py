import math

import pytest

from saeprobe import SweepResult, SweepSettings
from saeprobe.errors import SaeprobeError
from saeprobe.records import LayerEntry, Metrics


def make_result():
    def metrics():
        return Metrics(train_accuracy=1.0, test_accuracy=0.5, test_auc=float("nan"), C=1.0)

    return SweepResult(
        model={"name": "m", "identity": "x", "n_layers": 2, "d_model": 4, "n_ctx": 8},
        dataset={"name": "d", "n_examples": 4, "template": None, "fingerprint": "f", "n_truncated": 0, "split": "stratified"},
        settings=SweepSettings(pooling="last"),
        classes=["neg", "pos"],
        n_train=2,
        n_test=2,
        layers=[
            LayerEntry(layer=1, hook_name="blocks.1.hook_resid_post", scores={"raw": metrics()}),
            LayerEntry(layer=0, hook_name="blocks.0.hook_resid_post", scores={"raw": metrics()}),
        ],
    )


def test_json_orders_layers_and_writes_nan_as_null():
    result = make_result()
    payload = result.to_dict()
    assert [entry["layer"] for entry in payload["layers"]] == [0, 1]
    assert payload["layers"][0]["scores"]["raw"]["test_auc"] is None
    assert "NaN" not in result.to_json()
    again = SweepResult.from_json(result.to_json())
    assert math.isnan(again.layers[0].scores["raw"].test_auc)


def test_unknown_major_version_is_refused():
    payload = make_result().to_dict()
    payload["schema_version"] = "2.0"
    with pytest.raises(SaeprobeError, match="not readable"):
        SweepResult.from_dict(payload)


def test_table_names_known_metrics():
    with pytest.raises(SaeprobeError, match="it has"):
        make_result().table("f1")
