"""The SAELens architectures a sweep reads, what is refused before any forward pass, and what a
reader should know about how an SAE is read: a loading that differs from the training (BatchTopK
read as JumpReLU), a transcoder's two hooks, a model preparation its metadata leaves open."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import SAEError
from ..model import HOOKED_DEFAULTS

# Architectures whose code of one hidden-state vector is that vector's alone (SAELens's
# ``cfg.architecture()`` names), so any pooled vector or token can be encoded.
SAES = ("standard", "topk", "abstopk", "jumprelu", "gated", "matching_pursuit")
# Transcoders: they encode one hook (the input, where the sweep reads the states) and rebuild
# another (``metadata.hook_name_out``), against which fidelity and the error term are measured.
TRANSCODERS = ("transcoder", "skip_transcoder", "jumprelu_transcoder", "jumprelu_skip_transcoder")
ARCHITECTURES = SAES + TRANSCODERS
# Known architectures a sweep cannot read, and why.
REFUSED = {
    "temporal": "it encodes a token from the tokens before it, so one hidden-state vector has no code of its own",
}
# What a training architecture becomes on loading, when SAELens saves it as another.
READ_AS = {
    "batchtopk": "BatchTopK",
    "matryoshka_batchtopk": "Matryoshka BatchTopK",
}


def architecture_of(cfg: Mapping[str, Any]) -> str:
    """The architecture a SAELens configuration names (``standard`` when it names none)."""
    return str(cfg.get("architecture") or "standard")


def check_architecture(cfg: Mapping[str, Any], source: str) -> None:
    """Raise :class:`SAEError` naming the architecture of the SAE ``source`` when a sweep cannot
    read it: one it refuses (with the reason), one it does not know (with those it reads), or a
    transcoder that names no output hook."""
    architecture = architecture_of(cfg)
    if architecture in REFUSED:
        raise SAEError(
            f"SAE {source!r} is a {architecture} SAE, which saeprobe cannot probe: {REFUSED[architecture]}; use an "
            f"SAE of another architecture ({', '.join(ARCHITECTURES)})"
        )
    if architecture not in ARCHITECTURES:
        raise SAEError(
            f"SAE {source!r} has architecture {architecture!r} (its cfg.json field 'architecture'), which saeprobe "
            "does not know how to read; it reads "
            f"{', '.join(ARCHITECTURES)}. An SAE plugin may convert it to one of these"
        )
    if architecture in TRANSCODERS and not output_hook(cfg):
        raise SAEError(
            f"the {architecture} {source!r} names no output hook (metadata.hook_name_out), so what it rebuilds cannot "
            "be compared with anything; add hook_name_out (e.g. 'blocks.3.hook_mlp_out') to its cfg.json metadata"
        )


def check_fields(cfg: Mapping[str, Any], source: str) -> None:
    """Raise :class:`SAEError` naming the cfg.json field of the SAE ``source`` that cannot be right:
    a width (``d_in``, ``d_sae``) that is no whole number above 0, a ``k`` outside 1 … ``d_sae``,
    or metadata of the wrong type (``prepend_bos`` and the model's processing flags must be true
    or false, ``context_size`` a whole number above 0)."""

    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    for name in ("d_in", "d_sae"):
        if not whole(cfg.get(name)) or cfg[name] < 1:
            raise SAEError(
                f"SAE {source!r}: its cfg.json field {name!r} is {cfg.get(name)!r}; it must be a whole number above 0 "
                "(the SAE's width); fix the file or save the SAE again with sae.save_model(dir)"
            )
    k = cfg.get("k")
    if k is not None and (not whole(k) or not 1 <= k <= cfg["d_sae"]):
        raise SAEError(
            f"SAE {source!r}: its cfg.json field 'k' is {k!r}; it must be a whole number from 1 to d_sae "
            f"({cfg['d_sae']}), the features kept per example"
        )
    metadata = cfg.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise SAEError(f"SAE {source!r}: its cfg.json field 'metadata' is {metadata!r}, not a mapping")
    # The flags the model's preparation reads as true or false (see saeprobe.model.preparation_of).
    keywords = metadata.get("model_from_pretrained_kwargs") or {}
    flags = {"prepend_bos": metadata.get("prepend_bos")}
    if isinstance(keywords, Mapping):
        flags.update({f"model_from_pretrained_kwargs.{name}": keywords.get(name) for name in HOOKED_DEFAULTS})
    for name, value in flags.items():
        if value is not None and not isinstance(value, bool):
            raise SAEError(
                f"SAE {source!r}: its cfg.json field 'metadata.{name}' is {value!r}; it must be true or false"
            )
    context = metadata.get("context_size")
    if context is not None and (not whole(context) or context < 1):
        raise SAEError(
            f"SAE {source!r}: its cfg.json field 'metadata.context_size' is {context!r}; it must be a whole number "
            "of tokens above 0 (or left out)"
        )


def is_transcoder(cfg: Mapping[str, Any]) -> bool:
    """Whether the SAE rebuilds another hook than the one it encodes."""
    return architecture_of(cfg) in TRANSCODERS


def output_hook(cfg: Mapping[str, Any]) -> str | None:
    """A transcoder's output hook (``metadata.hook_name_out``), else ``None``."""
    metadata = cfg.get("metadata") or {}
    return metadata.get("hook_name_out") or cfg.get("hook_name_out") or None


