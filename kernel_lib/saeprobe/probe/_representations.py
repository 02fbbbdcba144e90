"""The feature matrices a layer is probed on: raw, SAE codes, and baselines matched to them.

Every choice a baseline makes (PCA size, which features or neurons) is made on the training rows
only, and recorded so it can be shown and checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA

from ..config import BASELINES, DEFAULT_TOP_KS
from ..explain import firing_counts, separation
from ..records import representation_name
from ._controls import random_directions


@dataclass
class LayerRepresentations:
    """``matrices[name]`` is probed as representation ``name``; ``choices[name]`` says how it was
    built; ``scaling[name]`` overrides the probe's default feature scaling."""

    matrices: dict[str, np.ndarray | sp.csr_matrix] = field(default_factory=dict)
    choices: dict[str, dict[str, Any]] = field(default_factory=dict)
    scaling: dict[str, str] = field(default_factory=dict)


class SetCodes(Protocol):
    """What a set contributes at a layer: its sparse codes, their reconstruction, the states the
    SAE read when they differ from the raw states (``None`` when they are the same), and a
    transcoder's output states, which its reconstruction rebuilds (``None`` for an SAE)."""

    codes: sp.csr_matrix
    reconstruction: np.ndarray
    states: np.ndarray | None
    outputs: np.ndarray | None


def top_k_columns(matrix: np.ndarray | sp.csr_matrix, y: np.ndarray, n_classes: int, k: int) -> np.ndarray:
    """The ``k`` columns with the largest class-mean spread measured on the scale the probe sees
    them at (ties: lower index first): dense columns in standard deviations (as standardised),
    sparse codes relative to their largest magnitude (as max-abs scaled). Ranking on raw units would
    favour whichever dimensions happen to be large."""
    scores = separation(matrix, y, n_classes) / column_scale(matrix)
    return np.lexsort((np.arange(len(scores)), -scores))[:k]


def column_scale(matrix: np.ndarray | sp.csr_matrix) -> np.ndarray:
    """Each column's scale as the probe's scaler sets it: the standard deviation of a dense column,
    the largest magnitude of a sparse one; 1 where that is 0 (a constant column)."""
    if sp.issparse(matrix):
        scale = np.asarray(abs(matrix).max(axis=0).todense()).ravel()
    else:
        scale = np.asarray(matrix, dtype=np.float64).std(axis=0)
    return np.where(scale > 0, scale, 1.0)


def build_representations(
    raw: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    n_classes: int,
    sets: Mapping[str, SetCodes] | None = None,
    top_ks: Sequence[int] = DEFAULT_TOP_KS,
    seed: int = 0,
    random_codes: Mapping[str, SetCodes] | None = None,
    controls: Sequence[str] = (),
    baselines: Sequence[str] = BASELINES,
) -> LayerRepresentations:
    """Assemble ``raw``, ``raw_topk_{k}`` and, for each SAE set of ``sets`` (its codes and their
    reconstruction, by set name), ``sae``, ``sae_topk_{k}``, ``pca_matched`` (the states the SAE
    read on k principal components, k = the number of the set's features active on the training
    rows), ``sae_reconstruction`` and ``sae_error`` (those states minus the reconstruction), named
    for the set (see :func:`saeprobe.records.representation_name`). Top-k sets only exist for k
    smaller than the width they select from. With the ``raw_random_k`` control, each set also gets
    ``raw_random_k`` (those states on k random directions); with ``random_codes`` (the codes of a
    random SAE of the set's shape, by set name), ``sae_random``. Only the ``baselines`` named
    (``pca_matched``, ``raw_topk``, ``sae_topk``, ``reconstruction``: the reconstruction and the
    error) are built."""
    built = LayerRepresentations()
    built.matrices["raw"] = raw
    if "raw_topk" in baselines:
        _add_top_ks(built, raw, y, train, n_classes, top_ks, "raw_topk", None)
    for set_name, found in (sets or {}).items():
        codes = sp.csr_matrix(found.codes)
        states = found.states if found.states is not None else raw
        name = partial(representation_name, set_name=set_name)
        built.matrices[name("sae")] = codes
        n_active = int(np.count_nonzero(firing_counts(codes[train])))
        k = max(1, min(n_active, states.shape[1], int(train.sum())))
        if "pca_matched" in baselines:
            pca = PCA(n_components=k, random_state=seed).fit(states[train])
            # One common scale (mean component variance 1) so the C grid means the same as elsewhere.
            built.matrices[name("pca_matched")] = pca.transform(states) / np.sqrt(pca.explained_variance_.mean())
            # At the training rows (or the width), PCA keeps every direction the training rows
            # span: the baseline is the raw states rotated and tests nothing.
            capped_by = "the training rows" if k == int(train.sum()) else "the width" if k == states.shape[1] else None
            built.choices[name("pca_matched")] = {
                "k": k,
                "n_active_union_train": n_active,
                "degenerate": capped_by is not None,
                "capped_by": capped_by,
            }
            # Keep the spectrum: standardising would give the near-empty tail components unit variance.
            built.scaling[name("pca_matched")] = "center"
        if "sae_topk" in baselines:
            _add_top_ks(built, codes, y, train, n_classes, top_ks, "sae_topk", set_name)
        if "reconstruction" in baselines:
            built.matrices[name("sae_reconstruction")] = found.reconstruction
            rebuilt = found.outputs if found.outputs is not None else states
            built.matrices[name("sae_error")] = rebuilt - found.reconstruction
        if "raw_random_k" in controls:
            built.matrices[name("raw_random_k")] = random_directions(states, k, train, seed)
            built.choices[name("raw_random_k")] = {"k": k, "seed": seed}
        if random_codes and set_name in random_codes:
            built.matrices[name("sae_random")] = sp.csr_matrix(random_codes[set_name].codes)
            built.choices[name("sae_random")] = {"seed": seed}
    return built


def _add_top_ks(
    built: LayerRepresentations,
    matrix: np.ndarray | sp.csr_matrix,
    y: np.ndarray,
    train: np.ndarray,
    n_classes: int,
    top_ks: Sequence[int],
    kind: str,
    set_name: str | None,
) -> None:
    """The ``kind_K`` baselines (``raw_topk_K`` of the raw states, ``sae_topk_K`` of a set's codes)
    for each K below the matrix's width."""
    for k in top_ks:
        if k >= matrix.shape[1]:
            continue
        name = f"{kind}_{k}" if set_name is None else representation_name(f"{kind}_{k}", set_name)
        columns = top_k_columns(matrix[train], y[train], n_classes, k)
        built.matrices[name] = matrix[:, columns]
        built.choices[name] = {"columns": columns.tolist()}
