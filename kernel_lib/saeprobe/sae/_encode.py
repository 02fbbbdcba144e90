"""The SAE codes a layer is probed on, with their reconstruction and the SAE's own figures.

With token code pooling, every real token is encoded and the codes are pooled per text (mean or
max, as the hidden states were): the SAE sees inputs like those it was trained on. The tokens are
encoded a block at a time, and each block is pooled into its texts at once, so no dense
``[n_tokens, d_sae]`` matrix ever exists; figures over tokens (L0 per token, the union of features
over tokens, fidelity on tokens) are accumulated on the way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import SAEError
from ..explain import fidelity, firing_counts
from ..records import Fidelity, TokenSparsity
from ._architectures import is_transcoder
from ._sources import LayerSAE, from_object, resolve_saes

# Floats of one encoded block: rows × d_sae (64 MiB in float32).
BLOCK_FLOATS = 1 << 24


@dataclass
class LayerCodes:
    """A layer's probed codes ``[n_examples, d_sae]`` (sparse), the reconstruction of the probed
    vectors ``[n_examples, d_model]`` (pooled like them), the SAE's figures on the tokens it
    encoded (``None`` when it encoded pooled vectors of several tokens), and the pooled states the
    SAE read when they are not the raw states probed beside it (``states``: a model prepared
    otherwise for this SAE set; ``None`` when they are the same), and for a transcoder the pooled
    states of its output hook, which the reconstruction is measured against (``outputs``)."""

    codes: sp.csr_matrix
    reconstruction: np.ndarray
    token_sparsity: TokenSparsity | None = None
    token_fidelity: Fidelity | None = None
    states: np.ndarray | None = None
    outputs: np.ndarray | None = None

    @property
    def rebuilt_from(self) -> np.ndarray | None:
        """What the reconstruction is measured against, when it is not the raw states: a
        transcoder's output states, else the states the SAE read."""
        return self.outputs if self.outputs is not None else self.states


def encode(saes: Any, activations: Mapping[int, np.ndarray]) -> dict[int, sp.csr_matrix]:
    """Sparse SAE codes ``{layer: csr [n_examples, d_sae]}`` of the probed examples.

    ``saes`` maps layers to SAE objects (or :class:`LayerSAE`); with an
    :class:`~saeprobe.ActivationSet` it may also be anything :func:`resolve_saes` accepts (a
    directory, a release, ...), matched to the set's layers and hooks. Layers whose token-level
    states the set carries (``extract(..., saes=...)`` under token code pooling) are encoded token
    by token and pooled; the others from the pooled vectors. Layers without an SAE are left out.
    Raises :class:`SAEError` if an SAE's ``d_in`` differs from the activation width.
    """
    if not _is_layer_mapping(saes):
        hooks = getattr(activations, "hook_names", None)
        if hooks is None:
            raise SAEError("encode() needs {layer: SAE} unless the activations come from saeprobe.extract()")
        width = next(iter(activations.values())).shape[1]
        saes = resolve_saes(saes, list(activations), dict(hooks), width)
    # An ActivationSet (from extract) may carry token-level states, and says how they were pooled.
    tokens = getattr(activations, "tokens", None)
    pooling = getattr(activations, "pooling", "mean")
    codes = {}
    for layer, matrix in activations.items():
        if layer not in saes:
            continue
        sae = saes[layer] if isinstance(saes[layer], LayerSAE) else from_object(layer, saes[layer])
        if tokens is not None and layer in tokens.layers:
            codes[layer] = codes_of_tokens(sae, tokens.chunks(layer), len(matrix), pooling).codes
        else:
            codes[layer] = encode_matrix(sae, matrix)
    return codes


def encode_matrix(sae: LayerSAE | Any, matrix: np.ndarray, batch_size: int = 1024) -> sp.csr_matrix:
    """The sparse codes ``[n_rows, d_sae]`` of one matrix of activations, encoded in batches."""
    import scipy.sparse as sp
    import torch

    model = sae.sae if isinstance(sae, LayerSAE) else sae
    if int(model.cfg.d_in) != matrix.shape[1]:
        raise SAEError(
            f"the SAE reads width {model.cfg.d_in} but the activations have width {matrix.shape[1]}; "
            "use an SAE trained on this model's layer"
        )
    parameter = next(model.parameters())
    blocks = []
    with torch.no_grad():
        for start in range(0, matrix.shape[0], batch_size):
            x = torch.as_tensor(matrix[start : start + batch_size], dtype=parameter.dtype, device=parameter.device)
            blocks.append(sp.csr_matrix(model.encode(x).float().cpu().numpy()))
    return sp.vstack(blocks, format="csr")