def reading_notes(cfg: Mapping[str, Any]) -> list[str]:
    """What a reader of the result should know about how this SAE is read: a loading that differs
    from its training, a transcoder's hooks, and a model preparation its metadata leaves open."""
    notes = []
    metadata = cfg.get("metadata") or {}
    architecture = architecture_of(cfg)
    trained = metadata.get("training_architecture")
    if trained and trained != architecture:
        details = metadata.get("training_architecture_details") or {}
        name = READ_AS.get(trained, trained)
        if trained in READ_AS and architecture == "jumprelu":
            widths = details.get("matryoshka_widths")
            nested = f", nested widths {widths}" if widths else ""
            notes.append(
                f"Trained as {name} (k = {details.get('k', '?')} features per example on average over a "
                f"batch{nested}), read as JumpReLU with the threshold learned in training, as SAELens loads it: "
                "each example's L0 varies around k instead of equalling it."
            )
        else:
            notes.append(f"Trained as {name}, read as {architecture}, as SAELens loads it.")
    if architecture in TRANSCODERS:
        notes.append(
            f"A transcoder: its codes are read at {metadata.get('hook_name') or cfg.get('hook_name')!r} (its input, "
            f"where the probes read the states); its reconstruction, fidelity and error term are measured against "
            f"{output_hook(cfg)!r} (its output)."
        )
    ambiguity = preparation_ambiguity(cfg)
    if ambiguity:
        notes.append(ambiguity)
    return notes


def preparation_ambiguity(cfg: Mapping[str, Any]) -> str | None:
    """The warning for an SAE whose metadata records training with SAELens 6 or later and no
    ``model_from_pretrained_kwargs``: read, by SAELens's convention for older releases, as trained on
    HookedTransformer's processed stream, though SAELens 6 outside its runner trains on the raw one
    and writes the same metadata. ``None`` when the metadata is not ambiguous."""
    metadata = cfg.get("metadata") or {}
    version = str(metadata.get("sae_lens_training_version") or "")
    major = version.split(".")[0]
    if not major.isdigit() or int(major) < 6 or metadata.get("model_from_pretrained_kwargs"):
        return None
    return (
        f"Its metadata records training with SAELens {version} and no model_from_pretrained_kwargs: with "
        "processing='auto' it is read as trained on HookedTransformer's processed stream (fold_ln, "
        "center_writing_weights, center_unembed; SAELens's convention for older releases), but an SAE trained with "
        "SAELens 6 outside its runner, on the raw stream, records the same. If that is how it was trained, pass "
        "processing='none' (--processing none); processing='hooked' states the assumption and silences this."
    )
