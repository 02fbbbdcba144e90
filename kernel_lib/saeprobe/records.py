"""The typed records of a sweep result: one :class:`LayerEntry` per layer with its scores and its
diagnostics. They hold plain values only, so results, caches and the widget share them through
:mod:`saeprobe.jsonio` (the JSON Schema in ``schema/`` describes the same shapes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .preparation import Preparation

NAN = float("nan")


@dataclass
class Metrics:
    """One probe's figures: accuracies, test ROC-AUC (NaN where undefined), the cross-validation
    accuracy of the chosen C and that C (NaN for probes that choose none)."""

    train_accuracy: float
    test_accuracy: float
    test_auc: float
    cv_accuracy_mean: float = NAN
    cv_accuracy_std: float = NAN
    C: float = NAN


@dataclass
class Histogram:
    """Counts in integer-aligned bins: ``edges`` (n + 1, left-closed) and ``counts`` (n)."""

    edges: list[int]
    counts: list[int]


@dataclass
class Sparsity:
    """How the SAE code uses its features on this data, over ``rows`` (``all`` examples): L0 per
    example, how many distinct features fire (overall, on the training rows, per class), and the
    features firing on at least ``always_on_threshold`` of the examples."""

    n_features: int
    l0_mean: float
    l0_median: float
    l0_histogram: Histogram
    n_active_union: int
    n_active_union_train: int
    n_active_union_by_class: dict[str, int]
    always_on_threshold: float
    n_always_on: int
    always_on_ids: list[int]
    rows: str = "all"


@dataclass
class TokenSparsity:
    """The SAE's own view, over every token it encoded: how many tokens, L0 per token, and how many
    distinct features fire on any of them."""

    n_tokens: int
    l0_mean: float
    n_active_union: int
    rows: str = "tokens"


@dataclass
class EffectiveDimension:
    """Rank and participation ratio of a matrix's centred covariance spectrum."""

    rank: int
    participation_ratio: float


@dataclass
class Fidelity:
    """How well the SAE rebuilds the probed vectors over ``rows``: fraction of variance
    unexplained, mean cosine and mean relative error norm."""

    fvu: float
    cosine_mean: float
    relative_error: float
    rows: str = "all"


@dataclass
class Diagnostics:
    """The figures that explain a layer's probe gap. ``sparsity`` and ``fidelity`` are measured on
    the probed vectors (one per example), ``token_sparsity`` and ``token_fidelity`` on the tokens
    the SAE encoded (its own metric); ``effective_dimension`` has ``raw`` and ``sae``;
    ``features`` is the feature table (one dict per feature, sorted by class separation), computed
    on ``features_rows`` (the training rows, so it never reads a test label)."""

    sparsity: Sparsity
    effective_dimension: dict[str, EffectiveDimension]
    fidelity: Fidelity
    features: list[dict[str, Any]] = field(default_factory=list)
    features_rows: str = "train"
    token_sparsity: TokenSparsity | None = None
    token_fidelity: Fidelity | None = None


@dataclass
class SAEInfo:
    """Which SAE read a layer: where it came from, its architecture, widths and hook."""

    source: str
    architecture: str
    d_in: int
    d_sae: int
    hook_name: str | None = None
    neuronpedia_id: str | None = None


@dataclass
class RegimeRun:
    """Scores of the raw and SAE probes refitted under one regime (see :mod:`saeprobe.regimes`)."""

    regime: str
    value: float
    scores: dict[str, Metrics]


@dataclass
class Diagnosis:
    """Why the SAE probe does as well as raw at a layer, or why not (see :mod:`saeprobe.diagnosis`):
    ``label``, ``text`` (plain sentences with the numbers) and ``evidence`` (the figures read)."""

    label: str
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class LayerEntry:
    """Everything a sweep found at one layer: the probe ``scores`` per representation, how each
    baseline was built (``baselines``, chosen on the training rows), the regimes and, with an SAE,
    its description and ``diagnostics``, how the model was prepared for it (``preparation``), how
    many texts were longer than the context it was trained on (``n_beyond_context``) and the written
    ``diagnosis`` per SAE set (``sae`` for the one set of a sweep)."""

    layer: int
    hook_name: str
    scores: dict[str, Metrics]
    sae: SAEInfo | None = None
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)
    regimes: list[RegimeRun] = field(default_factory=list)
    diagnostics: Diagnostics | None = None
    preparation: Preparation | None = None
    n_beyond_context: int | None = None
    diagnosis: dict[str, Diagnosis] = field(default_factory=dict)
