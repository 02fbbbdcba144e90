"""The model is prepared as each SAE's SAELens metadata says; the reference is TransformerLens's own
HookedTransformer of the same weights, run text by text."""

import numpy as np
import pytest
import torch

from builders import CORPUS, hooked_reference, make_sae, save_sae_with_metadata
from saeprobe import encode, extract, load_dataset, sweep
from saeprobe.errors import SAEError, SaeprobeWarning
from saeprobe.model import HOOKED_DEFAULTS, Preparation, preparation_of, resolve_preparation

pytestmark = pytest.mark.integration

LAYER = 2
HOOK = f"blocks.{LAYER}.hook_resid_post"
TEXTS = CORPUS[:6]


@pytest.fixture(scope="module")
def references(tiny_model_dir):
    return {processed: hooked_reference(tiny_model_dir, processed) for processed in (True, False)}


def reference_states(reference, text):
    with torch.no_grad():
        _, cache = reference.run_with_cache(reference.to_tokens(text), names_filter=[HOOK])
    return cache[HOOK][0]


def reference_codes(reference, sae, texts, pooling):
    """Each text alone, each token encoded (the BOS left out, as mean and max pooling do), pooled."""
    rows = []
    with torch.no_grad():
        for text in texts:
            states = reference_states(reference, text)
            states = states[-1:] if pooling == "last" else states[1:]
            codes = sae.encode(states)
            rows.append(codes[-1] if pooling == "last" else codes.mean(0) if pooling == "mean" else codes.max(0).values)
    return torch.stack(rows).numpy()


def sweep_codes(model_dir, sae_dir, pooling, cache, **options):
    acts = extract(
        str(model_dir),
        TEXTS,
        saes=str(sae_dir),
        layers=[LAYER],
        pooling=pooling,
        cache_dir=cache,
        progress=False,
        **options,
    )
    return encode(str(sae_dir), acts)[LAYER].toarray(), acts


@pytest.mark.parametrize("centred, processed", [(True, True), (False, False)])
def test_codes_read_the_stream_the_sae_was_trained_on(tiny_model_dir, references, tmp_path, centred, processed):
    sae_dir = save_sae_with_metadata(
        tmp_path / "sae", LAYER, model_from_pretrained_kwargs={"center_writing_weights": centred}
    )
    got, acts = sweep_codes(tiny_model_dir, sae_dir, "last", tmp_path / "cache")
    sae = make_sae(LAYER)
    np.testing.assert_allclose(got, reference_codes(references[processed], sae, TEXTS, "last"), atol=1e-5)
    assert acts.preparation.center_writing_weights is centred
    # Reading the other stream gives other codes: the preparation matters.
    assert not np.allclose(got, reference_codes(references[not processed], sae, TEXTS, "last"), atol=1e-3)


def test_an_sae_without_model_metadata_reads_hookedtransformers_default_processing(
    tiny_model_dir, references, tmp_path
):
    make_sae(LAYER).save_model(tmp_path / "sae")
    got, acts = sweep_codes(tiny_model_dir, tmp_path / "sae", "last", tmp_path / "cache")
    assert acts.preparation == Preparation(**HOOKED_DEFAULTS)
    np.testing.assert_allclose(got, reference_codes(references[True], make_sae(LAYER), TEXTS, "last"), atol=1e-5)


@pytest.mark.parametrize("pooling", ["mean", "max"])
def test_token_codes_equal_each_text_alone_each_token_encoded_then_pooled(
    tiny_model_dir, references, tmp_path, pooling
):
    sae_dir = save_sae_with_metadata(
        tmp_path / "sae", LAYER, model_from_pretrained_kwargs={"center_writing_weights": True}
    )
    got, acts = sweep_codes(tiny_model_dir, sae_dir, pooling, tmp_path / "cache", batch_size=4)
    assert acts.tokens is not None and acts.tokens.layers == [LAYER]
    np.testing.assert_allclose(got, reference_codes(references[True], make_sae(LAYER), TEXTS, pooling), atol=1e-5)
    # The codes of the pooled vector are something else: an input the SAE never saw.
    pooled, _ = sweep_codes(tiny_model_dir, sae_dir, pooling, tmp_path / "cache", code_pooling="pooled")
    assert not np.allclose(pooled, got, atol=1e-3)
    # A second read comes from the cache of token states: no forward pass.
    again, acts = sweep_codes(tiny_model_dir, sae_dir, pooling, tmp_path / "cache", batch_size=4)
    assert acts.n_forward_batches == 0 and np.array_equal(again, got)


def test_with_last_pooling_token_and_pooled_codes_are_the_same(tiny_model_dir, sae_dir, tmp_path):
    data = load_dataset(TEXTS * 4, ["a", "b"] * 12)
    results = [
        sweep(
            str(tiny_model_dir),
            str(sae_dir),
            data,
            layers=[1, 3],
            pooling="last",
            code_pooling=mode,
            top_ks=(1,),
            cache_dir=tmp_path,
            progress=False,
        )
        for mode in ("tokens", "pooled")
    ]
    for tokens, pooled in zip(*(r.layers for r in results), strict=True):
        assert tokens.scores == pooled.scores and tokens.diagnostics.sparsity == pooled.diagnostics.sparsity
        assert tokens.diagnostics.token_sparsity == pooled.diagnostics.token_sparsity