def reconstruct(
    sae: LayerSAE | Any, codes: sp.csr_matrix, inputs: np.ndarray | None = None, batch_size: int = 1024
) -> np.ndarray:
    """The SAE's reconstruction (``decode``) of activations from their sparse ``codes``; a skip
    transcoder adds its skip term, read from the ``inputs`` the codes came from. Raises
    :class:`SAEError` when a skip transcoder is given no inputs."""
    import torch

    model = sae.sae if isinstance(sae, LayerSAE) else sae
    if hasattr(model, "W_skip") and inputs is None:
        raise SAEError("a skip transcoder's reconstruction needs the inputs its codes came from; pass inputs=")
    parameter = next(model.parameters())
    blocks = []
    with torch.no_grad():
        for start in range(0, codes.shape[0], batch_size):
            dense = torch.as_tensor(
                codes[start : start + batch_size].toarray(), dtype=parameter.dtype, device=parameter.device
            )
            x = None if inputs is None else _tensor(inputs[start : start + batch_size], parameter)
            blocks.append(_rebuilt(model, dense, x).float().cpu().numpy())
    return np.concatenate(blocks)


def _tensor(values: np.ndarray, parameter: Any) -> Any:
    import torch

    return torch.as_tensor(values, dtype=parameter.dtype, device=parameter.device)


def _rebuilt(model: Any, codes: Any, x: Any) -> Any:
    """``model.decode(codes)``, plus a skip transcoder's skip term ``x @ W_skip.T``."""
    rebuilt = model.decode(codes)
    if hasattr(model, "W_skip") and x is not None:
        rebuilt = rebuilt + x @ model.W_skip.T.to(x.device)
    return rebuilt


def _is_layer_mapping(saes: Any) -> bool:
    return isinstance(saes, Mapping) and all(hasattr(v, "cfg") or isinstance(v, LayerSAE) for v in saes.values())


def codes_of_pooled(sae: LayerSAE, pooled: np.ndarray, one_token_each: bool = False) -> LayerCodes:
    """Codes of the pooled vectors themselves (``code_pooling="pooled"``, or ``last`` pooling). With
    ``one_token_each`` (last pooling) each vector is a token, so the token figures are those of
    the probed vectors."""
    codes = encode_matrix(sae, pooled)
    reconstruction = reconstruct(sae, codes, pooled)
    if not one_token_each or is_transcoder(sae.cfg):  # a transcoder's fidelity is measured on its outputs
        return LayerCodes(codes, reconstruction)
    l0 = np.diff(sp.csr_matrix(codes).indptr)
    token_sparsity = TokenSparsity(
        n_tokens=int(codes.shape[0]),
        l0_mean=float(l0.mean()),
        n_active_union=int(np.count_nonzero(firing_counts(codes))),
    )
    return LayerCodes(codes, reconstruction, token_sparsity, _as_tokens(fidelity(pooled, reconstruction)))


