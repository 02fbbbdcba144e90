"""What a sweep will do, decided before any forward pass: its inputs checked, the split made, the
model and SAE sets resolved, and the layers the result cache already holds. Loads neither the
model (when its dimensions are cached) nor torch."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import SweepSettings, settings_with, split_hook_name
from ..data import SAE_PROBES_SPLIT, ProbeDataset, Split, with_sae_probes_split
from ..errors import DataError, SAEError, SaeprobeWarning, SettingsError
from ..explain import with_diagnosis
from ..model import Preparation, Target, resolve_model, resolve_target
from ..records import LayerEntry
from ..sae import LayerSAE, is_transcoder, named_sets, output_hook, preparation_ambiguity, resolve_saes
from ..store import LayerResultStore, array_digest, from_jsonable, layer_tag, result_parts

if TYPE_CHECKING:
    from ..activations import ActivationSet


@dataclass
class SweepPlan:
    """What a sweep will do, decided before any forward pass: the split, the resolved target (the
    raw states' preparation), the SAE sets by name and their targets, the result store, the layers
    already finished (from the cache) and those left to do, and the training rows of each repeated
    split (``repeats``; the ``seeds`` setting), and for each set of transcoders the target of the
    output hooks they rebuild (``outputs``), and the dataset the probes are also tested on under
    covariate shift (``shift``) with its rows' class indices in the training data's classes
    (``shift_y``)."""

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
    repeats: dict[int, np.ndarray] = field(default_factory=dict)
    outputs: dict[str, Target] = field(default_factory=dict)
    shift: ProbeDataset | None = None
    shift_y: np.ndarray | None = None

    @property
    def train(self) -> np.ndarray:
        return self.split.train

    @property
    def test(self) -> np.ndarray:
        return self.split.test


def plan_sweep(
    model: Any,
    saes: Any,
    data: ProbeDataset | None,
    *,
    settings: SweepSettings | None = None,
    cache_dir: str | Path | bool | None = None,
    load_saes: bool = True,
    test_data: ProbeDataset | None = None,
    **options: Any,
) -> SweepPlan:
    """Check a sweep's inputs and find what is left to compute, loading neither the model (when its
    dimensions are cached) nor torch; with ``load_saes`` the SAEs of the layers left are loaded, so
    a damaged one stops here. Arguments as for :func:`sweep`."""
    if not isinstance(data, ProbeDataset):
        raise DataError("sweep() needs data=ProbeDataset; build one with saeprobe.load_dataset(...)")
    settings = settings_with(settings, options)
    if settings.split == SAE_PROBES_SPLIT:
        data = with_sae_probes_split(data)
    check_class_sizes(data, settings.min_class_size)
    shift_y = shifted_labels(data, test_data) if test_data is not None else None
    split = data.split_rows(test_size=settings.test_size, seed=settings.seed, duplicates=settings.duplicates)
    _warn_about_duplicates(split, data)
    repeats = _repeated_splits(data, settings)
    started = time.perf_counter()
    source = resolve_model(model, revision=settings.revision, device=settings.device)
    loaded_before = source.load_seconds  # a warm model (see resolve_model) loaded before this sweep
    target = resolve_target(source, settings, cache_dir)
    sets = _resolve_sets(saes, target)
    if settings.processing == "auto":
        _warn_of_open_preparations(sets)
    check_top_ks(
        settings.top_ks,
        target.dims["d_model"],
        [sae.d_sae for layer_saes in sets.values() for sae in layer_saes.values()],
    )
    set_targets = {name: _prepared(target, name, layer_saes, len(sets)) for name, layer_saes in sets.items()}
    # The raw states are read as the first set's model preparation; sets prepared otherwise get a
    # forward pass of their own.
    target = next(iter(set_targets.values()), target)
    outputs = {
        name: _output_target(set_targets[name], name, layer_saes, len(sets))
        for name, layer_saes in sets.items()
        if any(is_transcoder(sae.cfg) for sae in layer_saes.values())
    }
    store = None
    if target.root is not None:
        parts = result_parts(
            target.source.identity,
            target.preparation.to_dict(),
            data.prompt_set.fingerprint,
            data.classes,
            data.y,
            split.train,
            {name: prepared.preparation.to_dict() for name, prepared in set_targets.items()},
            target.settings,
        )
        if test_data is not None and shift_y is not None:
            parts["test_data"] = {"prompts": test_data.prompt_set.fingerprint, "labels": array_digest(shift_y)}
        store = LayerResultStore(target.root, parts)
    tags = {
        layer: layer_tag({name: layer_saes[layer].identity for name, layer_saes in sets.items()})
        for layer in target.layers
    }
    finished = _stored_entries(store, tags, list(sets))
    todo = [layer for layer in target.layers if layer not in finished]
    for layer_saes in sets.values():
        for layer in todo if load_saes else []:
            layer_saes[layer].load()  # a damaged SAE stops the sweep before the forward pass, not after it
    return SweepPlan(
        data,
        split,
        target,
        sets,
        set_targets,
        store,
        finished,
        tags,
        todo,
        started,
        loaded_before,
        repeats,
        outputs,
        test_data,
        shift_y,
    )


def shifted_labels(data: ProbeDataset, test_data: ProbeDataset) -> np.ndarray:
    """The class index, in ``data``'s classes, of every row of ``test_data``. Classes that are
    ``data``'s own match by value. Other classes, as many as ``data``'s, match in sorted order (as
    sae-probes matches an out-of-distribution set's), which a warning spells out. Raises
    :class:`DataError` otherwise."""
    if not isinstance(test_data, ProbeDataset):
        raise DataError("test_data= needs a ProbeDataset; build one with saeprobe.load_dataset(...)")
    if set(test_data.classes) <= set(data.classes):
        index = {label: i for i, label in enumerate(data.classes)}
        return np.array([index[label] for label in test_data.labels], dtype=np.int64)
    if len(test_data.classes) == len(data.classes):
        pairs = ", ".join(f"{a!r} as {b!r}" for a, b in zip(test_data.classes, data.classes, strict=True))
        warnings.warn(
            f"the classes of {test_data.name!r} are not those of {data.name!r}; they are matched in sorted order "
            f"({pairs}), as sae-probes matches them; relabel the test data if that is wrong",
            SaeprobeWarning,
            stacklevel=4,  # the caller of sweep(), through plan_sweep()
        )
        return test_data.y.copy()
    extra = [c for c in test_data.classes if c not in data.classes]
    raise DataError(
        f"{test_data.name!r} has classes {extra!r} that {data.name!r} does not have, and {len(test_data.classes)} "
        f"classes against {len(data.classes)}; a probe can only be tested on classes it was trained on"
    )


def cache_activations(
    model: Any,
    saes: Any,
    data: ProbeDataset,
    *,
    settings: SweepSettings | None = None,
    cache_dir: str | Path | bool | None = None,
    progress: bool = True,
    **options: Any,
) -> int:
    """Run the forward passes a sweep needs and store their activations in the cache, so that sweeps
    of any of its layers (on another process or machine sharing the cache) run none; returns the
    number of forward batches run (0 when the cache already held them). Arguments as for
    :func:`sweep`; raises :class:`SettingsError` with the cache disabled."""
    plan = plan_sweep(model, saes, data, settings=settings, cache_dir=cache_dir, **options)
    if plan.target.root is None:
        raise SettingsError("cache_activations stores activations in the cache; give a cache_dir, not False")
    if not plan.todo:
        return 0
    batches = sum(found.n_forward_batches for found in plan_activations(plan, progress, None).values())
    if plan.shift is not None:
        batches += sum(found.n_forward_batches for found in plan_activations(plan, progress, None, plan.shift).values())
    return batches


def plan_activations(
    plan: SweepPlan,
    progress: bool,
    on_progress: Callable[[str, int, int], None] | None,
    data: ProbeDataset | None = None,
) -> dict[Preparation, ActivationSet]:
    """The activations the plan's layers need: one forward pass per distinct model preparation, of
    the plan's data or of ``data`` (the shifted test data)."""
    # Imported only for work left to do: a sweep answered from the cache loads neither torch nor
    # scikit-learn.
    from ..activations import read_activations

    target, todo = plan.target, plan.todo
    token_layers = todo if target.tokens_before_pooling and plan.sets else []
    return {
        prepared.preparation: read_activations(
            prepared,
            (data or plan.data).prompt_set,
            (todo or target.layers) if prepared is target else todo,
            token_layers=token_layers,
            progress=progress,
            on_progress=on_progress,
        )
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
            "lower {option}",
            option="min_class_size",
        )


def check_top_ks(top_ks: tuple[int, ...], d_model: int, widths: list[int]) -> None:
    """Raise :class:`SettingsError` when no top-k size is below the widest representation: every
    top-k baseline would be dropped. (A size at or above one width is skipped for that width, as
    documented, and kept for wider ones.)"""
    widest = max([d_model, *widths])
    if top_ks and min(top_ks) >= widest:
        raise SettingsError(
            f"{{option}}={list(top_ks)}: no size is below the widest representation ({widest} columns), so every "
            "top-k baseline would be dropped; give sizes below it",
            option="top_ks",
        )


def _repeated_splits(data: ProbeDataset, settings: SweepSettings) -> dict[int, np.ndarray]:
    """The training rows of each split the ``seeds`` setting asks for, made like the sweep's own;
    none when the data gives its split, which is said in a warning."""
    if not settings.seeds:
        return {}
    ignored = f"seeds={list(settings.seeds)} is ignored and no spread over splits is reported"
    fixed = None
    if settings.split == SAE_PROBES_SPLIT:
        fixed = (
            f"sae-probes' split is one fixed draw (its seed 42), so {ignored}; set split to auto to repeat a "
            "stratified split"
        )
    elif data.split is not None:
        fixed = (
            f"{data.name!r} gives its own train/test split, so there is one split to fit: {ignored}; leave the split "
            "column out to repeat the split"
        )
    if fixed is not None:
        warnings.warn(fixed, SaeprobeWarning, stacklevel=4)  # the caller of sweep(), through plan_sweep()
        return {}
    return {
        seed: data.split_rows(test_size=settings.test_size, seed=seed, duplicates=settings.duplicates).train
        for seed in settings.seeds
    }


def _warn_about_duplicates(split: Split, data: ProbeDataset) -> None:
    if split.n_test_seen_in_train:
        warnings.warn(
            f"{split.n_test_seen_in_train} test rows of {data.name!r} repeat a training text, so test accuracy can be "
            "inflated; the given split keeps them; remove the copies, or let saeprobe split (duplicates='group')",
            SaeprobeWarning,
            stacklevel=4,
        )
    elif split.n_duplicates:
        warnings.warn(
            f"{split.n_duplicates} rows of {data.name!r} repeat another row's text; every copy was kept on the same "
            "side of the split (duplicates='group')",
            SaeprobeWarning,
            stacklevel=4,
        )


def _resolve_sets(saes: Any, target: Target) -> dict[str, dict[int, LayerSAE]]:
    """The SAEs of each named set, by layer, checked against the model; an error names the set
    when there are several."""
    specs = named_sets(saes)
    sets = {}
    for name, spec in specs.items():
        try:
            sets[name] = resolve_saes(
                spec, target.layers, target.hook_names, target.dims["d_model"], target.dims["n_layers"]
            )
        except SAEError as exc:
            raise _in_set(exc, name, len(specs)) from None
    return sets


def _prepared(target: Target, name: str, layer_saes: dict[int, LayerSAE], n_sets: int) -> Target:
    try:
        return target.prepared_for({layer: sae.cfg for layer, sae in layer_saes.items()})
    except SAEError as exc:
        raise _in_set(exc, name, n_sets) from None


def _output_target(target: Target, name: str, layer_saes: dict[int, LayerSAE], n_sets: int) -> Target:
    """The target of the output hooks a set of transcoders rebuilds: ``target`` read at each
    layer's ``metadata.hook_name_out``. Raises :class:`SAEError` when a set mixes transcoders with
    SAEs, or output hook points, or when an output hook lies at another layer."""
    hooks, points = {}, set()
    for layer, sae in layer_saes.items():
        hook = output_hook(sae.cfg)
        if hook is None:
            raise _in_set(
                SAEError(f"the set mixes transcoders with SAEs (layer {layer}: {sae.source!r}); give them as two sets"),
                name,
                n_sets,
            )
        at, point = split_hook_name(hook)
        if at != layer:
            raise _in_set(
                SAEError(
                    f"the transcoder {sae.source!r} for layer {layer} rebuilds {hook!r}, at layer {at}; saeprobe "
                    "measures a layer's transcoder against its own layer"
                ),
                name,
                n_sets,
            )
        hooks[layer] = hook
        points.add(point)
    if len(points) > 1:
        raise _in_set(
            SAEError(f"the transcoders rebuild different hook points ({sorted(points)}); sweep each point separately"),
            name,
            n_sets,
        )
    return replace(target, hook_names=hooks, settings=target.settings.replace(hook=points.pop()))


def _warn_of_open_preparations(sets: dict[str, dict[int, LayerSAE]]) -> None:
    """One warning per set whose SAEs' metadata leaves the model's preparation open (see
    :func:`saeprobe.sae.preparation_ambiguity`)."""
    for name, layer_saes in sets.items():
        for sae in layer_saes.values():
            ambiguity = preparation_ambiguity(sae.cfg)
            if ambiguity:
                named = f" (set {name!r})" if len(sets) > 1 else ""
                warnings.warn(f"SAE {sae.source!r}{named}: {ambiguity}", SaeprobeWarning, stacklevel=4)
                break


def _in_set(exc: SAEError, name: str, n_sets: int) -> SAEError:
    return exc if n_sets == 1 else SAEError(f"SAE set {name!r}: {exc.render()}")


def _by_preparation(raw: Target, set_targets: Iterable[Target]) -> list[Target]:
    """One target per distinct model preparation, the raw states' first: one forward pass each."""
    distinct = {raw.preparation: raw}
    for prepared in set_targets:
        distinct.setdefault(prepared.preparation, prepared)
    return list(distinct.values())


def _stored_entries(
    store: LayerResultStore | None, tags: dict[int, str], set_names: list[str]
) -> dict[int, LayerEntry]:
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
