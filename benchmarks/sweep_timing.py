"""Time a full sweep on a shared dataset with the offline MiniLM-L6: cold cache; the same sweep again
(every layer from the result cache); other probe settings (activations from the cache, probes
refitted); and no cache at all.

The SAEs are SAELens StandardSAEs of width 4 x d_model with SAELens's own initialisation, saved
and loaded from disk like trained ones; they make the encode and sparse-probe costs real, but
their accuracies mean nothing, so only timings are printed.

    .venv/bin/python benchmarks/sweep_timing.py [--data ../shared/data/sst2/validation.csv]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_common import data_arguments, write_untrained_saes



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    data_arguments(parser)
    args = parser.parse_args()

    import saeprobe
    from saeprobe.embedded import minilm_directory

    model_dir = minilm_directory()
    data = saeprobe.load_dataset(args.data, text_column=args.text_column, label_column=args.label_column)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        write_untrained_saes(scratch / "saes", 6, 384, "resid_post")
        runs = []
        plans = [("cold cache", scratch / "cache", 0), ("same again", scratch / "cache", 0),
                 ("other seed", scratch / "cache", 1), ("no cache", False, 0)]
        for label, cache, seed in plans:
            started = time.perf_counter()
            result = saeprobe.sweep(str(model_dir), str(scratch / "saes"), data, layers="all",
                                    pooling="mean", cache_dir=cache, seed=seed, progress=False)
            runs.append((label, time.perf_counter() - started, result.timings))
    print(f"model: MiniLM-L6 (6 layers, width 384), data: {Path(args.data).name}, "
          f"{len(data)} examples, SAEs of width 1536 (untrained: timings only)")
    print(f"{'run':<12}{'wall s':>9}{'activations s':>15}{'encode s':>10}{'probes s':>10}{'batches':>9}{'cached layers':>15}")
    for label, wall, timings in runs:
        print(f"{label:<12}{wall:>9.1f}{timings['activations_s']:>15.1f}{timings['encode_s']:>10.1f}"
              f"{timings['probes_s']:>10.1f}{timings['forward_batches']:>9}{timings['layers_from_cache']:>15}")


if __name__ == "__main__":
    main()
