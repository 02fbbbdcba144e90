"""Pooling of per-token hidden states into one vector per text, respecting padding."""

from __future__ import annotations

import torch

POOLINGS = ("last", "mean", "max")


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, method: str, skip_first: torch.Tensor) -> torch.Tensor:
    """Pool ``hidden`` ``[batch, pos, d]`` over the real tokens of ``attention_mask`` ``[batch, pos]``.

    ``last`` takes the last real token, wherever padding sits (left or right); ``mean`` and
    ``max`` run over real tokens, leaving out the first real token of rows where
    ``skip_first`` ``[batch]`` is true (a BOS/CLS token) unless it is the only one.
    Returns ``[batch, d]``. Raises ``ValueError`` for an unknown method.
    """
    real = attention_mask.bool()
    positions = torch.arange(real.shape[1], device=real.device).expand_as(real)
    if method == "last":
        last = torch.where(real, positions, torch.full_like(positions, -1)).max(dim=1).values
        return hidden[torch.arange(hidden.shape[0], device=hidden.device), last]
    if method not in POOLINGS:
        raise ValueError(f"unknown pooling {method!r}; use one of {POOLINGS}")
    first = torch.where(real, positions, torch.full_like(positions, real.shape[1])).min(dim=1).values
    drop_first = skip_first & (real.sum(dim=1) > 1)
    keep = real & ~(drop_first[:, None] & (positions == first[:, None]))
    if method == "mean":
        weights = keep.to(hidden.dtype).unsqueeze(-1)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1)
    masked = hidden.masked_fill(~keep.unsqueeze(-1), float("-inf"))
    return masked.max(dim=1).values
