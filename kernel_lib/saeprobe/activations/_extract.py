"""Hidden states per layer: tokenise, bucket by length, one forward pass per batch; pooled per text,
and, for layers whose SAE codes are taken token by token, the real tokens' states as well."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from .cache import ActivationStore, TokenStore, activation_parts, token_activation_parts
from .data import TEXT_SLOT, ProbeDataset, Prompts, prompts_of
from .errors import DataError
from .layers import hook_name
from .models import check_hooks, is_bidirectional
from .pooling import pool, pooled_tokens
from .preparation import Preparation
from .settings import SweepSettings, settings_with
from .target import Target, resolve_target

# Examples per cache chunk: the unit of resumption after an interruption.
CHUNK_SIZE = 128


@dataclass
class TokenChunk:
    """The real tokens of one chunk of examples: ``index`` (their rows in data order), ``offsets``
    (example ``j``'s tokens are rows ``offsets[j]:offsets[j + 1]``) and the ``states``
    ``[n_tokens, d_model]`` of one layer."""

    index: np.ndarray
    offsets: np.ndarray
    states: np.ndarray


@dataclass
class TokenActivations:
    """Token-level states of some layers, at the positions mean and max pooling read (padding left
    out, a leading BOS/CLS left out under ``exclude_bos``), chunk by chunk: read from the cache one
    chunk at a time, or held in memory when caching is off. Never one dense ``[n_tokens, d_sae]``."""

    layers: list[int]
    n_chunks: int
    store: TokenStore | None = None
    memory: dict[int, tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]] = field(default_factory=dict, repr=False)

    def chunks(self, layer: int) -> Iterator[TokenChunk]:
        """The chunks of ``layer``, in chunk order: from memory where the cache could not keep them."""
        for number in range(self.n_chunks):
            if number in self.memory:
                index, offsets, arrays = self.memory[number]
            else:
                index, offsets, arrays = self.store.load(number, [layer])
            yield TokenChunk(index, offsets, arrays[layer])


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
    preparation: Preparation = Preparation()
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


@dataclass(frozen=True)
class _Tokenized:
    tokens: list[torch.Tensor]
    truncated: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(t) for t in self.tokens], dtype=np.int64)


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
    under ``cache_dir`` (default :func:`~saeprobe.cache.default_cache_dir`, ``False`` disables)
    keyed by content; an interrupted run resumes by chunks. ``on_progress("forward pass", done,
    total)`` is called after every batch. Raises :class:`DataError`, :class:`ModelError`,
    :class:`LayerError`, :class:`SAEError` or :class:`SettingsError` on bad input.
    """
    from .codes import resolve_saes

    target = resolve_target(model, settings_with(settings, options), cache_dir)
    token_layers: list[int] = []
    if saes is not None:
        layer_saes = resolve_saes(saes, target.layers, target.hook_names, target.dims["d_model"])
        target = target.prepared_for({layer: sae.cfg for layer, sae in layer_saes.items()})
        token_layers = list(layer_saes) if target.tokens_before_pooling else []
    return read_activations(target, prompts_of(data), token_layers=token_layers, progress=progress,
                            on_progress=on_progress)


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
    if target.root is not None:
        identity, fingerprint = target.source.identity, prompts.fingerprint
        store = ActivationStore(target.root, activation_parts(identity, fingerprint, target.settings, prep))
        if token_layers:
            token_store = TokenStore(target.root, token_activation_parts(identity, fingerprint, target.settings, prep))
        hit = store.load_layers(wanted)
        if hit is not None and _tokens_stored(token_store, token_layers, _chunks(hit[2])):
            matrices, truncated, lengths = hit
            tokens = TokenActivations(list(token_layers), len(_chunks(lengths)), token_store) if token_layers else None
            return ActivationSet(matrices, {l: names[l] for l in wanted}, truncated, lengths, 0, target.pooling,
                                 target.preparation, tokens)
    loaded = target.load()
    check_hooks(loaded, list(names.values()))
    tokenized = _tokenize(loaded, list(prompts.texts), prompts.template, target.dims["n_ctx"], target.preparation)
    run = _ChunkRun(loaded, tokenized, target.settings, names, wanted, list(token_layers), store, token_store)
    matrices, tokens, n_batches = run.all(progress, on_progress)
    if store is not None:
        store.save_layers(matrices, tokenized.truncated, tokenized.lengths)
    return ActivationSet(matrices, {l: names[l] for l in wanted}, tokenized.truncated, tokenized.lengths, n_batches,
                         target.pooling, target.preparation, tokens)


def _tokens_stored(store: TokenStore | None, layers: Sequence[int], chunks: list[np.ndarray]) -> bool:
    return not layers or all(set(layers) <= store.layers_in(i, index) for i, index in enumerate(chunks))


# Prompts tokenised both ways before the whole batch is trusted to the tokenizer alone.
TOKENIZER_CHECKS = 8


def _tokenize(model: Any, texts: list[str], template: str, n_ctx: int, preparation: Preparation = Preparation()
              ) -> _Tokenized:
    prompts = [template.replace(TEXT_SLOT, text) for text in texts]
    batch = _tokenize_batch(model, prompts, preparation.prepend_bos)
    tokens, truncated = [], np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        ids = batch[i] if batch is not None else _to_tokens(model, prompts[i], preparation.prepend_bos)
        if len(ids) > n_ctx:
            ids = _shorten_to_fit(model, text, template, n_ctx, preparation.prepend_bos)
            truncated[i] = True
        tokens.append(ids)
    return _Tokenized(tokens, truncated)


def _tokenize_batch(model: Any, prompts: list[str], prepend_bos: bool | None) -> list[torch.Tensor] | None:
    """Every prompt's tokens from one call of the tokenizer (its fast batch encoding), or ``None``
    when that differs from the model's own ``to_tokens`` (which adds or strips BOS and EOS as the
    model's configuration says) on a sample of the prompts: the shortest, the longest and a few
    between. The model's rule is the same for every prompt, so a sample shows it."""
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is None or not prompts or not getattr(tokenizer, "is_fast", False):
        return None
    ids = tokenizer(prompts, add_special_tokens=True)["input_ids"]
    lengths = np.array([len(row) for row in ids])
    order = np.argsort(lengths, kind="stable")
    sample = {int(order[round(k * (len(order) - 1) / (TOKENIZER_CHECKS - 1))]) for k in range(TOKENIZER_CHECKS)}
    if any(ids[i] != _to_tokens(model, prompts[i], prepend_bos).tolist() for i in sorted(sample)):
        return None
    return [torch.tensor(row, dtype=torch.long) for row in ids]


def _to_tokens(model: Any, prompt: str, prepend_bos: bool | None = None) -> torch.Tensor:
    return model.to_tokens(prompt, prepend_bos=prepend_bos, truncate=False, move_to_device=False)[0]


def _shorten_to_fit(model: Any, text: str, template: str, n_ctx: int, prepend_bos: bool | None) -> torch.Tensor:
    # Cut the text, not the prompt: the template's suffix (where last-token pooling reads) stays.
    text_ids = model.tokenizer(text, add_special_tokens=False)["input_ids"]
    keep = len(text_ids)
    while keep > 0:
        ids = _to_tokens(model, template.replace(TEXT_SLOT, model.tokenizer.decode(text_ids[:keep])), prepend_bos)
        if len(ids) <= n_ctx:
            return ids
        keep -= len(ids) - n_ctx
    raise DataError(
        f"the template alone is longer than the model's context of {n_ctx} tokens; shorten the template"
    )


def _chunks(lengths: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(lengths, kind="stable")
    return [order[start : start + CHUNK_SIZE] for start in range(0, len(order), CHUNK_SIZE)]


class _ChunkRun:
    """One extraction: for every chunk of examples, the pooled and token-level states still
    missing, from one forward pass per batch; each finished chunk is saved before the next."""

    def __init__(self, model: Any, tokenized: _Tokenized, settings: SweepSettings, names: dict[int, str],
                 pooled_layers: list[int], token_layers: list[int], store: ActivationStore | None,
                 token_store: TokenStore | None):
        self.model, self.tokenized, self.settings, self.names = model, tokenized, settings, names
        self.pooled_layers, self.token_layers = pooled_layers, token_layers
        self.store, self.token_store = store, token_store
        self.chunks = _chunks(tokenized.lengths)
        self.special = _leading_special_ids(model)
        self.side = settings.padding_side or getattr(model.tokenizer, "padding_side", "right")
        self.reader = _HookReader(model, {l: names[l] for l in {*pooled_layers, *token_layers}})

    def all(self, progress: bool, on_progress: Callable[[str, int, int], None] | None
            ) -> tuple[dict[int, np.ndarray], TokenActivations | None, int]:
        pooled = [self.store.load_chunk(i, index) if self.store else {} for i, index in enumerate(self.chunks)]
        stored_tokens = [self.token_store.layers_in(i, index) if self.token_store else set()
                         for i, index in enumerate(self.chunks)]
        todo = [i for i in range(len(self.chunks))
                if not set(self.pooled_layers) <= set(pooled[i]) or not set(self.token_layers) <= stored_tokens[i]]
        batch_size = self.settings.batch_size
        n_batches = sum(-(-len(self.chunks[i]) // batch_size) for i in todo)
        tokens = TokenActivations(self.token_layers, len(self.chunks), self.token_store) if self.token_layers else None
        bar = tqdm(total=n_batches, desc="forward pass", unit="batch", disable=not progress or n_batches == 0)
        finished = 0
        with self.reader:
            for number in todo:
                index = self.chunks[number]
                need_pooled = [l for l in self.pooled_layers if l not in pooled[number]]
                need_tokens = [l for l in self.token_layers if l not in stored_tokens[number]]
                parts: dict[str, dict[int, list]] = {"pooled": {l: [] for l in need_pooled},
                                                     "tokens": {l: [] for l in need_tokens}}
                counts: list[np.ndarray] = []
                for start in range(0, len(index), batch_size):
                    batch = [self.tokenized.tokens[i] for i in index[start : start + batch_size]]
                    rows, states, kept = self._forward(batch, need_pooled, need_tokens)
                    for layer, array in rows.items():
                        parts["pooled"][layer].append(array)
                    for layer, array in states.items():
                        parts["tokens"][layer].append(array)
                    counts.append(kept)
                    bar.update(1)
                    finished += 1
                    if on_progress is not None:
                        on_progress("forward pass", finished, n_batches)
                pooled[number] = {**pooled[number], **{l: np.concatenate(a) for l, a in parts["pooled"].items()}}
                if self.store is not None and need_pooled:
                    self.store.save_chunk(number, index, pooled[number])
                if need_tokens:
                    self._keep_tokens(tokens, number, index, np.concatenate(counts),
                                      {l: np.concatenate(a) for l, a in parts["tokens"].items()})
        bar.close()
        return self._assemble(pooled), tokens, n_batches

    def _keep_tokens(self, tokens: TokenActivations, number: int, index: np.ndarray, counts: np.ndarray,
                     arrays: dict[int, np.ndarray]) -> None:
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        if self.token_store is not None:
            kept = self.token_store.layers_in(number, index)
            if kept:  # layers stored earlier for this chunk stay beside the new ones
                _, _, earlier = self.token_store.load(number, sorted(kept - set(arrays)))
                arrays = {**earlier, **arrays}
            self.token_store.save(number, index, offsets, arrays)
        if self.token_store is None or not self.token_store.writable:
            tokens.memory[number] = (index, offsets, arrays)

    def _forward(self, batch: list[torch.Tensor], pooled_layers: list[int], token_layers: list[int]
                 ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], np.ndarray]:
        layers = sorted({*pooled_layers, *token_layers})
        cache, mask = self.reader.run(batch, layers, self.side)
        skip_first = torch.tensor([self.settings.exclude_bos and int(t[0]) in self.special for t in batch], device=mask.device)
        pooled = {l: pool(cache[self.names[l]], mask, self.settings.pooling, skip_first).float().cpu().numpy()
                  for l in pooled_layers}
        keep = pooled_tokens(mask, skip_first)
        # Rows in batch order, each example's tokens in position order: boolean indexing keeps both.
        states = {l: cache[self.names[l]][keep].float().cpu().numpy() for l in token_layers}
        return pooled, states, keep.sum(dim=1).cpu().numpy()

    def _assemble(self, pooled: list[dict[int, np.ndarray]]) -> dict[int, np.ndarray]:
        n_examples = len(self.tokenized.tokens)
        matrices = {}
        for layer in self.pooled_layers:
            first = pooled[0][layer]
            matrix = np.empty((n_examples, first.shape[1]), dtype=first.dtype)
            for index, arrays in zip(self.chunks, pooled):
                matrix[index] = arrays[layer]
            matrices[layer] = matrix
        return matrices


def _leading_special_ids(model: Any) -> set[int]:
    tokenizer = model.tokenizer
    return {i for i in (tokenizer.bos_token_id, getattr(tokenizer, "cls_token_id", None)) if i is not None}


def _pad(batch: list[torch.Tensor], pad_id: int, side: str) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(t) for t in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, tokens in enumerate(batch):
        span = slice(width - len(tokens), width) if side == "left" else slice(0, len(tokens))
        ids[row, span] = tokens
        mask[row, span] = 1
    return ids, mask


# Hook points that read the attention weights, which only the eager attention computes.
ATTENTION_WEIGHT_HOOKS = ("hook_pattern", "hook_attn_scores")


@contextmanager
def _fused_attention(model: Any, hook_names: Sequence[str]) -> Iterator[None]:
    """While open, a TransformerBridge computes attention with PyTorch's fused kernel (SDPA)
    instead of the eager attention it is booted with, unless a hook of ``hook_names`` reads the
    attention weights. The bridge forces eager attention so that every hook can fire; the states a
    sweep reads come out the same (within float rounding) and the pass is faster."""
    original = getattr(model, "original_model", None)
    if original is None or any(name.endswith(ATTENTION_WEIGHT_HOOKS) for name in hook_names):
        yield
        return
    configs = {id(config): config for module in original.modules()
               if getattr(config := getattr(module, "config", None), "_attn_implementation", None) == "eager"}
    for config in configs.values():
        config._attn_implementation = "sdpa"
    try:
        yield
    finally:
        for config in configs.values():
            config._attn_implementation = "eager"


class _Reached(Exception):
    """Raised by the deepest hook a pass needs: nothing after it is needed."""


class _HookReader:
    """While open, keeps the states at the hook points ``names`` of every forward pass of
    ``model``; each pass stops at the deepest point it asks for, so the blocks after it, the final
    norm and the unembedding (for a masked or causal LM head, a product with the whole vocabulary
    per token) never run. The hooks are added once for all batches."""

    def __init__(self, model: Any, names: Mapping[int, str]):
        self.model, self.names = model, dict(names)
        self.cache: dict[str, torch.Tensor] = {}
        self.deepest = ""

    def __enter__(self) -> _HookReader:
        with ExitStack() as stack:  # what was entered is left again should a later step fail
            stack.enter_context(_fused_attention(self.model, list(self.names.values())))
            stack.enter_context(self.model.hooks(fwd_hooks=[(name, self._keeper(name)) for name in self.names.values()]))
            self._opened = stack.pop_all()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._opened.__exit__(*exc)

    def _keeper(self, name: str) -> Callable[..., None]:
        def keep(tensor: torch.Tensor, hook: Any) -> None:
            self.cache[name] = tensor.detach()
            if name == self.deepest:
                raise _Reached

        return keep

    def run(self, batch: list[torch.Tensor], layers: Sequence[int], side: str
            ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """States at the hooks of ``layers`` for a padded batch, and its attention mask."""
        tokenizer = self.model.tokenizer
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
        ids, mask = _pad(batch, pad_id, side)
        device = getattr(self.model.cfg, "device", None) or "cpu"
        ids, mask = ids.to(device), mask.to(device)
        self.cache, self.deepest = {}, self.names[max(layers)]
        with torch.inference_mode():
            try:
                self.model(ids, attention_mask=mask)
            except _Reached:
                pass
        return {self.names[layer]: self.cache[self.names[layer]] for layer in layers}, mask


def extract_tokens(
    model: Any,
    texts: Sequence[str],
    layers: Sequence[int],
    hook: str = "resid_post",
    *,
    max_tokens: int = 50_000,
    batch_size: int = 16,
    progress: bool = True,
) -> dict[int, np.ndarray]:
    """Hidden states of the real tokens of ``texts``: padding is left out, and so is the first
    position when it is a BOS/CLS token or when the model is causal. A causal model's first token
    sees only itself and serves as an attention sink, with a norm up to a hundred times the rest;
    SAEs trained with it spend their capacity on that one outlier.

    Returns ``{layer: [n_tokens, d_model]}`` with at most ``max_tokens`` rows, taken from the
    texts in order. ``model`` is a loaded TransformerLens model. This is what SAEs train on.
    """
    names = {layer: hook_name(layer, hook) for layer in layers}
    check_hooks(model, list(names.values()))
    tokenized = _tokenize(model, list(texts), TEXT_SLOT, int(model.cfg.n_ctx))
    special = _leading_special_ids(model)
    drop_first = not is_bidirectional(model)
    side = getattr(model.tokenizer, "padding_side", "right")
    rows: dict[int, list[np.ndarray]] = {layer: [] for layer in names}
    collected = 0
    starts = range(0, len(tokenized.tokens), batch_size)
    with _HookReader(model, names) as reader:
        for start in tqdm(starts, desc="token activations", unit="batch", disable=not progress):
            batch = tokenized.tokens[start : start + batch_size]
            cache, mask = reader.run(batch, list(names), side)
            keep = mask.bool().clone()
            for row, tokens in enumerate(batch):
                if (drop_first or int(tokens[0]) in special) and len(tokens) > 1:
                    keep[row, int(keep[row].nonzero()[0])] = False
            for layer, name in names.items():
                rows[layer].append(cache[name][keep].float().cpu().numpy())
            collected += int(keep.sum())
            if collected >= max_tokens:
                break
    return {layer: np.concatenate(parts)[:max_tokens] for layer, parts in rows.items()}
