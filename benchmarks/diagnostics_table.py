"""Per-layer table of probe accuracy beside the SAE figures that explain it, on MiniLM-L6.

SAEs: one SAELens TopK SAE per layer (width 1536, k=8), trained by `saeprobe.train_saes` (SAELens's
SAETrainer) on the token activations of the 3000 SST-2 *training* sentences; the sweep then
probes the mean-pooled states of the 872 SST-2 validation sentences. These SAEs saw only this
task's sentences, so the table is a small, honest stand-in for the seed experiment, not a
reproduction of it.

    .venv/bin/python benchmarks/diagnostics_table.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SST2 = ROOT.parent / "shared" / "data" / "sst2"


def main() -> None:
    import pandas as pd

    import saeprobe
    from saeprobe.model import minilm_directory

    model = str(minilm_directory())
    settings = saeprobe.SAETrainingSettings(width=1536, k=8, steps=1500)
    with tempfile.TemporaryDirectory() as scratch:
        corpus = saeprobe.load_dataset(SST2 / "train.csv")
        trained = saeprobe.train_saes(model, corpus, settings=settings, cache_dir=scratch, progress=False)
        data = saeprobe.load_dataset(SST2 / "validation.csv")
        result = saeprobe.sweep(model, str(trained.directory), data, cache_dir=scratch, progress=False)
    pd.set_option("display.width", 200)
    print(
        f"MiniLM-L6, SST-2 validation ({len(data)} sentences, {result.n_train} train / {result.n_test} test), "
        f"TopK SAEs (width 1536, k=8) trained on tokens of the SST-2 train sentences"
    )
    print("SAE training report (held-out tokens):")
    print(trained.report[["layer", "l0_mean", "fvu", "n_train_tokens"]].round(3).to_string(index=False))
    print("Sweep (pooled validation sentences):")
    print(result.summary().round(3).to_string())


if __name__ == "__main__":
    main()
