"""Plugins: model loaders, SAE sources, datasets and probes, found through Python entry points.

saeprobe's own are declared the same way (see ``pyproject.toml``) and also registered here in code,
so a source checkout without installed metadata still has them. A third-party package adds one by
declaring an entry point in one of :data:`GROUPS`; nothing here needs to change.

- ``saeprobe.models``: an object with ``matches(spec) -> bool``, ``source(spec, revision) ->
  (name, identity)`` and ``load(name, revision, device) -> TransformerLens model``;
- ``saeprobe.saes``: ``matches(spec) -> bool`` and ``load(spec, expected_hooks) -> [(sae, source)]``;
- ``saeprobe.datasets``: ``matches(spec) -> bool`` and ``load(spec, **options) -> ProbeDataset``;
- ``saeprobe.probes``: a scikit-learn-style classifier class taking ``Cs``, ``cv_folds``, ``seed``
  and ``scaling`` keywords, with ``fit``, ``predict`` and ``predict_proba``.

Plugins are tried in name order, saeprobe's fallbacks (``huggingface``, ``files``) last. A plugin
module should import heavy libraries (torch) only when it loads something, so that listing plugins
stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from .errors import DataError, ModelError, PluginError, SAEError, SettingsError

GROUPS = {
    "models": "saeprobe.models",
    "saes": "saeprobe.saes",
    "datasets": "saeprobe.datasets",
    "probes": "saeprobe.probes",
}
FALLBACKS = {"huggingface", "files", "saelens-release"}
# saeprobe's own plugins, as in pyproject.toml: found even when the package metadata is not installed.
BUILTINS = {
    "models": {
        "huggingface": "saeprobe.model:HUGGINGFACE",
        "embedded": "saeprobe.model:EMBEDDED_MODELS",
        "gguf": "saeprobe.model:GGUF",
    },
    "saes": {
        "saelens-directory": "saeprobe.sae:SAELENS_DIRECTORIES",
        "saelens-release": "saeprobe.sae:SAELENS_RELEASES",
    },
    "datasets": {
        "files": "saeprobe.data:FILES",
        "embedded": "saeprobe.data:EMBEDDED_DATASETS",
        "sae-probes": "saeprobe.data:SAE_PROBES_DATASETS",
    },
    "probes": {
        "logistic": "saeprobe.probe:BatchedLogisticProbe",
        "sklearn-logistic": "saeprobe.probe:LogisticProbe",
        "diffmean": "saeprobe.probe:DiffMeanProbe",
        "pca": "saeprobe.probe:PCAProbe",
        "knn": "saeprobe.probe:KNNProbe",
        "mlp": "saeprobe.probe:MLPProbe",
        "xgboost": "saeprobe.probe:XGBoostProbe",
    },
}
OWN_DISTRIBUTION = "saeprobe"
# The error a missing plugin raises: the family of what was asked for.
NOT_FOUND_ERRORS = {"models": ModelError, "saes": SAEError, "datasets": DataError, "probes": SettingsError}
NOT_FOUND = {
    "models": "no model plugin accepts {spec!r}; give a hub name, a local Hugging Face directory, a .gguf file or an "
    "embedded name (minilm, smollm2)",
    "saes": "no SAE plugin accepts {spec!r}: it is neither a directory nor a SAELens release; give a directory of SAEs "
    "saved in SAELens format or a release name",
    "datasets": "no dataset plugin reads {spec!r}; give a .csv, .tsv, .jsonl or .json file, a dataset name, or "
    "sae-probes:NAME",
    "probes": "no probe plugin {spec!r} for {{option}}; available: {names}",
}


@dataclass(frozen=True)
class PluginInfo:
    kind: str
    name: str
    description: str
    source: str
    error: str | None = None


@dataclass(frozen=True)
class _Candidate:
    name: str
    target: str
    source: str


def _candidates(kind: str) -> list[_Candidate]:
    found = {
        name: _Candidate(name, target, f"{OWN_DISTRIBUTION} (built in)") for name, target in BUILTINS[kind].items()
    }
    for point in entry_points(group=GROUPS[kind]):
        dist = f"{point.dist.name} {point.dist.version}" if point.dist else "unknown distribution"
        found[point.name] = _Candidate(point.name, point.value, dist)
    return sorted(found.values(), key=lambda c: c.name)


def _load_target(target: str) -> Any:
    module, _, attribute = target.partition(":")
    loaded = importlib.import_module(module)
    for part in filter(None, attribute.split(".")):
        loaded = getattr(loaded, part)
    return loaded


@cache
def _discover(kind: str) -> tuple[dict[str, Any], tuple[PluginInfo, ...]]:
    loaded, infos = {}, []
    for candidate in _candidates(kind):
        try:
            plugin = _load_target(candidate.target)
        except Exception as exc:  # a broken third-party plugin is reported where it is used, never fatal here
            infos.append(PluginInfo(kind, candidate.name, "", candidate.source, f"{type(exc).__name__}: {exc}"))
            continue
        loaded[candidate.name] = plugin
        infos.append(PluginInfo(kind, candidate.name, _summary(plugin), candidate.source))
    return loaded, tuple(infos)


def _summary(plugin: Any) -> str:
    """The first paragraph of a plugin's docstring, on one line."""
    doc = (getattr(plugin, "__doc__", None) or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


def _check_kind(kind: str) -> None:
    if kind not in GROUPS:
        raise PluginError(f"unknown plugin kind {kind!r}; use one of {list(GROUPS)}")


def plugins(kind: str) -> dict[str, Any]:
    """The working plugins of ``kind`` (``models``, ``saes``, ``datasets``, ``probes``) by name,
    fallbacks last."""
    _check_kind(kind)
    loaded = _discover(kind)[0]
    return dict(sorted(loaded.items(), key=lambda item: (item[0] in FALLBACKS, item[0])))


def failures(kind: str) -> list[PluginInfo]:
    """The plugins of ``kind`` that failed to load, with their errors."""
    _check_kind(kind)
    return [info for info in _discover(kind)[1] if info.error]


def available():
    """Every plugin with a one-line description, the distribution it came from, and its load error
    (a pandas DataFrame)."""
    import pandas as pd

    rows = [info.__dict__ for kind in GROUPS for info in _discover(kind)[1]]
    return pd.DataFrame(rows, columns=["kind", "name", "description", "source", "error"])


def matching(kind: str, spec: str) -> Any | None:
    """The first plugin of ``kind`` whose ``matches(spec)`` is true, or ``None``."""
    for plugin in plugins(kind).values():
        if plugin.matches(spec):
            return plugin
    return None


def require(kind: str, spec: str, option: str = "probe") -> Any:
    """The plugin of ``kind`` for ``spec``: the probe plugin named ``spec`` (given as setting
    ``option``), or the first model, SAE or dataset plugin whose ``matches(spec)`` is true.
    Raises :class:`PluginError` naming the
    fix when there is none (a :class:`ModelError`, :class:`SAEError`, :class:`DataError` or
    :class:`SettingsError`, by kind), and :class:`PluginError` with a plugin's own load error when
    the probe asked for failed to load."""
    broken = {info.name: info for info in failures(kind)}
    if kind == "probes":
        found = plugins(kind).get(spec)
        if found is None and spec in broken:
            raise PluginError(f"the probe plugin {spec!r} ({broken[spec].source}) failed to load: {broken[spec].error}")
    else:
        found = matching(kind, spec)
    if found is not None:
        return found
    message = NOT_FOUND[kind].format(spec=spec, names=sorted(plugins(kind)))
    if broken:
        message += "; these plugins failed to load and might have: " + "; ".join(
            f"{name} ({info.source}): {info.error}" for name, info in broken.items()
        )
    raise NOT_FOUND_ERRORS[kind](message + " (see `saeprobe plugins`)", option=option if kind == "probes" else None)


def refresh() -> None:
    """Forget discovered plugins (after installing one into a running interpreter)."""
    _discover.cache_clear()
