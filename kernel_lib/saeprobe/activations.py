"""Pooled hidden states per layer: tokenise, bucket by length, one forward pass per batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from .cache import ActivationStore, activation_parts
from .data import TEXT_SLOT, ProbeDataset, Prompts, prompts_of
from .errors import DataError
from .layers import hook_name
from .models import check_hooks, is_bidirectional
from .pooling import pool
from .settings import SweepSettings, settings_with
from .target import Target, resolve_target

# Examples per cache chunk: the unit of resumption after an interruption.
CHUNK_SIZE = 128


@dataclass
class ActivationSet(Mapping[int, np.ndarray]):
    """Pooled activations ``{layer: [n_examples, d_model]}``, rows in data order, with the hook
    read at each layer, which texts were truncated, how many forward batches ran (0 on a cache
    hit) and the pooling used (resolved from the model's kind when none was asked for)."""

    by_layer: dict[int, np.ndarray]
    hook_names: dict[int, str]
    truncated: np.ndarray
    n_forward_batches: int = 0
    pooling: str = "last"

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


def extract(
    model: Any,
    data: ProbeDataset | Sequence[str],
    *,
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
    ``pooling``, ``exclude_bos``, ``batch_size``, ``padding_side``, ``device``, ...) applied to
    ``settings``. Results are cached under ``cache_dir`` (default
    :func:`~saeprobe.cache.default_cache_dir`, ``False`` disables) keyed by content; an interrupted
    run resumes by chunks. ``on_progress("forward pass", done, total)`` is called after every
    batch. Raises :class:`DataError`, :class:`ModelError`, :class:`LayerError` or
    :class:`SettingsError` on bad input.
    """
    target = resolve_target(model, settings_with(settings, options), cache_dir)
    return read_activations(target, prompts_of(data), progress=progress, on_progress=on_progress)


def read_activations(
    target: Target,
    prompts: Prompts,
    layers: Sequence[int] | None = None,
    *,
    progress: bool = True,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> ActivationSet:
    """The activation reader shared by :func:`extract` and the sweep: pooled activations of
    ``layers`` (default: all of the target's) for ``prompts``, from the cache where they are
    stored, else from one forward pass per batch over the layers still missing."""
    wanted = list(layers) if layers is not None else target.layers
    names = {layer: target.hook_names[layer] for layer in wanted}
    store = None
    if target.root is not None:
        parts = activation_parts(target.source.identity, prompts.fingerprint, target.settings)
        store = ActivationStore(target.root, parts)
        hit = store.load_layers(wanted)
        if hit is not None:
            matrices, truncated = hit
            return ActivationSet(matrices, names, truncated, 0, target.pooling)
    loaded = target.source.load()
    check_hooks(loaded, list(names.values()))
    tokenized = _tokenize(loaded, list(prompts.texts), prompts.template, target.dims["n_ctx"])
    matrices, n_batches = _run_chunks(loaded, tokenized, names, target.settings, store, progress, on_progress)
    if store is not None:
        store.save_layers(matrices, tokenized.truncated)
    return ActivationSet(matrices, names, tokenized.truncated, n_batches, target.pooling)


def _tokenize(model: Any, texts: list[str], template: str, n_ctx: int) -> _Tokenized:
    tokens, truncated = [], np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        ids = _to_tokens(model, template.replace(TEXT_SLOT, text))
        if len(ids) > n_ctx:
            ids = _shorten_to_fit(model, text, template, n_ctx)
            truncated[i] = True
        tokens.append(ids)
    return _Tokenized(tokens, truncated)


def _to_tokens(model: Any, prompt: str) -> torch.Tensor:
    return model.to_tokens(prompt, truncate=False, move_to_device=False)[0]


def _shorten_to_fit(model: Any, text: str, template: str, n_ctx: int) -> torch.Tensor:
    # Cut the text, not the prompt: the template's suffix (where last-token pooling reads) stays.
    text_ids = model.tokenizer(text, add_special_tokens=False)["input_ids"]
    keep = len(text_ids)
    while keep > 0:
        ids = _to_tokens(model, template.replace(TEXT_SLOT, model.tokenizer.decode(text_ids[:keep])))
        if len(ids) <= n_ctx:
            return ids
        keep -= len(ids) - n_ctx
    raise DataError(
        f"the template alone is longer than the model's context of {n_ctx} tokens; shorten the template"
    )


def _chunks(tokenized: _Tokenized) -> list[np.ndarray]:
    lengths = np.array([len(t) for t in tokenized.tokens])
    order = np.argsort(lengths, kind="stable")
    return [order[start : start + CHUNK_SIZE] for start in range(0, len(order), CHUNK_SIZE)]


def _run_chunks(
    model: Any,
    tokenized: _Tokenized,
    names: dict[int, str],
    settings: SweepSettings,
    store: ActivationStore | None,
    progress: bool,
    on_progress: Callable[[str, int, int], None] | None,
) -> tuple[dict[int, np.ndarray], int]:
    chunks = _chunks(tokenized)
    done = [store.load_chunk(i, index) if store else {} for i, index in enumerate(chunks)]
    todo = [i for i, arrays in enumerate(done) if not set(names) <= set(arrays)]
    batch_size = settings.batch_size
    n_batches = sum(-(-len(chunks[i]) // batch_size) for i in todo)
    special = _leading_special_ids(model)
    side = settings.padding_side or getattr(model.tokenizer, "padding_side", "right")
    bar = tqdm(total=n_batches, desc="forward pass", unit="batch", disable=not progress or n_batches == 0)
    finished = 0
    for number in todo:
        missing = {layer: name for layer, name in names.items() if layer not in done[number]}
        pooled: dict[int, list[np.ndarray]] = {layer: [] for layer in missing}
        index = chunks[number]
        for start in range(0, len(index), batch_size):
            batch = [tokenized.tokens[i] for i in index[start : start + batch_size]]
            for layer, rows in _forward(model, batch, missing, settings, side, special).items():
                pooled[layer].append(rows)
            bar.update(1)
            finished += 1
            if on_progress is not None:
                on_progress("forward pass", finished, n_batches)
        done[number] = {**done[number], **{layer: np.concatenate(rows) for layer, rows in pooled.items()}}
        if store is not None:
            store.save_chunk(number, index, done[number])
    bar.close()
    n_examples = len(tokenized.tokens)
    matrices = {}
    for layer in names:
        first = done[0][layer]
        matrix = np.empty((n_examples, first.shape[1]), dtype=first.dtype)
        for index, arrays in zip(chunks, done):
            matrix[index] = arrays[layer]
        matrices[layer] = matrix
    return matrices, n_batches


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


def _run_batch(
    model: Any, batch: list[torch.Tensor], names: dict[int, str], side: str
) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Hidden states at the hooks ``names`` for a padded batch, and its attention mask."""
    tokenizer = model.tokenizer
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
    ids, mask = _pad(batch, pad_id, side)
    device = getattr(model.cfg, "device", None) or "cpu"
    ids, mask = ids.to(device), mask.to(device)
    deepest = max(names)
    stop = deepest + 1 if deepest + 1 < model.cfg.n_layers else None
    with torch.no_grad():
        _, cache = model.run_with_cache(ids, names_filter=list(names.values()), stop_at_layer=stop, attention_mask=mask)
    return cache, mask


def _forward(
    model: Any,
    batch: list[torch.Tensor],
    names: dict[int, str],
    settings: SweepSettings,
    side: str,
    special: set[int],
) -> dict[int, np.ndarray]:
    cache, mask = _run_batch(model, batch, names, side)
    skip_first = torch.tensor([settings.exclude_bos and int(t[0]) in special for t in batch], device=mask.device)
    return {
        layer: pool(cache[name], mask, settings.pooling, skip_first).float().cpu().numpy()
        for layer, name in names.items()
    }


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
    for start in tqdm(starts, desc="token activations", unit="batch", disable=not progress):
        batch = tokenized.tokens[start : start + batch_size]
        cache, mask = _run_batch(model, batch, names, side)
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
