"""End-to-end sweeps on the tiny local model, SAELens SAEs on disk and the shared datasets."""

import dataclasses
import json

import numpy as np
import pytest
from jsonschema import validate

import saeprobe
from saeprobe import SweepResult, load_dataset, sweep
from saeprobe.errors import DataError, SAEError, SaeprobeWarning
from saeprobe.probe import BatchedLogisticProbe, evaluate_probe
from saeprobe.records import Metrics
from saeprobe.sweeps import SCHEMA_PATH

pytestmark = pytest.mark.integration

# Width 32 raw and 64 SAE features: top-k sets exist for k below each width.
REPRESENTATIONS = {
    "raw",
    "sae",
    "pca_matched",
    "sae_reconstruction",
    "sae_error",
    *(f"raw_topk_{k}" for k in (1, 2, 5, 16)),
    *(f"sae_topk_{k}" for k in (1, 2, 5, 16)),
    *("raw_shuffled", "sae_shuffled", "sae_random", "raw_random_k"),  # the controls, on by default
}


@pytest.fixture(scope="module")
def sst2_subset(shared_data):
    import pandas as pd

    frame = pd.read_csv(shared_data / "sst2" / "validation.csv").sample(160, random_state=0)
    return load_dataset(frame, template="Review: {text}\nSentiment:", name="sst2-160")


