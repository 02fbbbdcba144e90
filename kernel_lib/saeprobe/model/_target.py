"""What a run reads, resolved once: the model's source and dimensions, how the model is prepared,
the cache root, the layers, their hook names and the settings with pooling and code pooling
decided. Every stage receives this object and never resolves its inputs again."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..config import SweepSettings, hook_name, parse_layers
from ..errors import SettingsError
from ..store import cache_root, load_model_dimensions, save_model_dimensions
from ._preparation import Preparation, resolve_preparation
from ._sources import ModelSource, default_pooling, model_dimensions, resolve_model


@dataclass(frozen=True)
class Target:
    """A resolved target: ``settings.pooling`` and ``settings.code_pooling`` are never ``None``
    here, and ``preparation`` says how the model is prepared (see :meth:`prepared_for`)."""

    source: ModelSource
    root: Path | None
    dims: dict[str, Any]
    layers: list[int]
    hook_names: dict[int, str]
    settings: SweepSettings
    preparation: Preparation = field(default_factory=Preparation)

    @property
    def pooling(self) -> str:
        """The pooling, decided by :func:`resolve_target`."""
        pooling = self.settings.pooling
        assert pooling is not None, "a resolved target's pooling is decided"
        return pooling

    @property
    def tokens_before_pooling(self) -> bool:
        """Whether SAE codes come from every token, pooled afterwards (with last pooling the one
        token is the pooled vector, so no token-level states are needed)."""
        return self.settings.code_pooling == "tokens" and self.pooling != "last"

    def prepared_for(self, sae_cfgs: Mapping[int, Mapping[str, Any]]) -> Target:
        """This target with the preparation the settings' ``processing`` and these SAEs'
        configurations ask for. Raises :class:`SAEError` when the SAEs disagree."""
        return replace(self, preparation=resolve_preparation(self.settings.processing, sae_cfgs))

    def load(self) -> Any:
        """The model, prepared."""
        return self.source.load(self.preparation)


def resolve_target(model: Any, settings: SweepSettings, cache_dir: str | Path | bool | None = None) -> Target:
    """Resolve model, cache root, layers, hook names, pooling and code pooling, without loading the
    model when its dimensions are cached; the preparation is that of ``processing`` with no SAEs
    (see :meth:`Target.prepared_for`). Raises :class:`ModelError`, :class:`LayerError` or
    :class:`SettingsError` (a device this machine lacks) on bad input."""
    check_device(settings.device)
    root = cache_root(cache_dir)  # first: the model's digest is remembered in the cache chosen
    source = resolve_model(model, revision=settings.revision, device=settings.device)
    dims = dimensions_of(source, root)
    layers = parse_layers(settings.layers, dims["n_layers"])
    names = {layer: hook_name(layer, settings.hook) for layer in layers}
    resolved = settings.replace(
        pooling=settings.pooling or default_pooling(dims), code_pooling=settings.code_pooling or "tokens"
    )
    return Target(source, root, dims, layers, names, resolved, resolve_preparation(settings.processing, {}))


def check_device(device: str) -> None:
    """Raise :class:`SettingsError` when this machine has no such torch device."""
    if device == "cpu":
        return
    import torch

    kind = device.split(":")[0]
    checks: dict[str, Callable[[], bool]] = {
        "cuda": torch.cuda.is_available,
        "mps": torch.backends.mps.is_available,
        "xpu": lambda: hasattr(torch, "xpu") and torch.xpu.is_available(),
    }
    if not checks[kind]():
        raise SettingsError(f"{{option}}={device!r}: this machine has no {kind} device; use cpu", option="device")


def dimensions_of(source: ModelSource, root: Path | None) -> dict[str, Any]:
    """The model's dimensions, read from the cache when recorded there, else from the model."""
    dims = None if root is None or source.is_loaded else load_model_dimensions(root, source.identity)
    if dims is None or "bidirectional" not in dims:
        dims = model_dimensions(source.load())
        if root is not None:
            save_model_dimensions(root, source.identity, dims)
    return dims
