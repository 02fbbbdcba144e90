"""Training SAEs where none exist: one SAELens SAE per layer, trained by SAELens's SAETrainer on
token activations that saeprobe extracts, saved in SAELens format and cached by content key."""

from __future__ import annotations

import itertools
import json
import shutil
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..config import SAETrainingSettings, SweepSettings
from ..data import ProbeDataset
from ..errors import DataError, SAEError, SaeprobeWarning
from ..model import HOOKED_DEFAULTS, resolve_target
from ..store import content_key, sae_training_parts, staged_directory, write_json
from ._sources import saelens_advice_silenced

if TYPE_CHECKING:
    import torch

REPORT_FILE = "training.json"
# More passes over the same training tokens than this, and the SAE can fit the tokens themselves.
MAX_PASSES = 10
REPORT_COLUMNS = [
    "layer",
    "hook_name",
    "architecture",
    "width",
    "l0_mean",
    "fvu",
    "n_train_tokens",
    "n_eval_tokens",
    "path",
]


@dataclass
class TrainedSAEs:
    """Where the SAEs are (one SAELens directory per layer) and how well each fits held-out tokens."""

    directory: Path
    report: pd.DataFrame


def train_saes(
    model: Any,
    data: ProbeDataset | Sequence[str],
    layers: str | int | Sequence[int] = "all",
    hook: str = "resid_post",
    settings: SAETrainingSettings | None = None,
    *,
    out: str | Path | None = None,
    cache_dir: str | Path | bool | None = None,
    revision: str | None = None,
    device: str = "cpu",
    progress: bool = True,
) -> TrainedSAEs:
    """Train one SAE per layer on the token activations of ``data``'s texts (prompts when it has
    a template); reuse SAEs already trained for the same model, texts, layers and settings.

    SAEs are saved as ``<dir>/layer_<N>`` in SAELens format (``sweep(saes=dir)`` reads them), in
    the cache and, when given, copied to ``out``; with the cache disabled (``cache_dir=False``) they
    are trained straight into ``out``, which is then required. Each layer finishes atomically, so
    an interrupted run resumes. The report gives per layer L0 and FVU on held-out tokens. Raises
    :class:`SAEError` for bad settings and :class:`DataError` when there are too few tokens.
    """
    settings = settings or SAETrainingSettings()
    texts = data.prompts if isinstance(data, ProbeDataset) else [str(t) for t in data]
    if not texts:
        raise DataError("no texts to train SAEs on; give at least a few hundred sentences")
    wanted = SweepSettings.from_dict({"layers": layers, "hook": hook, "revision": revision, "device": device})
    target = resolve_target(model, wanted, cache_dir)
    parts = sae_training_parts(target.source.identity, texts, target.settings.hook, settings, _sae_lens_version())
    if target.root is not None:
        directory = target.root / "saes" / content_key(parts)
    elif out is not None:
        directory = Path(out).expanduser()
    else:
        raise SAEError("with the cache disabled, train_saes needs out=DIR to save the SAEs in")
    if not (directory / "key.json").is_file():
        write_json(directory / "key.json", parts)
    missing = [layer for layer in target.layers if not (directory / f"layer_{layer}" / "cfg.json").is_file()]
    if missing:
        from ..activations import extract_tokens

        loaded = target.load()
        tokens = extract_tokens(
            loaded, texts, missing, target.settings.hook, max_tokens=settings.max_tokens, progress=progress
        )
        metadata = _training_metadata(loaded, texts, target.dims["n_ctx"])
        _warn_of_passes(settings, min(len(tokens[layer]) for layer in missing) * (1 - settings.eval_share))
        for layer in tqdm(missing, desc="SAEs trained", unit="layer", disable=not progress):
            report = _train_layer(
                tokens.pop(layer), layer, target.hook_names[layer], settings, target.dims, device, metadata, progress
            )
            _save_layer(directory, layer, report)
    report = pd.DataFrame([_read_report(directory, layer) for layer in target.layers], columns=REPORT_COLUMNS)
    if out is not None and Path(out).expanduser() != directory:
        out = Path(out).expanduser()
        for layer in target.layers:
            shutil.copytree(directory / f"layer_{layer}", out / f"layer_{layer}", dirs_exist_ok=True)
        directory = out
    return TrainedSAEs(directory=directory, report=report)


def _warn_of_passes(settings: SAETrainingSettings, n_tokens: float) -> None:
    """Warn, once per training, when the steps pass over the training tokens more than
    :data:`MAX_PASSES` times."""
    passes = settings.steps * settings.batch_size / max(n_tokens, 1)
    if passes > MAX_PASSES:
        warnings.warn(
            f"SAE training: {settings.steps} steps of {settings.batch_size} token activations over about "
            f"{n_tokens:,.0f} training tokens is {passes:.0f} passes over the same tokens, so the SAEs can learn them "
            "by heart; give more or longer texts, or fewer steps",
            SaeprobeWarning,
            stacklevel=3,
        )


