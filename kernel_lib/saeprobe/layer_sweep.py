"""The layer sweep: pooled activations → SAE codes → probes per layer → :class:`SweepResult`."""

from __future__ import annotations

import hashlib
import time
from functools import partial
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from . import __version__
from .activations import extract, resolve_target
from .cache import LayerResultStore
from .codes import LayerSAE, encode, reconstruct, resolve_saes
from .data import ProbeDataset
from .diagnostics import effective_dimension, feature_table, fidelity, sparsity
from .errors import DataError
from .plugins import plugins
from .probes import DEFAULT_CS, evaluate_probe
from .regimes import Regime, regimes_from
from .representations import DEFAULT_TOP_KS, build_representations
from .result import SweepResult, json_safe, restore_nan


def sweep(
    model: Any,
    saes: Any = None,
    data: ProbeDataset | None = None,
    layers: str | int | Sequence[int] | None = "all",
    hook: str = "resid_post",
    pooling: str | None = None,
    *,
    test_size: float = 0.3,
    seed: int = 0,
    Cs: Sequence[float] = DEFAULT_CS,
    cv_folds: int = 5,
    probe: str = "logistic",
    top_ks: Sequence[int] = DEFAULT_TOP_KS,
    always_on_threshold: float = 0.99,
    feature_table_size: int = 200,
    train_sizes: Sequence[int] = (),
    label_noise: Sequence[float] = (),
    imbalance: Sequence[float] = (),
    exclude_bos: bool = True,
    batch_size: int = 16,
    cache_dir: str | Path | None | bool = None,
    revision: str | None = None,
    device: str = "cpu",
    progress: bool = True,
    on_progress: Callable[[str, int, int], None] | None = None,
    on_layer: Callable[[SweepResult], None] | None = None,
) -> SweepResult:
    """Probe a concept layer by layer on raw hidden states and on SAE codes of the same states.

    ``model``: hub name, local Hugging Face directory, or loaded TransformerBridge /
    HookedTransformer. ``saes``: SAELens release, directory of SAELens SAEs, SAE object(s),
    mapping ``{layer: SAE}``, or ``None`` for raw probes only. ``data``: a
    :class:`ProbeDataset` (see :func:`saeprobe.load_dataset`). Activations of all layers come
    from one forward pass per batch and are cached (``cache_dir``); ``pooling=None`` takes
    ``last`` for causal models and ``mean`` for encoders; each probe's C is chosen by
    stratified CV on the training split. With SAEs, every layer also carries its diagnostics
    (sparsity, effective dimension, fidelity, feature table) and matched baselines (see
    :func:`saeprobe.representations.build_representations`). ``train_sizes``, ``label_noise``
    and ``imbalance`` add regimes (see :class:`saeprobe.regimes.Regime`) that refit the raw and
    SAE probes on altered training rows and report them under ``regimes``. ``on_progress(stage,
    done, total)`` hears every forward batch and probed layer; ``on_layer(result)`` gets the
    result so far after each layer (the live widget draws from it). Raises a
    :class:`saeprobe.errors.SaeprobeError` subclass naming the fix on bad input.
    """
    if not isinstance(data, ProbeDataset):
        raise DataError("sweep() needs data=ProbeDataset; build one with saeprobe.load_dataset(...)")
    probe_class = plugins("probes").get(probe)
    if probe_class is None:
        raise DataError(f"no probe plugin {probe!r}; available: {sorted(plugins('probes'))}")
    make_probe = partial(probe_class, Cs=Cs, cv_folds=cv_folds, seed=seed)
    train, test = data.train_test_masks(test_size=test_size, seed=seed)
    regimes = regimes_from(train_sizes, label_noise, imbalance)
    started = time.perf_counter()
    target = resolve_target(model, layers, hook, pooling, cache_dir=cache_dir, revision=revision, device=device)
    source, root, dims, layer_list, expected_hooks, pooling = (
        target.source, target.root, target.dims, target.layers, target.hook_names, target.pooling
    )
    layer_saes = resolve_saes(saes, layer_list, expected_hooks, dims["d_model"]) if saes is not None else {}

    settings = {
        "hook": hook,
        "pooling": pooling,
        "exclude_bos": exclude_bos,
        "test_size": None if data.split is not None else test_size,
        "split": "given" if data.split is not None else "stratified",
        "seed": seed,
        "Cs": [float(c) for c in Cs],
        "cv_folds": cv_folds,
        "probe": probe,
        "top_ks": [int(k) for k in top_ks],
        "always_on_threshold": always_on_threshold,
        "feature_table_size": feature_table_size,
        "regimes": [{"regime": r.kind, "value": r.value} for r in regimes],
        "saeprobe_version": __version__,
    }
    store = None
    if root is not None:
        store = LayerResultStore(root, {
            "model": source.identity, "prompts": data.fingerprint(), "labels": _digest(data.y), "train": _digest(train),
            "saes": {str(layer): sae.identity for layer, sae in layer_saes.items()}, "settings": settings,
        })
    finished = {layer: restore_nan(entry) for layer, entry in store.load(layer_list).items()} if store else {}
    todo = [layer for layer in layer_list if layer not in finished]
    meta = store.load_meta() if store else None
    activations = None
    if todo or meta is None:
        activations = extract(
            source, data, todo or layer_list, hook, pooling, exclude_bos=exclude_bos, batch_size=batch_size,
            cache_dir=cache_dir, progress=progress, on_progress=on_progress,
        )
        meta = {"n_truncated": activations.n_truncated}
        if store:
            store.save_meta(meta)
    extracted = time.perf_counter()
    codes = encode({layer: layer_saes[layer] for layer in todo if layer in layer_saes}, activations) if todo else {}
    encoded = time.perf_counter()

    result = SweepResult(
        model={"name": source.name, "identity": source.identity, "revision": source.revision, **dims},
        dataset={
            "name": data.name,
            "n_examples": len(data),
            "template": data.template,
            "fingerprint": data.fingerprint(),
            "n_truncated": meta["n_truncated"],
        },
        settings=settings,
        classes=list(data.classes),
        n_train=int(np.sum(train)),
        n_test=int(np.sum(test)),
    )
    bar = tqdm(total=len(layer_list), desc="probe fits", unit="layer", disable=not progress)
    for done, layer in enumerate(layer_list, start=1):
        if layer not in finished:
            entry = _sweep_layer(
                layer, expected_hooks[layer], activations[layer], layer_saes.get(layer), codes.get(layer),
                data, train, make_probe=make_probe, seed=seed, top_ks=top_ks,
                always_on_threshold=always_on_threshold, feature_table_size=feature_table_size,
                regimes=regimes,
            )
            finished[layer] = entry
            if store:
                store.save(layer, json_safe(entry))
        result.layers.append(finished[layer])
        bar.update(1)
        if on_progress is not None:
            on_progress("probe fits", done, len(layer_list))
        if on_layer is not None:
            on_layer(result)
    bar.close()
    ended = time.perf_counter()
    result.timings = {
        "activations_s": round(extracted - started, 3),
        "encode_s": round(encoded - extracted, 3),
        "probes_s": round(ended - encoded, 3),
        "total_s": round(ended - started, 3),
        "forward_batches": activations.n_forward_batches if activations is not None else 0,
        "layers_from_cache": len(layer_list) - len(todo),
    }
    return result


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:32]


