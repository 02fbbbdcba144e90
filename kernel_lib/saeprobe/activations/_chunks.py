"""One extraction, chunk by chunk: each chunk of examples (sorted by length) runs in batches,
and its pooled and token-level states are saved before the next, so an interruption resumes at the
first unfinished chunk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from ..config import SweepSettings
from ..errors import CacheError
from ..store import ActivationStore, TokenStore
from ._hooks import HookReader
from ._pooling import pool, pooled_tokens
from ._tokenize import Tokenized, leading_special_ids

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
            elif self.store is not None:
                index, offsets, arrays = self.store.load(number, [layer])
            else:
                raise CacheError(f"chunk {number} of the token states is neither cached nor in memory; run again")
            yield TokenChunk(index, offsets, arrays[layer])


def length_chunks(lengths: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(lengths, kind="stable")
    return [order[start : start + CHUNK_SIZE] for start in range(0, len(order), CHUNK_SIZE)]


class ChunkRun:
    """One extraction: for every chunk of examples, the pooled and token-level states still
    missing, from one forward pass per batch; each finished chunk is saved before the next."""

    def __init__(
        self,
        model: Any,
        tokenized: Tokenized,
        settings: SweepSettings,
        names: dict[int, str],
        pooled_layers: list[int],
        token_layers: list[int],
        store: ActivationStore | None,
        token_store: TokenStore | None,
    ):
        self.model, self.tokenized, self.settings, self.names = model, tokenized, settings, names
        self.pooled_layers, self.token_layers = pooled_layers, token_layers
        self.store, self.token_store = store, token_store
        self.chunks = length_chunks(tokenized.lengths)
        self.special = leading_special_ids(model)
        self.side: str = settings.padding_side or getattr(model.tokenizer, "padding_side", None) or "right"
        assert settings.pooling is not None, "the pooling is decided before extraction (resolve_target)"
        self.pooling: str = settings.pooling
        self.reader = HookReader(model, {layer: names[layer] for layer in {*pooled_layers, *token_layers}})

    def all(
        self, progress: bool, on_progress: Callable[[str, int, int], None] | None
    ) -> tuple[dict[int, np.ndarray], TokenActivations | None, int]:
        pooled = [self.store.load_chunk(i, index) if self.store else {} for i, index in enumerate(self.chunks)]
        stored_tokens = [
            self.token_store.layers_in(i, index) if self.token_store else set() for i, index in enumerate(self.chunks)
        ]
        todo = [
            i
            for i in range(len(self.chunks))
            if not set(self.pooled_layers) <= set(pooled[i]) or not set(self.token_layers) <= stored_tokens[i]
        ]
        batch_size = self.settings.batch_size
        n_batches = sum(-(-len(self.chunks[i]) // batch_size) for i in todo)
        tokens = TokenActivations(self.token_layers, len(self.chunks), self.token_store) if self.token_layers else None
        bar = tqdm(total=n_batches, desc="forward pass", unit="batch", disable=not progress or n_batches == 0)
        finished = 0
        with self.reader:
            for number in todo:
                index = self.chunks[number]
                need_pooled = [layer for layer in self.pooled_layers if layer not in pooled[number]]
                need_tokens = [layer for layer in self.token_layers if layer not in stored_tokens[number]]
                parts: dict[str, dict[int, list]] = {
                    "pooled": {layer: [] for layer in need_pooled},
                    "tokens": {layer: [] for layer in need_tokens},
                }
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
                new = {layer: np.concatenate(arrays) for layer, arrays in parts["pooled"].items()}
                pooled[number] = {**pooled[number], **new}
                if self.store is not None and need_pooled:
                    self.store.save_chunk(number, index, pooled[number])
                if need_tokens:
                    assert tokens is not None  # made above whenever token layers are asked for
                    self._keep_tokens(
                        tokens,
                        number,
                        index,
                        np.concatenate(counts),
                        {layer: np.concatenate(a) for layer, a in parts["tokens"].items()},
                    )
        bar.close()
        return self._assemble(pooled), tokens, n_batches

    def _keep_tokens(
        self,
        tokens: TokenActivations,
        number: int,
        index: np.ndarray,
        counts: np.ndarray,
        arrays: dict[int, np.ndarray],
    ) -> None:
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        if self.token_store is not None:
            kept = self.token_store.layers_in(number, index)
            if kept:  # layers stored earlier for this chunk stay beside the new ones
                _, _, earlier = self.token_store.load(number, sorted(kept - set(arrays)))
                arrays = {**earlier, **arrays}
            self.token_store.save(number, index, offsets, arrays)
        if self.token_store is None or not self.token_store.writable:
            tokens.memory[number] = (index, offsets, arrays)

    def _forward(
        self, batch: list[torch.Tensor], pooled_layers: list[int], token_layers: list[int]
    ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], np.ndarray]:
        layers = sorted({*pooled_layers, *token_layers})
        cache, mask = self.reader.run(batch, layers, self.side)
        skip_first = torch.tensor(
            [self.settings.exclude_bos and int(t[0]) in self.special for t in batch], device=mask.device
        )
        pooled = {
            layer: pool(cache[self.names[layer]], mask, self.pooling, skip_first).float().cpu().numpy()
            for layer in pooled_layers
        }
        keep = pooled_tokens(mask, skip_first)
        # Rows in batch order, each example's tokens in position order: boolean indexing keeps both.
        states = {layer: cache[self.names[layer]][keep].float().cpu().numpy() for layer in token_layers}
        return pooled, states, keep.sum(dim=1).cpu().numpy()

    def _assemble(self, pooled: list[dict[int, np.ndarray]]) -> dict[int, np.ndarray]:
        n_examples = len(self.tokenized.tokens)
        matrices = {}
        for layer in self.pooled_layers:
            first = pooled[0][layer]
            matrix = np.empty((n_examples, first.shape[1]), dtype=first.dtype)
            for index, arrays in zip(self.chunks, pooled, strict=True):
                matrix[index] = arrays[layer]
            matrices[layer] = matrix
        return matrices