@pytest.fixture(scope="module")
def sst2_result(tiny_model_dir, sae_dir, sst2_subset, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    result = sweep(
        str(tiny_model_dir), str(sae_dir), sst2_subset, layers="all", cache_dir=cache, progress=False, threads=2
    )
    return result, cache


def test_result_holds_every_layer_with_raw_and_sae_scores(sst2_result):
    result, _ = sst2_result
    payload = json.loads(result.to_json())
    validate(payload, json.loads(SCHEMA_PATH.read_text()))
    assert [entry["layer"] for entry in payload["layers"]] == [0, 1, 2, 3]
    assert payload["n_train"] + payload["n_test"] == 160 and payload["classes"] == [0, 1]
    for entry in payload["layers"]:
        assert entry["hook_name"] == f"blocks.{entry['layer']}.hook_resid_post"
        assert set(entry["scores"]) == REPRESENTATIONS
        assert list(entry["saes"]) == ["sae"] and entry["saes"]["sae"]["sae"]["d_sae"] == 64
        assert entry["saes"]["sae"]["diagnostics"]["sparsity"]["n_features"] == 64
        assert entry["baselines"]["pca_matched"]["k"] <= 32
    scores = result.scores
    assert list(scores.columns) == [
        "layer",
        "hook_name",
        "representation",
        "probe",
        "metric",
        "value",
        "regime",
        "regime_value",
    ]
    assert set(scores["probe"]) == {"logistic"}
    assert len(scores) == 4 * len(REPRESENTATIONS) * len(dataclasses.fields(Metrics))
    assert result.table().shape == (4, len(REPRESENTATIONS))
    assert list(result.diagnostics["layer"]) == [0, 1, 2, 3]
    assert result.features(1)["separation"].is_monotonic_decreasing


def points(metrics):
    """A probe's figures without their intervals."""
    return (metrics.train_accuracy, metrics.test_accuracy, metrics.test_auc, metrics.cv_accuracy_mean, metrics.C)


def test_scores_equal_a_direct_fit_on_the_same_matrices(sst2_result, tiny_model_dir, sae_dir, sst2_subset):
    result, cache = sst2_result
    acts = saeprobe.extract(
        str(tiny_model_dir), sst2_subset, saes=str(sae_dir), layers=[2], cache_dir=cache, progress=False
    )
    codes = saeprobe.encode(str(sae_dir), acts)
    train, test = sst2_subset.train_test_masks(0.3, 0)
    raw = evaluate_probe(BatchedLogisticProbe(), acts[2], sst2_subset.y, train, test)  # the default probe
    sae = evaluate_probe(BatchedLogisticProbe(), codes[2], sst2_subset.y, train, test)
    # The same figures; the sweep adds the bootstrap intervals the direct fit has none of.
    assert points(result.layers[2].scores["raw"]) == points(raw)
    assert points(result.layers[2].scores["sae"]) == points(sae)
    assert raw.test_accuracy_low != raw.test_accuracy_low  # NaN
    assert (
        result.layers[2].scores["raw"].test_accuracy_low
        <= raw.test_accuracy
        <= result.layers[2].scores["raw"].test_accuracy_high
    )


def test_comparisons_pair_raw_with_every_code_on_the_same_test_rows(sst2_result):
    result, _ = sst2_result
    table, accuracy = result.comparisons, result.table()
    assert set(table["layer"]) == {0, 1, 2, 3}
    assert {("raw", "sae"), ("raw", "pca_matched"), ("sae", "sae_reconstruction")} <= set(
        zip(table["reference"], table["other"], strict=True)
    )
    for row in table.itertuples():
        assert row.gap == pytest.approx(accuracy.loc[row.layer, row.reference] - accuracy.loc[row.layer, row.other])
        assert row.low <= row.gap + 1e-12 and row.gap - 1e-12 <= row.high
        assert 0 < row.p_value <= 1 and row.n_test == result.n_test
    # The scores' tidy table carries each score's interval as metrics of its own.
    assert (result.table("test_accuracy_low") <= accuracy + 1e-12).all().all()


def test_json_round_trip(sst2_result, tmp_path):
    result, _ = sst2_result
    path = tmp_path / "sweep.json"
    result.to_json(path)
    again = SweepResult.from_json(path)
    assert again.to_dict() == result.to_dict()
    assert again.scores.equals(result.scores)


def test_second_sweep_with_other_settings_runs_no_forward_pass(sst2_result, tiny_model_dir, sst2_subset):
    _, cache = sst2_result
    # The SAEs asked for HookedTransformer's processing; read the same prepared stream without them.
    again = sweep(
        str(tiny_model_dir),
        None,
        sst2_subset,
        layers="1,2",
        cache_dir=cache,
        Cs=(0.1, 1.0),
        processing="hooked",
        progress=False,
    )
    assert again.timings["forward_batches"] == 0
    assert set(again.scores["representation"]) == {
        "raw",
        "raw_shuffled",
        *(f"raw_topk_{k}" for k in (1, 2, 5, 16)),
    }
    assert again.diagnostics.empty


def test_a_sweep_answered_from_the_cache_loads_neither_torch_nor_scipy(
    sst2_result, tiny_model_dir, sae_dir, sst2_subset
):
    import subprocess
    import sys

    _, cache = sst2_result
    script = (
        "import sys, saeprobe\n"
        f"data = saeprobe.load_dataset({list(sst2_subset.texts)!r}, {list(sst2_subset.labels)!r}, "
        f"template={sst2_subset.template!r}, name='sst2-160')\n"
        f"r = saeprobe.sweep({str(tiny_model_dir)!r}, {str(sae_dir)!r}, data, layers='all', cache_dir={str(cache)!r}, "
        "progress=False)\n"
        "assert r.timings['layers_from_cache'] == len(r.layers) and r.timings['model_load_s'] == 0, r.timings\n"
        "print(sorted(m for m in ('torch', 'sklearn', 'scipy', 'transformer_lens') if m in sys.modules))\n"
    )
    answer = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert answer.stdout.strip().splitlines()[-1] == "[]"


def test_multiclass_with_a_given_split(tiny_model_dir, sae_dir, shared_data, tmp_path):
    import pandas as pd

    frame = pd.read_csv(shared_data / "ag_news" / "test_sample.csv").groupby("label").head(25).copy()
    frame["split"] = np.where(np.arange(len(frame)) % 4 == 0, "test", "train")
    data = load_dataset(frame, split_column="split")
    with pytest.warns(SaeprobeWarning, match="gives its own train/test split.*seeds=\\[0, 1\\] is ignored"):
        result = sweep(
            str(tiny_model_dir), str(sae_dir), data, layers="0,3", seeds=(0, 1), cache_dir=tmp_path, progress=False
        )
    assert result.classes == ["Business", "Sci/Tech", "Sports", "World"]
    assert result.n_test == 25 and result.dataset.split == "given"
    assert 0.0 <= result.layers[1].scores["sae"].test_auc <= 1.0
    assert result.layers[1].split_seeds == [] and np.isnan(result.layers[1].scores["raw"].split_accuracy_mean)
    # Four classes: the shuffled-label check averages the shuffle's four relabellings, at 1 / 4.
    assert result.layers[1].baselines["raw_shuffled"]["chance"] == 0.25


def test_sae_probes_split_fits_and_tests_on_the_rows_the_package_draws(
    tiny_model_dir, sae_dir, sae_probes_folder, tmp_path
):
    data = load_dataset("sae-probes:41_truthqa_tf")  # 786 rows: 686 to train, 99 to test, one left out
    with pytest.warns(SaeprobeWarning, match="one fixed draw.*seeds=\\[1, 2\\] is ignored"):
        result = sweep(
            str(tiny_model_dir),
            str(sae_dir),
            data,
            split="sae-probes",
            layers="2",
            seeds=(1, 2),
            controls=(),
            cache_dir=tmp_path,
            progress=False,
        )
    assert (result.n_train, result.n_test, result.dataset.n_examples) == (686, 99, 785)
    assert result.dataset.split == "sae-probes" and result.settings.split == "sae-probes"
    with pytest.raises(DataError, match="for two classes, and the data has 4; set split to auto"):
        sweep(
            str(tiny_model_dir),
            str(sae_dir),
            load_dataset(["a", "b", "c", "d"] * 40, [0, 1, 2, 3] * 40),
            split="sae-probes",
            cache_dir=tmp_path,
            progress=False,
        )


def test_test_data_adds_covariate_shift_rows_of_its_own(tiny_model_dir, sae_dir, sst2_subset, tmp_path):
    import pandas as pd

    shifted = load_dataset([f"{t} indeed" for t in sst2_subset.texts[:40]], list(sst2_subset.labels[:40]), name="moved")
    options = {"layers": "1", "controls": (), "cache_dir": tmp_path, "progress": False}
    result = sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, test_data=shifted, **options)
    plain = sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, **options)
    (run,) = result.layers[0].regimes
    assert (run.regime, run.value, run.test_data, set(run.scores)) == ("covariate_shift", 40.0, "moved", {"raw", "sae"})
    assert result.layers[0].scores == plain.layers[0].scores  # never mixed with the test split
    rows = result.scores[result.scores["regime"] == "covariate_shift"]
    assert set(rows["representation"]) == {"raw", "sae"} and set(rows["regime_value"]) == {40.0}
    again = sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, test_data=shifted, **options)
    assert again.timings["layers_from_cache"] == 1

    def shift_rows(found):
        table = found.scores[found.scores["regime"] == "covariate_shift"]
        return table.sort_values(["representation", "metric"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(shift_rows(again), shift_rows(result), check_dtype=False)
    other = load_dataset(list(sst2_subset.texts[:30]), ["a", "b", "c"] * 10, name="three")
    with pytest.raises(DataError, match=r"'three' has classes .* a probe can only be tested on classes it was trained"):
        sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, test_data=other, **options)
    renamed = load_dataset(list(sst2_subset.texts[:20]), ["no", "yes"] * 10, name="renamed")
    with pytest.warns(SaeprobeWarning, match="matched in sorted order \\('no' as 0, 'yes' as 1\\)"):
        sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, test_data=renamed, **options)