def _sweep_layer(
    layer: int,
    hook: str,
    raw: np.ndarray,
    sae: LayerSAE | None,
    codes: Any,
    data: ProbeDataset,
    train: np.ndarray,
    *,
    make_probe: Callable[..., Any],
    seed: int,
    top_ks: Sequence[int],
    always_on_threshold: float,
    feature_table_size: int,
    regimes: list[Regime],
) -> dict[str, Any]:
    """Probe every representation of one layer and gather the layer's diagnostics."""
    reconstruction = reconstruct(sae, codes) if sae is not None else None
    built = build_representations(
        raw, data.y, train, len(data.classes), codes, reconstruction, top_ks=top_ks, seed=seed
    )
    test = ~train
    scores = {
        name: evaluate_probe(make_probe(scaling=built.scaling.get(name)), matrix, data.y, train, test)
        for name, matrix in built.matrices.items()
    }
    entry: dict[str, Any] = {
        "layer": layer,
        "hook_name": hook,
        "sae": sae.describe() if sae is not None else None,
        "scores": scores,
        "baselines": built.choices,
        "regimes": [
            {
                "regime": regime.kind,
                "value": regime.value,
                "scores": _regime_scores(regime, built, data, train, make_probe, seed),
            }
            for regime in regimes
        ],
    }
    if sae is not None:
        features = feature_table(
            codes[train], data.y[train], data.classes, sae.describe()["neuronpedia_id"], feature_table_size
        )
        entry["diagnostics"] = {
            "sparsity": sparsity(codes, data.y, data.classes, always_on_threshold),
            "effective_dimension": {"raw": effective_dimension(raw), "sae": effective_dimension(codes)},
            "fidelity": fidelity(raw, reconstruction),
            "features": features.to_dict(orient="records"),
        }
    return entry


def _regime_scores(
    regime: Regime,
    built: Any,
    data: ProbeDataset,
    train: np.ndarray,
    make_probe: Callable[..., Any],
    seed: int,
) -> dict[str, dict[str, float]]:
    regime_train, regime_y = regime.apply(data.y, train, len(data.classes), seed)
    # Test rows keep their true labels: only what the probe learns from changes.
    regime_y[~train] = data.y[~train]
    return {
        name: evaluate_probe(make_probe(scaling=built.scaling.get(name)), built.matrices[name], regime_y, regime_train, ~train)
        for name in ("raw", "sae")
        if name in built.matrices
    }
