"""What a reader calls an SAE set: one phrase saying where its SAEs came from, for report headers
and listings, never a cache hash or a site-packages path: SAEs trained here (their architecture,
width, steps and tokens), a folder shown as the user would type it, a SAELens release, objects."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from .._paths import shown_path
from ._sources import LayerSAE

# What train_saes writes beside the SAEs it trains: the training's key, and per layer its report.
TRAINING_KEY = "key.json"
TRAINING_REPORT = "training.json"


def describe_set(layer_saes: Mapping[int, LayerSAE]) -> str:
    """One phrase for the SAEs of a set, by layer (see the module's docstring)."""
    sources = [entry.source for _, entry in sorted(layer_saes.items())]
    if not sources:
        return "no SAEs"
    if all(Path(source).is_absolute() for source in sources):
        paths = [Path(source) for source in sources]
        folder = paths[0] if len(paths) == 1 else Path(os.path.commonpath(paths))
        return trained_here(folder, paths) or f"SAEs from {shown_path(folder)}"
    if all(source.startswith("object:") for source in sources):
        kinds = sorted({source.removeprefix("object:") for source in sources})
        return f"{len(sources)} SAE object{'s' if len(sources) > 1 else ''} given in Python ({', '.join(kinds)})"
    releases = sorted({source.split("/")[0] for source in sources})
    if len(releases) == 1 and all("/" in source for source in sources):
        return f"SAELens release {releases[0]}"
    return ", ".join(dict.fromkeys(sources))


def trained_here(folder: Path, layer_folders: list[Path]) -> str | None:
    """ "trained here: …" for SAEs that :func:`saeprobe.sae.train_saes` saved in ``folder``, from
    its key and the first layer's report; ``None`` for other SAEs or unreadable records."""
    try:
        settings = json.loads((folder / TRAINING_KEY).read_text(encoding="utf-8"))["settings"]
        report = json.loads((layer_folders[0] / TRAINING_REPORT).read_text(encoding="utf-8"))
        sparsity = f", k={settings['k']}" if settings["architecture"] == "topk" else ""
        passes = settings["steps"] * settings["batch_size"] / max(report["n_train_tokens"], 1)
        return (
            f"trained here: {settings['architecture']} SAEs of {settings['width']:,} features{sparsity}, "
            f"{settings['steps']:,} steps over {report['n_train_tokens']:,} tokens ({passes:.0f} passes)"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