def test_repeated_splits_report_a_spread_over_splits_made_like_the_sweeps_own(
    tiny_model_dir, sae_dir, sst2_subset, tmp_path
):
    result = sweep(
        str(tiny_model_dir), str(sae_dir), sst2_subset, layers="1", seeds=(0, 1, 2), cache_dir=tmp_path, progress=False
    )
    entry = result.layers[0]
    assert entry.split_seeds == [0, 1, 2]
    accuracies = []
    for seed in (0, 1, 2):
        split = sst2_subset.split_rows(test_size=0.3, seed=seed)
        acts = saeprobe.extract(
            str(tiny_model_dir), sst2_subset, saes=str(sae_dir), layers=[1], cache_dir=tmp_path, progress=False
        )
        metrics = evaluate_probe(BatchedLogisticProbe(), acts[1], sst2_subset.y, split.train, split.test)
        accuracies.append(metrics.test_accuracy)
    raw = entry.scores["raw"]
    assert raw.split_accuracy_mean == pytest.approx(np.mean(accuracies))
    assert raw.split_accuracy_std == pytest.approx(np.std(accuracies, ddof=1))
    assert not np.isnan(entry.scores["pca_matched"].split_accuracy_mean)
    assert np.isnan(entry.scores["sae_random"].split_accuracy_mean)  # controls are not repeated


