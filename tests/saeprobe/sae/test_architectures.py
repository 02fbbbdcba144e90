"""Every SAE architecture SAELens loads, built with SAELens's own classes, saved, and swept through
every input saeprobe accepts: the sweep's L0 and active-feature union equal what ``sae.encode``
gives on the same states. Transcoders are read at their input hook and measured against their
output hook; an architecture saeprobe cannot read stops before any forward pass."""

import json
import warnings

import numpy as np
import pytest
import torch
from sae_lens import (
    SAE,
    AbsTopKSAE,
    AbsTopKSAEConfig,
    BatchTopKTrainingSAE,
    BatchTopKTrainingSAEConfig,
    GatedSAE,
    GatedSAEConfig,
    JumpReLUSAE,
    JumpReLUSAEConfig,
    JumpReLUSkipTranscoder,
    JumpReLUSkipTranscoderConfig,
    JumpReLUTranscoder,
    JumpReLUTranscoderConfig,
    MatchingPursuitSAE,
    MatchingPursuitSAEConfig,
    MatryoshkaBatchTopKTrainingSAE,
    MatryoshkaBatchTopKTrainingSAEConfig,
    SkipTranscoder,
    SkipTranscoderConfig,
    StandardSAE,
    StandardSAEConfig,
    TopKSAE,
    TopKSAEConfig,
    Transcoder,
    TranscoderConfig,
)
from sae_lens.saes.sae import SAEMetadata

import saeprobe
from builders import TINY_WIDTH
from saeprobe.errors import SAEError, SaeprobeWarning

LAYER = 1
HOOK = f"blocks.{LAYER}.hook_resid_post"
WIDTH = 96
# The tiny model's SAEs are read on HookedTransformer's processed stream (their metadata names no
# kwargs); these are read on the raw stream, as saeprobe's own trained SAEs are.
RAW_STREAM = {"model_from_pretrained_kwargs": {"fold_ln": False, "center_writing_weights": False}}


def metadata(hook=HOOK, **extra):
    return SAEMetadata(hook_name=hook, model_name="tiny-gpt2", **RAW_STREAM, **extra)


BUILDS = {
    "standard": lambda: StandardSAE(StandardSAEConfig(d_in=TINY_WIDTH, d_sae=WIDTH, metadata=metadata())),
    "topk": lambda: TopKSAE(TopKSAEConfig(d_in=TINY_WIDTH, d_sae=WIDTH, k=6, metadata=metadata())),
    "abstopk": lambda: AbsTopKSAE(AbsTopKSAEConfig(d_in=TINY_WIDTH, d_sae=WIDTH, k=6, metadata=metadata())),
    "jumprelu": lambda: JumpReLUSAE(JumpReLUSAEConfig(d_in=TINY_WIDTH, d_sae=WIDTH, metadata=metadata())),
    "gated": lambda: GatedSAE(GatedSAEConfig(d_in=TINY_WIDTH, d_sae=WIDTH, metadata=metadata())),
    "batchtopk": lambda: BatchTopKTrainingSAE(
        BatchTopKTrainingSAEConfig(d_in=TINY_WIDTH, d_sae=WIDTH, k=6, metadata=metadata())
    ),
    "matryoshka_batchtopk": lambda: MatryoshkaBatchTopKTrainingSAE(
        MatryoshkaBatchTopKTrainingSAEConfig(
            d_in=TINY_WIDTH, d_sae=WIDTH, k=6, matryoshka_widths=[24, WIDTH], metadata=metadata()
        )
    ),
    "matching_pursuit": lambda: MatchingPursuitSAE(
        MatchingPursuitSAEConfig(
            d_in=TINY_WIDTH, d_sae=WIDTH, residual_threshold=0.5, max_iterations=8, metadata=metadata()
        )
    ),
}
# What SAELens loads each one as.
LOADED_AS = {"batchtopk": "jumprelu", "matryoshka_batchtopk": "jumprelu"}


