"""Extraction against brute force: each text run alone, unpadded, through run_with_cache."""

import numpy as np
import pytest
import torch

from saeprobe import extract, load_dataset
from saeprobe.activations import extract_tokens
from saeprobe.errors import LayerError, ModelError, SettingsError

TEXTS = [
    "the film was charming",
    "a dull and lifeless movie with awful acting that goes on and on",
    "loved it",
    "The city of Paris is in France.",
    "markets opened higher",
    "brilliant",
    "the worst plot I have seen in years, truly terrible and tedious",
]


def brute_force(bridge, prompt, layer, pooling, exclude_bos=True):
    tokens = bridge.to_tokens(prompt, truncate=False)
    with torch.no_grad():
        _, cache = bridge.run_with_cache(tokens, names_filter=[f"blocks.{layer}.hook_resid_post"])
    states = cache[f"blocks.{layer}.hook_resid_post"][0]
    if pooling == "last":
        return states[-1].numpy()
    if exclude_bos and tokens[0, 0].item() == bridge.tokenizer.bos_token_id and len(states) > 1:
        states = states[1:]
    return (states.mean(0) if pooling == "mean" else states.max(0).values).numpy()


@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_pooled_activations_equal_each_text_run_alone(tiny_bridge, padding_side, pooling):
    template = "Review: {text}\nSentiment:"
    data = load_dataset(TEXTS, [0, 1, 0, 1, 0, 1, 0], template=template)
    got = extract(
        tiny_bridge,
        data,
        layers="all",
        pooling=pooling,
        batch_size=3,
        padding_side=padding_side,
        cache_dir=False,
        progress=False,
    )
    assert list(got) == [0, 1, 2, 3]
    for layer in (0, 3):
        assert got[layer].shape == (len(TEXTS), 32)
        for row, text in enumerate(TEXTS):
            expected = brute_force(tiny_bridge, template.replace("{text}", text), layer, pooling)
            np.testing.assert_allclose(got[layer][row], expected, atol=1e-5, rtol=1e-5)


def test_a_list_of_strings_and_a_layer_subset(tiny_bridge):
    got = extract(tiny_bridge, TEXTS[:3], layers="1,2", cache_dir=False, progress=False)
    assert list(got) == [1, 2]
    assert got.hook_names == {1: "blocks.1.hook_resid_post", 2: "blocks.2.hook_resid_post"}
    np.testing.assert_allclose(got[2][1], brute_force(tiny_bridge, TEXTS[1], 2, "last"), atol=1e-5)


def test_long_texts_are_cut_inside_the_template_and_counted(tiny_bridge):
    from saeprobe.activations._tokenize import tokenize

    long_text = " ".join(["the worst plot I have seen"] * 30)
    template = "Review: {text}\nSentiment:"
    tokenized = tokenize(tiny_bridge, [long_text, "fine"], template, n_ctx=48)
    assert tokenized.truncated.tolist() == [True, False]
    cut = tokenized.tokens[0]
    full = tiny_bridge.to_tokens(template.replace("{text}", long_text), truncate=False)[0]
    # The template's start and end survive; the text in between is what gets shortened.
    assert len(full) > 48 >= len(cut)
    assert cut[-3:].tolist() == full[-3:].tolist() and cut[:4].tolist() == full[:4].tolist()
    got = extract(
        tiny_bridge,
        load_dataset([long_text, "fine"], [0, 1], template=template),
        layers=[0],
        cache_dir=False,
        progress=False,
    )
    assert got.n_truncated == 1 and got.truncated.tolist() == [True, False]


def test_hook_and_layer_errors(tiny_bridge):
    with pytest.raises(LayerError, match="has 4 layers"):
        extract(tiny_bridge, TEXTS, layers=[4], cache_dir=False, progress=False)
    with pytest.raises(ModelError, match=r"no hook 'blocks.0.hook_nonsense'"):
        extract(tiny_bridge, TEXTS, layers=[0], hook="nonsense", cache_dir=False, progress=False)
    with pytest.raises(SettingsError, match="pooling must be one of"):
        extract(tiny_bridge, TEXTS, pooling="median", cache_dir=False, progress=False)
    with pytest.raises(ModelError, match="cannot use a int"):
        extract(3, TEXTS, cache_dir=False, progress=False)


def test_hooked_transformer_is_accepted(tiny_model_dir):
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    cfg = HookedTransformerConfig(n_layers=2, d_model=16, n_ctx=32, d_head=4, d_vocab=len(tokenizer), act_fn="gelu")
    torch.manual_seed(0)
    model = HookedTransformer(cfg, tokenizer=tokenizer)
    got = extract(
        model, TEXTS, layers="all", pooling="last", batch_size=4, padding_side="left", cache_dir=False, progress=False
    )
    for row, text in enumerate(TEXTS):
        tokens = model.to_tokens(text, truncate=False)
        _, cache = model.run_with_cache(tokens, names_filter=["blocks.1.hook_resid_post"])
        np.testing.assert_allclose(got[1][row], cache["blocks.1.hook_resid_post"][0, -1].detach().numpy(), atol=1e-5)


