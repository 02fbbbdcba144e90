"""How close a sweep comes to the cost of one bare forward pass, and how it grows with the data.

In one process, on the same texts and the offline MiniLM-L6 (all 6 layers, last-token pooling,
TopK SAEs of width 1536 trained here beforehand and not timed), it times:

- the floor: a bare Hugging Face forward pass over length-sorted batches, no hooks, no hidden
  states kept, the sweep's batch size;
- the naive way, as the seed experiment did it: ``output_hidden_states=True`` on padded batches in
  data order, then a scikit-learn ``LogisticRegressionCV`` per layer on the hidden states and on
  their SAE codes;
- a cold saeprobe sweep (raw, SAE codes, baselines, diagnostics) with an empty cache, after a
  warm-up sweep of 64 texts without a cache (as the floor runs one batch first);
- the same sweep again from the cache, through the CLI in a fresh interpreter (imports included);
- cold sweeps on 1x, 2x, 5x and 10x the data (the texts repeated), with the fitted exponents of
  time and peak memory.

The floor, the cold sweep and the cached run are taken in turn for ``--repeats`` rounds (default
3) and reported as medians, so that a slow spell of a shared machine does not fall on one of them
alone. It prints the figures and their ratios and writes them as JSON.

    .venv/bin/python benchmarks/sweep_bench.py [--rows 2000] [--repeats 3] [--growth 1,2,5,10] [--json sweep_bench.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from bench_common import ROOT, data_arguments

DEFAULT_TRAIN = ROOT.parent / "shared" / "data" / "sst2" / "train.csv"  # rt-polarity sentences and phrases
SAE_WIDTH, SAE_K = 1536, 16


class PeakMemory:
    """Peak resident memory of this process while a block runs, in MB: Linux's high-water mark,
    reset before the block (``/proc/self/clear_refs``); elsewhere the process's peak so far."""

    def __enter__(self) -> PeakMemory:
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.resettable = True
        except OSError:
            self.resettable = False
        return self

    def __exit__(self, *exc: Any) -> None:
        self.mb = _high_water_mb()


