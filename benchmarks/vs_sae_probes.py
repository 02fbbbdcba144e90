"""saeprobe's probe stage against sae-probes' own code, on the same activations.

For each dataset and layer, one extraction (saeprobe's, cached) gives the pooled hidden states of
the rows of sae-probes' split. The SAE codes come from the same SAELens SAE. Both sides then do the
work of sae-probes' 'normal' setting:

- **sae-probes**: ``find_best_reg`` on the raw states (its logistic baseline), then its k-sparse SAE
  probes, as ``run_sae_eval`` runs them. Features are ranked by their mean-normalised class-mean
  difference, and ``find_best_reg`` runs on the top k for k = 1, 2, 4, … 512. Rows come in its
  order, with seed 42.
- **saeprobe**: ``probe_layer`` on the same rows and split, with ``baselines=("sae_topk",)``,
  ``top_ks`` = the same ks, ``controls=()`` and ``bootstrap=0``. That is a logistic probe on raw,
  one on the full code, and one on each top-k feature set. Its C comes from 5-fold CV.

The script reports, per dataset and layer:

- the seconds each side took;
- their ratio;
- the test AUC of each raw probe, and their difference;
- the mean |ΔAUC| over the k-sparse probes. This figure is only informative: the two sides rank
  features by different scales.

The SAE set is the built-in sae-probes suite's: TopK, 1,024 features, k = 32, trained here on general
prose. It is cached, so a rerun does not retrain it. Activations are read at the last token, as
sae-probes reads them.

    .venv/bin/python benchmarks/vs_sae_probes.py [--datasets 4] [--names a,b] [--layers 1,3,5] [--json out.json]

With ``--pipeline`` it times the whole pipeline instead, from the dataset's file to the probes, on
the decoder SmolLM2-135M, which both sides load offline: one model object, loaded once (its load
time counts for neither), serves both. sae-probes runs its own activation generation
(``generate_single_dataset_activations``: every row of the file, the last token, its batches of
32), encodes its split's rows with the SAE as its ``generate_sae_activations`` does, then its probe
stage. saeprobe runs ``saeprobe.sweep`` on the same model and SAEs from a cold cache, with the
same work asked for (the package's split, the last token, batches of 32, the k-sparse probes only,
no controls, no intervals). The SAE set is trained here once (TopK, 1,024 features, k = 32).

    .venv/bin/python benchmarks/vs_sae_probes.py --pipeline [--names 41_truthqa_tf] [--layers 2,4]

It needs sae-probes' code importable (``pip install --no-deps sae-probes`` and ``xgboost``, as
``tools/env.sh`` installs them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

PEER_KS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
# The default datasets: small to large, several kinds of task.
DEFAULT_NAMES = [
    "41_truthqa_tf",
    "22_headline_isobama",
    "113_movie_sent",
    "87_glue_cola",
    "5_hist_fig_ismale",
    "100_news_fake",
]


def peer_probe_stage(raw: np.ndarray, codes: Any, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> dict:
    """sae-probes' own functions on one layer: its raw logistic baseline and its k-sparse probes."""
    import torch
    from sae_probes.run_sae_evals import get_sorted_indices, mean_act_normalization
    from sae_probes.utils_training import find_best_reg

    started = time.perf_counter()
    baseline = find_best_reg(raw[train], y[train], raw[test], y[test], seed=42)
    codes_train, codes_test = codes[train], codes[test]
    order = get_sorted_indices(codes_train, torch.tensor(y[train]), mean_act_normalization)
    sparse = {}
    for k in PEER_KS:
        top = order[:k]
        fitted = find_best_reg(codes_train[:, top], y[train], codes_test[:, top], y[test], seed=42)
        sparse[k] = fitted.metrics.test_auc
    return {"seconds": time.perf_counter() - started, "raw_auc": baseline.metrics.test_auc, "sparse_auc": sparse}


