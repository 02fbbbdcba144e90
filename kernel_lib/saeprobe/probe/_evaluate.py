"""Fitting a probe plugin on the training rows and scoring it: accuracies, ROC-AUC and what the
probe chose."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score

from .._threads import one_thread
from ..config import SweepSettings
from ..plugins import require
from ..records import Metrics

METRICS = ("train_accuracy", "test_accuracy", "test_auc", "cv_accuracy_mean", "cv_accuracy_std", "C")


def probe_factory(settings: SweepSettings, name: str | None = None) -> Callable[..., Any]:
    """The probe plugin ``name`` (default ``settings.probe``) with its keywords bound: ``Cs``,
    ``cv_folds``, ``seed`` and, for plugins that take one, the ``device``."""
    probe_class = require("probes", name or settings.probe)
    options: dict[str, Any] = {"Cs": settings.Cs, "cv_folds": settings.cv_folds, "seed": settings.seed}
    if "device" in inspect.signature(probe_class).parameters:
        options["device"] = settings.device
    return partial(probe_class, **options)


def roc_auc(y: np.ndarray, proba: np.ndarray, labels: np.ndarray) -> float:
    """ROC-AUC: of the positive class for two classes, macro one-vs-rest for more.

    Returns NaN when ``y`` holds a single class, where the AUC is undefined.
    """
    if len(np.unique(y)) < 2:
        return float("nan")
    if proba.shape[1] == 2:
        return float(roc_auc_score(y, proba[:, 1]))
    present = np.isin(labels, np.unique(y))
    if not present.all():
        # A test split missing a class: score over the classes it has, renormalised.
        proba = proba[:, present] / proba[:, present].sum(axis=1, keepdims=True)
        labels = labels[present]
        if len(labels) == 2:
            return float(roc_auc_score(y == labels[1], proba[:, 1]))
    return float(roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=labels))


@dataclass
class ProbeAnswers:
    """A fitted probe's answers on the test rows: its class probabilities ``proba``
    ``[n_test, n_classes]`` over ``labels`` (its classes), and which rows it got right."""

    proba: np.ndarray
    labels: np.ndarray
    correct: np.ndarray


def evaluate_probe(
    probe: Any, X: np.ndarray | sp.csr_matrix, y: np.ndarray, train: np.ndarray, test: np.ndarray
) -> Metrics:
    """Fit ``probe`` on the training rows and report the metrics of :data:`METRICS`. The fit and
    the predictions run on one CPU thread (see :func:`saeprobe._threads.one_thread`)."""
    return fit_and_score(probe, X, y, train, test)[0]


def fit_and_score(
    probe: Any, X: np.ndarray | sp.csr_matrix, y: np.ndarray, train: np.ndarray, test: np.ndarray
) -> tuple[Metrics, ProbeAnswers]:
    """As :func:`evaluate_probe`, with the probe's answers on the test rows, from which the
    bootstrap intervals and the paired comparisons are made."""
    with one_thread():
        probe.fit(X[train], y[train])
        predicted = probe.predict(X[train])
    return score_fitted(probe, X[test], y[test], float(np.mean(y[train] == predicted)))


def score_fitted(
    probe: Any, X_test: np.ndarray | sp.csr_matrix, y_test: np.ndarray, train_accuracy: float
) -> tuple[Metrics, ProbeAnswers]:
    """The metrics of an already fitted ``probe`` on test rows ``(X_test, y_test)``, with its
    ``train_accuracy`` as measured at the fit, and its answers on those rows."""
    with one_thread():
        proba = probe.predict_proba(X_test)
    labels = probe.classes_
    correct = y_test == labels[proba.argmax(axis=1)]
    metrics = Metrics(
        train_accuracy=train_accuracy,
        test_accuracy=float(np.mean(correct)),
        test_auc=roc_auc(y_test, proba, labels),
        # Plugin probes need not choose C by cross-validation; what they lack is reported as NaN.
        cv_accuracy_mean=float(getattr(probe, "cv_accuracy_mean_", float("nan"))),
        cv_accuracy_std=float(getattr(probe, "cv_accuracy_std_", float("nan"))),
        C=float(getattr(probe, "C_", float("nan"))),
    )
    return metrics, ProbeAnswers(proba, labels, correct)
