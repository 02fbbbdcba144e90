"""Plugins: model loaders, SAE sources, datasets and probes, found through Python entry points.

saeprobe's own are registered the same way (see ``pyproject.toml``), so a third-party package adds
one by declaring an entry point in one of :data:`GROUPS`; nothing here needs to change.

- ``saeprobe.models``: an object with ``matches(spec) -> bool``, ``source(spec, revision) ->
  (name, identity)`` and ``load(name, revision, device) -> TransformerLens model``;
- ``saeprobe.saes``: ``matches(spec) -> bool`` and ``load(spec, expected_hooks) -> [(sae, source)]``;
- ``saeprobe.datasets``: ``matches(spec) -> bool`` and ``load(spec, **options) -> ProbeDataset``;
- ``saeprobe.probes``: a scikit-learn-style classifier class taking ``Cs``, ``cv_folds``, ``seed``
  and ``scaling`` keywords, with ``fit``, ``predict`` and ``predict_proba``.

Plugins are tried in name order, saeprobe's fallbacks (``huggingface``, ``files``) last.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

import pandas as pd

from .errors import SaeprobeError

GROUPS = {"models": "saeprobe.models", "saes": "saeprobe.saes", "datasets": "saeprobe.datasets", "probes": "saeprobe.probes"}
FALLBACKS = {"huggingface", "files", "saelens-release"}


@dataclass(frozen=True)
class PluginInfo:
    kind: str
    name: str
    description: str
    source: str
    error: str | None = None


@lru_cache(maxsize=None)
def _discover(kind: str) -> tuple[dict[str, Any], tuple[PluginInfo, ...]]:
    loaded, infos = {}, []
    for point in sorted(entry_points(group=GROUPS[kind]), key=lambda p: p.name):
        dist = f"{point.dist.name} {point.dist.version}" if point.dist else "unknown distribution"
        try:
            plugin = point.load()
        except Exception as exc:  # a broken third-party plugin is reported, never fatal
            infos.append(PluginInfo(kind, point.name, "", dist, f"{type(exc).__name__}: {exc}"))
            continue
        loaded[point.name] = plugin
        doc = (getattr(plugin, "__doc__", None) or "").strip().splitlines()
        infos.append(PluginInfo(kind, point.name, doc[0] if doc else "", dist))
    return loaded, tuple(infos)


def plugins(kind: str) -> dict[str, Any]:
    """The working plugins of ``kind`` (``models``, ``saes``, ``datasets``, ``probes``) by name,
    fallbacks last."""
    if kind not in GROUPS:
        raise SaeprobeError(f"unknown plugin kind {kind!r}; use one of {list(GROUPS)}")
    loaded = _discover(kind)[0]
    return dict(sorted(loaded.items(), key=lambda item: (item[0] in FALLBACKS, item[0])))


def available() -> pd.DataFrame:
    """Every plugin with a one-line description, the distribution it came from, and its load error."""
    rows = [info.__dict__ for kind in GROUPS for info in _discover(kind)[1]]
    return pd.DataFrame(rows, columns=["kind", "name", "description", "source", "error"])


def matching(kind: str, spec: str) -> Any | None:
    """The first plugin of ``kind`` whose ``matches(spec)`` is true, or ``None``."""
    for plugin in plugins(kind).values():
        if plugin.matches(spec):
            return plugin
    return None


def refresh() -> None:
    """Forget discovered plugins (after installing one into a running interpreter)."""
    _discover.cache_clear()
