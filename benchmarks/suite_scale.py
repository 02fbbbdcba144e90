"""Unit costs of a suite and the speed-up from 1 to 2 Ray workers, the measurements docs/guides/scale.md
projects from.

It runs the built-in small suite (MiniLM-L6, four datasets, two TopK SAE sets of width 1024, all
six layers) with the SAEs trained beforehand and not timed:

- on the local engine, from an empty activation and result cache, reading each unit's timings:
  forward pass per token, SAE encoding per token and SAE feature, probe fits per (example ×
  probed column);
- on a local Ray cluster with 1 and then 2 CPUs (workers), each from an empty cache, wall time.

From them it projects the wall time of a sae-probes-sized run (113 datasets, a 2B model, 26
layers, 3 SAE widths) on 1, 8 and 64 GPUs under the assumptions in ``WORKLOAD`` and ``NODE``
(docs/guides/scale.md explains them) and names the bottleneck at each size. It prints the figures and
writes them as JSON.

    .venv/bin/python benchmarks/suite_scale.py [--json suite_scale.json]
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
from pathlib import Path
from typing import Any

from bench_common import ROOT

MINILM_PARAMETERS, MINILM_WIDTH = 22.7e6, 384
# A sae-probes-sized run: 113 binary datasets of about 1,500 short prompts (1,050 training rows),
# Gemma-2-2B (2.6e9 parameters, width 2304, 26 layers), three SAE widths with the features active
# on a dataset's training rows (the columns a probe on the code reads) as assumed here.
WORKLOAD = {
    "datasets": 113,
    "examples": 1500,
    "train": 1050,
    "tokens_per_example": 40,
    "parameters": 2.6e9,
    "width": 2304,
    "layers": 26,
    "sae_widths": (16384, 65536, 262144),
    "active_union": (8000, 15000, 25000),
    "top_ks": (1, 2, 5, 16, 64),
    "sae_bytes_per_feature": 2 * 2304 * 4,
}
# One node: a GPU computing a forward pass or an SAE at 1e14 FLOP/s (an H100 at about a tenth of
# its bf16 peak, as hooked inference on short prompts reaches), 16 CPU cores, SAE weights read at
# 1 GB/s from shared storage, a model load of 60 s per actor.
NODE = {"gpu_flops": 1e14, "cores": 16, "read_bytes_per_s": 1e9, "model_load_s": 60.0}


def project(figures: dict[str, Any], gpus: int) -> dict[str, float]:
    """Projected seconds of each part of the sae-probes-sized run on ``gpus`` nodes, from the
    measured unit costs (CPU figures scaled by FLOPs) and the assumptions above."""
    w, node = WORKLOAD, NODE
    tokens = w["datasets"] * w["examples"] * w["tokens_per_example"]
    forward_flops = 2 * w["parameters"] * tokens
    # Encode and decode every token with every SAE of every layer: 4 x width x features per token.
    code_flops = 4 * w["width"] * sum(w["sae_widths"]) * tokens * w["layers"]
    cpu_flops_per_core = 2 * MINILM_PARAMETERS / figures["forward_s_per_token"] / 2  # measured on 2 cores
    columns = (
        w["width"]
        + sum(w["top_ks"])
        + sum(
            union + min(union, w["width"], w["train"]) + sum(w["top_ks"]) + 2 * w["width"]
            for union in w["active_union"]
        )
    )
    probe_core_s = figures["probe_s_per_example_column"] * 2 * w["train"] * columns * w["layers"] * w["datasets"]
    sae_reads = w["datasets"] * w["layers"] * sum(w["sae_widths"]) * w["sae_bytes_per_feature"]
    cores = node["cores"] * gpus
    return {
        "forward on GPUs": forward_flops / (node["gpu_flops"] * gpus) + node["model_load_s"],
        "SAE codes on CPU task cores (as built)": code_flops / (cpu_flops_per_core * cores),
        "SAE codes on GPUs (if moved there)": code_flops / (node["gpu_flops"] * gpus),
        "probe fits on CPU cores": probe_core_s / cores,
        "SAE weights read by the probe tasks": sae_reads / (node["read_bytes_per_s"] * gpus),
    }


RAY_RUN = """
import sys, time, ray
import saeprobe
ray.init(num_cpus=int(sys.argv[1]), include_dashboard=False, log_to_driver=False)
started = time.perf_counter()
saeprobe.suite("small", sys.argv[2], engine="ray", cache_dir=sys.argv[3], progress=False)
print(time.perf_counter() - started)
"""


def fresh_cache(trained: Path, scratch: Path, name: str) -> Path:
    """A cache holding only the trained SAEs (and the model's recorded dimensions)."""
    cache = scratch / name
    shutil.copytree(trained / "saes", cache / "saes")
    if (trained / "models").exists():
        shutil.copytree(trained / "models", cache / "models")
    return cache


def unit_costs(result: Any) -> dict[str, float]:
    """Seconds per token of forward pass and of encoding (per SAE feature), and per example ×
    probed column of probe fits, summed over the suite's units."""
    tokens = encode_work = fit_work = forward = encode = fits = 0.0
    for run in result.runs:
        sweep = result.result(run.dataset, run.model)
        n_tokens = next(iter(sweep.layers[0].saes.values())).diagnostics.token_sparsity.n_tokens
        tokens += n_tokens
        for entry in sweep.layers:
            encode_work += sum(n_tokens * found.sae.d_sae for found in entry.saes.values())
            fit_work += sweep.n_train * sum(probed_width(sweep, entry, name) for name in entry.scores)
        forward += run.timings["activations_s"] - run.timings["model_load_s"]
        encode += run.timings["encode_s"]
        fits += run.timings["probes_s"]
    return {
        "tokens": tokens,
        "forward_s": forward,
        "encode_s": encode,
        "probes_s": fits,
        "forward_s_per_token": forward / tokens,
        "encode_s_per_token_feature": encode / encode_work,
        "probe_s_per_example_column": fits / fit_work,
    }


def probed_width(sweep: Any, entry: Any, name: str) -> int:
    """The columns a representation's probe reads (an SAE code: the features active on the
    training rows; the rest cannot change an L2-regularised fit)."""
    from saeprobe.records import split_representation

    kind, set_name = split_representation(name)
    if "_topk_" in kind:
        return int(kind.rsplit("_", 1)[1])
    if kind == "sae":
        return entry.saes[set_name].diagnostics.sparsity.n_active_union_train
    if kind == "pca_matched":
        return entry.baselines[name]["k"]
    return sweep.model.d_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import saeprobe

    figures: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} CPU cores"}
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        trained = scratch / "trained"
        saeprobe.suite("small", scratch / "warm-up", cache_dir=trained, progress=False)  # trains the SAEs
        started = time.perf_counter()
        local = saeprobe.suite(
            "small", scratch / "local", cache_dir=fresh_cache(trained, scratch, "local"), progress=False
        )
        figures["local_s"] = time.perf_counter() - started
        figures.update(unit_costs(local))
        for workers in (1, 2):
            cache = fresh_cache(trained, scratch, f"ray-{workers}")
            run = subprocess.run(
                [sys.executable, "-c", RAY_RUN, str(workers), str(scratch / f"ray-out-{workers}"), str(cache)],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            figures[f"ray_{workers}_workers_s"] = float(run.stdout.strip().splitlines()[-1])
    figures["speedup_1_to_2"] = figures["ray_1_workers_s"] / figures["ray_2_workers_s"]
    print(f"built-in small suite on {figures['machine']}: {len(local.runs)} units, {figures['tokens']:.0f} tokens")
    print(
        f"local engine, cold: {figures['local_s']:.1f} s (forward {figures['forward_s']:.1f}, encode "
        f"{figures['encode_s']:.1f}, probe fits {figures['probes_s']:.1f})"
    )
    print(f"forward pass: {figures['forward_s_per_token'] * 1e6:.1f} µs per token (MiniLM-L6, 22M parameters)")
    print(f"SAE encoding: {figures['encode_s_per_token_feature'] * 1e9:.2f} ns per token × SAE feature")
    print(f"probe fits: {figures['probe_s_per_example_column'] * 1e6:.2f} µs per training example × probed column")
    print(
        f"ray, 1 worker: {figures['ray_1_workers_s']:.1f} s; 2 workers: {figures['ray_2_workers_s']:.1f} s; "
        f"speed-up {figures['speedup_1_to_2']:.2f}x"
    )
    figures["projection"] = {}
    print("\nprojected sae-probes-sized run (hours per part; parts run side by side on a node):")
    for gpus in (1, 8, 64):
        parts = project(figures, gpus)
        figures["projection"][gpus] = parts
        as_built = {k: v for k, v in parts.items() if "if moved" not in k}
        bottleneck = max(as_built, key=as_built.get)
        print(
            f"{gpus:>3} GPUs: "
            + "; ".join(f"{name} {seconds / 3600:.1f}" for name, seconds in parts.items())
            + f" -> bottleneck: {bottleneck}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
