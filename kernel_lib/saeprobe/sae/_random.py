"""The ``sae_random`` control: an SAE of a trained one's shape whose feature directions are random.

Everything but the directions is the trained SAE's: its class (so its architecture and activation
function), width, k or threshold, biases, per-feature encoder and decoder norms. What is left to
compare is what training put into the directions. The random weights are frozen and drawn from a
fixed seed, so a rerun encodes the same codes.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from ..errors import SAEError
from ._sources import LayerSAE

# Bump when the way random SAEs are drawn changes: it is part of their identity (cache keys).
RANDOM_SAE_VERSION = 1


def random_like(trained: LayerSAE, seed: int) -> LayerSAE:
    """A :class:`LayerSAE` for a random SAE of ``trained``'s shape, drawn from ``seed``; it loads
    (and loads ``trained``) on first use. See :func:`randomised`."""
    identity = hashlib.sha256(f"random:{RANDOM_SAE_VERSION}:{seed}:{trained.identity}".encode()).hexdigest()[:32]
    return LayerSAE(
        trained.layer,
        f"random:{trained.source}",
        dict(trained.cfg),
        identity,
        loader=lambda: randomised(trained.sae, seed),
    )


def randomised(sae: Any, seed: int) -> Any:
    """A copy of the SAELens ``sae`` whose encoder columns and decoder rows point in random
    directions (Gaussian, from ``seed``) with the trained norms, feature by feature. Where the
    encoder is the decoder's shape transposed (SAEs, and transcoders between spaces of one width),
    feature ``i`` reads and writes along the same random direction, as SAELens initialises an SAE;
    otherwise the two are drawn apart. Biases, thresholds, ``k`` and any other parameter stay the
    trained SAE's. Raises :class:`SAEError` for an SAE without ``W_enc`` and ``W_dec``."""
    import torch

    if not isinstance(getattr(sae, "W_dec", None), torch.Tensor):
        raise SAEError(
            f"no random control for {type(sae).__name__}: it has no W_dec to draw at random; leave sae_random out "
            "of controls="
        )
    random = copy.deepcopy(sae)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        decoder = _unit(torch.randn(tuple(sae.W_dec.shape), generator=generator, dtype=torch.float64), dim=1)
        random.W_dec.copy_(decoder * sae.W_dec.double().norm(dim=1, keepdim=True).cpu())
        if isinstance(getattr(sae, "W_enc", None), torch.Tensor):  # matching pursuit encodes with W_dec alone
            if tuple(sae.W_enc.shape) == tuple(sae.W_dec.shape)[::-1]:
                encoder = decoder.T
            else:
                encoder = _unit(torch.randn(tuple(sae.W_enc.shape), generator=generator, dtype=torch.float64), dim=0)
            random.W_enc.copy_(encoder * sae.W_enc.double().norm(dim=0, keepdim=True).cpu())
    return random


def _unit(directions: Any, dim: int) -> Any:
    """``directions`` scaled to unit length along ``dim``."""
    return directions / directions.norm(dim=dim, keepdim=True)
