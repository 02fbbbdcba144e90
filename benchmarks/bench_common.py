"""What the benchmarks share: the shared dataset they read by default, and SAEs for timing."""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sst2" / "validation.csv"


def data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data``, ``--text-column`` and ``--label-column``, defaulting to SST-2 validation."""
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-column", default="label")


def write_untrained_saes(
    directory: Path, n_layers: int, d_model: int, hook: str, width_factor: int = 4, seed: int = 0
) -> Path:
    """One SAELens StandardSAE (SAELens's own initialisation) of width ``width_factor`` ×
    ``d_model`` per layer under ``directory/layer_<N>``, recorded as read on the unprocessed stream.
    They make encode and sparse-probe costs real; their accuracies mean nothing."""
    import torch
    from sae_lens import StandardSAE, StandardSAEConfig
    from sae_lens.saes.sae import SAEMetadata

    for layer in range(n_layers):
        torch.manual_seed(seed * 1000 + layer)
        metadata = SAEMetadata(
            hook_name=f"blocks.{layer}.hook_{hook}", model_from_pretrained_kwargs={"center_writing_weights": False}
        )
        StandardSAE(StandardSAEConfig(d_in=d_model, d_sae=width_factor * d_model, metadata=metadata)).save_model(
            directory / f"layer_{layer}"
        )
    return directory
