"""SAELens's bundled registry of pretrained SAEs, read from the installed package (no network)."""

from __future__ import annotations

import re
from typing import Any

WIDTH = re.compile(r"width[_-]?(\d+(?:\.\d+)?)([km]?)", re.IGNORECASE)


def registry_entries(model: str | None = None) -> list[dict[str, Any]]:
    """One record per SAE of every release (of ``model`` when given, matched on the registry's
    model name, the end of a hub name, or TransformerLens's aliases of either: ``gpt2`` finds the
    registry's ``gpt2-small``): release, repo, model, sae_id, hook (the id when it is a hook
    name), width (parsed from the id when it names one), expected L0, Neuronpedia id."""
    from sae_lens.loading.pretrained_saes_directory import get_pretrained_saes_directory

    wanted = registry_names(model) if model else None
    records = []
    for release, entry in get_pretrained_saes_directory().items():
        if wanted and entry.model.lower() not in wanted:
            continue
        for sae_id, path in entry.saes_map.items():
            records.append(
                {
                    "release": release,
                    "repo_id": entry.repo_id,
                    "model": entry.model,
                    "sae_id": sae_id,
                    "hook_name": sae_id if re.fullmatch(r"blocks\.\d+\.hook_\w+", sae_id) else None,
                    "width": _width(f"{sae_id} {path}"),
                    "expected_l0": entry.expected_l0.get(sae_id) or None,
                    "neuronpedia_id": entry.neuronpedia_id.get(sae_id),
                }
            )
    return records


def registry_names(model: str) -> set[str]:
    """The lower-case names the registry may give ``model``: itself, its last path part, and
    TransformerLens's aliases of any of them (hub ``gpt2`` is ``gpt2-small`` there)."""
    names = {model.lower(), model.split("/")[-1].lower()}
    try:
        from transformer_lens.loading_from_pretrained import MODEL_ALIASES
    except ImportError:
        return names
    for official, aliases in MODEL_ALIASES.items():
        family = {official.lower(), official.split("/")[-1].lower(), *(alias.lower() for alias in aliases)}
        if names & {official.lower(), official.split("/")[-1].lower()}:
            names |= family
    return names


def registry_models() -> list[str]:
    """Every model the registry lists SAEs for, sorted."""
    from sae_lens.loading.pretrained_saes_directory import get_pretrained_saes_directory

    return sorted({entry.model for entry in get_pretrained_saes_directory().values()})


def _width(text: str) -> int | None:
    match = WIDTH.search(text)
    if match is None:
        return None
    scale = {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)
