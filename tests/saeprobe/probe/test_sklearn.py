import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from saeprobe.errors import DataError
from saeprobe.probe import LogisticProbe, evaluate_probe, roc_auc


def make_problem(n=120, d=10, classes=2, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    X = rng.normal(size=(n, d)) + y[:, None] * 0.7
    test = np.zeros(n, dtype=bool)
    test[rng.permutation(n)[: n // 3]] = True
    return X, y, ~test, test


def test_scores_equal_a_direct_scikit_learn_fit_with_the_chosen_C():
    X, y, train, test = make_problem()
    probe = LogisticProbe(seed=0)
    scores = evaluate_probe(probe, X, y, train, test)
    scaler = StandardScaler().fit(X[train])
    direct = LogisticRegression(C=scores.C, max_iter=2000, random_state=0).fit(scaler.transform(X[train]), y[train])
    proba = direct.predict_proba(scaler.transform(X[test]))
    assert scores.test_accuracy == pytest.approx(accuracy_score(y[test], proba.argmax(1)))
    assert scores.train_accuracy == pytest.approx(direct.score(scaler.transform(X[train]), y[train]))
    assert scores.test_auc == pytest.approx(roc_auc_score(y[test], proba[:, 1]))
    assert 0 <= scores.cv_accuracy_std < 0.5 and scores.C in probe.Cs


def test_sparse_features_stay_sparse_and_match_a_direct_fit():
    X, y, train, test = make_problem(d=30)
    X = sp.csr_matrix(np.maximum(X - 1.0, 0))
    probe = LogisticProbe(seed=0)
    scores = evaluate_probe(probe, X, y, train, test)
    scaler = probe.pipeline_.named_steps["scale"]
    assert isinstance(scaler, MaxAbsScaler)
    direct_scaler = MaxAbsScaler().fit(X[train])
    direct = LogisticRegression(C=scores.C, max_iter=2000, random_state=0).fit(
        direct_scaler.transform(X[train]), y[train]
    )
    assert scores.test_accuracy == pytest.approx(direct.score(direct_scaler.transform(X[test]), y[test]))


def test_multiclass_auc_is_macro_one_vs_rest():
    X, y, train, test = make_problem(n=200, classes=4)
    probe = LogisticProbe()
    scores = evaluate_probe(probe, X, y, train, test)
    proba = probe.predict_proba(X[test])
    assert scores.test_auc == pytest.approx(roc_auc_score(y[test], proba, multi_class="ovr", average="macro"))


def test_reproducible_with_the_seed():
    X, y, train, test = make_problem()
    assert evaluate_probe(LogisticProbe(seed=3), X, y, train, test) == evaluate_probe(
        LogisticProbe(seed=3), X, y, train, test
    )


def test_auc_is_nan_for_a_one_class_test_split():
    assert np.isnan(roc_auc(np.array([1, 1]), np.array([[0.2, 0.8], [0.4, 0.6]]), np.array([0, 1])))


def test_too_few_training_examples():
    with pytest.raises(DataError, match="at least two examples"):
        LogisticProbe().fit(np.zeros((3, 2)), np.array([0, 0, 1]))