def codes_of_tokens(sae: LayerSAE, chunks: Iterable, n_examples: int, pooling: str) -> LayerCodes:
    """Encode every token of ``chunks`` (:class:`~saeprobe.activations.TokenChunk`), pool the codes
    and the reconstructions per example with ``pooling`` (``mean`` or ``max``), and gather the
    figures over tokens."""
    import torch

    model = sae.sae
    parameter = next(model.parameters())
    rows: list[sp.csr_matrix] = []
    indices: list[np.ndarray] = []
    reconstruction = np.zeros((n_examples, sae.d_out), dtype=np.float32)
    sums = _TokenSums(sae.d_sae, sae.d_in)
    transcoder = is_transcoder(sae.cfg)
    block = max(1, BLOCK_FLOATS // sae.d_sae)
    with torch.no_grad():
        for chunk in chunks:
            owner = torch.repeat_interleave(torch.arange(len(chunk.index)), torch.as_tensor(np.diff(chunk.offsets)))
            pooled_codes = torch.zeros((len(chunk.index), sae.d_sae), dtype=torch.float32)
            pooled_rebuilt = torch.zeros((len(chunk.index), sae.d_out), dtype=torch.float32)
            if pooling == "max":
                pooled_codes.fill_(-torch.inf)
                pooled_rebuilt.fill_(-torch.inf)
            for start in range(0, len(chunk.states), block):
                x = torch.as_tensor(chunk.states[start : start + block], dtype=parameter.dtype, device=parameter.device)
                codes = model.encode(x)
                rebuilt = _rebuilt(model, codes, x)
                sums.add(x.float().cpu(), codes.float().cpu(), None if transcoder else rebuilt.float().cpu())
                who = owner[start : start + block]
                _pool_into(pooled_codes, who, codes.float().cpu(), pooling)
                _pool_into(pooled_rebuilt, who, rebuilt.float().cpu(), pooling)
            if pooling == "mean":
                counts = torch.as_tensor(np.diff(chunk.offsets), dtype=torch.float32).clamp(min=1)[:, None]
                pooled_codes /= counts
                pooled_rebuilt /= counts
            rows.append(sp.csr_matrix(pooled_codes.numpy()))
            indices.append(chunk.index)
            reconstruction[chunk.index] = pooled_rebuilt.numpy()
    order = np.argsort(np.concatenate(indices), kind="stable")
    codes = sp.vstack(rows, format="csr")[order]
    # A transcoder rebuilds another hook than it reads: its fidelity is measured on the probed
    # vectors, against its output states, not per token.
    return LayerCodes(codes, reconstruction, sums.sparsity(), None if transcoder else sums.fidelity())


def _pool_into(target, owner, values, pooling: str) -> None:
    if pooling == "mean":
        target.index_add_(0, owner, values)
    else:
        target.scatter_reduce_(0, owner[:, None].expand_as(values), values, reduce="amax")


class _TokenSums:
    """Running sums over tokens for L0, the feature union and fidelity."""

    def __init__(self, d_sae: int, d_in: int):
        self.n = 0
        self.l0 = 0
        self.fired = np.zeros(d_sae, dtype=bool)
        self.squared_error = 0.0
        self.sum_x = np.zeros(d_in, dtype=np.float64)
        self.sum_squares = 0.0
        self.cosine = 0.0
        self.n_cosine = 0
        self.relative = 0.0
        self.n_relative = 0

    def add(self, x, codes, rebuilt) -> None:
        """Count the tokens ``x``' codes, and with their ``rebuilt`` states (``None``: not
        comparable with ``x``) the fidelity sums."""
        active = codes != 0
        self.n += x.shape[0]
        self.l0 += int(active.sum())
        self.fired |= active.any(dim=0).numpy()
        if rebuilt is None:
            return
        x64, hat = x.double(), rebuilt.double()
        error = x64 - hat
        self.squared_error += float((error**2).sum())
        self.sum_x += x64.sum(dim=0).numpy()
        self.sum_squares += float((x64**2).sum())
        norms, hat_norms = x64.norm(dim=1), hat.norm(dim=1)
        both = (norms > 0) & (hat_norms > 0)
        self.cosine += float(((x64 * hat).sum(dim=1)[both] / (norms[both] * hat_norms[both])).sum())
        self.n_cosine += int(both.sum())
        self.relative += float((error.norm(dim=1)[norms > 0] / norms[norms > 0]).sum())
        self.n_relative += int((norms > 0).sum())

    def sparsity(self) -> TokenSparsity:
        return TokenSparsity(n_tokens=self.n, l0_mean=self.l0 / max(1, self.n), n_active_union=int(self.fired.sum()))

    def fidelity(self) -> Fidelity:
        mean = self.sum_x / max(1, self.n)
        variance = self.sum_squares - self.n * float(mean @ mean)
        return Fidelity(
            fvu=self.squared_error / variance if variance > 0 else float("nan"),
            cosine_mean=self.cosine / max(1, self.n_cosine),
            relative_error=self.relative / max(1, self.n_relative),
            rows="tokens",
        )


def _as_tokens(figures: Fidelity) -> Fidelity:
    return Fidelity(figures.fvu, figures.cosine_mean, figures.relative_error, rows="tokens")