def with_weights(sae, seed=0):
    """``sae`` with seeded weights that switch some features on and others off."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in sae.named_parameters():
            if name == "threshold":
                parameter.copy_(0.2 + 0.3 * torch.rand(parameter.shape, generator=generator))
            elif name.startswith("b_"):
                parameter.copy_(0.3 * torch.randn(parameter.shape, generator=generator))
            else:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) / np.sqrt(parameter.shape[0]))
        if hasattr(sae, "topk_threshold"):  # BatchTopK's learned threshold, the JumpReLU threshold it saves as
            sae.topk_threshold.fill_(0.3)
    return sae


def save(sae, directory):
    """Save ``sae`` as SAELens does after training: inference form for training SAEs."""
    if hasattr(sae, "save_inference_model"):
        sae.save_inference_model(directory)
    else:
        sae.save_model(directory)
    return directory


@pytest.fixture(scope="module")
def data():
    texts = [f"{word} film number {i}" for i, word in enumerate(["good", "bad", "fine", "awful"] * 10)]
    return saeprobe.load_dataset(texts, ["pos", "neg"] * 20, name="tiny-films")


@pytest.fixture(scope="module")
def states(tiny_model_dir, data, tmp_path_factory):
    """The last-token states the sweeps probe at LAYER, read on the raw stream, and their cache."""
    cache = tmp_path_factory.mktemp("architectures-cache")
    acts = saeprobe.extract(
        str(tiny_model_dir), data, layers=[LAYER], pooling="last", processing="none", cache_dir=cache, progress=False
    )
    return acts[LAYER], cache


def swept(tiny_model_dir, saes, data, cache, **options):
    return saeprobe.sweep(
        str(tiny_model_dir),
        saes,
        data,
        layers=str(LAYER),
        pooling="last",
        top_ks=(1,),
        Cs=(1.0,),
        bootstrap=0,
        controls=(),
        cache_dir=cache,
        progress=False,
        **options,
    )


def encoded_figures(sae, matrix):
    """Mean L0 and active-feature union of ``sae.encode`` on ``matrix``."""
    with torch.no_grad():
        codes = sae.encode(torch.as_tensor(matrix, dtype=torch.float32)).numpy()
    active = codes != 0
    return float(active.sum(axis=1).mean()), int(active.any(axis=0).sum())


@pytest.mark.parametrize("architecture", sorted(BUILDS))
def test_every_input_of_every_architecture_gives_the_codes_sae_encode_gives(
    architecture, tiny_model_dir, data, states, tmp_path
):
    matrix, cache = states
    directory = save(with_weights(BUILDS[architecture]()), tmp_path / architecture)
    loaded = SAE.load_from_disk(directory)
    assert loaded.cfg.architecture() == LOADED_AS.get(architecture, architecture)
    l0, union = encoded_figures(loaded, matrix)
    assert 0 < l0 < WIDTH, "the weights switch some features on and leave others off"
    inputs = {
        "directory": str(directory),
        "object": loaded,
        "layer to object": {LAYER: loaded},
        "layer to directory": {LAYER: str(directory)},
    }
    for name, given in inputs.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SaeprobeWarning)  # BatchTopK's training version: tested below
            result = swept(tiny_model_dir, given, data, cache)
        sparsity = result.layers[0].saes["sae"].diagnostics.sparsity
        assert (sparsity.l0_mean, sparsity.n_active_union) == pytest.approx((l0, union)), name
        assert result.layers[0].saes["sae"].sae.architecture == LOADED_AS.get(architecture, architecture), name


def test_a_loading_that_differs_from_the_training_is_written_in_the_layer_details(
    tiny_model_dir, data, states, tmp_path
):
    _, cache = states
    directory = save(with_weights(BUILDS["matryoshka_batchtopk"]()), tmp_path / "matryoshka")
    result = swept(tiny_model_dir, str(directory), data, cache)
    notes = result.layers[0].saes["sae"].sae.notes
    assert len(notes) == 1  # its metadata names the kwargs it was trained with: no preparation is left open
    assert notes[0].startswith("Trained as Matryoshka BatchTopK (k = 6 features per example on average over a batch")
    assert "nested widths [24, 96]" in notes[0] and "read as JumpReLU" in notes[0]


def test_sae_lens_6_metadata_without_kwargs_is_said_to_be_read_on_the_processed_stream(
    tiny_model_dir, data, states, tmp_path
):
    _, cache = states
    sae = with_weights(StandardSAE(StandardSAEConfig(d_in=TINY_WIDTH, d_sae=WIDTH)))
    sae.cfg.metadata = SAEMetadata(hook_name=HOOK, model_name="tiny-gpt2", sae_lens_training_version="6.3.0")
    directory = save(sae, tmp_path / "ambiguous")
    with pytest.warns(SaeprobeWarning, match=r"processed stream .*pass processing='none'") as caught:
        result = swept(tiny_model_dir, str(directory), data, cache)
    assert "SAELens 6.3.0" in str(caught[0].message)
    found = result.layers[0].saes["sae"]
    assert found.preparation.processed and any("processing='none'" in note for note in found.sae.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaeprobeWarning)
        stated = swept(tiny_model_dir, str(directory), data, cache, processing="hooked")
    assert stated.layers[0].saes["sae"].preparation.processed


@pytest.mark.parametrize("architecture", ["temporal", "kan"])
def test_an_architecture_saeprobe_cannot_read_stops_before_any_forward_pass(
    architecture, tiny_model_dir, data, tmp_path
):
    directory = save(with_weights(BUILDS["standard"]()), tmp_path / "odd")
    cfg = json.loads((directory / "cfg.json").read_text())
    cfg["architecture"] = architecture
    (directory / "cfg.json").write_text(json.dumps(cfg))
    expected = "encodes a token from the tokens before it" if architecture == "temporal" else "does not know how"
    with pytest.raises(SAEError, match=f"{architecture}.*{expected}"):
        swept(tiny_model_dir, str(directory), data, tmp_path / "cache")
    assert not (tmp_path / "cache" / "activations").exists()


TRANSCODERS = {
    "transcoder": lambda m: Transcoder(
        TranscoderConfig(d_in=TINY_WIDTH, d_sae=WIDTH, d_out=TINY_WIDTH, apply_b_dec_to_input=False, metadata=m)
    ),
    "skip_transcoder": lambda m: SkipTranscoder(
        SkipTranscoderConfig(d_in=TINY_WIDTH, d_sae=WIDTH, d_out=TINY_WIDTH, apply_b_dec_to_input=False, metadata=m)
    ),
    "jumprelu_transcoder": lambda m: JumpReLUTranscoder(
        JumpReLUTranscoderConfig(d_in=TINY_WIDTH, d_sae=WIDTH, d_out=TINY_WIDTH, apply_b_dec_to_input=False, metadata=m)
    ),
    "jumprelu_skip_transcoder": lambda m: JumpReLUSkipTranscoder(
        JumpReLUSkipTranscoderConfig(
            d_in=TINY_WIDTH, d_sae=WIDTH, d_out=TINY_WIDTH, apply_b_dec_to_input=False, metadata=m
        )
    ),
}


@pytest.mark.parametrize("architecture", sorted(TRANSCODERS))
def test_a_transcoder_is_read_at_its_input_and_measured_against_its_output(
    architecture, tiny_model_dir, data, tmp_path
):
    hooks = {"hook_name_out": f"blocks.{LAYER}.hook_mlp_out"}
    sae = with_weights(TRANSCODERS[architecture](metadata(hook=f"blocks.{LAYER}.hook_resid_mid", **hooks)))
    directory = save(sae, tmp_path / architecture)
    cache = tmp_path / "cache"
    result = swept(tiny_model_dir, str(directory), data, cache, hook="resid_mid")

    def states_at(hook):
        options = {"layers": [LAYER], "pooling": "last", "processing": "none", "cache_dir": cache, "progress": False}
        return saeprobe.extract(str(tiny_model_dir), data, hook=hook, **options)[LAYER]

    inputs, outputs = states_at("resid_mid"), states_at("mlp_out")
    loaded = SAE.load_from_disk(directory)
    with torch.no_grad():
        rebuilt = loaded(torch.as_tensor(inputs, dtype=torch.float32)).numpy()  # forward: the skip term included
    expected_fvu = float(((outputs - rebuilt) ** 2).sum() / ((outputs - outputs.mean(axis=0)) ** 2).sum())
    found = result.layers[0].saes["sae"]
    assert found.diagnostics.fidelity.fvu == pytest.approx(expected_fvu, rel=1e-4)
    l0, union = encoded_figures(loaded, inputs)
    assert (found.diagnostics.sparsity.l0_mean, found.diagnostics.sparsity.n_active_union) == pytest.approx((l0, union))
    assert found.sae.hook_name == f"blocks.{LAYER}.hook_resid_mid"
    assert found.sae.hook_name_out == f"blocks.{LAYER}.hook_mlp_out"
    assert any(
        "read at 'blocks.1.hook_resid_mid'" in note and "'blocks.1.hook_mlp_out'" in note for note in found.sae.notes
    )
    # The error term is what the transcoder leaves out of its output, not of its input.
    error = saeprobe.probe.build_representations(
        inputs, data.y, np.ones(len(data), bool), 2, {"sae": _Codes(loaded, inputs, outputs)}, top_ks=()
    ).matrices["sae_error"]
    assert np.allclose(error, outputs - rebuilt, atol=1e-4)


class _Codes:
    """A transcoder's codes of ``inputs`` as the sweep hands them on: codes, reconstruction, and
    the output-hook states the reconstruction is measured against."""

    def __init__(self, sae, inputs, outputs):
        import scipy.sparse as sp

        with torch.no_grad():
            x = torch.as_tensor(inputs, dtype=torch.float32)
            self.codes = sp.csr_matrix(sae.encode(x).numpy())
            self.reconstruction = sae(x).numpy()
        self.states = None
        self.outputs = outputs


def test_a_transcoder_without_an_output_hook_is_refused_before_any_forward_pass(tiny_model_dir, data, tmp_path):
    sae = with_weights(TRANSCODERS["transcoder"](metadata(hook=f"blocks.{LAYER}.hook_resid_mid")))
    directory = save(sae, tmp_path / "no-output")
    with pytest.raises(SAEError, match="names no output hook"):
        swept(tiny_model_dir, str(directory), data, tmp_path / "cache", hook="resid_mid")
    assert not (tmp_path / "cache" / "activations").exists()
