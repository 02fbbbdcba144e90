"""The layer sweep: pooled activations → SAE codes → probes per layer → :class:`SweepResult`."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm.auto import tqdm

from .._threads import side_by_side
from ..config import SweepSettings
from ..data import SAE_PROBES_SPLIT, ProbeDataset
from ..errors import SaeprobeWarning
from ..model import Preparation, Target, model_label
from ..plugins import require
from ..records import BEST_PROBE, DatasetInfo, LayerEntry, ModelInfo
from ..sae import LayerSAE, describe_set
from ._plan import SweepPlan, plan_activations, plan_sweep
from ._result import SweepResult

if TYPE_CHECKING:
    from ..activations import ActivationSet
    from ..probe import ShiftedTest
    from ..sae import LayerCodes

Progress = Callable[[str, int, int], None]


def sweep(
    model: Any,
    saes: Any = None,
    data: ProbeDataset | None = None,
    *,
    settings: SweepSettings | None = None,
    cache_dir: str | Path | bool | None = None,
    progress: bool = True,
    on_progress: Progress | None = None,
    on_layer: Callable[[SweepResult], None] | None = None,
    test_data: ProbeDataset | None = None,
    **options: Any,
) -> SweepResult:
    """Probe a concept layer by layer on raw hidden states and on SAE codes of the same states.

    ``model``: hub name, local Hugging Face directory, ``.gguf`` file, embedded name, or loaded
    TransformerBridge / HookedTransformer. ``saes``: SAELens release, directory of SAELens SAEs,
    SAE object(s), mapping ``{layer: SAE}``, or ``None`` for raw probes only; or named sets to
    compare, ``{"task": DIR, "general": DIR2}``, each probed with its own representations
    (``sae:task``, ...), diagnostics and diagnosis (see :func:`saeprobe.sae.named_sets`); one
    forward pass serves all sets that need the same model preparation. ``data``: a
    :class:`~saeprobe.ProbeDataset` (see :func:`saeprobe.load_dataset`). ``options`` are
    :class:`~saeprobe.SweepSettings` fields (``layers``, ``hook``, ``pooling``, ``Cs``,
    ``top_ks``, ...) applied to ``settings``; the result records the settings used.

    Activations of all layers come from one forward pass per batch and are cached under
    ``cache_dir`` (default ``$SAEPROBE_CACHE_DIR`` or ``~/.cache/saeprobe``; ``False`` disables),
    as is every finished layer, so an interrupted sweep resumes and a repeated one fits nothing.
    Each layer is probed by :func:`saeprobe.probe_layer`. ``on_progress(stage, done, total)``
    hears every forward batch and probed layer; ``on_layer(result)`` gets the result so far after
    each layer (the widget's ``on_progress`` and ``on_layer`` methods draw from them).

    ``test_data`` (another :class:`~saeprobe.ProbeDataset`, e.g. ``sae-probes-ood:NAME``) adds
    covariate shift: the raw and SAE probes, trained on ``data``'s training split, are also tested
    on every row of ``test_data``, reported as each layer's ``covariate_shift`` regime run (its own
    rows of ``result.scores``), never mixed with the test split. Its classes match ``data``'s by
    value, else in sorted order with a warning. Raises a :class:`saeprobe.errors.SaeprobeError`
    subclass naming the fix on bad input.
    """
    plan = plan_sweep(model, saes, data, settings=settings, cache_dir=cache_dir, test_data=test_data, **options)
    return SweepRun(plan, progress=progress, on_progress=on_progress, on_layer=on_layer).run()


class SweepRun:
    """One sweep carried out from its :class:`~saeprobe.sweeps.SweepPlan`: the hidden states read
    (one forward pass per model preparation, none when the cache holds them), each layer left to do
    encoded by every SAE set, each layer probed and saved as soon as it is done, and the result
    assembled with the time each stage took."""

    def __init__(
        self,
        plan: SweepPlan,
        *,
        progress: bool = True,
        on_progress: Progress | None = None,
        on_layer: Callable[[SweepResult], None] | None = None,
    ):
        self.plan = plan
        self.settings = plan.target.settings
        self.progress = progress
        self.on_progress = on_progress
        self.on_layer = on_layer
        self.activations: dict[Preparation, ActivationSet] = {}
        self.codes: dict[int, dict[str, LayerCodes]] = {}
        self.random_codes: dict[int, dict[str, LayerCodes]] = {}
        self.outputs: dict[str, ActivationSet] = {}
        self.beyond_context: dict[str, dict[int, int]] = {}
        # Covariate shift: the test data's states and each layer's codes of them, by set name.
        self.shift_activations: dict[Preparation, ActivationSet] = {}
        self.shift_codes: dict[int, dict[str, LayerCodes]] = {}

    def run(self) -> SweepResult:
        """Read, encode and probe what is left; the finished result, layers in order."""
        if self.plan.todo:  # a missing or broken probe stops the sweep before the forward pass
            require("probes", self.settings.probe)
            for name in set(self.settings.probes) - {BEST_PROBE}:
                require("probes", name, option="probes")
        meta = self._read_states()
        extracted = time.perf_counter()
        if self.plan.todo and self.plan.sets:
            for layer, (codes, random_codes, shift_codes) in zip(
                self.plan.todo, side_by_side(self._encode, self.plan.todo, self.settings.threads), strict=True
            ):
                self.codes[layer], self.random_codes[layer], self.shift_codes[layer] = codes, random_codes, shift_codes
        encoded = time.perf_counter()
        result = self._empty_result(meta)
        self._probe_layers(result)
        result.timings = self._timings(extracted, encoded, time.perf_counter())
        _warn_of_controls(result)
        return result

    def _read_states(self) -> dict[str, Any]:
        """The activations of the layers left to do, and what the result records of the prompts
        (how many were truncated, each one's length), kept beside the cached layers so a sweep
        answered from the cache needs no forward pass for them."""
        plan, store = self.plan, self.plan.store
        meta = store.load_meta() if store else None
        if plan.todo or meta is None:
            self.activations = plan_activations(plan, self.progress, self.on_progress)
            self.outputs = _output_activations(plan, self.progress, self.on_progress)
            if plan.shift is not None and plan.todo:
                self.shift_activations = plan_activations(plan, self.progress, self.on_progress, data=plan.shift)
            raw_states = self.activations[plan.target.preparation]
            meta = {"n_truncated": raw_states.n_truncated, "lengths": raw_states.lengths.tolist()}
            if store:
                store.save_meta(meta)
        lengths = np.asarray(meta["lengths"])
        self.beyond_context = {name: _beyond_context(name, saes, lengths) for name, saes in plan.sets.items()}
        return meta

    def _encode(self, layer: int) -> tuple[dict[str, LayerCodes], dict[str, LayerCodes], dict[str, LayerCodes]]:
        """Every SAE set's codes of ``layer``, from the states read for that set's preparation; with
        the ``sae_random`` control those of a random SAE of each set's shape, encoded alike; and
        under covariate shift its codes of the test data's rows."""
        from ..sae import random_like

        raw = self.plan.target.preparation
        found, random, shifted = {}, {}, {}
        for name, layer_saes in self.plan.sets.items():
            target = self.plan.set_targets[name]
            states = self.activations[target.preparation]
            own = target.preparation != raw
            found[name] = _layer_codes(target, layer_saes[layer], states, layer, len(self.plan.data), own_states=own)
            outputs = self.outputs[name][layer] if name in self.outputs else None
            found[name].outputs = outputs
            if "sae_random" in self.settings.controls:
                shaped = random_like(layer_saes[layer], self.settings.seed)
                random[name] = _layer_codes(target, shaped, states, layer, len(self.plan.data), own_states=own)
                random[name].outputs = outputs
            if self.plan.shift is not None:
                states = self.shift_activations[target.preparation]
                shifted[name] = _layer_codes(target, layer_saes[layer], states, layer, len(self.plan.shift))
        return found, random, shifted

    def _probe(self, layer: int) -> LayerEntry:
        """``layer`` probed and explained, saved to the result cache at once (an interruption keeps it)."""
        from ..probe import probe_layer

        plan = self.plan
        entry = probe_layer(
            self.activations[plan.target.preparation][layer],
            plan.data.y,
            plan.train,
            sae={name: layer_saes[layer] for name, layer_saes in plan.sets.items()} or None,
            codes=self.codes.get(layer),
            random_codes=self.random_codes.get(layer),
            repeat_splits=plan.repeats,
            shift=self._shifted_test(layer),
            classes=plan.data.classes,
            layer=layer,
            hook_name=plan.target.hook_names[layer],
            settings=self.settings,
        )
        entry.preparation = plan.target.preparation
        for name, found in entry.saes.items():
            found.preparation = plan.set_targets[name].preparation
            found.n_beyond_context = self.beyond_context[name].get(layer)
        if plan.store:
            plan.store.save(layer, plan.tags[layer], entry)
        return entry

    def _shifted_test(self, layer: int) -> ShiftedTest | None:
        """The test data's rows at ``layer`` under covariate shift; ``None`` without test data."""
        from ..probe import ShiftedTest

        plan = self.plan
        if plan.shift is None or plan.shift_y is None:
            return None
        raw = self.shift_activations[plan.target.preparation][layer]
        return ShiftedTest(plan.shift.name, raw, plan.shift_y, self.shift_codes.get(layer, {}))

    def _probe_layers(self, result: SweepResult) -> None:
        """Every layer into ``result`` in order, the cached ones as they are and the rest probed
        side by side; the callbacks hear each one."""
        plan = self.plan
        layers = plan.target.layers
        bar = tqdm(total=len(layers), desc="probe fits", unit="layer", disable=not self.progress)
        fitted = side_by_side(self._probe, plan.todo, self.settings.threads)
        try:
            for done, layer in enumerate(layers, start=1):
                if layer not in plan.finished:
                    plan.finished[layer] = next(fitted)
                result.layers.append(plan.finished[layer])
                bar.update(1)
                if self.on_progress is not None:
                    self.on_progress("probe fits", done, len(layers))
                if self.on_layer is not None:
                    self.on_layer(result)
        finally:
            fitted.close()
            bar.close()

    def _empty_result(self, meta: dict[str, Any]) -> SweepResult:
        plan, data, source = self.plan, self.plan.data, self.plan.target.source
        return SweepResult(
            model=ModelInfo(
                name=source.name,
                label=model_label(source.name),
                identity=source.identity,
                revision=source.revision,
                **plan.target.dims,
            ),
            dataset=DatasetInfo(
                name=data.name,
                n_examples=len(data),
                template=data.template,
                fingerprint=data.prompt_set.fingerprint,
                n_truncated=meta["n_truncated"],
                split=_split_kind(data, self.settings),
                n_duplicates=plan.split.n_duplicates,
                n_test_seen_in_train=plan.split.n_test_seen_in_train,
            ),
            settings=self.settings,
            classes=list(data.classes),
            n_train=int(np.sum(plan.train)),
            n_test=int(np.sum(plan.test)),
            sae_sets={name: describe_set(layer_saes) for name, layer_saes in plan.sets.items()},
        )

    def _timings(self, extracted: float, encoded: float, ended: float) -> dict[str, float]:
        plan = self.plan
        return {
            "activations_s": round(extracted - plan.started, 3),
            "model_load_s": round(plan.target.source.load_seconds - plan.loaded_before, 3),
            "encode_s": round(encoded - extracted, 3),
            "probes_s": round(ended - encoded, 3),
            "total_s": round(ended - plan.started, 3),
            "forward_batches": sum(found.n_forward_batches for found in self.activations.values()),
            "layers_from_cache": len(plan.target.layers) - len(plan.todo),
        }


def _layer_codes(
    target: Target, sae: LayerSAE, activations: ActivationSet, layer: int, n_examples: int, own_states: bool = False
) -> LayerCodes:
    """The codes a layer is probed on: every token encoded, then pooled, or the pooled vector
    encoded (code pooling ``pooled``, or ``last`` pooling, where the two are the same); with
    ``own_states`` (a set read from a model prepared otherwise than the raw states) they carry the
    pooled states the SAE read."""
    from ..sae import codes_of_pooled, codes_of_tokens

    if target.tokens_before_pooling:
        assert activations.tokens is not None  # read token by token for these layers (plan_activations)
        found = codes_of_tokens(sae, activations.tokens.chunks(layer), n_examples, target.pooling)
    else:
        found = codes_of_pooled(sae, activations[layer], one_token_each=target.pooling == "last")
    if own_states:
        found.states = activations[layer]
    return found


def _output_activations(plan: SweepPlan, progress: bool, on_progress: Progress | None) -> dict[str, ActivationSet]:
    """The pooled states of the output hooks each set of transcoders rebuilds, for the layers left
    to do (a forward pass of their own, cached like any other)."""
    if not plan.todo or not plan.outputs:
        return {}
    from ..activations import read_activations

    return {
        name: read_activations(target, plan.data.prompt_set, plan.todo, progress=progress, on_progress=on_progress)
        for name, target in plan.outputs.items()
    }


def _warn_of_controls(result: SweepResult) -> None:
    """One warning for the layers whose controls caught something (the first one's text in full;
    every one is in its layer's ``warnings``)."""
    caught = [entry for entry in result.layers if entry.warnings]
    if caught:
        warnings.warn(
            f"the controls caught something at layers {[entry.layer for entry in caught]} (see each layer's warnings "
            f"in the result and the widget); layer {caught[0].layer}: {caught[0].warnings[0]}",
            SaeprobeWarning,
            stacklevel=3,  # the caller of sweep(), through run()
        )


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
        worst = max(beyond, key=beyond.__getitem__)
        sae = layer_saes[worst]
        warnings.warn(
            f"{beyond[worst]} of {len(lengths)} prompts are longer than the {sae.metadata['context_size']} tokens SAE "
            f"{sae.source!r} (set {name!r}) was trained on (layer {worst}); their later tokens "
            "lie outside its training distribution. The count per layer is in the result (n_beyond_context); shorten "
            "the texts to avoid it",
            SaeprobeWarning,
            stacklevel=5,  # the caller of sweep(), through run() and _read_states()
        )
    return beyond


def _split_kind(data: ProbeDataset, settings: SweepSettings) -> str:
    """How the split was made: sae-probes' split, the one the data gives, or a stratified one."""
    if settings.split == SAE_PROBES_SPLIT:
        return SAE_PROBES_SPLIT
    return "given" if data.split is not None else "stratified"
