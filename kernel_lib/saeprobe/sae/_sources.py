"""SAE sources: SAELens SAEs resolved for layers (from directories, releases, objects or plugins)
and checked against the model.

An SAE saved on disk is described from its ``cfg.json`` and identified by the hash of its files,
without loading it: a sweep whose layers are all cached needs neither the SAE nor torch. The
weights load on first use, once.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import split_hook_name
from ..errors import SAEError
from ..records import SAEInfo
from ..store import directory_digest
from ._architectures import check_architecture, check_fields, output_hook, reading_notes

CFG_FILE = "cfg.json"
# SAELens's advice on loading the model for an SAE with model metadata: saeprobe prepares the model
# from that same metadata (see saeprobe.model.Preparation), so the advice is silenced where SAEs are made.
SAELENS_LOADING_ADVICE = r"(?s).*non-empty model_from_pretrained_kwargs"  # the message starts with a newline
WEIGHTS_FILE = "sae_weights.safetensors"


@contextmanager
def saelens_advice_silenced() -> Iterator[None]:
    """While open, SAEs are made without SAELens's advice on loading their model (see above)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=SAELENS_LOADING_ADVICE)
        yield


@dataclass
class LayerSAE:
    """An SAE assigned to a layer: where it came from, its configuration (SAELens's ``cfg.json``
    as a dict), its content identity, and the SAE itself, loaded on first use."""

    layer: int
    source: str
    cfg: dict[str, Any]
    identity: str
    loader: Callable[[], Any] = field(repr=False)
    _sae: Any = field(default=None, repr=False)

    @property
    def sae(self) -> Any:
        """The SAELens SAE (loaded once, see :meth:`load`)."""
        return self.load()

    def load(self) -> Any:
        """Load the SAE once and check that its weights are finite. Raises :class:`SAEError`
        naming the SAE when its files cannot be read or its weights hold NaN or infinity."""
        if self._sae is None:
            sae = self.loader()
            _check_finite(sae, self.source)
            self._sae = sae
        return self._sae

    @property
    def metadata(self) -> dict[str, Any]:
        return self.cfg.get("metadata") or {}

    @property
    def hook_name(self) -> str | None:
        return self.metadata.get("hook_name") or self.cfg.get("hook_name")

    @property
    def d_in(self) -> int:
        return int(self.cfg["d_in"])

    @property
    def d_sae(self) -> int:
        return int(self.cfg["d_sae"])

    @property
    def d_out(self) -> int:
        """The width of what it rebuilds: ``d_in`` for an SAE, a transcoder's ``d_out``."""
        return int(self.cfg.get("d_out") or self.cfg["d_in"])

    def describe(self) -> SAEInfo:
        """Source, architecture, widths, hooks, Neuronpedia id and the notes on how it is read."""
        return SAEInfo(
            source=self.source,
            architecture=str(self.cfg.get("architecture", "standard")),
            d_in=self.d_in,
            d_sae=self.d_sae,
            hook_name=self.hook_name,
            neuronpedia_id=self.metadata.get("neuronpedia_id"),
            hook_name_out=output_hook(self.cfg),
            notes=reading_notes(self.cfg),
        )


def from_object(layer: int, sae: Any, source: str | None = None) -> LayerSAE:
    """A :class:`LayerSAE` for an SAE object already in memory (identified by its weights)."""
    _check_finite(sae, source or type(sae).__name__)
    cfg = json.loads(json.dumps(sae.cfg.to_dict(), default=str))
    cfg.setdefault("architecture", sae.cfg.architecture())
    return LayerSAE(layer, source or f"object:{type(sae).__name__}", cfg, _hash_sae(sae), loader=lambda: sae, _sae=sae)


