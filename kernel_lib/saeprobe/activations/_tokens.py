"""The real tokens' states of a loaded model, which SAEs train on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ..config import TEXT_SLOT, hook_name
from ..model import check_hooks, is_bidirectional
from ._hooks import HookReader
from ._tokenize import leading_special_ids, tokenize


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
    tokenized = tokenize(model, list(texts), TEXT_SLOT, int(model.cfg.n_ctx))
    special = leading_special_ids(model)
    drop_first = not is_bidirectional(model)
    side = getattr(model.tokenizer, "padding_side", "right")
    rows: dict[int, list[np.ndarray]] = {layer: [] for layer in names}
    collected = 0
    starts = range(0, len(tokenized.tokens), batch_size)
    with HookReader(model, names) as reader:
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
