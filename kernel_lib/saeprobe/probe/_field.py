"""The field's other probes, as probe plugins: the difference of class means (AxBench's DiffMean,
its strongest concept detector), and the baselines of sae-probes, each with its hyperparameter
chosen by stratified cross-validation on the training rows: logistic regression on the first
principal components, k nearest neighbours, a small multilayer perceptron and gradient-boosted
trees (XGBoost, an optional dependency).

Each takes the keywords every probe plugin takes (``Cs``, ``cv_folds``, ``seed``, ``scaling``)
and uses those that mean something to it. Sparse codes keep only their columns that are non-zero
somewhere, so a wide SAE is never densified at full width."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ..config import DEFAULT_CS
from ..errors import SettingsError
from ._batched import _used_columns
from ._sklearn import cv_folds_for

XGBOOST_INSTALL = 'pip install "saeprobe[xgboost]" (or xgboost-cpu, without the CUDA libraries)'


def _dense(X: np.ndarray | sp.csr_matrix, columns: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` as a dense float matrix; a sparse one only on ``columns`` (default: its columns that
    are non-zero somewhere), which are returned for the predictions."""
    if columns is None or not sp.issparse(X):
        return _used_columns(X)[::-1]
    return sp.csr_matrix(X)[:, columns].toarray().astype(np.float64), columns


def _log_grid(largest: int, points: int = 10) -> list[int]:
    """Whole numbers from 1 to ``largest`` spaced evenly in log scale, as sae-probes spaces its grids."""
    return sorted({int(v) for v in np.logspace(0, np.log2(max(largest, 1)), num=points, base=2, dtype=int)})


class _FieldProbe:
    """What the field's probes share: the keywords every probe plugin takes, and predictions as the
    class of the largest probability."""

    classes_: np.ndarray

    def __init__(self, Cs: Sequence[float] = DEFAULT_CS, cv_folds: int = 5, seed: int = 0, scaling: str | None = None):
        self.Cs = Cs
        self.cv_folds = cv_folds
        self.seed = seed
        self.scaling = scaling

    def predict_proba(self, X: np.ndarray | sp.csr_matrix) -> np.ndarray:
        raise NotImplementedError

    def predict(self, X: np.ndarray | sp.csr_matrix) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class _SearchedProbe(_FieldProbe):
    """A scikit-learn estimator whose one hyperparameter is chosen by stratified CV on accuracy,
    then refitted on every training row. Subclasses give the estimator and the grid."""

    def _search(self, X: np.ndarray, y: np.ndarray, folds: Any) -> tuple[Any, dict[str, list[Any]]]:
        raise NotImplementedError

    def fit(self, X: np.ndarray | sp.csr_matrix, y: np.ndarray) -> _SearchedProbe:
        """Choose the hyperparameter by CV on ``(X, y)`` and refit on all of it. Raises
        :class:`~saeprobe.errors.DataError` if a class has fewer than two training examples."""
        folds = cv_folds_for(y, self.cv_folds, self.seed)
        dense, self.columns_ = _dense(X)
        estimator, grid = self._search(dense, np.asarray(y), folds)
        search = GridSearchCV(estimator, grid, cv=folds, scoring="accuracy", refit=True, error_score="raise")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(dense, y)
        self.search_ = search
        self.best_params_ = search.best_params_
        self.classes_ = search.classes_
        best = search.best_index_
        self.cv_accuracy_mean_ = float(search.cv_results_["mean_test_score"][best])
        self.cv_accuracy_std_ = float(search.cv_results_["std_test_score"][best])
        return self

    def predict_proba(self, X: np.ndarray | sp.csr_matrix) -> np.ndarray:
        return self.search_.predict_proba(_dense(X, self.columns_)[0])


