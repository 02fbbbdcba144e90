"""How the model must be prepared for a set of SAEs: TransformerLens's weight processing and the
BOS token, as each SAE's SAELens metadata records them.

An SAE's ``metadata.model_from_pretrained_kwargs`` says how the model it was trained on was
loaded. Empty (SAEs of older SAELens versions, trained on ``HookedTransformer.from_pretrained``):
HookedTransformer's processing (``fold_ln``, ``center_writing_weights``, ``center_unembed``,
``fold_value_biases``). Non-empty (SAELens 6 writes ``{"center_writing_weights": false}`` by
default): ``HookedTransformer.from_pretrained_no_processing(**kwargs)``, as SAELens 6 loads it
for training and recommends for use. An SAE trained on a centred residual stream and read on the
raw one sees an extra component along the all-ones direction in every input, and its codes change
silently; so the sweep prepares the model the way the SAEs say (through TransformerBridge's
compatibility mode) and refuses to mix preparations within one SAE set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..config import PROCESSINGS
from ..errors import SAEError

# HookedTransformer.from_pretrained's processing defaults, which SAELens's loader starts from.
HOOKED_DEFAULTS = {
    "fold_ln": True,
    "center_writing_weights": True,
    "center_unembed": True,
    "fold_value_biases": True,
    "refactor_factored_attn_matrices": False,
}


@dataclass(frozen=True)
class Preparation:
    """TransformerLens weight processing (all off: the raw Hugging Face stream) and whether to
    prepend a BOS token (``None``: the model's default)."""

    fold_ln: bool = False
    center_writing_weights: bool = False
    center_unembed: bool = False
    fold_value_biases: bool = False
    refactor_factored_attn_matrices: bool = False
    prepend_bos: bool | None = None

    @property
    def processed(self) -> bool:
        """Whether any weight processing applies."""
        return any(getattr(self, name) for name in HOOKED_DEFAULTS)

    @property
    def processing(self) -> dict[str, bool]:
        """The weight-processing keywords of ``TransformerBridge.enable_compatibility_mode``."""
        return {name: getattr(self, name) for name in HOOKED_DEFAULTS}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """A short text: which processing applies, and the BOS rule."""
        steps = [name for name in HOOKED_DEFAULTS if getattr(self, name)]
        bos = "" if self.prepend_bos is None else f"; prepend_bos={self.prepend_bos}"
        return (", ".join(steps) if steps else "none (the raw Hugging Face stream)") + bos


def preparation_of(cfg: Mapping[str, Any]) -> Preparation:
    """The preparation an SAE's SAELens configuration (``cfg.json`` as a dict) asks for: with no
    ``metadata.model_from_pretrained_kwargs``, HookedTransformer's default processing; with some,
    no processing but what they turn on; and its ``metadata.prepend_bos``."""
    metadata = cfg.get("metadata") or {}
    keywords = metadata.get("model_from_pretrained_kwargs") or {}
    if not isinstance(keywords, Mapping):
        raise SAEError(
            f"the SAE's metadata.model_from_pretrained_kwargs is {keywords!r}, not a mapping; fix its cfg.json"
        )
    flags = dict(HOOKED_DEFAULTS) if not keywords else dict.fromkeys(HOOKED_DEFAULTS, False)
    flags.update({name: bool(keywords[name]) for name in HOOKED_DEFAULTS if name in keywords})
    prepend_bos = metadata.get("prepend_bos")
    return Preparation(**flags, prepend_bos=None if prepend_bos is None else bool(prepend_bos))


def resolve_preparation(processing: str, sae_cfgs: Mapping[int, Mapping[str, Any]]) -> Preparation:
    """The one preparation for a sweep: ``none`` (the raw stream), ``hooked`` (HookedTransformer's
    defaults) or ``auto`` (what the SAEs' metadata says; none without SAEs). Raises
    :class:`SAEError` naming the layers when the SAEs of one set disagree."""
    if processing == "none":
        return Preparation()
    if processing == "hooked":
        return Preparation(**HOOKED_DEFAULTS)
    if processing != "auto":
        raise SAEError(f"unknown processing {processing!r}; use one of {PROCESSINGS}")
    found: dict[Preparation, list[int]] = {}
    for layer, cfg in sorted(sae_cfgs.items()):
        found.setdefault(preparation_of(cfg), []).append(layer)
    if len(found) > 1:
        variants = "; ".join(f"layers {layers}: {prep.describe()}" for prep, layers in found.items())
        raise SAEError(
            f"the SAEs of one set were trained on differently prepared models ({variants}); sweep them as "
            "separate sets or with separate sweeps, or force one preparation with processing='none' or 'hooked'"
        )
    return next(iter(found), Preparation())
