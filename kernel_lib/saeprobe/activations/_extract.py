"""Hidden states per layer: tokenise, bucket by length, one forward pass per batch; pooled per text,
and, for layers whose SAE codes are taken token by token, the real tokens' states as well."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..config import SweepSettings, settings_with
from ..data import ProbeDataset, Prompts, prompts_of
from ..errors import SaeprobeWarning
from ..model import Preparation, Target, check_hooks, resolve_target
from ..store import (
    LIMIT_ENV,
    ActivationStore,
    TokenStore,
    activation_parts,
    keep_within,
    size_limit,
    token_activation_parts,
)
from ._chunks import ChunkRun, TokenActivations, length_chunks
from ._tokenize import tokenize


@dataclass
class ActivationSet(Mapping[int, np.ndarray]):
    """Pooled activations ``{layer: [n_examples, d_model]}``, rows in data order, with the hook
    read at each layer, which texts were truncated, each prompt's length in tokens, how many forward
    batches ran (0 on a cache hit), the pooling used, how the model was prepared, and, for the
    layers asked for, the token-level states (``tokens``)."""

    by_layer: dict[int, np.ndarray]
    hook_names: dict[int, str]
    truncated: np.ndarray
    lengths: np.ndarray
    n_forward_batches: int = 0
    pooling: str = "last"
    preparation: Preparation = field(default_factory=Preparation)
    tokens: TokenActivations | None = None

    def __getitem__(self, layer: int) -> np.ndarray:
        return self.by_layer[layer]

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self.by_layer))

    def __len__(self) -> int:
        return len(self.by_layer)

    @property
    def n_truncated(self) -> int:
        """How many texts were cut to fit the model's context."""
        return int(self.truncated.sum())


def extract(
    model: Any,
    data: ProbeDataset | Sequence[str],
    *,
    saes: Any = None,
    settings: SweepSettings | None = None,
    cache_dir: str | Path | bool | None = None,
    progress: bool = True,
    on_progress: Callable[[str, int, int], None] | None = None,
    **options: Any,
) -> ActivationSet:
    """Pooled activations of every requested layer, all from one forward pass per batch.

    ``model`` is a hub name, a local Hugging Face directory or a loaded TransformerBridge /
    HookedTransformer; ``data`` a :class:`ProbeDataset` (its template is applied) or a list of
    strings. ``options`` are :class:`~saeprobe.SweepSettings` fields (``layers``, ``hook``,
    ``pooling``, ``processing``, ``code_pooling``, ``exclude_bos``, ``batch_size``, ...) applied to
    ``settings``. With ``saes`` (anything :func:`saeprobe.sweep` takes), the model is prepared as
    their metadata says and, under token code pooling, the token-level states of their layers come
    along, so that :func:`saeprobe.encode` encodes each token before pooling. Results are cached
    under ``cache_dir`` (default :func:`~saeprobe.store.default_cache_dir`, ``False`` disables)
    keyed by content; an interrupted run resumes by chunks. ``on_progress("forward pass", done,
    total)`` is called after every batch. Raises :class:`DataError`, :class:`ModelError`,
    :class:`LayerError`, :class:`SAEError` or :class:`SettingsError` on bad input.
    """
    from ..sae import resolve_saes

    target = resolve_target(model, settings_with(settings, options), cache_dir)
    token_layers: list[int] = []
    if saes is not None:
        layer_saes = resolve_saes(
            saes, target.layers, target.hook_names, target.dims["d_model"], target.dims["n_layers"]
        )
        target = target.prepared_for({layer: sae.cfg for layer, sae in layer_saes.items()})
        token_layers = list(layer_saes) if target.tokens_before_pooling else []
    return read_activations(
        target, prompts_of(data), token_layers=token_layers, progress=progress, on_progress=on_progress
    )


def read_activations(
    target: Target,
    prompts: Prompts,
    layers: Sequence[int] | None = None,
    *,
    token_layers: Sequence[int] = (),
    progress: bool = True,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> ActivationSet:
    """The activation reader shared by :func:`extract` and the sweep: pooled activations of
    ``layers`` (default: all of the target's) and the token-level states of ``token_layers`` for
    ``prompts``, from the cache where they are stored, else from one forward pass per batch over
    the layers still missing; the model is loaded only then."""
    wanted = list(layers) if layers is not None else target.layers
    names = {layer: target.hook_names[layer] for layer in sorted({*wanted, *token_layers})}
    prep = target.preparation.to_dict()
    store = token_store = None
    limit = size_limit() if target.root is not None else None  # a bad limit stops before the forward pass
    if target.root is not None:
        identity, fingerprint = target.source.identity, prompts.fingerprint
        store = ActivationStore(target.root, activation_parts(identity, fingerprint, target.settings, prep))
        if token_layers:
            token_store = TokenStore(target.root, token_activation_parts(identity, fingerprint, target.settings, prep))
        hit = store.load_layers(wanted)
        if hit is not None and _tokens_stored(token_store, token_layers, length_chunks(hit[2])):
            matrices, truncated, lengths = hit
            tokens = (
                TokenActivations(list(token_layers), len(length_chunks(lengths)), token_store) if token_layers else None
            )
            return ActivationSet(
                matrices,
                {layer: names[layer] for layer in wanted},
                truncated,
                lengths,
                0,
                target.pooling,
                target.preparation,
                tokens,
            )
    loaded = target.load()
    check_hooks(loaded, list(names.values()))
    tokenized = tokenize(loaded, list(prompts.texts), prompts.template, target.dims["n_ctx"], target.preparation)
    run = ChunkRun(loaded, tokenized, target.settings, names, wanted, list(token_layers), store, token_store)
    matrices, tokens, n_batches = run.all(progress, on_progress)
    if store is not None and target.root is not None:
        store.save_layers(matrices, tokenized.truncated, tokenized.lengths)
        in_use = [store.directory, *([token_store.directory] if token_store is not None else [])]
        removed = keep_within(target.root, limit, in_use)
        if removed:
            warnings.warn(
                f"the cache in {str(target.root)!r} outgrew its limit (${LIMIT_ENV}); removed the {len(removed)} "
                "activation entries used least recently, which a forward pass makes again",
                SaeprobeWarning,
                stacklevel=3,
            )
    return ActivationSet(
        matrices,
        {layer: names[layer] for layer in wanted},
        tokenized.truncated,
        tokenized.lengths,
        n_batches,
        target.pooling,
        target.preparation,
        tokens,
    )


def _tokens_stored(store: TokenStore | None, layers: Sequence[int], chunks: list[np.ndarray]) -> bool:
    if not layers:
        return True
    return store is not None and all(set(layers) <= store.layers_in(i, index) for i, index in enumerate(chunks))
