import math

import pytest

from builders import FILES
from saeprobe import SweepResult, SweepSettings
from saeprobe.errors import SaeprobeError
from saeprobe.records import DatasetInfo, LayerEntry, Metrics, ModelInfo


def make_result():
    def metrics():
        return Metrics(train_accuracy=1.0, test_accuracy=0.5, test_auc=float("nan"), C=1.0)

    return SweepResult(
        model=ModelInfo(name="m", identity="x", n_layers=2, d_model=4, n_ctx=8),
        dataset=DatasetInfo(name="d", n_examples=4, template=None, fingerprint="f", n_truncated=0, split="stratified"),
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
    payload["schema_version"] = "3.0"
    with pytest.raises(SaeprobeError, match="not readable"):
        SweepResult.from_dict(payload)


def test_table_names_known_metrics():
    with pytest.raises(SaeprobeError, match="it has"):
        make_result().table("f1")


def test_a_result_of_schema_1_4_is_migrated_to_one_sae_set_named_sae():
    """A real sweep written by saeprobe 0.3.0 (schema 1.4): its SAE moves into saes['sae'], and it
    reads, summarises and validates as a 2.0 result."""
    import json

    from jsonschema import validate

    from saeprobe.sweeps import SCHEMA_PATH, SCHEMA_VERSION

    path = FILES / "result-schema-1.4.json"
    old = json.loads(path.read_text())
    result = SweepResult.from_json(path)
    assert result.sae_set_names == ["sae"]
    for before, entry in zip(old["layers"], result.layers, strict=True):
        assert entry.sae.d_sae == before["sae"]["d_sae"] and entry.sae_set("sae").preparation is not None
        assert entry.diagnostics.sparsity.n_always_on == before["diagnostics"]["sparsity"]["n_always_on"]
        assert entry.diagnosis["sae"].label == before["diagnosis"]["sae"]["label"]
    payload = result.to_dict()
    assert payload["schema_version"] == SCHEMA_VERSION and "sae" not in payload["layers"][0]
    validate(payload, json.loads(SCHEMA_PATH.read_text()))
    assert list(result.summary().columns) == [
        "raw",
        "sae",
        "pca_matched",
        "sae_topk_5",
        "pca_k",
        "l0_mean",
        "n_active_union",
        "n_always_on",
        "fvu",
        "l0_tokens",
        "fvu_tokens",
        "diagnosis",
    ]
    assert result.diagnosis_text().startswith("layer 0 (")


def test_to_svg_writes_a_standalone_chart_with_a_legend(tmp_path):
    """The chart of the migrated real result: one curve per representation and split, the chance line,
    axis titles and a legend, styled inline."""
    from xml.etree import ElementTree

    result = SweepResult.from_json(FILES / "result-schema-1.4.json")
    path = result.to_svg(tmp_path / "chart.svg")
    tree = ElementTree.parse(path).getroot()
    texts = [element.text for element in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert {"raw", "sae", "pca_matched", "layer", "accuracy", "chance 0.500"} <= set(texts)
    paths = list(tree.iter("{http://www.w3.org/2000/svg}path"))
    assert len(paths) == 3 * 2 and sum("stroke-dasharray" in p.attrib for p in paths) == 3
    assert "class=" not in path.read_text()  # nothing depends on a stylesheet
    with pytest.raises(SaeprobeError, match="representations are"):
        result.to_svg(tmp_path / "x.svg", ["sae:task"])


def test_the_model_and_dataset_are_records_still_read_like_mappings_with_a_warning():
    result = make_result()
    assert result.model.d_model == 4 and result.dataset.split == "stratified"
    with pytest.warns(DeprecationWarning, match=r"read \.name instead of \['name'\]"):
        assert result.model["name"] == "m"
    with pytest.raises(KeyError), pytest.warns(DeprecationWarning, match="no_such_field"):
        result.dataset["no_such_field"]
    assert SweepResult.from_json(result.to_json()).model == result.model
