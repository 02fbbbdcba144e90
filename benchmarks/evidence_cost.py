"""What the intervals and the controls cost, as a share of a sweep.

The demo's setting (MiniLM-L6 mean-pooled, or SmolLM2-135M at the last prompt token with
``--model smollm2``; the demo sentences, 246 train / 106 test; its two SAE sets, trained here
beforehand and not timed) is swept four ways on one thread: without intervals or controls
(``bootstrap=0, controls=()``), with the intervals only (``bootstrap=1000``), with the controls
only, and with both (the default). Activations come from a warm cache and the result cache is
emptied before each run, so every run encodes and fits everything; a cold sweep with both (the
forward pass included) gives the whole a user waits for. The time inside the bootstrap
(resampling, intervals, paired comparisons) is measured directly, by timing the function that
makes them; the controls' cost is the difference between the runs with and without them. Each
figure is the median of ``--repeats`` runs.

    .venv/bin/python benchmarks/evidence_cost.py [--model minilm] [--repeats 3] [--json evidence_cost.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

CONFIGS = {
    "neither": {"bootstrap": 0, "controls": ()},
    "intervals": {"bootstrap": 1000, "controls": ()},
    "controls": {"bootstrap": 0, "controls": ("shuffled_labels", "sae_random", "raw_random_k")},
    "both": {"bootstrap": 1000, "controls": ("shuffled_labels", "sae_random", "raw_random_k")},
}


class Stopwatch:
    """Wraps a function and adds up the seconds spent in it."""

    def __init__(self, module: Any, name: str):
        self.module, self.name, self.seconds = module, name, 0.0
        self.original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        setattr(module, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="minilm", choices=["minilm", "smollm2"])
    parser.add_argument("--layers", default=None, help="layers to sweep (default: the demo's)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args()

    from saeprobe import sweep
    from saeprobe.app import DEMO_SETTINGS, DEMO_TOP_KS
    from saeprobe.data import demo_dataset, general_sentences
    from saeprobe.probe import _layer
    from saeprobe.sae import train_saes

    setting = DEMO_SETTINGS[args.model]
    data = demo_dataset(template=setting.template)
    layers = args.layers or setting.layers
    bootstrap = Stopwatch(_layer, "_with_intervals")
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch)
        train, _ = data.train_test_masks(test_size=0.3, seed=0)
        texts = {
            "task": [p for p, keep in zip(data.prompts, train, strict=True) if keep],
            "general": general_sentences(),
        }
        saes = {
            name: str(
                train_saes(
                    setting.model, found, settings=setting.sae_settings, layers=layers, cache_dir=cache, progress=False
                ).directory
            )
            for name, found in texts.items()
            if found
        }
        options = {"pooling": setting.pooling, "top_ks": DEMO_TOP_KS, "layers": layers, "threads": 1}

        def run(config: str) -> dict[str, float]:
            shutil.rmtree(cache / "results", ignore_errors=True)
            bootstrap.seconds = 0.0
            result = sweep(setting.model, saes, data, cache_dir=cache, progress=False, **options, **CONFIGS[config])
            return {**result.timings, "bootstrap_s": bootstrap.seconds}

        shutil.rmtree(cache / "activations", ignore_errors=True)
        shutil.rmtree(cache / "tokens", ignore_errors=True)
        cold = run("both")  # the forward pass included: what a first sweep costs
        runs: dict[str, list[dict[str, float]]] = {config: [] for config in CONFIGS}
        for _ in range(args.repeats):
            for config in CONFIGS:
                runs[config].append(run(config))

    def median(config: str, key: str) -> float:
        return statistics.median(found[key] for found in runs[config])

    figures: dict[str, Any] = {"model": args.model, "layers": layers, "n_train": 246, "n_test": 106}
    figures["cold_sweep_s"] = cold["total_s"]
    for config in CONFIGS:
        figures[config] = {key: median(config, key) for key in ("encode_s", "probes_s", "total_s", "bootstrap_s")}
    both, neither = figures["both"], figures["neither"]
    controls_s = figures["controls"]["total_s"] - neither["total_s"]
    figures["bootstrap_share_of_sweep"] = both["bootstrap_s"] / both["total_s"]
    figures["bootstrap_share_of_cold_sweep"] = both["bootstrap_s"] / cold["total_s"]
    figures["controls_s"] = controls_s
    figures["controls_share_of_sweep"] = controls_s / figures["controls"]["total_s"]
    figures["controls_share_of_cold_sweep"] = controls_s / cold["total_s"]

    print(f"{setting.description}, layers {layers}: 246 train / 106 test, two SAE sets, one thread")
    print(f"{'run':<10} {'encode s':>9} {'probes s':>9} {'total s':>9} {'bootstrap s':>12}")
    for config in CONFIGS:
        row = figures[config]
        times = f"{row['encode_s']:>9.2f} {row['probes_s']:>9.2f} {row['total_s']:>9.2f} {row['bootstrap_s']:>12.2f}"
        print(f"{config:<10} {times}")
    print(f"cold sweep with both (forward pass included): {cold['total_s']:.1f} s")
    print(
        f"bootstrap: {both['bootstrap_s']:.2f} s = {figures['bootstrap_share_of_sweep']:.1%} of a warm sweep, "
        f"{figures['bootstrap_share_of_cold_sweep']:.1%} of a cold one"
    )
    print(
        f"controls: {controls_s:.2f} s = {figures['controls_share_of_sweep']:.1%} of a warm sweep with them, "
        f"{figures['controls_share_of_cold_sweep']:.1%} of a cold one"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
