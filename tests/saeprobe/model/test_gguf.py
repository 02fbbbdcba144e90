"""GGUF files as models: a tiny Llama exported to GGUF here must load back as the same model."""

import sys

import numpy as np
import pytest
import torch

import saeprobe
from saeprobe.errors import ModelError
from saeprobe.model import GGUF, dequantised_directory, find_gguf_file, resolve_model
from saeprobe.model import _gguf as gguf_models

TEXTS = ["the film was a charming journey", "tedious, predictable and far too long", "brilliant"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty default cache, so each test de-quantises afresh."""
    monkeypatch.setenv("SAEPROBE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_gguf_path_loads_as_the_model_it_was_exported_from(tiny_gguf, tiny_llama_dir, cache):
    from transformers import AutoModelForCausalLM

    source = resolve_model(str(tiny_gguf))
    assert source.loader is GGUF and source.identity.startswith("gguf:")
    bridge = source.load()
    reference = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    for text in TEXTS:
        tokens = bridge.to_tokens(text)
        logits, cache_ = bridge.run_with_cache(tokens, names_filter=lambda name: name.endswith("hook_resid_post"))
        with torch.no_grad():
            expected = reference(tokens, output_hidden_states=True)
        torch.testing.assert_close(logits, expected.logits, rtol=1e-5, atol=1e-5)
        for layer in range(2):  # HF's last hidden state has the final norm applied; resid_post does not
            torch.testing.assert_close(
                cache_[f"blocks.{layer}.hook_resid_post"], expected.hidden_states[layer + 1], rtol=1e-5, atol=1e-5
            )


def test_the_tokenizer_round_trips_through_the_file(tiny_gguf, tiny_llama_dir, cache):
    from transformers import AutoTokenizer

    converted = AutoTokenizer.from_pretrained(dequantised_directory(tiny_gguf))
    original = AutoTokenizer.from_pretrained(tiny_llama_dir)
    for text in TEXTS:
        assert converted(text)["input_ids"] == original(text)["input_ids"]
    assert converted.bos_token == original.bos_token and converted.eos_token == original.eos_token


def test_second_load_reads_the_dequantised_copy(tiny_gguf, cache, monkeypatch):
    first = dequantised_directory(tiny_gguf)
    assert first.parent == cache / "dequantised" and (first / "config.json").is_file()

    def refuse(*args):
        raise AssertionError("de-quantised again")

    monkeypatch.setattr(gguf_models, "_dequantise", refuse)
    assert dequantised_directory(tiny_gguf) == first
    assert GGUF.load(str(tiny_gguf), None, "cpu").cfg.n_layers == 3


def test_an_interrupted_conversion_leaves_nothing_half_written(tiny_gguf, cache, monkeypatch):
    def interrupted(path, out):
        (out / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(gguf_models, "_dequantise", interrupted)
    with pytest.raises(KeyboardInterrupt):
        dequantised_directory(tiny_gguf)
    assert list((cache / "dequantised").iterdir()) == []


def test_a_directory_holding_one_gguf_file_is_that_file(tiny_gguf, tmp_path):
    assert GGUF.matches(str(tiny_gguf.parent)) and find_gguf_file(tiny_gguf.parent) == tiny_gguf.resolve()
    assert GGUF.source(str(tiny_gguf.parent), None) == GGUF.source(str(tiny_gguf), None)
    assert not GGUF.matches(str(tmp_path))  # no .gguf inside: left to the Hugging Face plugin


def test_bad_gguf_specs_name_the_problem(tiny_gguf, tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(str(tmp_path / "missing.gguf"))
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"PK\x03\x04 not a gguf")
    with pytest.raises(ModelError, match="is not a GGUF file"):
        resolve_model(str(fake))
    (tmp_path / "other.gguf").write_bytes(tiny_gguf.read_bytes())
    with pytest.raises(ModelError, match=r"exactly one .gguf file"):
        resolve_model(str(tmp_path))


def test_missing_gguf_package_says_how_to_install_it(tiny_gguf, cache, monkeypatch):
    monkeypatch.setitem(sys.modules, "gguf", None)
    with pytest.raises(ModelError, match="pip install gguf"):
        dequantised_directory(tiny_gguf)


def test_sweep_on_a_gguf_reads_the_last_prompt_token(tiny_gguf, cache):
    texts = [f"{a} and {b}" for a in TEXTS * 4 for b in TEXTS]
    labels = [int("charming" in t) for t in texts]
    data = saeprobe.load_dataset(texts, labels, template="Review: {text}\nSentiment:")
    result = saeprobe.sweep(str(tiny_gguf), None, data, layers="0-2:2", cache_dir=cache, progress=False)
    assert [entry.layer for entry in result.layers] == [0, 2] and result.settings.pooling == "last"
    bridge = GGUF.load(str(tiny_gguf), None, "cpu")
    _, run = bridge.run_with_cache(data.prompts[5], names_filter="blocks.2.hook_resid_post")
    stored = saeprobe.extract(str(tiny_gguf), data, layers=[2], cache_dir=cache, progress=False)
    np.testing.assert_allclose(stored[2][5], run["blocks.2.hook_resid_post"][0, -1].numpy(), rtol=1e-5, atol=1e-5)