def from_directory(layer: int | None, path: Path) -> LayerSAE:
    """A :class:`LayerSAE` for an SAE saved in SAELens format, read from ``cfg.json`` only; the
    weights load on first use. Raises :class:`SAEError` for an unreadable configuration."""
    path = Path(path).expanduser().resolve()
    try:
        cfg = json.loads((path / CFG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SAEError(
            f"cannot read {str(path / CFG_FILE)!r}: {exc}; save the SAE again with sae.save_model(dir)"
        ) from None
    if not isinstance(cfg, dict) or not {"d_in", "d_sae"} <= set(cfg):
        raise SAEError(
            f"{str(path / CFG_FILE)!r} is not a SAELens SAE configuration (no d_in / d_sae); save it with "
            "sae.save_model(dir)"
        )
    check_fields(cfg, str(path / CFG_FILE))
    check_architecture(cfg, str(path / CFG_FILE))
    weights = path / WEIGHTS_FILE
    if not weights.is_file() or weights.stat().st_size == 0:
        raise SAEError(
            f"the SAE in {str(path)!r} has {'an empty' if weights.is_file() else 'no'} {WEIGHTS_FILE}; "
            "save the SAE again with sae.save_model(dir)"
        )

    def load() -> Any:
        from sae_lens import SAE

        try:
            with saelens_advice_silenced():
                return SAE.load_from_disk(path)
        except Exception as exc:  # SAELens and safetensors raise many kinds for a damaged file
            raise SAEError(
                f"cannot load the SAE in {str(path)!r}: {type(exc).__name__}: {str(exc)[:300]}; its weights file is "
                "missing or damaged: save the SAE again with sae.save_model(dir)"
            ) from None

    entry = LayerSAE(layer if layer is not None else -1, str(path), cfg, directory_digest(path), loader=load)
    return _with_layer(entry) if layer is None else entry


def resolve_saes(
    saes: Any, layers: list[int], expected_hooks: dict[int, str], d_model: int, n_layers: int | None = None
) -> dict[int, LayerSAE]:
    """Assign an SAE to each of ``layers`` and check width and hook against the model.

    ``saes`` is a SAELens release name, a directory holding one SAELens SAE (``cfg.json`` +
    weights) or sub-directories of them, an SAE object, or a mapping ``{layer: SAE | path |
    (release, sae_id)}``. SAEs given without a layer are matched by their hook name. Raises
    :class:`SAEError` when a layer has no SAE, or an SAE's ``d_in`` or hook does not fit; given
    the model's ``n_layers``, it suggests only layers the model has.
    """
    if isinstance(saes, Mapping):
        assigned = {int(layer): _one(int(layer), value) for layer, value in saes.items()}
    else:
        assigned = _match_by_hook(_unassigned(saes, expected_hooks))
    missing = [layer for layer in layers if layer not in assigned]
    if missing:
        have = sorted(assigned)
        beyond = [layer for layer in have if n_layers is not None and not 0 <= layer < n_layers]
        usable = [layer for layer in have if layer not in beyond]
        lacking = (
            f"; the SAEs for layer(s) {beyond} read hooks this model lacks (its layers are 0-{n_layers - 1}), "
            "so they belong to another model"
            if beyond and n_layers is not None
            else ""
        )
        fix = f"sweep only those (layers={','.join(map(str, usable))})" if usable else "give SAEs of this model"
        raise SAEError(
            f"no SAE for layer(s) {missing} (hook {expected_hooks[missing[0]]!r}); the SAEs given "
            f"cover layers {usable or 'none'}{lacking}; {fix} or add SAEs for the others"
        )
    for layer in layers:
        _check_fits(assigned[layer], expected_hooks[layer], d_model)
    return {layer: assigned[layer] for layer in layers}


def _check_fits(entry: LayerSAE, expected_hook: str, d_model: int) -> None:
    check_architecture(entry.cfg, entry.source)
    if entry.d_in != d_model:
        raise SAEError(
            f"SAE {entry.source!r} for layer {entry.layer} has d_in={entry.d_in} but the model's width is "
            f"{d_model}; use SAEs trained on this model"
        )
    if entry.hook_name is not None and entry.hook_name != expected_hook:
        _, point = split_hook_name(entry.hook_name)
        raise SAEError(
            f"SAE {entry.source!r} was trained on {entry.hook_name!r} but layer {entry.layer} is read "
            f"at {expected_hook!r}; pass hook={point.removeprefix('hook_')!r} or an SAE for that hook"
        )


def _one(layer: int | None, value: Any) -> LayerSAE:
    if isinstance(value, LayerSAE):
        return value
    if hasattr(value, "cfg") and hasattr(value, "encode"):
        entry = from_object(-1, value)
    elif isinstance(value, tuple) and len(value) == 2:
        release, sae_id = value
        entry = from_object(-1, _from_release(release, sae_id), f"{release}/{sae_id}")
    elif isinstance(value, (str, Path)) and (Path(value).expanduser() / CFG_FILE).is_file():
        return from_directory(layer, Path(value))
    else:
        raise SAEError(
            f"cannot use {value!r} as an SAE; give a SAELens SAE, a directory with {CFG_FILE} and "
            "sae_weights.safetensors, or a (release, sae_id) pair"
        )
    if layer is None:
        return _with_layer(entry)
    entry.layer = layer
    return entry


def _with_layer(entry: LayerSAE) -> LayerSAE:
    """``entry`` assigned to the layer its hook name reads."""
    if entry.hook_name is None:
        raise SAEError(f"SAE {entry.source!r} names no hook; pass it in a mapping {{layer: sae}}")
    entry.layer = split_hook_name(entry.hook_name)[0]
    return entry


def _unassigned(saes: Any, expected_hooks: dict[int, str]) -> list[LayerSAE]:
    if isinstance(saes, (str, Path)):
        from ..plugins import require

        # The plugin protocol: LayerSAE objects, or (SAE, source) pairs.
        found = require("saes", str(saes)).load(str(saes), expected_hooks)
        return [item if isinstance(item, LayerSAE) else _with_layer(from_object(-1, *item)) for item in found]
    if isinstance(saes, (list, tuple)):
        return [_one(None, value) for value in saes]
    return [_one(None, saes)]


def _match_by_hook(loaded: list[LayerSAE]) -> dict[int, LayerSAE]:
    assigned: dict[int, LayerSAE] = {}
    for entry in loaded:
        if entry.layer in assigned:
            raise SAEError(
                f"two SAEs read layer {entry.layer}: {assigned[entry.layer].source!r} and {entry.source!r}; keep "
                "one, or pass a mapping {layer: sae}"
            )
        assigned[entry.layer] = entry
    return assigned


class SAELensDirectories:
    """A directory holding one SAELens SAE (cfg.json + weights) or sub-directories of them."""

    def matches(self, spec: str) -> bool:
        return Path(spec).expanduser().is_dir()

    def load(self, spec: str, expected_hooks: dict[int, str]) -> list[LayerSAE]:
        path = Path(spec).expanduser()
        if (path / CFG_FILE).is_file():
            return [from_directory(None, path)]
        found = sorted(p for p in path.iterdir() if (p / CFG_FILE).is_file())
        if not found:
            raise SAEError(
                f"directory {str(path)!r} holds no SAELens SAE: expected {CFG_FILE} in it or in "
                "its sub-directories (save SAEs with sae.save_model(dir))"
            )
        return [from_directory(None, p) for p in found]


class SAELensReleases:
    """Pretrained SAEs of SAELens's registry, by release name (downloaded from the hub)."""

    def matches(self, spec: str) -> bool:
        from sae_lens.loading.pretrained_saes_directory import get_pretrained_saes_directory

        return spec in get_pretrained_saes_directory()

    def load(self, spec: str, expected_hooks: dict[int, str]) -> list[tuple[Any, str]]:
        from sae_lens.loading.pretrained_saes_directory import get_pretrained_saes_directory

        entry = get_pretrained_saes_directory()[spec]
        wanted = set(expected_hooks.values())
        ids = [sae_id for sae_id in entry.saes_map if sae_id in wanted]
        if not ids:
            raise SAEError(
                f"release {spec!r} has no SAE whose id is one of the hooks {sorted(wanted)}; its ids "
                f"are {list(entry.saes_map)[:10]}; pass a mapping {{layer: (release, sae_id)}}"
            )
        return [(_from_release(spec, sae_id), f"{spec}/{sae_id}") for sae_id in ids]


SAELENS_DIRECTORIES = SAELensDirectories()
SAELENS_RELEASES = SAELensReleases()


def _from_release(release: str, sae_id: str) -> Any:
    from sae_lens import SAE

    try:
        return SAE.from_pretrained(release, sae_id)
    except (OSError, ValueError) as exc:
        raise SAEError(
            f"could not load SAE {sae_id!r} of release {release!r}: {exc}. Without a reachable hub, "
            "save SAEs in SAELens format and pass their directory"
        ) from exc


def _check_finite(sae: Any, source: str) -> None:
    import torch

    for name, tensor in sae.state_dict().items():
        if not bool(torch.isfinite(tensor).all()):
            raise SAEError(
                f"the SAE {source!r} has NaN or infinite values in {name!r}; it cannot encode anything "
                "meaningful: retrain it or use another"
            )


def _hash_sae(sae: Any) -> str:
    import torch

    digest = hashlib.sha256(json.dumps(sae.cfg.to_dict(), sort_keys=True, default=str).encode())
    for name, tensor in sorted(sae.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:32]
