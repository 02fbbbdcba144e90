"""The batched probe engine against scikit-learn's pipeline, the reference (sklearn-logistic)."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from saeprobe.errors import DataError
from saeprobe.probe import BatchedLogisticProbe, LogisticProbe, probe_pipeline


def problem(n=300, d=12, classes=2, seed=0, offset=5.0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    scales = rng.uniform(0.01, 30, d)  # columns on very different scales, far from zero
    X = (rng.normal(size=(n, d)) + 0.6 * rng.normal(size=(classes, d))[y]) * scales + offset * scales
    return X, y


def reference(X, y, scaling, Cs=(0.001, 0.01, 0.1, 1.0, 10.0), seed=0):
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    search = GridSearchCV(probe_pipeline(scaling, tol=1e-10, max_iter=100_000), {"logistic__C": list(Cs)}, cv=folds)
    return search.fit(X, y)


@pytest.mark.parametrize("classes", [2, 4])
@pytest.mark.parametrize("scaling", ["standard", "center"])
def test_every_fold_and_c_solves_scikit_learns_problem(classes, scaling):
    X, y = problem(classes=classes)
    probe = BatchedLogisticProbe(scaling=scaling, tol=1e-7, max_iter=5000).fit(X, y)
    search = reference(X, y, scaling)
    assert search.best_params_["logistic__C"] == probe.C_
    assert probe.cv_accuracy_mean_ == pytest.approx(search.best_score_, abs=1e-9)
    np.testing.assert_allclose(probe.predict_proba(X), search.best_estimator_.predict_proba(X), atol=2e-4)


def test_sparse_codes_lose_only_their_all_zero_columns():
    X, y = problem(d=20)
    codes = np.maximum(X - np.median(X, axis=0), 0)
    codes[:, [3, 7, 11]] = 0.0  # features that never fire
    probe = BatchedLogisticProbe(tol=1e-7, max_iter=5000).fit(sp.csr_matrix(codes), y)
    assert set(probe.columns_) == set(range(20)) - {3, 7, 11}
    search = reference(sp.csr_matrix(codes), y, "maxabs")
    assert search.best_params_["logistic__C"] == probe.C_
    np.testing.assert_allclose(
        probe.predict_proba(sp.csr_matrix(codes)), search.best_estimator_.predict_proba(sp.csr_matrix(codes)), atol=2e-4
    )


def test_a_constant_or_huge_offset_column_is_scaled_as_scikit_learn_scales_it():
    X, y = problem(d=6, offset=1e6)
    X[:, 2] = 7.0
    probe = BatchedLogisticProbe(tol=1e-7, max_iter=5000).fit(X, y)
    search = reference(X, y, "standard")
    assert search.best_params_["logistic__C"] == probe.C_
    np.testing.assert_allclose(probe.predict_proba(X), search.best_estimator_.predict_proba(X), atol=2e-4)


def test_the_default_tolerance_agrees_with_the_reference_plugin():
    X, y = problem(n=500, d=40, seed=3)
    fast, exact = BatchedLogisticProbe().fit(X, y), LogisticProbe().fit(X, y)
    assert fast.C_ == exact.C_ and abs(fast.cv_accuracy_mean_ - exact.cv_accuracy_mean_) < 0.01
    assert np.abs(fast.predict_proba(X) - exact.predict_proba(X)).max() < 0.02


def test_classes_too_small_are_refused():
    with pytest.raises(DataError, match="at least two examples of each"):
        BatchedLogisticProbe().fit(np.zeros((3, 2)), np.array([0, 0, 1]))


SHARED = [("sst2/validation.csv", "text", 400), ("ag_news/test_sample.csv", "text", 400)]


@pytest.mark.integration
@pytest.mark.parametrize("path, text_column, rows", SHARED, ids=["sst2", "ag_news-4-classes"])
def test_per_layer_and_representation_the_engine_agrees_with_the_reference(
    path, text_column, rows, shared_data, tmp_path_factory
):
    import pandas as pd

    from saeprobe import SAETrainingSettings, load_dataset, sweep, train_saes

    frame = pd.read_csv(shared_data / path).sample(rows, random_state=0)
    data = load_dataset(frame, text_column=text_column, name=path)
    cache = tmp_path_factory.mktemp("agreement")
    saes = train_saes(
        "minilm",
        list(data.texts),
        layers="1,5",
        settings=SAETrainingSettings(width=512, k=16, steps=150),
        cache_dir=cache,
        progress=False,
    )
    results = [
        # The controls' refits are the same problems again: the reference fits them slowly, and they add nothing here.
        sweep(
            "minilm",
            str(saes.directory),
            data,
            layers="1,5",
            probe=probe,
            controls=(),
            cache_dir=cache,
            progress=False,
        )
        for probe in ("logistic", "sklearn-logistic")
    ]
    scores = [r.scores.set_index(["layer", "representation", "metric", "regime"])["value"] for r in results]
    fast, exact = (s.unstack("metric") for s in scores)
    same_c = (fast["C"] == exact["C"]).mean()
    accuracy = (fast["test_accuracy"] - exact["test_accuracy"]).abs()
    auc = (fast["test_auc"] - exact["test_auc"]).abs()
    print(
        f"{path}: {len(fast)} probes, same C {same_c:.3f}, accuracy diff mean {accuracy.mean():.4f} max "
        f"{accuracy.max():.4f}, AUC diff mean {auc.mean():.4f}"
    )
    assert same_c >= 0.95 and accuracy.mean() <= 0.005 and accuracy.max() <= 0.02 and auc.mean() <= 0.005