def test_a_sae_set_that_disagrees_on_processing_stops(tiny_model_dir, tmp_path):
    save_sae_with_metadata(tmp_path / "saes" / "a", 1, model_from_pretrained_kwargs={"center_writing_weights": True})
    save_sae_with_metadata(tmp_path / "saes" / "b", 2, model_from_pretrained_kwargs={"center_writing_weights": False})
    data = load_dataset(TEXTS * 2, ["a", "b"] * 6)
    with pytest.raises(SAEError, match=r"differently prepared.*layers \[1\].*layers \[2\]"):
        sweep(str(tiny_model_dir), str(tmp_path / "saes"), data, layers="1,2", cache_dir=tmp_path / "c", progress=False)
    forced = sweep(
        str(tiny_model_dir),
        str(tmp_path / "saes"),
        data,
        layers="1,2",
        processing="none",
        top_ks=(1,),
        cache_dir=tmp_path / "c",
        progress=False,
    )
    assert all(entry.preparation == Preparation() for entry in forced.layers)


def test_the_preparation_is_recorded_per_layer_and_keys_the_activation_cache(tiny_model_dir, tmp_path):
    data = load_dataset(TEXTS * 2, ["a", "b"] * 6)
    for centred in (True, False):
        sae_dir = save_sae_with_metadata(
            tmp_path / f"sae-{centred}", LAYER, model_from_pretrained_kwargs={"center_writing_weights": centred}
        )
        result = sweep(
            str(tiny_model_dir),
            str(sae_dir),
            data,
            layers=[LAYER],
            top_ks=(1,),
            cache_dir=tmp_path / "c",
            progress=False,
        )
        assert result.layer(LAYER).preparation.center_writing_weights is centred
        assert result.timings["forward_batches"] > 0  # never the other preparation's cached states
    assert len(list((tmp_path / "c" / "activations").iterdir())) == 2


def test_prompts_longer_than_the_saes_context_are_counted_and_warned_about(tiny_model_dir, tmp_path):
    sae_dir = save_sae_with_metadata(
        tmp_path / "sae", LAYER, model_from_pretrained_kwargs={"center_writing_weights": False}, context_size=8
    )
    data = load_dataset(TEXTS * 2, ["a", "b"] * 6)
    with pytest.warns(SaeprobeWarning, match="longer than the 8 tokens"):
        result = sweep(
            str(tiny_model_dir), str(sae_dir), data, layers=[LAYER], top_ks=(1,), cache_dir=tmp_path, progress=False
        )
    acts = extract(str(tiny_model_dir), data, layers=[LAYER], cache_dir=tmp_path, progress=False)
    assert result.layer(LAYER).sae_set().n_beyond_context == int((acts.lengths > 8).sum()) > 0


def test_an_sae_that_says_no_bos_gets_prompts_without_one(tiny_model_dir, references, tmp_path):
    sae_dir = save_sae_with_metadata(
        tmp_path / "sae", LAYER, model_from_pretrained_kwargs={"center_writing_weights": False}, prepend_bos=False
    )
    got, acts = sweep_codes(tiny_model_dir, sae_dir, "last", tmp_path / "cache")
    plain = references[False]
    expected = []
    with torch.no_grad():
        for text in TEXTS:
            _, cache = plain.run_with_cache(plain.to_tokens(text, prepend_bos=False), names_filter=[HOOK])
            expected.append(make_sae(LAYER).encode(cache[HOOK][0, -1:])[0])
    np.testing.assert_allclose(got, torch.stack(expected).numpy(), atol=1e-5)
    assert acts.preparation.prepend_bos is False


def test_preparation_rules():
    assert preparation_of({}) == Preparation(**HOOKED_DEFAULTS)
    assert (
        preparation_of({"metadata": {"model_from_pretrained_kwargs": {"center_writing_weights": False}}})
        == Preparation()
    )
    assert preparation_of({"metadata": {"model_from_pretrained_kwargs": {"fold_ln": True}}}) == Preparation(
        fold_ln=True
    )
    assert resolve_preparation("none", {1: {}}) == Preparation()
    assert resolve_preparation("hooked", {}) == Preparation(**HOOKED_DEFAULTS)
    assert resolve_preparation("auto", {}) == Preparation()
    with pytest.raises(SAEError, match="not a mapping"):
        preparation_of({"metadata": {"model_from_pretrained_kwargs": "yes"}})


def test_processing_changes_the_residual_stream_only_by_centring_it(tiny_model_dir, tmp_path):
    # fold_ln, center_unembed and fold_value_biases leave the residual stream as it is; centring the
    # writing weights removes each vector's mean over d_model, one linear direction (see docs/guides/sae-inputs.md).
    data = load_dataset(TEXTS * 2, ["a", "b"] * 6)
    plain = extract(str(tiny_model_dir), data, processing="none", cache_dir=tmp_path, progress=False)
    hooked = extract(str(tiny_model_dir), data, processing="hooked", cache_dir=tmp_path, progress=False)
    assert hooked.preparation.processed and not plain.preparation.processed
    for layer in plain:
        np.testing.assert_allclose(hooked[layer], plain[layer] - plain[layer].mean(axis=1, keepdims=True), atol=1e-5)