@contextmanager
def _trainer_bar(shown: bool) -> Iterator[None]:
    """SAELens's trainer draws a progress bar of its own, with no option to leave it out: with
    ``progress`` off, it is drawn disabled while the trainer runs."""
    from sae_lens.training import sae_trainer

    original = getattr(sae_trainer, "tqdm", None)
    if shown or original is None:
        yield
        return
    sae_trainer.tqdm = partial(original, disable=True)
    try:
        yield
    finally:
        sae_trainer.tqdm = original


def _training_metadata(model: Any, texts: Sequence[str], n_ctx: int) -> dict[str, Any]:
    """What a sweep must know to read the model as these SAEs saw it (SAELens metadata): the raw,
    unprocessed stream, the model's own BOS rule, and the longest text in tokens."""
    longest = max(len(model.to_tokens(text, truncate=False, move_to_device=False)[0]) for text in texts)
    return {
        "model_from_pretrained_kwargs": dict.fromkeys(HOOKED_DEFAULTS, False),
        "prepend_bos": bool(getattr(model.cfg, "default_prepend_bos", True)),
        "context_size": min(int(longest), int(n_ctx)),
    }


def _train_layer(
    activations: np.ndarray,
    layer: int,
    hook: str,
    settings: SAETrainingSettings,
    dims: dict[str, int],
    device: str,
    model_metadata: dict[str, Any],
    progress: bool = True,
) -> tuple[Any, dict[str, Any]]:
    import torch
    from sae_lens import (
        SAETrainer,
        StandardTrainingSAE,
        StandardTrainingSAEConfig,
        TopKTrainingSAE,
        TopKTrainingSAEConfig,
    )
    from sae_lens.config import SAETrainerConfig
    from sae_lens.saes.sae import SAEMetadata

    n_eval = max(1, int(len(activations) * settings.eval_share))
    if len(activations) - n_eval < settings.batch_size:
        raise DataError(
            f"only {len(activations)} token activations for layer {layer}; SAE training needs more than "
            f"batch_size={settings.batch_size} plus a held-out share: give more or longer texts"
        )
    rng = np.random.default_rng(settings.seed + layer)
    order = rng.permutation(len(activations))
    train = torch.as_tensor(activations[order[n_eval:]], dtype=torch.float32)
    held_out = torch.as_tensor(activations[order[:n_eval]], dtype=torch.float32)
    metadata = SAEMetadata(hook_name=hook, model_name=None, **model_metadata)
    torch.manual_seed(settings.seed + layer)
    with saelens_advice_silenced():
        if settings.architecture == "topk":
            sae = TopKTrainingSAE(
                TopKTrainingSAEConfig(
                    d_in=dims["d_model"], d_sae=settings.width, k=settings.k, device=device, metadata=metadata
                )
            )
        else:
            sae = StandardTrainingSAE(
                StandardTrainingSAEConfig(
                    d_in=dims["d_model"],
                    d_sae=settings.width,
                    l1_coefficient=settings.l1_coefficient,
                    device=device,
                    metadata=metadata,
                )
            )
    trainer_config = SAETrainerConfig(
        total_training_samples=settings.steps * settings.batch_size,
        train_batch_size_samples=settings.batch_size,
        lr=settings.lr,
        lr_end=settings.lr,
        device=device,
        n_batches_for_norm_estimate=1,
    )
    with _trainer_bar(progress):
        SAETrainer(trainer_config, sae, _batches(train, settings.batch_size, settings.seed + layer)).fit()
    with torch.no_grad():
        codes = sae.encode(held_out.to(device))
        rebuilt = sae.decode(codes).cpu()
    l0 = (codes != 0).sum(dim=1).float()
    fvu = float(((held_out - rebuilt) ** 2).sum() / ((held_out - held_out.mean(0)) ** 2).sum())
    return sae, {
        "layer": layer,
        "hook_name": hook,
        "architecture": settings.architecture,
        "width": settings.width,
        "l0_mean": float(l0.mean()),
        "fvu": fvu,
        "n_train_tokens": len(train),
        "n_eval_tokens": n_eval,
    }


def _batches(rows: torch.Tensor, batch_size: int, seed: int) -> Iterator[torch.Tensor]:
    import torch

    generator = torch.Generator().manual_seed(seed)
    for _ in itertools.count():
        yield rows[torch.randint(len(rows), (batch_size,), generator=generator)]


def _save_layer(directory: Path, layer: int, trained: tuple[Any, dict[str, Any]]) -> None:
    sae, report = trained
    with staged_directory(directory / f"layer_{layer}") as staging:
        sae.save_inference_model(staging)
        write_json(staging / REPORT_FILE, report)


def _read_report(directory: Path, layer: int) -> dict[str, Any]:
    report = json.loads((directory / f"layer_{layer}" / REPORT_FILE).read_text())
    return {**report, "path": str(directory / f"layer_{layer}")}


def _sae_lens_version() -> str:
    from importlib.metadata import version

    return version("sae-lens")
