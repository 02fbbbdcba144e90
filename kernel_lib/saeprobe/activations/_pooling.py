"""Pooling of per-token hidden states into one vector per text, respecting padding."""

from __future__ import annotations

import torch

from ..config import POOLINGS


def pooled_tokens(attention_mask: torch.Tensor, skip_first: torch.Tensor) -> torch.Tensor:
    """Which positions mean and max pooling read: the real tokens of ``attention_mask`` ``[batch,
    pos]``, leaving out the first real token of rows where ``skip_first`` ``[batch]`` is true (a
    BOS/CLS token) unless it is the only one. Token-level SAE codes are taken at the same positions."""
    real = attention_mask.bool()
    positions = torch.arange(real.shape[1], device=real.device).expand_as(real)
    first = torch.where(real, positions, torch.full_like(positions, real.shape[1])).min(dim=1).values
    drop_first = skip_first & (real.sum(dim=1) > 1)
    return real & ~(drop_first[:, None] & (positions == first[:, None]))


def last_tokens(attention_mask: torch.Tensor) -> torch.Tensor:
    """The position of each row's last real token, wherever padding sits (left or right)."""
    real = attention_mask.bool()
    positions = torch.arange(real.shape[1], device=real.device).expand_as(real)
    return torch.where(real, positions, torch.full_like(positions, -1)).max(dim=1).values


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, method: str, skip_first: torch.Tensor) -> torch.Tensor:
    """Pool ``hidden`` ``[batch, pos, d]`` over the real tokens of ``attention_mask`` ``[batch, pos]``.

    ``last`` takes the last real token; ``mean`` and ``max`` run over :func:`pooled_tokens`.
    Returns ``[batch, d]``. Raises ``ValueError`` for an unknown method.
    """
    if method == "last":
        return hidden[torch.arange(hidden.shape[0], device=hidden.device), last_tokens(attention_mask)]
    if method not in POOLINGS:
        raise ValueError(f"unknown pooling {method!r}; use one of {POOLINGS}")
    keep = pooled_tokens(attention_mask, skip_first)
    if method == "mean":
        weights = keep.to(hidden.dtype).unsqueeze(-1)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1)
    masked = hidden.masked_fill(~keep.unsqueeze(-1), float("-inf"))
    return masked.max(dim=1).values
