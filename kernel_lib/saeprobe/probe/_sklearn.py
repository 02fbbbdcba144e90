"""The reference probe: scikit-learn's logistic regression with C chosen by stratified CV on the
training split, and the folds and scalings every logistic probe shares."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from ..config import DEFAULT_CS
from ..errors import DataError

SCALINGS = ("standard", "maxabs", "center")


def probe_pipeline(scaling: str, C: float = 1.0, seed: int = 0, max_iter: int = 10_000, tol: float = 1e-6) -> Pipeline:
    """Scaler plus logistic regression. ``standard`` standardises each column; ``maxabs`` scales
    each column by its largest magnitude and keeps a sparse matrix sparse (no centring), so SAE
    codes are never densified; ``center`` only centres, keeping the columns' relative variances
    (for PCA projections, whose low-variance tail would otherwise be blown up to unit variance)."""
    scalers = {"standard": StandardScaler(), "maxabs": MaxAbsScaler(), "center": StandardScaler(with_std=False)}
    if scaling not in scalers:
        raise ValueError(f"unknown scaling {scaling!r}; use one of {SCALINGS}")
    return Pipeline(
        [
            ("scale", scalers[scaling]),
            ("logistic", LogisticRegression(C=C, max_iter=max_iter, tol=tol, random_state=seed)),
        ]
    )


def default_scaling(X: np.ndarray | sp.csr_matrix) -> str:
    """``maxabs`` for sparse input (it stays sparse), else ``standard``."""
    return "maxabs" if sp.issparse(X) else "standard"


def cv_folds_for(y: np.ndarray, cv_folds: int, seed: int) -> StratifiedKFold:
    """Shuffled stratified folds for choosing C: ``cv_folds``, fewer when a class is smaller.
    Raises :class:`DataError` unless at least two classes have two examples or more each."""
    counts = np.bincount(np.unique(np.asarray(y), return_inverse=True)[1])
    if len(counts) < 2 or counts.min() < 2:
        raise DataError(
            "the training split needs at least two examples of each of at least two classes; "
            f"class counts are {counts.tolist()}"
        )
    return StratifiedKFold(n_splits=min(cv_folds, int(counts.min())), shuffle=True, random_state=seed)


class LogisticProbe:
    """scikit-learn's LogisticRegression in a GridSearchCV: the reference for the default probe.

    Logistic regression whose C is chosen by stratified k-fold CV on training data.

    Parameters: ``Cs`` candidate inverse regularisation strengths, ``cv_folds`` the number of
    folds (fewer when a class is smaller), ``seed`` for fold shuffling and the solver,
    ``scaling`` one of :data:`SCALINGS` (default: ``maxabs`` for sparse input, else ``standard``).
    After :meth:`fit`: ``C_``, ``cv_accuracy_mean_``, ``cv_accuracy_std_`` and ``pipeline_``.
    """

    def __init__(
        self,
        Cs: Sequence[float] = DEFAULT_CS,
        cv_folds: int = 5,
        seed: int = 0,
        max_iter: int = 10_000,
        scaling: str | None = None,
        tol: float = 1e-6,
    ):
        self.Cs = Cs
        self.cv_folds = cv_folds
        self.seed = seed
        self.max_iter = max_iter
        self.scaling = scaling
        self.tol = tol

    def fit(self, X: np.ndarray | sp.csr_matrix, y: np.ndarray) -> LogisticProbe:
        """Choose C by CV on ``(X, y)`` and refit on all of it. Raises :class:`DataError` if a
        class has fewer than two training examples."""
        folds = cv_folds_for(y, self.cv_folds, self.seed)
        search = GridSearchCV(
            probe_pipeline(self.scaling or default_scaling(X), seed=self.seed, max_iter=self.max_iter, tol=self.tol),
            {"logistic__C": list(self.Cs)},
            cv=folds,
            scoring="accuracy",
            refit=True,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(X, y)
        best = search.best_index_
        self.C_ = float(search.best_params_["logistic__C"])
        self.cv_accuracy_mean_ = float(search.cv_results_["mean_test_score"][best])
        self.cv_accuracy_std_ = float(search.cv_results_["std_test_score"][best])
        self.pipeline_ = search.best_estimator_
        return self

    @property
    def classes_(self) -> np.ndarray:
        return self.pipeline_.classes_

    def predict(self, X: np.ndarray | sp.csr_matrix) -> np.ndarray:
        return self.pipeline_.predict(X)

    def predict_proba(self, X: np.ndarray | sp.csr_matrix) -> np.ndarray:
        return self.pipeline_.predict_proba(X)