def _high_water_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def measured(step: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds and peak MB of ``step()``, and what it returned."""
    with PeakMemory() as memory:
        started = time.perf_counter()
        value = step()
        seconds = time.perf_counter() - started
    return seconds, memory.mb, value


def token_ids(tokenizer: Any, texts: list[str]) -> list[list[int]]:
    return tokenizer(texts, add_special_tokens=True)["input_ids"]


def floor_pass(model: Any, tokenizer: Any, texts: list[str], batch_size: int) -> None:
    """The bare forward pass: batches of similar length (sorted), nothing kept."""
    import torch

    ids = token_ids(tokenizer, texts)
    order = np.argsort([len(i) for i in ids], kind="stable")
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = tokenizer.pad(
                {"input_ids": [ids[i] for i in order[start : start + batch_size]]}, return_tensors="pt"
            )
            model(**batch)


def naive_way(
    model: Any,
    tokenizer: Any,
    texts: list[str],
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    saes: list[Any],
    batch_size: int,
    Cs: list[float],
) -> dict[str, float]:
    """Hidden states of every layer on padded batches in data order, last real token, then a
    ``LogisticRegressionCV`` per layer on the states and on their SAE codes."""
    import torch
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MaxAbsScaler, StandardScaler

    states: list[list[np.ndarray]] = [[] for _ in saes]
    started = time.perf_counter()
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(texts[start : start + batch_size], padding=True, return_tensors="pt")
            hidden = model(**batch, output_hidden_states=True).hidden_states
            last = batch["attention_mask"].sum(dim=1) - 1
            for layer in range(len(saes)):
                states[layer].append(hidden[layer + 1][torch.arange(len(last)), last].numpy())
    forward_s = time.perf_counter() - started
    accuracy = {}
    for layer, sae in enumerate(saes):
        raw = np.concatenate(states[layer])
        with torch.no_grad():
            codes = sae.encode(torch.from_numpy(raw)).numpy()
        for name, X, scaler in (("raw", raw, StandardScaler), ("sae", codes, MaxAbsScaler)):
            probe = make_pipeline(scaler(), LogisticRegressionCV(Cs=Cs, cv=5, max_iter=1000))
            probe.fit(X[train], y[train])
            accuracy[f"layer_{layer}_{name}"] = float(probe.score(X[test], y[test]))
    return {"forward_s": forward_s, "probes_s": time.perf_counter() - started - forward_s, "accuracy": accuracy}


def data_figures(tokenizer: Any, texts: list[str]) -> dict[str, Any]:
    lengths = np.array([len(i) for i in token_ids(tokenizer, texts)])
    return {
        "examples": len(texts),
        "tokens": int(lengths.sum()),
        "tokens_min": int(lengths.min()),
        "tokens_median": float(np.median(lengths)),
        "tokens_p90": float(np.percentile(lengths, 90)),
        "tokens_max": int(lengths.max()),
    }


def cold_sweep(
    saeprobe: Any, model: str, saes: Path, data: Any, cache: Path, batch_size: int, device: str
) -> tuple[float, float, Any]:
    """A sweep on an empty cache: seconds, peak MB and the result."""
    shutil.rmtree(cache, ignore_errors=True)
    return measured(
        lambda: saeprobe.sweep(
            model,
            str(saes),
            data,
            pooling="last",
            batch_size=batch_size,
            device=device,
            cache_dir=cache,
            progress=False,
        )
    )


def cached_cli_run(model: str, saes: Path, csv: Path, cache: Path, batch_size: int, device: str, out: Path) -> float:
    """The same sweep again through the CLI in a fresh interpreter: imports included."""
    command = [
        str(Path(sys.executable).parent / "saeprobe"),
        "sweep",
        "--model",
        model,
        "--saes",
        str(saes),
        "--data",
        str(csv),
        "--pooling",
        "last",
        "--batch-size",
        str(batch_size),
        "--device",
        device,
        "--cache-dir",
        str(cache),
        "--out",
        str(out),
        "--quiet",
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def median_run(runs: list[tuple[float, float, Any]]) -> tuple[float, float]:
    """The median seconds of ``measured`` rounds and the highest peak MB among them."""
    return float(np.median([run[0] for run in runs])), max(run[1] for run in runs)


def exponent(sizes: list[float], values: list[float]) -> float:
    """The slope of log(value) on log(size): 1 is linear, below 1 sub-linear."""
    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0]) if len(sizes) > 1 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    data_arguments(parser)
    parser.set_defaults(data=str(DEFAULT_TRAIN))
    parser.add_argument("--rows", type=int, default=2000, help="texts taken from the data (default 2000)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="rounds of floor, cold sweep and cached run, taken in turn; medians are reported (default 3)",
    )
    parser.add_argument("--growth", default="1,2,5,10", help="data multiples for the growth curve ('' skips it)")
    parser.add_argument("--work", help="folder for the trained SAEs and caches (default: a temporary one)")
    parser.add_argument("--json", default="sweep_bench.json", help="where the figures are written")
    args = parser.parse_args()

    import pandas as pd
    import torch
    from transformers import AutoModel, AutoTokenizer

    import saeprobe
    from saeprobe.errors import SaeprobeWarning
    from saeprobe.model import minilm_directory

    frame = pd.read_csv(args.data).sample(frac=1.0, random_state=0).head(args.rows).reset_index(drop=True)
    frame = frame[[args.text_column, args.label_column]].rename(
        columns={args.text_column: "text", args.label_column: "label"}
    )
    texts = frame["text"].astype(str).tolist()
    directory = minilm_directory()
    tokenizer = AutoTokenizer.from_pretrained(directory)
    hf_model = AutoModel.from_pretrained(directory).to(args.device).eval()
    figures: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "device": args.device,
            "python": platform.python_version(),
            "torch": torch.__version__,
            "saeprobe": saeprobe.__version__,
        },
        "data": {"source": str(args.data), **data_figures(tokenizer, texts)},
        "setup": {
            "model": "MiniLM-L6 (6 layers, width 384)",
            "pooling": "last",
            "batch_size": args.batch_size,
            "sae": f"TopK width {SAE_WIDTH}, k={SAE_K}",
        },
    }
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(args.work) if args.work else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        csv = work / f"data-{args.rows}.csv"
        frame.to_csv(csv, index=False)
        data = saeprobe.load_dataset(str(csv))
        print(f"training SAEs (not timed) in {work}", flush=True)
        trained = saeprobe.train_saes(
            "minilm",
            texts,
            settings=saeprobe.SAETrainingSettings(architecture="topk", width=SAE_WIDTH, k=SAE_K, steps=300),
            cache_dir=work / "sae-cache",
            progress=False,
        )
        sae_dir = trained.directory

        floor_pass(hf_model, tokenizer, texts[: args.batch_size], args.batch_size)  # warm-up: one batch
        # As the floor runs one batch first, the sweep is warmed up on a few texts without a cache:
        # the model loaded, the modules imported, first-call costs paid (the cold sweep's
        # model_load_s shows what remains).
        warm = saeprobe.load_dataset(frame.head(64))
        saeprobe.sweep(
            "minilm",
            str(sae_dir),
            warm,
            pooling="last",
            batch_size=args.batch_size,
            device=args.device,
            cache_dir=False,
            progress=False,
        )
        # The floor, the cold sweep and the cached run take turns, so that a slow spell of a shared
        # machine falls on all of them; each figure is the median of its rounds.
        floors, colds, cacheds = [], [], []
        cold_cache = work / "cold"
        for round_number in range(1, args.repeats + 1):
            floors.append(measured(lambda: floor_pass(hf_model, tokenizer, texts, args.batch_size)))
            colds.append(cold_sweep(saeprobe, "minilm", sae_dir, data, cold_cache, args.batch_size, args.device))
            cacheds.append(
                cached_cli_run("minilm", sae_dir, csv, cold_cache, args.batch_size, args.device, work / "again.json")
            )
            print(
                f"round {round_number}: floor {floors[-1][0]:.1f} s, cold sweep {colds[-1][0]:.1f} s, "
                f"cached {cacheds[-1]:.2f} s",
                flush=True,
            )
        floor_s, floor_mb = median_run(floors)
        sweep_s, sweep_mb = median_run(colds)
        result = sorted(colds, key=lambda run: run[0])[len(colds) // 2][2]  # the median round's result
        cached_s = float(np.median(cacheds))

        from saeprobe.sae import from_directory

        saes = [from_directory(layer, sae_dir / f"layer_{layer}").sae.to(args.device) for layer in range(6)]
        y = np.asarray(data.labels)
        rng = np.random.default_rng(0)
        test = np.zeros(len(y), dtype=bool)
        test[rng.permutation(len(y))[: int(0.3 * len(y))]] = True
        naive_s, naive_mb, naive = measured(
            lambda: naive_way(
                hf_model, tokenizer, texts, y, ~test, test, saes, args.batch_size, list(result.settings.Cs)
            )
        )
        print(f"naive {naive_s:.1f} s", flush=True)

        timings = result.timings
        figures["runs"] = {
            "floor": {"seconds": floor_s, "peak_mb": floor_mb, "rounds_s": [run[0] for run in floors]},
            "naive": {
                "seconds": naive_s,
                "peak_mb": naive_mb,
                "forward_s": naive["forward_s"],
                "probes_s": naive["probes_s"],
                "probes": 6 * 2,
            },
            "sweep_cold": {
                "seconds": sweep_s,
                "peak_mb": sweep_mb,
                **{
                    k: timings[k]
                    for k in ("activations_s", "model_load_s", "encode_s", "probes_s", "total_s", "forward_batches")
                },
                "probes": sum(len(layer.scores) for layer in result.layers),
                "rounds_s": [run[0] for run in colds],
            },
            "sweep_cached_cli": {"seconds": cached_s, "rounds_s": cacheds},
        }
        figures["ratios"] = {
            "sweep/floor": sweep_s / floor_s,
            "activations/floor": timings["activations_s"] / floor_s,
            "(activations-load)/floor": (timings["activations_s"] - timings["model_load_s"]) / floor_s,
            "naive/sweep": naive_s / sweep_s,
            "cached/sweep": cached_s / sweep_s,
        }

        growth = [int(m) for m in args.growth.split(",") if m.strip()]
        curve = []
        for multiple in growth:
            repeated = saeprobe.load_dataset(pd.concat([frame] * multiple, ignore_index=True))
            with warnings.catch_warnings():  # the repetition is deliberate: no warning about repeated texts
                warnings.simplefilter("ignore", SaeprobeWarning)
                seconds, peak, _ = cold_sweep(
                    saeprobe, "minilm", sae_dir, repeated, work / f"growth-{multiple}", args.batch_size, args.device
                )
            curve.append({"multiple": multiple, "examples": len(repeated), "seconds": seconds, "peak_mb": peak})
            print(f"growth {multiple}x: {seconds:.1f} s, {peak:.0f} MB", flush=True)
        if curve:
            sizes = [c["examples"] for c in curve]
            figures["growth"] = {
                "points": curve,
                "time_exponent": exponent(sizes, [c["seconds"] for c in curve]),
                "memory_exponent": exponent(sizes, [c["peak_mb"] for c in curve]),
            }
    Path(args.json).write_text(json.dumps(figures, indent=2))
    print_table(figures)
    print(f"wrote {args.json}")


def print_table(figures: dict[str, Any]) -> None:
    data, runs, ratios = figures["data"], figures["runs"], figures["ratios"]
    print(
        f"\n{figures['setup']['model']}, {figures['setup']['pooling']} pooling, "
        f"batch {figures['setup']['batch_size']}, "
        f"SAEs {figures['setup']['sae']}; {figures['machine']['cpus']} CPUs, device {figures['machine']['device']}"
    )
    print(
        f"data: {data['examples']} examples, {data['tokens']} tokens (min {data['tokens_min']}, median "
        f"{data['tokens_median']:.0f}, p90 {data['tokens_p90']:.0f}, max {data['tokens_max']})"
    )
    print(f"{'part':<44}{'seconds':>9}{'peak MB':>9}")
    cold = runs["sweep_cold"]
    rows = [
        ("floor: bare sorted forward, no hooks", runs["floor"]["seconds"], runs["floor"]["peak_mb"]),
        ("naive: hidden states + LogisticRegressionCV", runs["naive"]["seconds"], runs["naive"]["peak_mb"]),
        ("  its forward pass", runs["naive"]["forward_s"], None),
        ("  its probe fits (raw + SAE, 6 layers)", runs["naive"]["probes_s"], None),
        ("saeprobe cold sweep, wall", cold["seconds"], cold["peak_mb"]),
        ("  activations_s", cold["activations_s"], None),
        ("    of which model_load_s (imports included)", cold["model_load_s"], None),
        ("  encode_s", cold["encode_s"], None),
        (f"  probes_s ({cold['probes']} probes)", cold["probes_s"], None),
        ("saeprobe cached sweep (CLI, imports included)", runs["sweep_cached_cli"]["seconds"], None),
    ]
    for label, seconds, peak in rows:
        print(f"{label:<44}{seconds:>9.1f}{'' if peak is None else f'{peak:>9.0f}'}")
    print("  ".join(f"{name} {value:.2f}" for name, value in ratios.items()))
    if "growth" in figures:
        growth = figures["growth"]
        print(
            "growth: "
            + ", ".join(
                f"{p['multiple']}x {p['examples']} ex {p['seconds']:.1f} s {p['peak_mb']:.0f} MB"
                for p in growth["points"]
            )
        )
        print(f"time exponent {growth['time_exponent']:.2f}, peak-memory exponent {growth['memory_exponent']:.2f}")


if __name__ == "__main__":
    main()
