"""The layer sweep: pooled activations → SAE codes → probes per layer → :class:`SweepResult`."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm.auto import tqdm

from .cache import LayerResultStore, layer_tag, result_parts
from .codes import LayerSAE, resolve_saes
from .data import ProbeDataset, Split
from .diagnosis import with_diagnosis
from .errors import DataError, SAEError, SaeprobeWarning, SettingsError
from .jsonio import from_jsonable
from .models import resolve_model
from .plugins import require
from .preparation import Preparation
from .records import LayerEntry
from .result import SweepResult
from .sae_sets import named_sets
from .settings import SweepSettings, settings_with
from .target import Target, resolve_target
from .threads import side_by_side

if TYPE_CHECKING:
    from .activations import ActivationSet
    from .layer_codes import LayerCodes


def sweep(
    model: Any,
    saes: Any = None,
    data: ProbeDataset | None = None,
    *,
    settings: SweepSettings | None = None,
    cache_dir: str | Path | bool | None = None,
    progress: bool = True,
    on_progress: Callable[[str, int, int], None] | None = None,
    on_layer: Callable[[SweepResult], None] | None = None,
    **options: Any,
) -> SweepResult:
    """Probe a concept layer by layer on raw hidden states and on SAE codes of the same states.

    ``model``: hub name, local Hugging Face directory, ``.gguf`` file, embedded name, or loaded
    TransformerBridge / HookedTransformer. ``saes``: SAELens release, directory of SAELens SAEs,
    SAE object(s), mapping ``{layer: SAE}``, or ``None`` for raw probes only; or named sets to
    compare, ``{"task": DIR, "general": DIR2}``, each probed with its own representations
    (``sae:task``, ...), diagnostics and diagnosis (see :mod:`saeprobe.sae_sets`); one forward pass
    serves all sets that need the same model preparation. ``data``: a
    :class:`ProbeDataset` (see :func:`saeprobe.load_dataset`). ``options`` are
    :class:`~saeprobe.SweepSettings` fields (``layers``, ``hook``, ``pooling``, ``Cs``,
    ``top_ks``, ...) applied to ``settings``; the result records the settings used.

    Activations of all layers come from one forward pass per batch and are cached under
    ``cache_dir`` (default ``$SAEPROBE_CACHE_DIR`` or ``~/.cache/saeprobe``; ``False`` disables),
    as is every finished layer, so an interrupted sweep resumes and a repeated one fits nothing.
    Each layer is probed by :func:`saeprobe.probe_layer`. ``on_progress(stage, done, total)``
    hears every forward batch and probed layer; ``on_layer(result)`` gets the result so far after
    each layer (the widget's ``on_progress`` and ``on_layer`` methods draw from them). Raises a
    :class:`saeprobe.errors.SaeprobeError` subclass naming the fix on bad input.
    """
    plan = plan_sweep(model, saes, data, settings=settings, cache_dir=cache_dir, **options)
    target, sets, set_targets, store, finished, todo = (plan.target, plan.sets, plan.set_targets, plan.store,
                                                        plan.finished, plan.todo)
    settings, train, test, split, started = target.settings, plan.train, plan.test, plan.split, plan.started
    prompts = data.prompt_set
    if todo:
        require("probes", settings.probe)  # a missing or broken probe stops the sweep before the forward pass
    meta = store.load_meta() if store else None
    activations: dict[Preparation, ActivationSet] = {}
    if todo or meta is None:
        activations = _read_activations(plan, progress, on_progress)
        raw_states = activations[target.preparation]
        meta = {"n_truncated": raw_states.n_truncated, "lengths": raw_states.lengths.tolist()}
        if store:
            store.save_meta(meta)
    beyond = {name: _beyond_context(name, layer_saes, np.asarray(meta["lengths"])) for name, layer_saes in sets.items()}
    extracted = time.perf_counter()
    codes: dict[int, dict[str, LayerCodes]] = {}
    if todo and sets:
        def encode(layer: int) -> dict[str, LayerCodes]:
            return {name: _layer_codes(set_targets[name], sets[name][layer], activations[set_targets[name].preparation],
                                       layer, len(data), own_states=set_targets[name].preparation != target.preparation)
                    for name in sets}

        codes = dict(zip(todo, side_by_side(encode, todo, settings.threads)))
    encoded = time.perf_counter()

    result = SweepResult(
        model={"name": target.source.name, "identity": target.source.identity, "revision": target.source.revision,
               **target.dims},
        dataset={
            "name": data.name, "n_examples": len(data), "template": data.template, "fingerprint": prompts.fingerprint,
            "n_truncated": meta["n_truncated"], "split": "given" if data.split is not None else "stratified",
            "n_duplicates": split.n_duplicates, "n_test_seen_in_train": split.n_test_seen_in_train,
        },
        settings=settings,
        classes=list(data.classes),
        n_train=int(np.sum(train)),
        n_test=int(np.sum(test)),
    )
    def fit(layer: int) -> LayerEntry:
        from .layer_probe import probe_layer

        entry = probe_layer(
            activations[target.preparation][layer], data.y, train,
            sae={name: layer_saes[layer] for name, layer_saes in sets.items()} or None, codes=codes.get(layer),
            classes=data.classes, layer=layer, hook_name=target.hook_names[layer], settings=settings,
        )
        entry.preparation = target.preparation
        for name, found in entry.saes.items():
            found.preparation = set_targets[name].preparation
            found.n_beyond_context = beyond[name].get(layer)
        if store:
            store.save(layer, plan.tags[layer], entry)  # as soon as it is done: an interruption keeps it
        return entry

    bar = tqdm(total=len(target.layers), desc="probe fits", unit="layer", disable=not progress)
    fitted = side_by_side(fit, todo, settings.threads)  # layers side by side; each saved as it is done
    try:
        for done, layer in enumerate(target.layers, start=1):
            if layer not in finished:
                finished[layer] = next(fitted)
            result.layers.append(finished[layer])
            bar.update(1)
            if on_progress is not None:
                on_progress("probe fits", done, len(target.layers))
            if on_layer is not None:
                on_layer(result)
    finally:
        fitted.close()
        bar.close()
    ended = time.perf_counter()
    result.timings = {
        "activations_s": round(extracted - started, 3),
        "model_load_s": round(target.source.load_seconds - plan.loaded_before, 3),
        "encode_s": round(encoded - extracted, 3),
        "probes_s": round(ended - encoded, 3),
        "total_s": round(ended - started, 3),
        "forward_batches": sum(found.n_forward_batches for found in activations.values()),
        "layers_from_cache": len(target.layers) - len(todo),
    }
    return result


@dataclass
class SweepPlan:
    """What a sweep will do, decided before any forward pass: the split, the resolved target (the
    raw states' preparation), the SAE sets by name and their targets, the result store, the layers
    already finished (from the cache) and those left to do."""

    data: ProbeDataset
    split: Split
    target: Target
    sets: dict[str, dict[int, LayerSAE]]
    set_targets: dict[str, Target]
    store: LayerResultStore | None
    finished: dict[int, LayerEntry]
    tags: dict[int, str]
    todo: list[int]
    started: float
    loaded_before: float

    @property
    def train(self) -> np.ndarray:
        return self.split.train

    @property
    def test(self) -> np.ndarray:
        return self.split.test


def plan_sweep(model: Any, saes: Any, data: ProbeDataset, *, settings: SweepSettings | None = None,
               cache_dir: str | Path | bool | None = None, load_saes: bool = True, **options: Any) -> SweepPlan:
    """Check a sweep's inputs and find what is left to compute, loading neither the model (when its
    dimensions are cached) nor torch; with ``load_saes`` the SAEs of the layers left are loaded, so
    a damaged one stops here. Arguments as for :func:`sweep`."""
    if not isinstance(data, ProbeDataset):
        raise DataError("sweep() needs data=ProbeDataset; build one with saeprobe.load_dataset(...)")
    settings = settings_with(settings, options)
    check_class_sizes(data, settings.min_class_size)
    split = data.split_rows(test_size=settings.test_size, seed=settings.seed, duplicates=settings.duplicates)
    _warn_about_duplicates(split, data)
    started = time.perf_counter()
    source = resolve_model(model, revision=settings.revision, device=settings.device)
    loaded_before = source.load_seconds  # a warm model (see resolve_model) loaded before this sweep
    target = resolve_target(source, settings, cache_dir)
    sets = _resolve_sets(saes, target)
    check_top_ks(settings.top_ks, target.dims["d_model"],
                 [sae.d_sae for layer_saes in sets.values() for sae in layer_saes.values()])
    set_targets = {name: _prepared(target, name, layer_saes, len(sets)) for name, layer_saes in sets.items()}
    # The raw states are read as the first set's model preparation; sets prepared otherwise get a
    # forward pass of their own.
    target = next(iter(set_targets.values()), target)
    store = None
    if target.root is not None:
        store = LayerResultStore(target.root, result_parts(
            target.source.identity, target.preparation.to_dict(), data.prompt_set.fingerprint, data.classes, data.y,
            split.train,
            {name: prepared.preparation.to_dict() for name, prepared in set_targets.items()}, target.settings,
        ))
    tags = {layer: layer_tag({name: layer_saes[layer].identity for name, layer_saes in sets.items()})
            for layer in target.layers}
    finished = _stored_entries(store, tags, list(sets))
    todo = [layer for layer in target.layers if layer not in finished]
    for layer_saes in sets.values():
        for layer in todo if load_saes else []:
            layer_saes[layer].load()  # a damaged SAE stops the sweep before the forward pass, not after it
    return SweepPlan(data, split, target, sets, set_targets, store, finished, tags, todo, started, loaded_before)


def cache_activations(model: Any, saes: Any, data: ProbeDataset, *, settings: SweepSettings | None = None,
                      cache_dir: str | Path | bool | None = None, progress: bool = True, **options: Any) -> int:
    """Run the forward passes a sweep needs and store their activations in the cache, so that sweeps
    of any of its layers (on another process or machine sharing the cache) run none; returns the
    number of forward batches run (0 when the cache already held them). Arguments as for
    :func:`sweep`; raises :class:`SettingsError` with the cache disabled."""
    plan = plan_sweep(model, saes, data, settings=settings, cache_dir=cache_dir, **options)
    if plan.target.root is None:
        raise SettingsError("cache_activations stores activations in the cache; give a cache_dir, not False")
    if not plan.todo:
        return 0
    return sum(found.n_forward_batches for found in _read_activations(plan, progress, None).values())


def _read_activations(plan: SweepPlan, progress: bool,
                      on_progress: Callable[[str, int, int], None] | None) -> dict[Preparation, ActivationSet]:
    """The activations the plan's layers need: one forward pass per distinct model preparation."""
    # Imported only for work left to do: a sweep answered from the cache loads neither torch nor
    # scikit-learn.
    from .activations import read_activations

    target, todo = plan.target, plan.todo
    token_layers = todo if target.tokens_before_pooling and plan.sets else []
    return {
        prepared.preparation: read_activations(prepared, plan.data.prompt_set,
                                               (todo or target.layers) if prepared is target else todo,
                                               token_layers=token_layers, progress=progress, on_progress=on_progress)
        for prepared in _by_preparation(target, plan.set_targets.values())
    }


def check_class_sizes(data: ProbeDataset, minimum: int) -> None:
    """Raise :class:`DataError` before any forward pass when classes have too few examples to train,
    cross-validate and test a probe (``minimum``, the ``min_class_size`` setting)."""
    counts = np.bincount(data.y, minlength=len(data.classes))
    small = np.flatnonzero(counts < minimum)
    if len(small):
        named = ", ".join(f"{data.classes[i]!r} ({counts[i]})" for i in small[:5])
        raise DataError(
            f"{len(small)} of {len(data.classes)} classes have fewer than {minimum} examples ({named}"
            f"{', ...' if len(small) > 5 else ''}): too few to train and test a probe; merge or drop rare classes, or "
            "lower {option}", option="min_class_size",
        )


def check_top_ks(top_ks: tuple[int, ...], d_model: int, widths: list[int]) -> None:
    """Raise :class:`SettingsError` when no top-k size is below the widest representation: every
    top-k baseline would be dropped. (A size at or above one width is skipped for that width, as
    documented, and kept for wider ones.)"""
    widest = max([d_model, *widths])
    if top_ks and min(top_ks) >= widest:
        raise SettingsError(
            f"{{option}}={list(top_ks)}: no size is below the widest representation ({widest} columns), so every "
            "top-k baseline would be dropped; give sizes below it", option="top_ks",
        )


def _warn_about_duplicates(split: Split, data: ProbeDataset) -> None:
    if split.n_test_seen_in_train:
        warnings.warn(
            f"{split.n_test_seen_in_train} test rows of {data.name!r} repeat a training text, so test accuracy can be "
            "inflated; the given split keeps them; remove the copies, or let saeprobe split (duplicates='group')",
            SaeprobeWarning, stacklevel=4,
        )
    elif split.n_duplicates:
        warnings.warn(
            f"{split.n_duplicates} rows of {data.name!r} repeat another row's text; every copy was kept on the same side "
            "of the split (duplicates='group')", SaeprobeWarning, stacklevel=4,
        )


def _layer_codes(target: Target, sae: LayerSAE, activations: ActivationSet, layer: int, n_examples: int,
                 own_states: bool = False) -> LayerCodes:
    """The codes a layer is probed on: every token encoded, then pooled, or the pooled vector
    encoded (code pooling ``pooled``, or ``last`` pooling, where the two are the same); with
    ``own_states`` (a set read from a model prepared otherwise than the raw states) they carry the
    pooled states the SAE read."""
    from .layer_codes import codes_of_pooled, codes_of_tokens

    if target.tokens_before_pooling:
        found = codes_of_tokens(sae, activations.tokens.chunks(layer), n_examples, target.pooling)
    else:
        found = codes_of_pooled(sae, activations[layer], one_token_each=target.pooling == "last")
    if own_states:
        found.states = activations[layer]
    return found


def _resolve_sets(saes: Any, target: Target) -> dict[str, dict[int, LayerSAE]]:
    """The SAEs of each named set, by layer, checked against the model; an error names the set
    when there are several."""
    specs = named_sets(saes)
    sets = {}
    for name, spec in specs.items():
        try:
            sets[name] = resolve_saes(spec, target.layers, target.hook_names, target.dims["d_model"])
        except SAEError as exc:
            raise _in_set(exc, name, len(specs)) from None
    return sets


def _prepared(target: Target, name: str, layer_saes: dict[int, LayerSAE], n_sets: int) -> Target:
    try:
        return target.prepared_for({layer: sae.cfg for layer, sae in layer_saes.items()})
    except SAEError as exc:
        raise _in_set(exc, name, n_sets) from None


def _in_set(exc: SAEError, name: str, n_sets: int) -> SAEError:
    return exc if n_sets == 1 else SAEError(f"SAE set {name!r}: {exc.render()}")


def _by_preparation(raw: Target, set_targets: Iterable[Target]) -> list[Target]:
    """One target per distinct model preparation, the raw states' first: one forward pass each."""
    distinct = {raw.preparation: raw}
    for prepared in set_targets:
        distinct.setdefault(prepared.preparation, prepared)
    return list(distinct.values())


def _beyond_context(name: str, layer_saes: dict[int, LayerSAE], lengths: np.ndarray) -> dict[int, int]:
    """Per layer, how many prompts are longer than the context its SAE (of set ``name``) was
    trained on; warns once per set, since those tokens are read outside the SAE's training
    distribution."""
    beyond = {}
    for layer, sae in layer_saes.items():
        context = sae.metadata.get("context_size")
        if context:
            beyond[layer] = int((lengths > int(context)).sum())
    if any(beyond.values()):
        worst = max(beyond, key=beyond.get)
        warnings.warn(
            f"{beyond[worst]} of {len(lengths)} prompts are longer than the {layer_saes[worst].metadata['context_size']} "
            f"tokens SAE {layer_saes[worst].source!r} (set {name!r}) was trained on (layer {worst}); their later tokens "
            "lie outside its training distribution. The count per layer is in the result (n_beyond_context); shorten "
            "the texts to avoid it",
            SaeprobeWarning, stacklevel=3,
        )
    return beyond


def _stored_entries(store: LayerResultStore | None, tags: dict[int, str], set_names: list[str]) -> dict[int, LayerEntry]:
    """Finished layers from the result cache, their SAE sets in the sweep's order (the cache
    stores keys sorted) and their diagnoses written afresh; an entry of the wrong shape is
    recomputed."""
    if store is None:
        return {}
    entries = {}
    for layer, payload in store.load(tags).items():
        try:
            entry = from_jsonable(LayerEntry, payload)
        except (KeyError, TypeError, ValueError):
            continue
        entry.saes = {name: entry.saes[name] for name in set_names if name in entry.saes}
        entry.diagnosis = {}  # derived from the figures: written afresh, by today's rules
        entries[layer] = with_diagnosis(entry)
    return entries
