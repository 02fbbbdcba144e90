"""Prompts to token ids, exactly as the model's ``to_tokens`` makes them, cut to fit its context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..config import TEXT_SLOT
from ..errors import DataError
from ..model import Preparation


@dataclass(frozen=True)
class Tokenized:
    tokens: list[torch.Tensor]
    truncated: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(t) for t in self.tokens], dtype=np.int64)


# Prompts tokenised both ways before the whole batch is trusted to the tokenizer alone.
TOKENIZER_CHECKS = 8


def tokenize(
    model: Any, texts: list[str], template: str, n_ctx: int, preparation: Preparation | None = None
) -> Tokenized:
    """Every text placed in ``template`` and tokenised as the model's ``to_tokens`` does under
    ``preparation``'s BOS rule (default: the model's own); a prompt longer than ``n_ctx`` is cut
    inside the template, and marked truncated."""
    preparation = preparation or Preparation()
    prompts = [template.replace(TEXT_SLOT, text) for text in texts]
    batch = tokenize_batch(model, prompts, preparation.prepend_bos)
    tokens, truncated = [], np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        ids = batch[i] if batch is not None else to_tokens(model, prompts[i], preparation.prepend_bos)
        if len(ids) > n_ctx:
            ids = shorten_to_fit(model, text, template, n_ctx, preparation.prepend_bos)
            truncated[i] = True
        tokens.append(ids)
    return Tokenized(tokens, truncated)


def tokenize_batch(model: Any, prompts: list[str], prepend_bos: bool | None) -> list[torch.Tensor] | None:
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
    if any(ids[i] != to_tokens(model, prompts[i], prepend_bos).tolist() for i in sorted(sample)):
        return None
    return [torch.tensor(row, dtype=torch.long) for row in ids]


def to_tokens(model: Any, prompt: str, prepend_bos: bool | None = None) -> torch.Tensor:
    return model.to_tokens(prompt, prepend_bos=prepend_bos, truncate=False, move_to_device=False)[0]


def shorten_to_fit(model: Any, text: str, template: str, n_ctx: int, prepend_bos: bool | None) -> torch.Tensor:
    # Cut the text, not the prompt: the template's suffix (where last-token pooling reads) stays.
    text_ids = model.tokenizer(text, add_special_tokens=False)["input_ids"]
    keep = len(text_ids)
    while keep > 0:
        ids = to_tokens(model, template.replace(TEXT_SLOT, model.tokenizer.decode(text_ids[:keep])), prepend_bos)
        if len(ids) <= n_ctx:
            return ids
        keep -= len(ids) - n_ctx
    raise DataError(f"the template alone is longer than the model's context of {n_ctx} tokens; shorten the template")


def leading_special_ids(model: Any) -> set[int]:
    tokenizer = model.tokenizer
    return {i for i in (tokenizer.bos_token_id, getattr(tokenizer, "cls_token_id", None)) if i is not None}
