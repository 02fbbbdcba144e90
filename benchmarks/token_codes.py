"""What token code pooling costs: the disk taken by cached token-level states and the time of a
sweep that encodes every token, against one that encodes the pooled vectors, on a shared dataset
with the offline MiniLM-L6 (mean pooling, all 6 layers, SAEs of width 1536). A second sweep with
other SAEs shows that the cached token states spare the forward pass.

    .venv/bin/python benchmarks/token_codes.py [--data ../shared/data/sst2/validation.csv]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_common import data_arguments, write_untrained_saes


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    data_arguments(parser)
    args = parser.parse_args()

    import saeprobe

    data = saeprobe.load_dataset(args.data, text_column=args.text_column, label_column=args.label_column)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        first = write_untrained_saes(scratch / "saes-a", 6, 384, "resid_post", seed=0)
        second = write_untrained_saes(scratch / "saes-b", 6, 384, "resid_post", seed=1)
        plans = [
            ("pooled, cold", "pooled", first, scratch / "pooled"),
            ("tokens, cold", "tokens", first, scratch / "tokens"),
            ("tokens, other SAEs", "tokens", second, scratch / "tokens"),
        ]
        for label, code_pooling, saes, cache in plans:
            started = time.perf_counter()
            result = saeprobe.sweep(
                "minilm", str(saes), data, pooling="mean", code_pooling=code_pooling, cache_dir=cache, progress=False
            )
            rows.append((label, time.perf_counter() - started, result))
        token_bytes = folder_bytes(scratch / "tokens" / "tokens")
        pooled_bytes = folder_bytes(scratch / "pooled" / "activations")
    n_tokens = rows[1][2].layers[0].diagnostics.token_sparsity.n_tokens
    print(
        f"model: MiniLM-L6 (6 layers, width 384), mean pooling; data: {Path(args.data).name}, {len(data)} examples, "
        f"{n_tokens} tokens encoded per layer; SAEs of width 1536 (untrained: costs only)"
    )
    print(f"{'run':<20}{'wall s':>8}{'activations s':>15}{'encode s':>10}{'probes s':>10}{'batches':>9}")
    for label, wall, result in rows:
        t = result.timings
        print(
            f"{label:<20}{wall:>8.1f}{t['activations_s']:>15.1f}{t['encode_s']:>10.1f}{t['probes_s']:>10.1f}"
            f"{t['forward_batches']:>9}"
        )
    per_thousand = 1000 / len(data)
    print(
        f"cached pooled states: {pooled_bytes / 1e6:.1f} MB "
        f"({pooled_bytes * per_thousand / 1e6:.1f} MB per 1,000 examples)"
    )
    print(
        f"cached token states:  {token_bytes / 1e6:.1f} MB "
        f"({token_bytes * per_thousand / 1e6:.1f} MB per 1,000 examples, "
        f"{token_bytes / 6 / n_tokens:.0f} bytes per token and layer)"
    )


if __name__ == "__main__":
    main()
