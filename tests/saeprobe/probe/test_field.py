"""The field's other probes as plugins: each learns an easy concept on dense and on sparse input,
refuses what every probe refuses, and runs inside a sweep's layer by its plugin name."""

import numpy as np
import pytest
import scipy.sparse as sp

import saeprobe
from saeprobe.errors import DataError, SettingsError
from saeprobe.plugins import require
from saeprobe.probe import DiffMeanProbe, KNNProbe, MLPProbe, PCAProbe, XGBoostProbe

PROBES = {"diffmean": DiffMeanProbe, "pca": PCAProbe, "knn": KNNProbe, "mlp": MLPProbe, "xgboost": XGBoostProbe}


def concept(n: int = 300, d: int = 20, classes: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian classes apart along the first columns, labelled with words."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    X = rng.normal(size=(n, d))
    X[:, :classes] += 3.0 * np.eye(classes)[y]
    return X, np.array(["neg", "pos", "mixed"])[y]


@pytest.mark.parametrize("name", sorted(PROBES))
def test_each_probe_learns_an_easy_concept_and_is_found_by_its_plugin_name(name):
    assert require("probes", name) is PROBES[name]
    X, y = concept()
    train = np.arange(len(y)) < 200
    probe = PROBES[name](seed=0).fit(X[train], y[train])
    proba = probe.predict_proba(X[~train])
    assert proba.shape == (100, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert list(probe.classes_) == ["neg", "pos"]
    assert np.mean(probe.predict(X[~train]) == y[~train]) >= 0.9


@pytest.mark.parametrize("name", ["diffmean", "knn", "pca"])
def test_sparse_codes_and_three_classes_are_read(name):
    X, y = concept(classes=3)
    codes = sp.csr_matrix(np.maximum(X, 0))  # a code: non-negative, many zeros
    codes = sp.hstack([codes, sp.csr_matrix((len(y), 500))]).tocsr()  # and columns that never fire
    probe = PROBES[name]().fit(codes[:200], y[:200])
    assert probe.predict_proba(codes[200:]).shape == (100, 3)
    assert np.mean(probe.predict(codes[200:]) == y[200:]) >= 0.8


def test_hyperparameters_are_chosen_by_cross_validation_on_the_training_rows():
    X, y = concept()
    knn = KNNProbe(cv_folds=4).fit(X, y)
    assert knn.best_params_["knn__n_neighbors"] in range(1, 101) and len(knn.search_.cv_results_["params"]) > 3
    assert 0.5 < knn.cv_accuracy_mean_ <= 1.0 and knn.cv_accuracy_std_ >= 0.0
    pca = PCAProbe().fit(X, y)
    assert pca.best_params_["pca__n_components"] <= 20


def test_classes_too_small_are_refused_as_every_probe_refuses_them():
    for probe in PROBES.values():
        with pytest.raises(DataError, match="at least two examples of each"):
            probe().fit(np.zeros((3, 2)), np.array([0, 0, 1]))


def test_a_missing_xgboost_says_how_to_install_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_xgboost(name, *args, **kwargs):
        if name == "xgboost":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_xgboost)
    X, y = concept()
    with pytest.raises(SettingsError, match=r'needs the xgboost package; run: pip install "saeprobe\[xgboost\]"'):
        XGBoostProbe().fit(X, y)


def test_a_layer_is_probed_with_a_field_probe_by_name():
    X, y = concept(n=240)
    train = np.arange(len(y)) < 160
    entry = saeprobe.probe_layer(
        X, np.unique(y, return_inverse=True)[1], train, probe="diffmean", controls=(), top_ks=(2,)
    )
    assert entry.scores["raw"].test_accuracy >= 0.9 and np.isnan(entry.scores["raw"].C)
    assert set(entry.scores) == {"raw", "raw_topk_2"}
