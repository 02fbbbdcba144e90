"""The typed records of a sweep result: one :class:`LayerEntry` per layer with its scores and its
diagnostics, and the names its representations carry. They hold plain values only, so results,
caches and the widget share them through :mod:`saeprobe.store` (the JSON Schema in
``sweeps/schema/`` describes the same shapes)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from .model import Preparation

NAN = float("nan")
# The SAE set of a bare ``saes=SPEC``: its representations carry no set name.
DEFAULT_SET = "sae"
# The representation kinds every SAE set gets, before its name is attached.
SET_KINDS = ("sae", "pca_matched", "sae_reconstruction", "sae_error")
# The controls, representations that must do worse than what they control for: the raw and
# SAE probes refitted on shuffled training labels, a random SAE of the set's shape, and random raw
# directions as many as the set's features that fire.
CONTROL_KINDS = ("raw_shuffled", "sae_shuffled", "sae_random", "raw_random_k")
# Representation kinds of a set whose names do not start with "sae".
_SET_KINDS_OF_RAW_STATES = ("pca_matched", "raw_random_k")
# Joins a representation's kind to the probe plugin that read it, when that is not the sweep's own
# probe: ``raw@knn``, ``sae@diffmean:task``.
PROBE_MARK = "@"
# The probe of the ``probes`` setting that is no plugin: the best of the others by validation AUC.
BEST_PROBE = "best"


def representation_name(kind: str, set_name: str) -> str:
    """The representation ``kind`` (``sae``, ``sae_topk_5``, ``pca_matched``, ...) of a set."""
    return kind if set_name == DEFAULT_SET else f"{kind}:{set_name}"


def split_representation(name: str) -> tuple[str, str | None]:
    """``(kind, set name)`` of a representation; the set is ``None`` for representations of the
    raw states that belong to no set (``raw``, ``raw_topk_K``, ``raw_shuffled``)."""
    kind, sep, set_name = name.partition(":")
    if sep:
        return kind, set_name
    if kind in _SET_KINDS_OF_RAW_STATES or kind.startswith("sae"):
        return kind, DEFAULT_SET
    return kind, None


def with_probe(name: str, probe: str) -> str:
    """Representation ``name`` read by the probe plugin ``probe`` instead of the sweep's own:
    ``raw`` → ``raw@knn``, ``sae:task`` → ``sae@knn:task``."""
    kind, sep, set_name = name.partition(":")
    return f"{kind}{PROBE_MARK}{probe}{sep}{set_name}"


def probe_of(name: str) -> tuple[str, str | None]:
    """``(representation, probe)`` of a score's name: the probe that :func:`with_probe` joined, or
    ``None`` for the sweep's own probe."""
    kind, sep, set_name = name.partition(":")
    base, mark, probe = kind.partition(PROBE_MARK)
    return (f"{base}{sep}{set_name}", probe) if mark else (name, None)


class _ReadLikeADict:
    """Item access to a record's fields, as ``result.model["name"]`` read the mapping a result held
    before 0.4; deprecated, removed in 0.5."""

    def __getitem__(self, key: str) -> Any:
        warnings.warn(
            f"{type(self).__name__} is a record since saeprobe 0.4: read .{key} instead of [{key!r}] "
            "(item access goes in 0.5)",
            DeprecationWarning,
            stacklevel=2,
        )
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


@dataclass(kw_only=True)
class ModelInfo(_ReadLikeADict):
    """The model a sweep read: its name (hub name or resolved local path), content identity (what
    the caches key on), hub revision, and dimensions; ``bidirectional`` for an encoder; ``label``
    the name as headers show it (an embedded model's own name, a folder as the user would type it)."""

    name: str
    identity: str
    label: str | None = None
    revision: str | None = None
    n_layers: int
    d_model: int
    n_ctx: int
    bidirectional: bool = False


@dataclass(kw_only=True)
class DatasetInfo(_ReadLikeADict):
    """The labelled data a sweep read: its name, size, prompt template, the content hash of the
    prompts, how many texts were cut to fit the context, and its split (``given`` by a split
    column, ``stratified``, or ``sae-probes``: that benchmark's own) with the rows that repeat a text."""

    name: str
    n_examples: int
    template: str | None = None
    fingerprint: str
    n_truncated: int
    split: str = "stratified"
    n_duplicates: int = 0
    n_test_seen_in_train: int = 0


@dataclass
class Metrics:
    """One probe's figures: accuracies, test ROC-AUC (NaN where undefined), the cross-validation
    accuracy of the chosen C and that C (NaN for probes that choose none), and the bootstrap
    interval of the test accuracy and of the test AUC over the test rows (``_low``, ``_high``; NaN
    where none was computed); with repeated splits (the ``seeds`` setting), the mean and standard
    deviation of the test accuracy over them (``split_accuracy_*``; NaN without)."""

    train_accuracy: float
    test_accuracy: float
    test_auc: float
    cv_accuracy_mean: float = NAN
    cv_accuracy_std: float = NAN
    C: float = NAN
    test_accuracy_low: float = NAN
    test_accuracy_high: float = NAN
    test_auc_low: float = NAN
    test_auc_high: float = NAN
    split_accuracy_mean: float = NAN
    split_accuracy_std: float = NAN


