"""SAE codes: resolve SAELens SAEs for layers, check them against the model, encode sparsely."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from .errors import SAEError
from .layers import split_hook_name

CFG_FILE = "cfg.json"


@dataclass
class LayerSAE:
    """An SAE assigned to a layer, with where it came from."""

    layer: int
    sae: Any
    source: str

    @property
    def hook_name(self) -> str | None:
        return self.sae.cfg.metadata.hook_name

    @property
    def d_sae(self) -> int:
        return int(self.sae.cfg.d_sae)

    @property
    def identity(self) -> str:
        """A hash of the SAE's configuration and weights (for result caches)."""
        digest = hashlib.sha256(json.dumps(self.sae.cfg.to_dict(), sort_keys=True, default=str).encode())
        for name, tensor in sorted(self.sae.state_dict().items()):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
        return digest.hexdigest()[:32]

    def describe(self) -> dict[str, Any]:
        """JSON-able summary: source, architecture, width and hook."""
        return {
            "source": self.source,
            "architecture": self.sae.cfg.architecture(),
            "d_in": int(self.sae.cfg.d_in),
            "d_sae": self.d_sae,
            "hook_name": self.hook_name,
            "neuronpedia_id": self.sae.cfg.metadata.neuronpedia_id,
        }


def resolve_saes(saes: Any, layers: list[int], expected_hooks: dict[int, str], d_model: int) -> dict[int, LayerSAE]:
    """Assign an SAE to each of ``layers`` and check width and hook against the model.

    ``saes`` is a SAELens release name, a directory holding one SAELens SAE (``cfg.json`` +
    weights) or sub-directories of them, an SAE object, or a mapping ``{layer: SAE | path |
    (release, sae_id)}``. SAEs given without a layer are matched by their hook name. Raises
    :class:`SAEError` when a layer has no SAE, or an SAE's ``d_in`` or hook does not fit.
    """
    if isinstance(saes, Mapping):
        assigned = {int(layer): _load_one(value) for layer, value in saes.items()}
    else:
        assigned = _match_by_hook(_load_unassigned(saes, expected_hooks), layers)
    missing = [layer for layer in layers if layer not in assigned]
    if missing:
        have = sorted(assigned)
        raise SAEError(
            f"no SAE for layer(s) {missing} (hook {expected_hooks[missing[0]]!r}); the SAEs given "
            f"cover layers {have}; sweep only those (layers={','.join(map(str, have)) or 'none'}) "
            "or add SAEs for the others"
        )
    result = {}
    for layer in layers:
        sae, source = assigned[layer]
        entry = LayerSAE(layer, sae, source)
        _check_fits(entry, expected_hooks[layer], d_model)
        result[layer] = entry
    return result


def encode(saes: Any, activations: Mapping[int, np.ndarray], batch_size: int = 1024) -> dict[int, sp.csr_matrix]:
    """Sparse SAE codes ``{layer: csr [n_examples, d_sae]}`` of pooled activations.

    ``saes`` maps layers to SAE objects (or :class:`LayerSAE`); with an
    :class:`~saeprobe.ActivationSet` it may also be anything :func:`resolve_saes` accepts (a
    directory, a release, ...), matched to the set's layers and hooks. Layers without an SAE
    are left out. Raises :class:`SAEError` if an SAE's ``d_in`` differs from the activation width.
    """
    if not _is_layer_mapping(saes):
        hooks = getattr(activations, "hook_names", None)
        if hooks is None:
            raise SAEError("encode() needs {layer: SAE} unless the activations come from saeprobe.extract()")
        width = next(iter(activations.values())).shape[1]
        saes = resolve_saes(saes, list(activations), dict(hooks), width)
    codes = {}
    for layer, matrix in activations.items():
        if layer not in saes:
            continue
        sae = getattr(saes[layer], "sae", saes[layer])
        if int(sae.cfg.d_in) != matrix.shape[1]:
            raise SAEError(
                f"SAE for layer {layer} reads width {sae.cfg.d_in} but the activations have width "
                f"{matrix.shape[1]}; use an SAE trained on this model's layer {layer}"
            )
        dtype = next(sae.parameters()).dtype
        device = next(sae.parameters()).device
        blocks = []
        with torch.no_grad():
            for start in range(0, matrix.shape[0], batch_size):
                x = torch.as_tensor(matrix[start : start + batch_size], dtype=dtype, device=device)
                blocks.append(sp.csr_matrix(sae.encode(x).float().cpu().numpy()))
        codes[layer] = sp.vstack(blocks, format="csr")
    return codes


def reconstruct(sae: LayerSAE | Any, codes: sp.csr_matrix, batch_size: int = 1024) -> np.ndarray:
    """The SAE's reconstruction (``decode``) of activations from their sparse ``codes``."""
    model = getattr(sae, "sae", sae)
    parameter = next(model.parameters())
    blocks = []
    with torch.no_grad():
        for start in range(0, codes.shape[0], batch_size):
            dense = torch.as_tensor(codes[start : start + batch_size].toarray(), dtype=parameter.dtype, device=parameter.device)
            blocks.append(model.decode(dense).float().cpu().numpy())
    return np.concatenate(blocks)


def _is_layer_mapping(saes: Any) -> bool:
    return isinstance(saes, Mapping) and all(hasattr(v, "cfg") or isinstance(v, LayerSAE) for v in saes.values())


