"""The sae_random control's SAE: the trained SAE's shape, norms, biases and thresholds, random
feature directions, the same ones for the same seed."""

import numpy as np
import pytest
import torch
from sae_lens import (
    GatedSAE,
    GatedSAEConfig,
    JumpReLUSAE,
    JumpReLUSAEConfig,
    MatchingPursuitSAE,
    MatchingPursuitSAEConfig,
    StandardSAE,
    StandardSAEConfig,
    TopKSAE,
    TopKSAEConfig,
    Transcoder,
    TranscoderConfig,
)

from saeprobe.errors import SAEError
from saeprobe.sae import from_object, random_like, randomised


def trained_like(sae, seed=0):
    """``sae`` with weights that look trained: every parameter drawn, norms spread over features."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in sae.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
        sae.W_dec.mul_(torch.linspace(0.5, 3, sae.W_dec.shape[0])[:, None])
        if hasattr(sae, "threshold"):
            sae.threshold.copy_(sae.threshold.abs())
    return sae


ARCHITECTURES = {
    "standard": lambda: StandardSAE(StandardSAEConfig(d_in=8, d_sae=32)),
    "topk": lambda: TopKSAE(TopKSAEConfig(d_in=8, d_sae=32, k=4)),
    "jumprelu": lambda: JumpReLUSAE(JumpReLUSAEConfig(d_in=8, d_sae=32)),
    "gated": lambda: GatedSAE(GatedSAEConfig(d_in=8, d_sae=32)),
    "transcoder": lambda: Transcoder(TranscoderConfig(d_in=8, d_sae=32, d_out=6, apply_b_dec_to_input=False)),
    "matching_pursuit": lambda: MatchingPursuitSAE(
        MatchingPursuitSAEConfig(d_in=8, d_sae=32, residual_threshold=0.1, max_iterations=4)
    ),
}


@pytest.mark.parametrize("architecture", sorted(ARCHITECTURES))
def test_a_random_sae_keeps_everything_but_the_directions(architecture):
    trained = trained_like(ARCHITECTURES[architecture]())
    random = randomised(trained, seed=3)
    assert type(random) is type(trained) and random.cfg.to_dict() == trained.cfg.to_dict()
    assert torch.allclose(random.W_dec.norm(dim=1), trained.W_dec.norm(dim=1))
    if hasattr(trained, "W_enc"):  # matching pursuit encodes with its decoder
        assert torch.allclose(random.W_enc.norm(dim=0), trained.W_enc.norm(dim=0))
    for name, parameter in trained.named_parameters():
        if name in ("W_enc", "W_dec"):
            cosine = torch.nn.functional.cosine_similarity(getattr(random, name), parameter, dim=int(name == "W_enc"))
            assert cosine.abs().max() < 0.99, name
        else:
            assert torch.equal(getattr(random, name), parameter), name
    assert torch.equal(randomised(trained, seed=3).W_dec, random.W_dec)
    assert not torch.equal(randomised(trained, seed=4).W_dec, random.W_dec)


def test_a_random_topk_sae_fires_k_features_and_an_sae_reads_and_writes_one_direction():
    trained = trained_like(ARCHITECTURES["topk"]())
    random = randomised(trained, seed=0)
    codes = random.encode(torch.randn(20, 8))
    assert ((codes != 0).sum(dim=1) == 4).all()
    directions = random.W_enc / random.W_enc.norm(dim=0)
    assert torch.allclose(directions.T, random.W_dec / random.W_dec.norm(dim=1, keepdim=True), atol=1e-6)


def test_a_random_layer_sae_has_its_own_identity_and_loads_on_first_use():
    trained = from_object(2, trained_like(ARCHITECTURES["jumprelu"]()))
    random = random_like(trained, seed=0)
    assert random.identity != trained.identity and random.identity == random_like(trained, seed=0).identity
    assert random.identity != random_like(trained, seed=1).identity
    assert random.source.startswith("random:") and random.describe().architecture == "jumprelu"
    assert np.allclose(random.sae.threshold.detach().numpy(), trained.sae.threshold.detach().numpy())


def test_an_sae_without_weights_to_draw_is_refused_with_the_way_out():
    with pytest.raises(SAEError, match=r"no random control for object: it has no W_dec.*controls="):
        randomised(object(), seed=0)