@dataclass
class Comparison:
    """Two representations' probes compared on the same test rows: ``gap`` is the ``reference``'s
    test accuracy minus the ``other``'s, ``low`` and ``high`` its paired bootstrap interval (the
    same resamples for both) covering ``confidence``, ``spread`` the resamples' standard deviation,
    ``p_value`` McNemar's exact two-sided test of the rows one probe gets right and the other
    wrong, and ``n_test`` the test rows."""

    reference: str
    other: str
    gap: float
    low: float
    high: float
    spread: float
    p_value: float
    n_test: int
    confidence: float = 0.95


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
    """Which SAE read a layer: where it came from, its architecture, widths and hook; for a
    transcoder the hook its reconstruction is measured against (``hook_name_out``); and what a
    reader should know of how it is read (``notes``: a loading that differs from its training, a
    model preparation its metadata leaves open)."""

    source: str
    architecture: str
    d_in: int
    d_sae: int
    hook_name: str | None = None
    neuronpedia_id: str | None = None
    hook_name_out: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class RegimeRun:
    """Scores of the raw and SAE probes refitted under one regime (see :mod:`saeprobe.probe`).
    Under ``covariate_shift`` the probes are the standard ones, trained on the training split as
    always, and tested on every row of another dataset (``test_data``, its name; ``value``, its
    rows): scores of their own, never mixed with the test split's."""

    regime: str
    value: float
    scores: dict[str, Metrics]
    test_data: str | None = None


@dataclass
class Diagnosis:
    """Why the SAE probe does as well as raw at a layer, or why not (see :mod:`saeprobe.explain`):
    ``label``, ``text`` (plain sentences with the numbers) and ``evidence`` (the figures read)."""

    label: str
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class SAESetLayer:
    """One SAE set at one layer: which SAE read it, the figures that explain its probe gap, how the
    model was prepared for it (``preparation``) and how many texts were longer than the context
    the SAE was trained on (``n_beyond_context``; ``None`` when its metadata names no context);
    with the ``sae_random`` control, the same figures for the random SAE of its shape
    (``random_diagnostics``, without a feature table)."""

    sae: SAEInfo
    diagnostics: Diagnostics
    preparation: Preparation | None = None
    n_beyond_context: int | None = None
    random_diagnostics: Diagnostics | None = None


@dataclass
class LayerEntry:
    """Everything a sweep found at one layer: the probe ``scores`` per representation, how each
    baseline was built (``baselines``, chosen on the training rows), the regimes, each SAE set's
    SAE and diagnostics (``saes``, by set name; ``sae`` for a sweep's one unnamed set), how the
    model was prepared for the raw states (``preparation``), the written ``diagnosis`` per SAE
    set, the paired ``comparisons`` of the representations' test accuracies, and ``warnings``: what
    the controls caught (a probe on shuffled labels above chance); ``split_seeds`` are the seeds of
    the repeated splits behind the metrics' ``split_accuracy_*`` (empty without)."""

    layer: int
    hook_name: str
    scores: dict[str, Metrics]
    saes: dict[str, SAESetLayer] = field(default_factory=dict)
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)
    regimes: list[RegimeRun] = field(default_factory=list)
    preparation: Preparation | None = None
    diagnosis: dict[str, Diagnosis] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    split_seeds: list[int] = field(default_factory=list)

    def comparison(self, reference: str, other: str) -> Comparison | None:
        """The paired comparison of ``reference`` with ``other`` at this layer, if it was made."""
        return next((c for c in self.comparisons if c.reference == reference and c.other == other), None)

    def sae_set(self, name: str | None = None) -> SAESetLayer | None:
        """The SAE set ``name`` at this layer; without a name the layer's only set (``None`` when it
        has none). Raises ``KeyError`` naming the sets when ``name`` is not one, or when no name is
        given and there are several."""
        if name is None:
            if len(self.saes) > 1:
                raise KeyError(f"layer {self.layer} has the SAE sets {sorted(self.saes)}; name one")
            return next(iter(self.saes.values()), None)
        if name not in self.saes:
            raise KeyError(f"layer {self.layer} has no SAE set {name!r}; it has {sorted(self.saes)}")
        return self.saes[name]

    @property
    def sae(self) -> SAEInfo | None:
        """The SAE of the layer's only SAE set (see :meth:`sae_set`)."""
        found = self.sae_set()
        return found.sae if found is not None else None

    @property
    def diagnostics(self) -> Diagnostics | None:
        """The diagnostics of the layer's only SAE set (see :meth:`sae_set`)."""
        found = self.sae_set()
        return found.diagnostics if found is not None else None
