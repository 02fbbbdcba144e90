"""Forward passes that keep the states at some hook points and stop after the deepest one."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import torch


def pad(batch: list[torch.Tensor], pad_id: int, side: str) -> tuple[torch.Tensor, torch.Tensor]:
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
def fused_attention(model: Any, hook_names: Sequence[str]) -> Iterator[None]:
    """While open, a TransformerBridge computes attention with PyTorch's fused kernel (SDPA)
    instead of the eager attention it is booted with, unless a hook of ``hook_names`` reads the
    attention weights. The bridge forces eager attention so that every hook can fire; the states a
    sweep reads come out the same (within float rounding) and the pass is faster."""
    original = getattr(model, "original_model", None)
    if original is None or any(name.endswith(ATTENTION_WEIGHT_HOOKS) for name in hook_names):
        yield
        return
    configs = {}
    for module in original.modules():
        config = getattr(module, "config", None)
        if config is not None and getattr(config, "_attn_implementation", None) == "eager":
            configs[id(config)] = config
    for config in configs.values():
        config._attn_implementation = "sdpa"
    try:
        yield
    finally:
        for config in configs.values():
            config._attn_implementation = "eager"


class _Reached(Exception):
    """Raised by the deepest hook a pass needs: nothing after it is needed."""


class HookReader:
    """While open, keeps the states at the hook points ``names`` of every forward pass of
    ``model``; each pass stops at the deepest point it asks for, so the blocks after it, the final
    norm and the unembedding (for a masked or causal LM head, a product with the whole vocabulary
    per token) never run. The hooks are added once for all batches."""

    def __init__(self, model: Any, names: Mapping[int, str]):
        self.model, self.names = model, dict(names)
        self.cache: dict[str, torch.Tensor] = {}
        self.deepest = ""

    def __enter__(self) -> HookReader:
        with ExitStack() as stack:  # what was entered is left again should a later step fail
            stack.enter_context(fused_attention(self.model, list(self.names.values())))
            stack.enter_context(
                self.model.hooks(fwd_hooks=[(name, self._keeper(name)) for name in self.names.values()])
            )
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

    def run(
        self, batch: list[torch.Tensor], layers: Sequence[int], side: str
    ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """States at the hooks of ``layers`` for a padded batch, and its attention mask."""
        tokenizer = self.model.tokenizer
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
        ids, mask = pad(batch, pad_id, side)
        device = getattr(self.model.cfg, "device", None) or "cpu"
        ids, mask = ids.to(device), mask.to(device)
        self.cache, self.deepest = {}, self.names[max(layers)]
        with torch.inference_mode(), contextlib.suppress(_Reached):
            self.model(ids, attention_mask=mask)
        return {self.names[layer]: self.cache[self.names[layer]] for layer in layers}, mask
