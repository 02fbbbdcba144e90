"""What a run reads, resolved once: the model's source and dimensions, the cache root, the layers,
their hook names and the settings with the pooling decided. Every stage receives this object and
never resolves its inputs again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import cache_root, load_model_dimensions, save_model_dimensions
from .errors import SettingsError
from .layers import hook_name, parse_layers
from .models import ModelSource, default_pooling, model_dimensions, resolve_model
from .settings import SweepSettings


@dataclass(frozen=True)
class Target:
    """A resolved target: ``settings.pooling`` is never ``None`` here."""

    source: ModelSource
    root: Path | None
    dims: dict[str, Any]
    layers: list[int]
    hook_names: dict[int, str]
    settings: SweepSettings

    @property
    def pooling(self) -> str:
        return self.settings.pooling


def resolve_target(model: Any, settings: SweepSettings, cache_dir: str | Path | bool | None = None) -> Target:
    """Resolve model, cache root, layers, hook names and pooling, without loading the model when its
    dimensions are cached. Raises :class:`ModelError`, :class:`LayerError` or
    :class:`SettingsError` (a device this machine lacks) on bad input."""
    check_device(settings.device)
    source = resolve_model(model, revision=settings.revision, device=settings.device)
    root = cache_root(cache_dir)
    dims = dimensions_of(source, root)
    layers = parse_layers(settings.layers, dims["n_layers"])
    names = {layer: hook_name(layer, settings.hook) for layer in layers}
    resolved = settings if settings.pooling else settings.replace(pooling=default_pooling(dims))
    return Target(source, root, dims, layers, names, resolved)


def check_device(device: str) -> None:
    """Raise :class:`SettingsError` when this machine has no such torch device."""
    if device == "cpu":
        return
    import torch

    kind = device.split(":")[0]
    available = {"cuda": torch.cuda.is_available, "mps": torch.backends.mps.is_available,
                 "xpu": lambda: hasattr(torch, "xpu") and torch.xpu.is_available()}[kind]()
    if not available:
        raise SettingsError(f"{{option}}={device!r}: this machine has no {kind} device; use cpu", option="device")


def dimensions_of(source: ModelSource, root: Path | None) -> dict[str, Any]:
    """The model's dimensions, read from the cache when recorded there, else from the model."""
    dims = None if root is None or source.is_loaded else load_model_dimensions(root, source.identity)
    if dims is None or "bidirectional" not in dims:
        dims = model_dimensions(source.load())
        if root is not None:
            save_model_dimensions(root, source.identity, dims)
    return dims