def saeprobe_probe_stage(raw: np.ndarray, sae: Any, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> dict:
    """saeprobe's probe_layer doing the same work on the same rows."""
    import saeprobe

    rows = np.concatenate([train, test])
    is_train = np.zeros(len(rows), dtype=bool)
    is_train[: len(train)] = True
    started = time.perf_counter()
    entry = saeprobe.probe_layer(
        raw[rows],
        y[rows],
        is_train,
        sae=sae,
        top_ks=PEER_KS,
        baselines=("sae_topk",),
        controls=(),
        bootstrap=0,
        seed=42,
    )
    seconds = time.perf_counter() - started
    sparse = {k: entry.scores[f"sae_topk_{k}"].test_auc for k in PEER_KS if f"sae_topk_{k}" in entry.scores}
    return {"seconds": seconds, "raw_auc": entry.scores["raw"].test_auc, "sparse_auc": sparse}


def pipeline(names: list[str], layers: list[int], cache_dir: str) -> list[dict]:
    """Time each side's whole pipeline on SmolLM2, from the dataset's file to the probe scores."""
    import tempfile

    import torch
    from sae_probes.generate_model_activations import generate_single_dataset_activations

    import saeprobe
    from saeprobe.data import sae_probes_split
    from saeprobe.data._sae_probes import find_benchmark_dataset
    from saeprobe.model import resolve_model

    directory, saes = benchmark_saes("smollm2", layers, cache_dir)
    model = resolve_model("smollm2").load()  # one object for both sides; resolve_model keeps it warm
    hooks = [f"blocks.{layer}.hook_resid_post" for layer in layers]
    rows = []
    for name in names:
        found = find_benchmark_dataset(name)
        data = saeprobe.load_dataset(f"sae-probes:{name}")
        train, test = sae_probes_split(data.y)
        used = np.concatenate([train, test])
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            generate_single_dataset_activations(
                model=model,
                model_name="smollm2",
                dataset_path=found.path,
                hook_names=hooks,
                model_cache_path=folder,
                device="cpu",
                batch_size=32,
            )
            peer_extracted = time.perf_counter() - started
            peer_auc = {}
            for layer, hook in zip(layers, hooks, strict=True):
                stored = Path(folder) / "model_activations_smollm2" / f"{found.path.name.split('.')[0]}_{hook}.pt"
                raw = torch.load(stored, weights_only=True).float().numpy()
                codes = torch.zeros((len(raw), saes[layer].cfg.d_sae))
                with torch.no_grad():
                    codes[used] = saes[layer].encode(torch.from_numpy(raw[used])).float()
                peer_auc[layer] = peer_probe_stage(raw, codes, data.y, train, test)["raw_auc"]
            peer_seconds = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as cold:
            started = time.perf_counter()
            result = saeprobe.sweep(
                "smollm2",
                data=data,
                saes=str(directory),
                layers=layers,
                split="sae-probes",
                pooling="last",
                batch_size=32,
                baselines=("sae_topk",),
                top_ks=PEER_KS,
                controls=(),
                bootstrap=0,
                seed=42,
                cache_dir=cold,
                progress=False,
            )
            ours_seconds = time.perf_counter() - started
        row = {
            "dataset": name,
            "rows_in_file": len(data),
            "rows_probed": len(used),
            "peer_seconds": round(peer_seconds, 1),
            "peer_activation_seconds": round(peer_extracted, 1),
            "saeprobe_seconds": round(ours_seconds, 1),
            "saeprobe_activation_seconds": result.timings["activations_s"],
            "speedup": round(peer_seconds / ours_seconds, 2),
            "raw_auc_diff_mean": round(
                statistics.mean(result.layer(layer).scores["raw"].test_auc - peer_auc[layer] for layer in layers), 4
            ),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    peer_total = sum(r["peer_seconds"] for r in rows)
    ours_total = sum(r["saeprobe_seconds"] for r in rows)
    print(
        f"\nwhole pipeline on SmolLM2-135M, layers {layers}, {len(rows)} datasets: sae-probes {peer_total:.1f} s "
        f"(activations {sum(r['peer_activation_seconds'] for r in rows):.1f} s), saeprobe {ours_total:.1f} s "
        f"(activations {sum(r['saeprobe_activation_seconds'] for r in rows):.1f} s): {peer_total / ours_total:.2f}x"
    )
    return rows


def probe_stage(names: list[str], layers: list[int], cache_dir: str) -> list[dict]:
    """Time each side's probe stage on MiniLM's cached activations, dataset by dataset and layer by
    layer, both on one core."""
    import torch
    from threadpoolctl import threadpool_limits

    import saeprobe
    from saeprobe.data import sae_probes_split

    torch.set_num_threads(1)
    directory, saes = benchmark_saes("minilm", layers, cache_dir)
    rows = []
    for name in names:
        data = saeprobe.load_dataset(f"sae-probes:{name}")
        train, test = sae_probes_split(data.y)
        states = saeprobe.extract(
            "minilm",
            data,
            saes=str(directory),
            layers=layers,
            pooling="last",
            cache_dir=cache_dir,
            progress=False,
        )
        for layer in layers:
            raw = np.asarray(states[layer], dtype=np.float32)
            with torch.no_grad():
                codes = saes[layer].encode(torch.from_numpy(raw)).float()
            with threadpool_limits(1):  # both sides on one core, as a suite's layers run side by side
                peer = peer_probe_stage(raw, codes, data.y, train, test)
                ours = saeprobe_probe_stage(raw, saes[layer], data.y, train, test)
            shared = sorted(set(peer["sparse_auc"]) & set(ours["sparse_auc"]))
            row = {
                "dataset": name,
                "layer": layer,
                "n_train": len(train),
                "n_test": len(test),
                "peer_seconds": round(peer["seconds"], 2),
                "saeprobe_seconds": round(ours["seconds"], 2),
                "speedup": round(peer["seconds"] / ours["seconds"], 1),
                "peer_raw_auc": round(peer["raw_auc"], 4),
                "saeprobe_raw_auc": round(ours["raw_auc"], 4),
                "raw_auc_diff": round(ours["raw_auc"] - peer["raw_auc"], 4),
                "sparse_auc_mean_abs_diff": round(
                    statistics.mean(abs(ours["sparse_auc"][k] - peer["sparse_auc"][k]) for k in shared), 4
                ),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    peer_total = sum(r["peer_seconds"] for r in rows)
    ours_total = sum(r["saeprobe_seconds"] for r in rows)
    print(
        f"\n{len(rows)} dataset-layers: sae-probes {peer_total:.1f} s, saeprobe {ours_total:.1f} s, "
        f"{peer_total / ours_total:.1f}x faster overall (median per layer "
        f"{statistics.median(r['speedup'] for r in rows):.1f}x); raw AUC mean |diff| "
        f"{statistics.mean(abs(r['raw_auc_diff']) for r in rows):.4f} (max "
        f"{max(abs(r['raw_auc_diff']) for r in rows):.4f}); k-sparse AUC mean |diff| "
        f"{statistics.mean(r['sparse_auc_mean_abs_diff'] for r in rows):.4f}"
    )
    return rows


def benchmark_saes(model: str, layers: list[int], cache_dir: str) -> tuple[Path, dict[int, Any]]:
    """The benchmark's SAE set for ``model`` (TopK, 1,024 features, k = 32, trained here on general
    prose, cached): its folder and each layer's SAELens SAE."""
    from sae_lens import SAE

    import saeprobe
    from saeprobe import SAETrainingSettings
    from saeprobe.data import general_sentences

    trained = saeprobe.train_saes(
        model,
        general_sentences(),
        layers=layers,
        settings=SAETrainingSettings(architecture="topk", width=1024, k=32, steps=300),
        cache_dir=cache_dir,
        progress=False,
    )
    return trained.directory, {layer: SAE.load_from_disk(str(trained.directory / f"layer_{layer}")) for layer in layers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=4, help="how many of the default datasets")
    parser.add_argument("--names", help="comma-separated sae-probes dataset names instead")
    parser.add_argument("--layers", default="1,3,5", help="MiniLM layers, e.g. 1,3,5")
    parser.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "saeprobe"))
    parser.add_argument("--json", help="also write the rows as JSON here")
    parser.add_argument("--pipeline", action="store_true", help="time the whole pipeline on SmolLM2 instead")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    layers = [int(part) for part in args.layers.split(",")]
    names = args.names.split(",") if args.names else DEFAULT_NAMES[: args.datasets]
    rows = (pipeline if args.pipeline else probe_stage)(names, layers, args.cache_dir)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