def test_bad_inputs_fail_before_any_forward_pass(tiny_model_dir, sae_dir, tmp_path):
    data = load_dataset(["good", "bad", "fine", "awful", "great", "poor", "nice", "dire"], [1, 0] * 4)
    with pytest.raises(DataError, match="needs data=ProbeDataset"):
        sweep(str(tiny_model_dir), str(sae_dir), ["good", "bad"], cache_dir=tmp_path)
    with pytest.raises(SAEError, match=r"trained on 'blocks.0.hook_resid_post'"):
        sweep(str(tiny_model_dir), str(sae_dir), data, hook="resid_pre", cache_dir=tmp_path)
    assert not (tmp_path / "activations").exists()


def test_train_side_choices_ignore_test_labels(tiny_model_dir, sae_dir, sst2_subset, sst2_result):
    _, cache = sst2_result
    _train, test = sst2_subset.train_test_masks(0.3, 0)
    split = np.where(test, "test", "train")
    labels = np.array(sst2_subset.labels)
    flipped = labels.copy()
    flipped[test] = 1 - flipped[test]
    runs = []
    for y in (labels, flipped):
        data = load_dataset(list(sst2_subset.texts), list(y), template=sst2_subset.template)
        data = type(data)(data.texts, data.labels, data.template, tuple(split), data.name)
        runs.append(sweep(str(tiny_model_dir), str(sae_dir), data, layers="1,3", cache_dir=cache, progress=False))
    for a, b in zip(runs[0].layers, runs[1].layers, strict=True):
        assert a.baselines == b.baselines
        assert a.diagnostics.features == b.diagnostics.features
        for rep in a.scores:
            assert a.scores[rep].C == b.scores[rep].C
            assert a.scores[rep].train_accuracy == b.scores[rep].train_accuracy
        assert a.scores["raw"].test_accuracy + b.scores["raw"].test_accuracy == pytest.approx(1.0)


def test_regimes_add_rows_fitted_on_altered_training_rows(tiny_model_dir, sae_dir, sst2_subset, sst2_result):
    _, cache = sst2_result
    result = sweep(
        str(tiny_model_dir),
        str(sae_dir),
        sst2_subset,
        layers=[2],
        cache_dir=cache,
        progress=False,
        train_sizes=[20],
        label_noise=[0.3],
        imbalance=[0.2],
    )
    validate(json.loads(result.to_json()), json.loads(SCHEMA_PATH.read_text()))
    scores = result.scores
    regimes = scores[scores["regime"] != "standard"]
    assert set(zip(regimes["regime"], regimes["regime_value"], strict=True)) == {
        ("train_size", 20.0),
        ("label_noise", 0.3),
        ("imbalance", 0.2),
    }
    assert set(regimes["representation"]) == {"raw", "sae"}
    assert SweepResult.from_json(result.to_json()).scores.equals(scores)


def test_layers_fitted_side_by_side_give_the_same_result(tiny_model_dir, sae_dir, sst2_subset, sst2_result):
    one = sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, cache_dir=False, progress=False, threads=1)
    assert one.to_dict()["layers"] == sst2_result[0].to_dict()["layers"]  # fitted two layers at a time


