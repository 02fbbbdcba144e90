"""The probes setting: several probe plugins on the same representations, and the best of them."""

import numpy as np
import pytest

from builders import make_sae
from saeprobe import SweepResult, SweepSettings, probe_layer
from saeprobe.errors import DataError, SaeprobeError
from saeprobe.probe import ShiftedTest, validation_split
from saeprobe.records import DatasetInfo, ModelInfo, probe_of, with_probe

LIGHT = {"controls": (), "baselines": (), "bootstrap": 200}


def ring(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A concept no linear probe reads: inside or outside a circle, in 8 dimensions."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8)).astype(np.float32)
    y = (np.hypot(X[:, 0], X[:, 1]) > 1.18).astype(int)
    train = np.zeros(n, dtype=bool)
    train[: int(n * 0.7)] = True
    return X, y, train


def line(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A concept along one direction, with noise: the logistic probe's home ground."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 30)).astype(np.float32)
    y = (X[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(int)
    train = np.zeros(n, dtype=bool)
    train[: int(n * 0.7)] = True
    return X, y, train


def test_names_join_the_probe_to_the_kind_so_the_set_stays_last():
    assert with_probe("raw", "knn") == "raw@knn"
    assert with_probe("sae:task", "best") == "sae@best:task"
    assert probe_of("sae@best:task") == ("sae:task", "best")
    assert probe_of("sae_topk_5:task") == ("sae_topk_5:task", None)


def test_best_picks_the_probe_that_reads_a_nonlinear_concept_and_reports_its_fit():
    X, y, train = ring(500)
    entry = probe_layer(X, y, train, probes=["diffmean", "knn", "best"], **LIGHT)
    assert {"raw@diffmean", "raw@knn", "raw@best"} <= set(entry.scores)
    choice = entry.baselines["raw@best"]
    assert choice["probe"] == "knn"
    assert set(choice["validation_auc"]) == {"logistic", "diffmean", "knn"}
    assert choice["validation_auc"]["knn"] > choice["validation_auc"]["logistic"] + 0.1
    assert entry.scores["raw@best"] == entry.scores["raw@knn"]
    assert entry.scores["raw@knn"].test_auc > entry.scores["raw"].test_auc + 0.1
    # Every probe is compared with the raw probe on the same resamples.
    pairs = {(c.reference, c.other) for c in entry.comparisons}
    assert {("raw", "raw@knn"), ("raw", "raw@diffmean"), ("raw", "raw@best")} <= pairs


def test_best_keeps_the_sweeps_own_probe_where_it_reads_best():
    X, y, train = line(400)
    entry = probe_layer(X, y, train, probes=["knn", "best"], **LIGHT)
    assert entry.baselines["raw@best"]["probe"] == "logistic"
    assert entry.scores["raw@best"] == entry.scores["raw"]


def test_without_best_no_choice_is_made_and_the_own_probe_is_not_refitted():
    X, y, train = line(200)
    entry = probe_layer(X, y, train, probes=["logistic", "diffmean"], **LIGHT)
    assert sorted(entry.scores) == ["raw", "raw@diffmean"]
    assert "raw@best" not in entry.baselines


def test_the_sae_code_is_read_by_every_probe_and_its_baselines_only_by_the_own_probe():
    X, y, train = ring(300)
    sae = make_sae(0, d_in=8, d_sae=32)
    entry = probe_layer(
        X, y, train, sae={"task": sae}, probes=["knn", "best"], controls=(), baselines=("sae_topk",), top_ks=(2,)
    )
    assert {"sae:task", "sae@knn:task", "sae@best:task", "raw@knn", "raw@best"} <= set(entry.scores)
    assert {probe_of(name)[0] for name in entry.scores if probe_of(name)[1]} == {"raw", "sae:task"}
    assert "sae_topk_2:task" in entry.scores
    assert ("sae:task", "sae@knn:task") in {(c.reference, c.other) for c in entry.comparisons}


def test_shifted_rows_are_scored_by_every_probe_fitted_for_the_standard_run():
    X, y, train = ring(400)
    moved, moved_y, _ = ring(120, seed=3)
    entry = probe_layer(X, y, train, probes=["knn", "best"], shift=ShiftedTest("moved", moved, moved_y), **LIGHT)
    shifted = entry.regimes[-1].scores
    assert set(shifted) == {"raw", "raw@knn", "raw@best"}
    assert shifted["raw@best"].test_auc == shifted["raw@knn"].test_auc
    assert shifted["raw@knn"].test_auc > shifted["raw"].test_auc


def test_the_validation_fifth_is_stratified_inside_the_training_rows():
    y = np.array([0, 1] * 50)
    train = np.arange(100) < 80
    fit_rows, held_out = validation_split(y, train, seed=1)
    assert not (fit_rows & held_out).any()
    assert ((fit_rows | held_out) == train).all()
    assert held_out.sum() == 16 and y[held_out].sum() == 8
    with pytest.raises(DataError, match="five training examples of each class"):
        validation_split(np.array([0] * 20 + [1] * 4), np.ones(24, dtype=bool), seed=0)


def test_an_unknown_probe_is_refused_naming_the_setting():
    from saeprobe.errors import SettingsError

    X, y, train = line(100)
    with pytest.raises(SettingsError, match="no probe plugin 'nope'"):
        probe_layer(X, y, train, probes=["nope"], **LIGHT)


def test_the_result_compares_probes_as_a_table_and_tags_every_score_with_its_probe():
    X, y, train = ring(400)
    entry = probe_layer(X, y, train, probes=["diffmean", "knn", "best"], **LIGHT)
    result = SweepResult(
        model=ModelInfo(name="m", identity="x", n_layers=1, d_model=8, n_ctx=8),
        dataset=DatasetInfo(name="d", n_examples=400, template=None, fingerprint="f", n_truncated=0, split="given"),
        settings=SweepSettings(pooling="last", probes=("diffmean", "knn", "best")),
        classes=[0, 1],
        n_train=int(train.sum()),
        n_test=int((~train).sum()),
        layers=[entry],
    )
    scores = result.scores
    assert set(scores["probe"]) == {"logistic", "diffmean", "knn", "best"}
    assert (scores.loc[scores["representation"] == "raw@knn", "probe"] == "knn").all()
    table = result.probes()
    assert list(table.columns) == ["logistic", "diffmean", "knn", "best", "best_probe"]
    row = table.loc[(0, "raw")]
    assert row["best_probe"] == "knn" and row["best"] == row["knn"] == entry.scores["raw@knn"].test_auc
    again = SweepResult.from_json(result.to_json())
    assert again.probes().equals(table)
    one = SweepResult(**{**vars(result), "layers": [probe_layer(X, y, train, **LIGHT)]})
    with pytest.raises(SaeprobeError, match="give probes="):
        one.probes()
