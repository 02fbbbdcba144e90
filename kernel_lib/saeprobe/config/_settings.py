"""Every setting of a sweep, declared once.

:class:`SweepSettings` is the single definition of what a sweep can be told: the keyword arguments
of :func:`saeprobe.sweep`, the flags of ``saeprobe sweep``, the fields the server accepts, the
``settings`` of a result file and the parts of every cache key all come from its fields.
:class:`DataOptions` does the same for how a labelled file is read, and
:class:`SAETrainingSettings` for ``train_saes``. This module imports nothing heavy, so the server and
``saeprobe --help`` read it without torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import DataError, SAEError
from ._constraints import Contains, Each, Interval, NotBlank, OneOf, Pattern, Rule
from ._layers import check_layer_spec
from ._options import Options, option

POOLINGS = ("last", "mean", "max")
CODE_POOLINGS = ("tokens", "pooled")
PROCESSINGS = ("auto", "none", "hooked")
DUPLICATE_RULES = ("group", "ignore")
# auto: the data's own split, else a stratified one; sae-probes: that benchmark's split (saeprobe.data).
SPLITS = ("auto", "sae-probes")
# What results written before schema 1.2 kept under "split": how the split was made, not a setting.
LEGACY_SPLITS = ("given", "stratified")
PADDING_SIDES = ("left", "right")
ARCHITECTURES = ("topk", "standard")
SEED_LIMIT = 2**32 - 1
TEXT_SLOT = "{text}"
DEFAULT_CS = (0.001, 0.01, 0.1, 1.0, 10.0)
DEFAULT_TOP_KS = (1, 2, 5, 16, 64)
# The controls a sweep runs unless told otherwise (see docs/reference/diagnosis.md).
CONTROLS = ("shuffled_labels", "sae_random", "raw_random_k")
# The baselines beside raw and each SAE code; a sweep fits them all unless told otherwise.
BASELINES = ("pca_matched", "raw_topk", "sae_topk", "reconstruction")

# Groups: which stage an option belongs to. Cache keys are made of whole groups (see saeprobe.store).
TARGET = "target"  # what is read: layers, model revision (part of the model's identity)
EXTRACTION = "extraction"  # how hidden states are read and pooled: in the activation cache key
DIAGNOSTICS = "diagnostics"  # the explaining figures and baselines: in the result cache key
CODES = "codes"  # how SAE codes are made from the states: in the result cache key
PROBES = "probes"  # the probe fits: in the result cache key
REGIMES = "regimes"  # refits on altered training rows: in the result cache key
RUN = "run"  # how fast, not what: in no key
RESULT_GROUPS = (EXTRACTION, CODES, PROBES, DIAGNOSTICS, REGIMES)


HOOK_POINT = Pattern(
    r"(hook_)?[A-Za-z0-9_]+",
    "is not a hook point; give one such as 'resid_post', 'resid_pre' or 'mlp_out'",
    ("blocks.0.hook_resid_post", "resid post"),
)
DEVICE = Pattern(r"(cpu|cuda|mps|xpu)(:\d+)?", "is not a torch device; use cpu, cuda, cuda:1 or mps", ("gpu", "cuda:x"))
SEED = Interval(0, SEED_LIMIT, integer=True, note="a 32-bit unsigned integer")
NAME = NotBlank()


def template_problem(value: str) -> str | None:
    """What is wrong with a prompt template, or ``None``."""
    return TEMPLATE.problem(value)


TEMPLATE = Contains(
    TEXT_SLOT, f"has no {TEXT_SLOT} slot; write where the text goes, e.g. 'Review: \"{TEXT_SLOT}\"\\nSentiment:'"
)
# The form of a layer specification (what the model's depth does not decide): 'all', or layers and
# ranges separated by commas.
_LAYER_PART = r"-?\d+|\d+\s*-\s*\d+(?:\s*:\s*\d+)?"
LAYER_SPEC = Rule(
    check_layer_spec,
    "all, a layer, a range 0-5, every n-th layer 0-29:3, or a list of them 1,3,5",
    {"pattern": rf"^\s*(?:[Aa][Ll][Ll]|(?:\s*,)*\s*(?:{_LAYER_PART})(?:\s*,\s*(?:{_LAYER_PART})?)*)\s*$"},
    ("first", "1;2", ""),
)


@dataclass(frozen=True)
class SweepSettings(Options):
    """How a sweep reads, probes and explains; every field is checked on construction.

    Build it with keywords (``SweepSettings(pooling="mean")``), from a result file
    (``SweepSettings.from_dict(json.load(f)["settings"])``), or let :func:`saeprobe.sweep` build it
    from its keyword arguments.
    """

    layers: str | tuple[int, ...] = option(
        "all",
        "layers to sweep: all, a range 0-5, every third layer 0-29:3, or a list 1,3,5",
        kind="layers",
        group=TARGET,
        check=LAYER_SPEC,
    )
    revision: str | None = option(
        None,
        "model revision on the hub (branch, tag or commit)",
        kind="str",
        group=TARGET,
        optional=True,
        check=NAME,
    )
    hook: str = option(
        "resid_post",
        "hook point read at each layer, blocks.<layer>.hook_<hook>",
        kind="str",
        group=EXTRACTION,
        check=HOOK_POINT,
    )
    pooling: str | None = option(
        None,
        "how a text's token states become one vector (default: last for causal models, mean for encoders)",
        kind="choice",
        group=EXTRACTION,
        check=OneOf(POOLINGS),
        optional=True,
    )
    exclude_bos: bool = option(
        True, "leave a leading BOS/CLS token out of mean and max pooling", kind="bool", group=EXTRACTION
    )
    padding_side: str | None = option(
        None,
        "where padding goes in a batch (default: the tokenizer's)",
        kind="choice",
        group=EXTRACTION,
        check=OneOf(PADDING_SIDES),
        optional=True,
    )
    processing: str = option(
        "auto",
        "how the model is prepared: auto (as the SAEs' metadata says; none without SAEs), "
        "none (the raw Hugging Face stream) or hooked (HookedTransformer's weight processing)",
        kind="choice",
        group=TARGET,
        check=OneOf(PROCESSINGS),
    )
    code_pooling: str | None = option(
        None,
        "tokens: encode every real token, then pool the codes; pooled: encode the "
        "pooled vector (default: tokens; with last pooling the two are the same)",
        kind="choice",
        group=CODES,
        check=OneOf(CODE_POOLINGS),
        optional=True,
    )
    probe: str = option("logistic", "probe plugin (see `saeprobe plugins`)", kind="str", group=PROBES, check=NAME)
    probes: tuple[str, ...] = option(
        (),
        "more probe plugins fitted beside the probe on raw and on each SAE code, e.g. "
        "diffmean,pca,knn,mlp,xgboost; best adds the best of them (and the probe) by validation AUC on a fifth of "
        "the training rows, sae-probes' quiver of arrows",
        kind="words",
        group=PROBES,
        check=Each(NAME, sample="knn"),
    )
    Cs: tuple[float, ...] = option(
        DEFAULT_CS,
        "candidate inverse regularisation strengths, chosen by CV",
        kind="floats",
        group=PROBES,
        check=Each(Interval(0, 1e12, open_low=True), sample=1.0, non_empty=True),
    )
    cv_folds: int = option(
        5, "cross-validation folds on the training split", kind="int", group=PROBES, check=Interval(2, 50, integer=True)
    )
    test_size: float = option(
        0.3,
        "share of each class held out for testing (unless the data gives a split)",
        kind="float",
        group=PROBES,
        check=Interval(0, 1, open_low=True, open_high=True, example="0.3"),
    )
    split: str = option(
        "auto",
        "auto: the split the data gives, else a stratified one of test_size; sae-probes: sae-probes' own split "
        "(of the first 5,000 rows, 1,024 balanced training rows or all but 100, a balanced test set of the rest but "
        "one, seed 42), so scores sit beside its paper's",
        kind="choice",
        group=PROBES,
        check=OneOf(SPLITS),
    )
    seed: int = option(0, "seed of the split, the folds and the baselines", kind="int", group=PROBES, check=SEED)
    seeds: tuple[int, ...] = option(
        (),
        "repeat the split with each of these seeds, e.g. 0,1,2,3,4, and report each probe's test accuracy as a "
        "mean and standard deviation over them (ignored, with a warning, when the data gives its split)",
        kind="ints",
        group=PROBES,
        check=Each(SEED, sample=1),
    )
    duplicates: str = option(
        "group",
        "group: every copy of a repeated text goes to the same side of the split, so no "
        "test text was trained on; ignore: split rows as they come",
        kind="choice",
        group=PROBES,
        check=OneOf(DUPLICATE_RULES),
    )
    min_class_size: int = option(
        4,
        "refuse, before any forward pass, classes with fewer examples than this: too few "
        "to train, cross-validate and test a probe",
        kind="int",
        group=PROBES,
        check=Interval(2, 10**6, integer=True),
    )
    top_ks: tuple[int, ...] = option(
        DEFAULT_TOP_KS,
        "sizes of the top-k feature and neuron baselines",
        kind="ints",
        group=DIAGNOSTICS,
        check=Each(Interval(1, 10**7, integer=True), sample=1),
    )
    always_on_threshold: float = option(
        0.99,
        "a feature firing on at least this share of examples counts as always on",
        kind="float",
        group=DIAGNOSTICS,
        check=Interval(0, 1, open_low=True, example="0.99"),
    )
    bootstrap: int = option(
        1000,
        "resamples of the test rows behind every interval and paired comparison (0: none, and the diagnosis "
        "reads the point estimates alone)",
        kind="int",
        group=DIAGNOSTICS,
        check=Interval(0, 100_000, integer=True),
    )
    confidence: float = option(
        0.95,
        "how much of the resampled spread each interval covers",
        kind="float",
        group=DIAGNOSTICS,
        check=Interval(0.5, 1, open_high=True, example="0.95"),
    )
    controls: tuple[str, ...] = option(
        CONTROLS,
        "controls that must do worse than what they control for: shuffled_labels (the raw and SAE probes "
        "refitted on shuffled training labels), sae_random (a random SAE of each set's shape), raw_random_k "
        "(as many random raw directions as the set's features fire); none for no controls",
        kind="words",
        group=DIAGNOSTICS,
        check=Each(OneOf(CONTROLS), sample="sae_random"),
    )
    baselines: tuple[str, ...] = option(
        BASELINES,
        "baselines fitted beside raw and each SAE code: pca_matched (the states on as many principal components "
        "as the set's features fire), raw_topk and sae_topk (the K best neurons or features, K from top_ks), "
        "reconstruction (the SAE's reconstruction and its error term); none for none. The diagnosis names only "
        "causes whose baselines ran",
        kind="words",
        group=DIAGNOSTICS,
        check=Each(OneOf(BASELINES), sample="sae_topk"),
    )
    feature_table_size: int = option(
        200,
        "features kept per layer in the result's feature table",
        kind="int",
        group=DIAGNOSTICS,
        check=Interval(0, 10**7, integer=True),
    )
    train_sizes: tuple[int, ...] = option(
        (),
        "regime: refit on this many training rows, e.g. 16,64,256",
        kind="ints",
        group=REGIMES,
        check=Each(Interval(2, 10**9, integer=True), sample=16),
    )
    label_noise: tuple[float, ...] = option(
        (),
        "regime: flip this share of training labels, e.g. 0.1,0.3",
        kind="floats",
        group=REGIMES,
        check=Each(Interval(0, 1, open_high=True), sample=0.1),
    )
    imbalance: tuple[float, ...] = option(
        (),
        "regime: the last class makes up this share of training rows, e.g. 0.05",
        kind="floats",
        group=REGIMES,
        check=Each(Interval(0, 1, open_low=True, open_high=True), sample=0.1),
    )
    batch_size: int = option(
        16, "texts per forward batch", kind="int", group=RUN, check=Interval(1, 65536, integer=True)
    )
    device: str = option(
        "cpu", "torch device for the model, SAEs and probes, e.g. cuda", kind="str", group=RUN, check=DEVICE
    )
    threads: int = option(
        0,
        "layers whose SAE codes and probe fits run side by side, each on one thread (0: one per "
        "CPU core); results do not depend on it",
        kind="int",
        group=RUN,
        check=Interval(0, 4096, integer=True),
    )

    @classmethod
    def from_dict(cls, payload: Any) -> SweepSettings:
        """Settings from a mapping; also reads the ``settings`` of results written before schema 1.2
        (their ``split`` and ``saeprobe_version`` moved elsewhere, ``regimes`` became three fields)."""
        legacy = isinstance(payload, dict) and (
            {"saeprobe_version", "regimes"} & set(payload) or payload.get("split") in LEGACY_SPLITS
        )
        if legacy:
            payload = dict(payload)
            if payload.get("split") in LEGACY_SPLITS:
                payload.pop("split")
            payload.pop("saeprobe_version", None)
            if payload.get("test_size") is None:
                payload.pop("test_size", None)
            fields = {"train_size": "train_sizes", "label_noise": "label_noise", "imbalance": "imbalance"}
            for run in payload.pop("regimes", None) or []:
                name = fields[run["regime"]]
                value = int(run["value"]) if name == "train_sizes" else run["value"]
                payload[name] = [*payload.get(name, []), value]
        return super().from_dict(payload)

    def __post_init__(self) -> None:
        super().__post_init__()
        # One spelling per hook point, so 'hook_resid_post' and 'resid_post' share cache entries.
        object.__setattr__(self, "hook", self.hook.removeprefix("hook_"))


@dataclass(frozen=True)
class DataOptions(Options):
    """How a labelled table is read: which columns hold the text, the label and the split, and the
    prompt template each text is placed in."""

    error = DataError

    text_column: str = option("text", "column holding the texts", kind="str", group="data", check=NAME)
    label_column: str = option("label", "column holding the labels", kind="str", group="data", check=NAME)
    split_column: str | None = option(
        None,
        "column holding 'train'/'test' (default: a stratified split)",
        kind="str",
        group="data",
        optional=True,
        check=NAME,
    )
    template: str | None = option(
        None,
        "prompt around each text, with {text}; \\n in it means a new line",
        kind="str",
        group="data",
        optional=True,
        check=TEMPLATE,
    )


@dataclass(frozen=True)
class SAETrainingSettings(Options):
    """How each SAE is trained: ``architecture`` (``topk`` keeps the ``k`` largest features;
    ``standard`` is ReLU with an L1 penalty of ``l1_coefficient``), ``width`` (features),
    ``steps`` of ``batch_size`` token activations at learning rate ``lr``, on at most
    ``max_tokens`` tokens of which ``eval_share`` is held out for the L0 and FVU report."""

    error = SAEError

    architecture: str = option("topk", "SAE architecture", kind="choice", group="sae", check=OneOf(ARCHITECTURES))
    width: int = option(
        1536,
        "number of SAE features; the default is the SmolLM2 demo's (576-wide states), the MiniLM demo uses 512 "
        "for its 384-wide states",
        kind="int",
        group="sae",
        check=Interval(1, 10**8, integer=True),
    )
    k: int = option(
        16, "active features per token (topk)", kind="int", group="sae", check=Interval(1, 10**8, integer=True)
    )
    l1_coefficient: float = option(
        5.0, "L1 coefficient (standard)", kind="float", group="sae", flag="l1", check=Interval(0, 1e9)
    )
    steps: int = option(600, "training steps", kind="int", group="sae", check=Interval(1, 10**9, integer=True))
    batch_size: int = option(
        256, "token activations per training step", kind="int", group="sae", check=Interval(1, 10**7, integer=True)
    )
    lr: float = option(1e-3, "learning rate", kind="float", group="sae", check=Interval(0, 10, open_low=True))
    max_tokens: int = option(
        50_000, "most token activations to train on", kind="int", group="sae", check=Interval(1, 10**10, integer=True)
    )
    eval_share: float = option(
        0.1,
        "share of tokens held out for the L0 and FVU report",
        kind="float",
        group="sae",
        check=Interval(0, 1, open_low=True, open_high=True),
    )
    seed: int = option(0, "seed of the initialisation and the batches", kind="int", group="sae", check=SEED)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.architecture == "topk" and self.k > self.width:
            raise SAEError(f"{{option}}={self.k} must not exceed the width {self.width}", option="k")


def settings_with(settings: SweepSettings | None, options: dict[str, Any]) -> SweepSettings:
    """``settings`` (default: the defaults) with keyword ``options`` applied; unknown names are
    refused, naming the nearest option."""
    return (settings or SweepSettings()).replace(**options)
