import numpy as np

from saeprobe.embedded import demo_dataset, general_sentences, minilm_directory


def test_minilm_directory_is_a_local_bert():
    directory = minilm_directory()
    config = (directory / "config.json").read_text()
    assert '"model_type": "bert"' in config and '"num_hidden_layers": 6' in config


def test_demo_dataset_is_balanced_and_has_negations():
    data = demo_dataset()
    assert len(data) == 352 and data.classes == ("negative", "positive")
    assert np.bincount(data.y).tolist() == [176, 176]
    negated = [label for text, label in zip(data.texts, data.labels) if " not " in text or " never " in text]
    assert len(negated) == 96 and set(negated) == {"negative", "positive"}


def test_general_sentences_are_prose():
    sentences = general_sentences(limit=50)
    assert len(sentences) == 50
    assert all(s[0].isupper() and s[-1] in ".!?" and 40 <= len(s) <= 200 for s in sentences)