@pytest.mark.parametrize("threads", [1, 2])
def test_an_interrupted_sweep_keeps_finished_layers(
    tiny_model_dir, sae_dir, sst2_subset, sst2_result, tmp_path, threads
):
    def stop_after_two(partial):
        if len(partial.layers) == 2:
            raise KeyboardInterrupt("simulated kill")

    with pytest.raises(KeyboardInterrupt):
        sweep(
            str(tiny_model_dir),
            str(sae_dir),
            sst2_subset,
            cache_dir=tmp_path,
            progress=False,
            on_layer=stop_after_two,
            threads=threads,
        )
    resumed = sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, cache_dir=tmp_path, progress=False)
    # Side by side, the layers running when the sweep stopped finish and are kept too; those not
    # started are not run.
    assert resumed.timings["layers_from_cache"] == 2 if threads == 1 else 2 <= resumed.timings["layers_from_cache"] <= 4
    assert resumed.timings["forward_batches"] == 0
    assert resumed.to_dict()["layers"] == sst2_result[0].to_dict()["layers"]  # as if never interrupted
    again = sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, cache_dir=tmp_path, progress=False)
    assert again.timings["layers_from_cache"] == 4 and again.timings["encode_s"] < 0.5


def test_classes_too_small_to_probe_are_refused_before_the_forward_pass(tiny_model_dir, tmp_path):
    texts = [f"item {i}" for i in range(300)]
    data = load_dataset(texts, [f"class {i // 3}" for i in range(300)])  # 100 classes of 3 rows
    with pytest.raises(DataError, match="100 of 100 classes have fewer than 4 examples"):
        sweep(str(tiny_model_dir), None, data, cache_dir=tmp_path, progress=False)
    assert not (tmp_path / "activations").exists()


def test_repeated_texts_are_kept_on_one_side_and_counted(tiny_model_dir, tmp_path):
    from saeprobe.errors import SaeprobeWarning

    texts = [f"film number {i % 20} was {'good' if i % 2 else 'bad'}" for i in range(60)]
    data = load_dataset(texts, [i % 2 for i in range(60)])
    with pytest.warns(SaeprobeWarning, match="60 rows of 'list' repeat another row's text"):
        result = sweep(str(tiny_model_dir), None, data, layers=[1], top_ks=(1,), cache_dir=tmp_path, progress=False)
    assert result.dataset.n_duplicates == 60 and result.dataset.n_test_seen_in_train == 0


def test_diagnoses_of_cached_layers_follow_todays_rules(sst2_result, tiny_model_dir, sae_dir, sst2_subset, monkeypatch):
    from saeprobe.explain import _diagnosis

    first, cache = sst2_result
    kept = {"no_gap", "selection", "inconclusive"}  # no loss established on this small test split
    assert {entry.diagnosis["sae"].label for entry in first.layers} <= kept
    monkeypatch.setattr(_diagnosis, "MARGIN", -1.0)  # now every SAE probe counts as losing
    again = sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, layers="all", cache_dir=cache, progress=False)
    assert again.timings["layers_from_cache"] == len(again.layers)
    assert not {entry.diagnosis["sae"].label for entry in again.layers} & kept


def test_named_sets_share_one_forward_pass_and_score_as_alone(
    tiny_model_dir, sae_dir, wide_sae_dir, sst2_subset, sst2_result, tmp_path
):
    single, _ = sst2_result
    both = sweep(
        str(tiny_model_dir),
        {"narrow": str(sae_dir), "wide": str(wide_sae_dir)},
        sst2_subset,
        layers="1,2",
        cache_dir=tmp_path,
        progress=False,
    )
    alone = sweep(
        str(tiny_model_dir),
        None,
        sst2_subset,
        layers="1,2",
        processing="hooked",
        cache_dir=tmp_path / "raw",
        progress=False,
    )
    assert both.timings["forward_batches"] == alone.timings["forward_batches"]  # one pass serves both sets
    validate(json.loads(both.to_json()), json.loads(SCHEMA_PATH.read_text()))
    assert both.sae_set_names == ["narrow", "wide"]
    for entry in both.layers:
        same = single.layer(entry.layer)
        assert set(entry.saes) == {"narrow", "wide"} and entry.saes["wide"].sae.d_sae == 96
        assert {
            "sae:narrow",
            "pca_matched:narrow",
            "sae_topk_16:narrow",
            "sae:wide",
            "sae_topk_16:wide",
            "sae_error:wide",
        } <= set(entry.scores)
        # The narrow set is the SAEs of the single-set sweep: same scores, baselines and figures.
        for kind in ("sae", "pca_matched", "sae_topk_5", "sae_reconstruction", "sae_error"):
            assert entry.scores[f"{kind}:narrow"] == same.scores[kind], kind
        assert entry.scores["raw"] == same.scores["raw"]
        assert entry.baselines["pca_matched:narrow"] == same.baselines["pca_matched"]
        assert entry.saes["narrow"].diagnostics == same.diagnostics
        assert entry.diagnosis["narrow"].label == same.diagnosis["sae"].label and "wide" in entry.diagnosis
        with pytest.raises(KeyError, match="name one"):
            entry.diagnostics  # noqa: B018 - ambiguous with two sets
    table = both.summary()
    assert {"sae:narrow", "sae:wide", "fvu:narrow", "fvu:wide", "diagnosis:narrow", "diagnosis:wide"} <= set(
        table.columns
    )
    assert list(both.summary(sae_set="wide").columns)[:2] == ["raw", "sae"]
    assert list(both.diagnostics["sae_set"]) == ["narrow", "wide", "narrow", "wide"]
    assert both.features(2, "wide")["feature"].max() < 96
    assert "layer 1 wide (" in both.diagnosis_text()
    assert SweepResult.from_json(both.to_json()).to_dict() == both.to_dict()
    again = sweep(
        str(tiny_model_dir),
        {"narrow": str(sae_dir), "wide": str(wide_sae_dir)},
        sst2_subset,
        layers="1,2",
        cache_dir=tmp_path,
        progress=False,
    )
    assert again.timings["layers_from_cache"] == 2 and again.sae_set_names == [
        "narrow",
        "wide",
    ]  # the sets' order, not the cache's
    assert again.diagnosis_text() == both.diagnosis_text()