@pytest.mark.parametrize("prepend_bos", [True, False])
def test_token_activations_leave_out_padding_and_a_causal_models_first_position(tiny_bridge, prepend_bos, monkeypatch):
    # With or without a BOS in front, the first position of a causal model is the attention sink.
    monkeypatch.setattr(tiny_bridge.cfg, "default_prepend_bos", prepend_bos)
    rows = extract_tokens(tiny_bridge, TEXTS, [1, 3], batch_size=3, progress=False)
    for layer in (1, 3):
        expected = []
        for text in TEXTS:
            tokens = tiny_bridge.to_tokens(text, truncate=False)
            assert (tokens[0, 0].item() == tiny_bridge.tokenizer.bos_token_id) == prepend_bos
            with torch.no_grad():
                _, cache = tiny_bridge.run_with_cache(tokens, names_filter=[f"blocks.{layer}.hook_resid_post"])
            expected.append(cache[f"blocks.{layer}.hook_resid_post"][0, 1:].numpy())
        np.testing.assert_allclose(rows[layer], np.concatenate(expected), rtol=1e-4, atol=1e-5)


def test_progress_counts_forward_batches_even_without_a_progress_bar(tiny_bridge):
    seen = []
    extract(
        tiny_bridge,
        TEXTS,
        layers=[0],
        batch_size=2,
        cache_dir=False,
        progress=False,
        on_progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert [done for _, done, _ in seen] == list(range(1, len(seen) + 1)) and seen[-1][1] == seen[-1][2] > 1


def test_the_forward_pass_stops_at_the_deepest_requested_hook(tiny_bridge):
    from saeprobe.activations._hooks import HookReader

    reached = []
    tiny_bridge.blocks[3].hook_out.add_hook(lambda tensor, hook: reached.append(3))
    tiny_bridge.unembed.hook_out.add_hook(lambda tensor, hook: reached.append("unembed"))
    names = {layer: f"blocks.{layer}.hook_resid_post" for layer in (0, 2, 3)}
    batch = [tiny_bridge.to_tokens(text, truncate=False)[0] for text in TEXTS[:2]]
    try:
        with HookReader(tiny_bridge, names) as reader:
            cache, _ = reader.run(batch, [0, 2], "right")
            assert reached == []  # neither block 3 nor the unembedding ran
            reader.run(batch, [3], "right")
            assert reached == [3]  # the last block runs, the unembedding does not
        # The reader's hooks are gone; the two added here stay.
        assert sum(len(point.fwd_hooks) for point in set(tiny_bridge.hook_dict.values())) == 2
    finally:
        tiny_bridge.reset_hooks(including_permanent=False)
    for layer in (0, 2):
        _, full = tiny_bridge.run_with_cache(batch[0][None], names_filter=[names[layer]])
        torch.testing.assert_close(cache[names[layer]][0, : len(batch[0])], full[names[layer]][0], atol=1e-5, rtol=1e-5)


def test_attention_runs_fused_unless_a_hook_reads_its_weights(tiny_bridge):
    from saeprobe.activations._hooks import fused_attention

    config = tiny_bridge.original_model.config
    assert config._attn_implementation == "eager"  # as the bridge boots it
    with fused_attention(tiny_bridge, ["blocks.0.hook_resid_post"]):
        assert config._attn_implementation == "sdpa"
    assert config._attn_implementation == "eager"
    with fused_attention(tiny_bridge, ["blocks.0.hook_resid_post", "blocks.0.attn.hook_pattern"]):
        assert config._attn_implementation == "eager"


def test_a_tokenizer_that_disagrees_with_the_model_is_not_trusted(tiny_bridge, monkeypatch):
    from saeprobe.activations import _tokenize

    prompts = [f"Review: {text}" for text in TEXTS]
    batch = _tokenize.tokenize_batch(tiny_bridge, prompts, None)
    assert [row.tolist() for row in batch] == [tiny_bridge.to_tokens(p, truncate=False)[0].tolist() for p in prompts]
    one_by_one = _tokenize.to_tokens
    monkeypatch.setattr(_tokenize, "to_tokens", lambda model, prompt, prepend_bos=None: one_by_one(model, prompt)[1:])
    assert _tokenize.tokenize_batch(tiny_bridge, prompts, None) is None
    tokenized = _tokenize.tokenize(tiny_bridge, TEXTS, "Review: {text}", 1000)
    assert [row.tolist() for row in tokenized.tokens] == [one_by_one(tiny_bridge, p)[1:].tolist() for p in prompts]