class DiffMeanProbe(_FieldProbe):
    """Difference of class means (AxBench's DiffMean): for two classes the direction from class
    0's mean to class 1's, for more each class's mean minus the mean of all, read as projections
    and calibrated by a logistic regression on those few projections (the training rows only). No
    hyperparameter, so no cross-validation; ``Cs``, ``cv_folds`` and ``scaling`` are accepted and
    unused."""

    def fit(self, X: np.ndarray | sp.csr_matrix, y: np.ndarray) -> DiffMeanProbe:
        """The class means of ``X`` and the calibration of the projections on them."""
        cv_folds_for(y, 2, self.seed)  # the same refusal of classes too small as every probe's
        dense, self.columns_ = _dense(X)
        self.classes_, index = np.unique(np.asarray(y), return_inverse=True)
        means = np.stack([dense[index == k].mean(axis=0) for k in range(len(self.classes_))])
        if len(self.classes_) == 2:
            self.directions_ = (means[1] - means[0])[:, None]
        else:
            self.directions_ = (means - dense.mean(axis=0)).T
        # The projections on a unit scale, so the calibration's weak penalty means the same everywhere.
        self.scale_ = max(float(np.abs(dense @ self.directions_).max()), 1e-12)
        self.calibration_ = LogisticRegression(C=1e4, max_iter=10_000, random_state=self.seed)
        self.calibration_.fit(self._projections(dense), index)
        return self

    def _projections(self, dense: np.ndarray) -> np.ndarray:
        return dense @ self.directions_ / self.scale_

    def predict_proba(self, X: np.ndarray | sp.csr_matrix) -> np.ndarray:
        return self.calibration_.predict_proba(self._projections(_dense(X, self.columns_)[0]))


class PCAProbe(_SearchedProbe):
    """Standardised columns on their first principal components, then logistic regression (C =
    1, as sae-probes); the number of components, from 1 to min(100, rows, columns) on a log grid,
    by CV."""

    def _search(self, X: np.ndarray, y: np.ndarray, folds: Any) -> tuple[Any, dict[str, list[Any]]]:
        smallest_fold = min(len(train) for train, _ in folds.split(X, y))
        largest = min(100, smallest_fold, X.shape[1])
        pipeline = Pipeline(
            [
                ("scale", StandardScaler()),
                ("pca", PCA(random_state=self.seed)),
                ("logistic", LogisticRegression(max_iter=1000, random_state=self.seed)),
            ]
        )
        return pipeline, {"pca__n_components": _log_grid(largest)}


class KNNProbe(_SearchedProbe):
    """k nearest neighbours on standardised columns; k, from 1 to min(100, rows − 1) on a log
    grid, by CV."""

    def _search(self, X: np.ndarray, y: np.ndarray, folds: Any) -> tuple[Any, dict[str, list[Any]]]:
        smallest_fold = min(len(train) for train, _ in folds.split(X, y))
        pipeline = Pipeline([("scale", StandardScaler()), ("knn", KNeighborsClassifier())])
        return pipeline, {"knn__n_neighbors": _log_grid(min(100, smallest_fold - 1))}


class MLPProbe(_SearchedProbe):
    """A multilayer perceptron (one hidden layer of 64 ReLU units, Adam) on standardised columns;
    its L2 penalty, from 1e-5 to 1e-2, by CV."""

    def _search(self, X: np.ndarray, y: np.ndarray, folds: Any) -> tuple[Any, dict[str, list[Any]]]:
        mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=500, early_stopping=False, random_state=self.seed)
        return Pipeline([("scale", StandardScaler()), ("mlp", mlp)]), {"mlp__alpha": [1e-5, 1e-4, 1e-3, 1e-2]}


class XGBoostProbe(_SearchedProbe):
    """Gradient-boosted trees (XGBoost, 100 trees, learning rate 0.1); their depth, 2 to 5, by CV.
    Needs the xgboost package; refused with its install line when it is missing."""

    def _search(self, X: np.ndarray, y: np.ndarray, folds: Any) -> tuple[Any, dict[str, list[Any]]]:
        try:
            from xgboost import XGBClassifier
        except ImportError:
            raise SettingsError(f"the xgboost probe needs the xgboost package; run: {XGBOOST_INSTALL}") from None
        trees = XGBClassifier(n_estimators=100, learning_rate=0.1, random_state=self.seed, n_jobs=1, verbosity=0)
        return _Encoded(trees), {"max_depth": [2, 3, 4, 5]}


class _Encoded(ClassifierMixin, BaseEstimator):
    """An XGBoost classifier behind class labels of any kind (it takes only 0 … K−1)."""

    def __init__(self, trees: Any = None, max_depth: int = 3):
        self.trees = trees
        self.max_depth = max_depth

    def fit(self, X: np.ndarray, y: np.ndarray) -> _Encoded:
        self.classes_, index = np.unique(y, return_inverse=True)
        self.fitted_ = clone(self.trees).set_params(max_depth=self.max_depth).fit(X, index)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.fitted_.predict_proba(X)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
