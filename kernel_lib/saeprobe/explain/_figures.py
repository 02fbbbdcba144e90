"""Per-layer figures that explain a probe gap: sparsity, effective dimension, fidelity, features.

All functions take the matrices of one layer (rows are examples) and return plain dicts or
DataFrames of JSON-able values, computed on exactly the data given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..records import EffectiveDimension, Fidelity, Histogram, Sparsity

NEURONPEDIA = "https://www.neuronpedia.org"


def firing_counts(codes: sp.csr_matrix) -> np.ndarray:
    """How many rows each feature is non-zero on."""
    codes = sp.csr_matrix(codes)
    codes.eliminate_zeros()
    return np.bincount(codes.indices, minlength=codes.shape[1])


def sparsity(
    codes: sp.csr_matrix, y: np.ndarray, classes: Sequence[Any], train: np.ndarray, always_on_threshold: float = 0.99
) -> Sparsity:
    """On all rows: L0 per example (mean, median, histogram), distinct features firing overall and
    per class, and the always-on features (firing on at least ``always_on_threshold`` of the rows);
    also the distinct features firing on the ``train`` rows, which sizes the ``pca_matched`` baseline."""
    codes = sp.csr_matrix(codes)
    codes.eliminate_zeros()
    l0 = np.diff(codes.indptr)
    counts = firing_counts(codes)
    always_on = np.flatnonzero(counts >= always_on_threshold * codes.shape[0])
    by_class = {str(cls): int(np.count_nonzero(firing_counts(codes[y == i]))) for i, cls in enumerate(classes)}
    return Sparsity(
        n_features=int(codes.shape[1]),
        l0_mean=float(l0.mean()),
        l0_median=float(np.median(l0)),
        l0_histogram=l0_histogram(l0),
        n_active_union=int(np.count_nonzero(counts)),
        n_active_union_train=int(np.count_nonzero(firing_counts(codes[train]))),
        n_active_union_by_class=by_class,
        always_on_threshold=always_on_threshold,
        n_always_on=len(always_on),
        always_on_ids=always_on.tolist(),
        rows="all",
    )


def l0_histogram(l0: np.ndarray, max_bins: int = 30) -> Histogram:
    """Counts of L0 values in integer-aligned bins: ``edges`` (n+1, left-closed) and ``counts`` (n)."""
    top = int(l0.max()) + 1
    width = max(1, -(-top // max_bins))
    edges = np.arange(0, top + width, width)
    counts, _ = np.histogram(l0, bins=edges)
    return Histogram(edges=edges.astype(int).tolist(), counts=counts.astype(int).tolist())


def effective_dimension(matrix: np.ndarray | sp.csr_matrix) -> EffectiveDimension:
    """Rank and participation ratio ``(Σλ)² / Σλ²`` of the centred matrix's covariance spectrum.

    Sparse matrices are reduced to their non-zero columns first, which changes neither figure.
    """
    if sp.issparse(matrix):
        used = np.flatnonzero(firing_counts(matrix))
        matrix = matrix[:, used].toarray()
    dense = np.asarray(matrix, dtype=np.float64)
    if dense.shape[1] == 0:
        return EffectiveDimension(rank=0, participation_ratio=0.0)
    singular = np.linalg.svd(dense - dense.mean(axis=0), compute_uv=False)
    tolerance = singular.max(initial=0.0) * max(dense.shape) * np.finfo(np.float64).eps
    eigen = singular**2
    ratio = float(eigen.sum() ** 2 / (eigen**2).sum()) if eigen.sum() > 0 else 0.0
    return EffectiveDimension(rank=int(np.count_nonzero(singular > tolerance)), participation_ratio=ratio)


def fidelity(activations: np.ndarray, reconstruction: np.ndarray) -> Fidelity:
    """How well the SAE rebuilds these activations: fraction of variance unexplained, mean cosine
    between activation and reconstruction, and mean relative error norm ``‖x − x̂‖ / ‖x‖``."""
    x = np.asarray(activations, dtype=np.float64)
    x_hat = np.asarray(reconstruction, dtype=np.float64)
    error = x - x_hat
    fvu = float((error**2).sum() / ((x - x.mean(axis=0)) ** 2).sum())
    norms = np.linalg.norm(x, axis=1)
    hat_norms = np.linalg.norm(x_hat, axis=1)
    both = (norms > 0) & (hat_norms > 0)
    cosine = (x[both] * x_hat[both]).sum(axis=1) / (norms[both] * hat_norms[both])
    relative = np.linalg.norm(error[norms > 0], axis=1) / norms[norms > 0]
    return Fidelity(
        fvu=fvu,
        cosine_mean=float(cosine.mean()) if both.any() else 0.0,
        relative_error=float(relative.mean()),
        rows="all",
    )


def class_means(matrix: np.ndarray | sp.csr_matrix, y: np.ndarray, n_classes: int) -> np.ndarray:
    """Mean of every column within each class: ``[n_classes, n_columns]``."""
    rows = []
    for cls in range(n_classes):
        members = matrix[y == cls]
        rows.append(np.asarray(members.mean(axis=0)).ravel() if members.shape[0] else np.zeros(matrix.shape[1]))
    return np.vstack(rows)


def separation(matrix: np.ndarray | sp.csr_matrix, y: np.ndarray, n_classes: int) -> np.ndarray:
    """Per column, the spread of class means (largest minus smallest); the absolute class-mean
    difference for two classes."""
    means = class_means(matrix, y, n_classes)
    return means.max(axis=0) - means.min(axis=0)


def feature_table(
    codes: sp.csr_matrix,
    y: np.ndarray,
    classes: Sequence[Any],
    neuronpedia_id: str | None = None,
    top_n: int | None = None,
) -> pd.DataFrame:
    """One row per feature active on ``codes``: per-class firing rate and mean activation,
    separation score and Neuronpedia URL (when known), sorted by separation, the first ``top_n``."""
    codes = sp.csr_matrix(codes)
    codes.eliminate_zeros()
    active = np.flatnonzero(firing_counts(codes))
    n_classes = len(classes)
    fires = codes[:, active].copy()
    fires.data = np.ones_like(fires.data)
    rates = class_means(fires, y, n_classes)
    means = class_means(codes[:, active], y, n_classes)
    scores = means.max(axis=0) - means.min(axis=0)
    order = np.lexsort((active, -scores))[: top_n if top_n is not None else None]
    # Every column at once: one per class inserted one by one fragments the frame (pandas warns
    # from about 50 classes on).
    columns: dict[str, Any] = {"feature": active[order], "separation": scores[order]}
    columns.update({f"firing_rate:{cls}": rates[i, order] for i, cls in enumerate(classes)})
    columns.update({f"mean_activation:{cls}": means[i, order] for i, cls in enumerate(classes)})
    columns["neuronpedia_url"] = [
        f"{NEURONPEDIA}/{neuronpedia_id}/{feature}" if neuronpedia_id else None for feature in active[order]
    ]
    return pd.DataFrame(columns)