def test_a_set_prepared_otherwise_gets_its_own_forward_pass(tiny_model_dir, sae_dir, sst2_subset, tmp_path):
    from builders import save_sae_with_metadata

    raw_stream = save_sae_with_metadata(
        tmp_path / "raw-stream" / "layer_2", 2, model_from_pretrained_kwargs={"center_writing_weights": False}
    )
    both = sweep(
        str(tiny_model_dir),
        {"hooked": str(sae_dir), "plain": str(raw_stream.parent)},
        sst2_subset,
        layers=[2],
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    plain = sweep(
        str(tiny_model_dir),
        str(raw_stream.parent),
        sst2_subset,
        layers=[2],
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    entry = both.layers[0]
    assert entry.preparation.center_writing_weights and entry.saes["hooked"].preparation.center_writing_weights
    assert not entry.saes["plain"].preparation.center_writing_weights
    assert plain.timings["forward_batches"] == 0  # the plain stream was read once already, by the sweep of both
    assert entry.scores["sae:plain"] == plain.layers[0].scores["sae"]
    assert entry.saes["plain"].diagnostics == plain.layers[0].diagnostics


def test_an_error_in_one_set_names_the_set(tiny_model_dir, sae_dir, tmp_path):
    data = load_dataset(["good", "bad", "fine", "awful", "great", "poor", "nice", "dire"], [1, 0] * 4)
    with pytest.raises(SAEError, match=r"SAE set 'broken': .*no SAE for layer"):
        sweep(
            str(tiny_model_dir),
            {"ok": str(sae_dir), "broken": str(sae_dir / "layer_0")},
            data,
            layers="0,1",
            cache_dir=tmp_path,
        )


def test_sweeps_of_some_layers_share_their_results_and_the_model_stays_loaded(
    tiny_model_dir, sae_dir, sst2_subset, tmp_path
):
    """A sweep of layer 1 and a later sweep of all layers share layer 1's result (as a suite's
    per-layer tasks and its final assembly do); a second dataset in the same process loads no model."""
    sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, layers="1", cache_dir=tmp_path, progress=False)
    full = sweep(str(tiny_model_dir), str(sae_dir), sst2_subset, layers="all", cache_dir=tmp_path, progress=False)
    assert full.timings["layers_from_cache"] == 1 and full.timings["model_load_s"] == 0
    other = load_dataset(list(sst2_subset.texts)[:80], list(sst2_subset.labels)[:80], name="other")
    again = sweep(str(tiny_model_dir), str(sae_dir), other, layers="0", cache_dir=tmp_path, progress=False)
    assert again.timings["forward_batches"] > 0 and again.timings["model_load_s"] == 0