def _check_fits(entry: LayerSAE, expected_hook: str, d_model: int) -> None:
    d_in = int(entry.sae.cfg.d_in)
    if d_in != d_model:
        raise SAEError(
            f"SAE {entry.source!r} for layer {entry.layer} has d_in={d_in} but the model's width is "
            f"{d_model}; use SAEs trained on this model"
        )
    if entry.hook_name is not None and entry.hook_name != expected_hook:
        _, point = split_hook_name(entry.hook_name)
        raise SAEError(
            f"SAE {entry.source!r} was trained on {entry.hook_name!r} but layer {entry.layer} is read "
            f"at {expected_hook!r}; pass hook={point.removeprefix('hook_')!r} or an SAE for that hook"
        )


def _load_one(value: Any) -> tuple[Any, str]:
    from sae_lens import SAE

    if isinstance(value, SAE):
        return value, f"object:{type(value).__name__}"
    if isinstance(value, tuple) and len(value) == 2:
        release, sae_id = value
        return _from_release(release, sae_id), f"{release}/{sae_id}"
    if isinstance(value, (str, Path)) and (Path(value).expanduser() / CFG_FILE).is_file():
        path = Path(value).expanduser().resolve()
        return SAE.load_from_disk(path), str(path)
    raise SAEError(
        f"cannot use {value!r} as an SAE; give a SAELens SAE, a directory with {CFG_FILE} and "
        "sae_weights.safetensors, or a (release, sae_id) pair"
    )


def _load_unassigned(saes: Any, expected_hooks: dict[int, str]) -> list[tuple[Any, str]]:
    if isinstance(saes, (str, Path)):
        from .plugins import matching

        source = matching("saes", str(saes))
        if source is None:
            raise SAEError(
                f"{str(saes)!r} is neither a directory nor a SAELens release; give a directory of SAEs "
                "saved in SAELens format, a release name, or a source from `saeprobe plugins`"
            )
        return source.load(str(saes), expected_hooks)
    if isinstance(saes, (list, tuple)):
        return [_load_one(value) for value in saes]
    return [_load_one(saes)]


class SAELensDirectories:
    """A directory holding one SAELens SAE (cfg.json + weights) or sub-directories of them."""

    def matches(self, spec: str) -> bool:
        return Path(spec).expanduser().is_dir()

    def load(self, spec: str, expected_hooks: dict[int, str]) -> list[tuple[Any, str]]:
        path = Path(spec).expanduser()
        if (path / CFG_FILE).is_file():
            return [_load_one(path)]
        found = sorted(p for p in path.iterdir() if (p / CFG_FILE).is_file())
        if not found:
            raise SAEError(
                f"directory {str(path)!r} holds no SAELens SAE: expected {CFG_FILE} in it or in "
                "its sub-directories (save SAEs with sae.save_model(dir))"
            )
        return [_load_one(p) for p in found]


class SAELensReleases:
    """Pretrained SAEs of SAELens's registry, by release name (downloaded from the hub)."""

    def matches(self, spec: str) -> bool:
        from sae_lens.loading.pretrained_saes_directory import get_pretrained_saes_directory

        return spec in get_pretrained_saes_directory()

    def load(self, spec: str, expected_hooks: dict[int, str]) -> list[tuple[Any, str]]:
        return _load_release(spec, expected_hooks)


SAELENS_DIRECTORIES = SAELensDirectories()
SAELENS_RELEASES = SAELensReleases()


def _match_by_hook(loaded: list[tuple[Any, str]], layers: list[int]) -> dict[int, tuple[Any, str]]:
    assigned: dict[int, tuple[Any, str]] = {}
    for sae, source in loaded:
        name = sae.cfg.metadata.hook_name
        if name is None:
            raise SAEError(f"SAE {source!r} names no hook; pass it in a mapping {{layer: sae}}")
        layer, _ = split_hook_name(name)
        if layer in assigned:
            raise SAEError(
                f"two SAEs read layer {layer}: {assigned[layer][1]!r} and {source!r}; keep one, or "
                "pass a mapping {layer: sae}"
            )
        assigned[layer] = (sae, source)
    return assigned


def _load_release(release: str, expected_hooks: dict[int, str]) -> list[tuple[Any, str]]:
    from sae_lens.loading.pretrained_saes_directory import get_pretrained_saes_directory

    entry = get_pretrained_saes_directory()[release]
    wanted = set(expected_hooks.values())
    ids = [sae_id for sae_id in entry.saes_map if sae_id in wanted]
    if not ids:
        raise SAEError(
            f"release {release!r} has no SAE whose id is one of the hooks {sorted(wanted)}; its ids "
            f"are {list(entry.saes_map)[:10]}; pass a mapping {{layer: (release, sae_id)}}"
        )
    return [(_from_release(release, sae_id), f"{release}/{sae_id}") for sae_id in ids]


def _from_release(release: str, sae_id: str) -> Any:
    from sae_lens import SAE

    try:
        return SAE.from_pretrained(release, sae_id)
    except (OSError, ValueError) as exc:
        raise SAEError(
            f"could not load SAE {sae_id!r} of release {release!r}: {exc}. Without a reachable hub, "
            "save SAEs in SAELens format and pass their directory"
        ) from exc
