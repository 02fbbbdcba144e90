"""The least time the whole sae-probes benchmark can take on this machine: its forward passes.

Every one of the 113 datasets is read as the package's split reads it (the rows of its training
and test sets), its prompts are tokenised by MiniLM-L6's tokenizer (up to its 512-token context),
and the tokens are counted. A forward pass over a sample of them, in saeprobe's own extraction
(all six layers at once, batches of 16, sorted by length), gives this machine's cost per token.
Their product is the floor of `saeprobe suite --builtin sae-probes`: SAE codes and probe fits only
add to it.

    .venv/bin/python benchmarks/sae_probes_floor.py [--sample 2000] [--json floor.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=2000, help="prompts in the timed forward pass")
    parser.add_argument("--json", help="also write the figures as JSON here")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    from transformers import AutoTokenizer

    import saeprobe
    from saeprobe.data import benchmark_datasets, sae_probes_split
    from saeprobe.model import minilm_directory

    tokenizer = AutoTokenizer.from_pretrained(str(minilm_directory()))
    started = time.perf_counter()
    per_dataset, sample = [], []
    rng = np.random.default_rng(0)
    for dataset in benchmark_datasets():
        data = saeprobe.load_dataset(f"sae-probes:{dataset.name}")
        train, test = sae_probes_split(data.y)
        rows = np.concatenate([train, test])
        texts = [data.texts[i] for i in rows]
        lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=512)["input_ids"]]
        per_dataset.append({"dataset": dataset.name, "rows": len(rows), "tokens": int(sum(lengths))})
        sample += list(rng.choice(texts, size=min(len(texts), max(1, args.sample // 100)), replace=False))
    counted = time.perf_counter() - started
    rows = sum(d["rows"] for d in per_dataset)
    tokens = sum(d["tokens"] for d in per_dataset)

    sample = sample[: args.sample]
    labels = ["a", "b"] * (len(sample) // 2) + ["a"] * (len(sample) % 2)
    timed = saeprobe.load_dataset(sample, labels)
    sample_tokens = sum(len(ids) for ids in tokenizer(sample, truncation=True, max_length=512)["input_ids"])
    warm = saeprobe.load_dataset(sample[:8], labels[:8])
    saeprobe.extract("minilm", warm, layers=[0], progress=False, cache_dir=False)  # the model loaded once
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        saeprobe.extract("minilm", timed, layers="all", pooling="mean", progress=False, cache_dir=cache)
        forward = time.perf_counter() - started
    per_token = forward / sample_tokens
    largest = sorted(per_dataset, key=lambda d: -d["tokens"])[:5]
    figures = {
        "datasets": len(per_dataset),
        "rows": rows,
        "tokens": tokens,
        "sample_prompts": len(sample),
        "sample_tokens": sample_tokens,
        "forward_seconds_sample": round(forward, 1),
        "microseconds_per_token": round(per_token * 1e6, 1),
        "forward_floor_minutes": round(tokens * per_token / 60, 1),
        "largest": largest,
        "counting_seconds": round(counted, 1),
    }
    print(json.dumps(figures, indent=1))
    print(
        f"\nsae-probes' {len(per_dataset)} datasets as its split reads them: {rows:,} rows, {tokens:,} MiniLM tokens. "
        f"A forward pass costs {per_token * 1e6:.0f} µs per token here ({sample_tokens:,} tokens of {len(sample)} "
        f"sampled prompts in {forward:.1f} s), so the forward passes alone take {tokens * per_token / 60:.0f} minutes."
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
