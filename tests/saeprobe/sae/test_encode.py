"""Token codes pooled per text, and the SAE's figures over tokens, against brute force."""

import numpy as np
import pytest
import torch

from builders import TINY_WIDTH, make_sae
from saeprobe.activations import TokenChunk
from saeprobe.sae import codes_of_tokens, from_object


@pytest.mark.parametrize("pooling", ["mean", "max"])
def test_codes_of_tokens_match_encoding_each_token(pooling, monkeypatch):
    from saeprobe.sae import _encode

    monkeypatch.setattr(_encode, "BLOCK_FLOATS", 64 * 5)  # blocks of 5 tokens: blocks cross texts
    rng = np.random.default_rng(0)
    sae = make_sae(1)
    counts = [3, 1, 7, 2, 4]
    states = rng.normal(size=(sum(counts), TINY_WIDTH)).astype(np.float32) * 3
    # Two chunks, their examples out of data order, as the length buckets leave them.
    chunks = [
        TokenChunk(np.array([4, 0]), np.array([0, 3, 4]), states[:4]),
        TokenChunk(np.array([2, 1, 3]), np.array([0, 7, 9, 13]), states[4:]),
    ]
    got = codes_of_tokens(from_object(1, sae), chunks, 5, pooling)
    with torch.no_grad():
        codes = sae.encode(torch.as_tensor(states)).numpy()
        rebuilt = sae.decode(torch.as_tensor(codes)).numpy()
    owners = [4, 4, 4, 0, 2, 2, 2, 2, 2, 2, 2, 1, 1, 3, 3, 3, 3]
    for example in range(5):
        rows = [i for i, o in enumerate(owners) if o == example]
        reduce = np.mean if pooling == "mean" else np.max
        np.testing.assert_allclose(got.codes[example].toarray()[0], reduce(codes[rows], axis=0), atol=1e-5)
        np.testing.assert_allclose(got.reconstruction[example], reduce(rebuilt[rows], axis=0), atol=1e-5)
    assert got.token_sparsity.n_tokens == len(states)
    assert got.token_sparsity.l0_mean == pytest.approx((codes != 0).sum(1).mean())
    assert got.token_sparsity.n_active_union == int((codes != 0).any(0).sum())
    fvu = ((states - rebuilt) ** 2).sum() / ((states - states.mean(0)) ** 2).sum()
    assert got.token_fidelity.fvu == pytest.approx(fvu, rel=1e-5) and got.token_fidelity.rows == "tokens"
