"""Plugins through entry points: the built-ins, a broken one, and a third-party package built here."""

import subprocess
import sys
import textwrap

import pytest

from patience import patience
from saeprobe import load_dataset, plugins, sweep
from saeprobe.app import main
from saeprobe.errors import PluginError

PLUGIN_MODULE = '''
import numpy as np
from saeprobe import load_dataset


class ToyDatasets:
    """Colour sentences, warm or cold, from the toy plugin."""

    def matches(self, spec):
        return spec.startswith("toy:")

    def load(self, spec, **options):
        words = {"warm": ["red", "orange", "amber", "scarlet"], "cold": ["blue", "teal", "navy", "cyan"]}
        texts, labels = [], []
        for i in range(int(spec.split(":")[1])):
            label = "warm" if i % 2 else "cold"
            texts.append(f"the {words[label][i % 4]} wall number {i}")
            labels.append(label)
        return load_dataset(texts, labels, template=options.get("template"), name=spec)


class NearestCentroidProbe:
    """Nearest class mean, from the toy plugin."""

    def __init__(self, Cs=None, cv_folds=None, seed=0, scaling=None):
        self.seed = seed

    def fit(self, X, y):
        X = X.toarray() if hasattr(X, "toarray") else X
        self.classes_ = np.unique(y)
        self.centroids_ = np.stack([X[y == c].mean(0) for c in self.classes_])
        return self

    def predict_proba(self, X):
        X = X.toarray() if hasattr(X, "toarray") else X
        distances = ((X[:, None, :] - self.centroids_[None]) ** 2).sum(-1)
        weights = np.exp(-(distances - distances.min(1, keepdims=True)))
        return weights / weights.sum(1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(1)]


TOY_DATASETS = ToyDatasets()
'''


@pytest.fixture
def toy_plugin(tmp_path, monkeypatch):
    """Build and install (into a target folder put on sys.path) a third-party plugin package."""
    package = tmp_path / "toy-plugin"
    (package / "saeprobe_toy").mkdir(parents=True)
    (package / "saeprobe_toy" / "__init__.py").write_text(PLUGIN_MODULE)
    (package / "pyproject.toml").write_text(
        textwrap.dedent("""
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "saeprobe-toy"
        version = "0.0.1"
        [project.entry-points."saeprobe.datasets"]
        toy = "saeprobe_toy:TOY_DATASETS"
        [project.entry-points."saeprobe.probes"]
        centroid = "saeprobe_toy:NearestCentroidProbe"
        svm = "saeprobe_toy:MISSING_SVM"
        [project.entry-points."saeprobe.models"]
        broken = "saeprobe_toy:DOES_NOT_EXIST"
    """)
    )
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(package),
        ],
        check=True,
        capture_output=True,
        timeout=patience(300),
    )
    monkeypatch.syspath_prepend(str(target))
    plugins.refresh()
    yield
    plugins.refresh()


def test_builtins_are_listed_with_their_source():
    table = plugins.available()
    builtins = set(zip(table["kind"], table["name"], strict=True))
    assert {
        ("models", "huggingface"),
        ("models", "embedded"),
        ("models", "gguf"),
        ("saes", "saelens-directory"),
        ("saes", "saelens-release"),
        ("datasets", "files"),
        ("datasets", "embedded"),
        ("probes", "logistic"),
    } <= builtins
    assert table[table["name"] == "logistic"]["source"].iloc[0].startswith("saeprobe ")
    assert list(plugins.plugins("models"))[-1] == "huggingface"  # the fallback goes last


def test_third_party_dataset_and_probe_in_a_sweep(toy_plugin, tiny_model_dir, sae_dir, tmp_path, capsys):
    table = plugins.available()
    broken = table[table["name"] == "broken"].iloc[0]
    assert broken["source"] == "saeprobe-toy 0.0.1" and "DOES_NOT_EXIST" in broken["error"]
    assert (
        table[table["name"] == "toy"]["description"].iloc[0] == "Colour sentences, warm or cold, from the toy plugin."
    )
    data = load_dataset("toy:40")
    assert data.classes == ("cold", "warm") and len(data) == 40
    result = sweep(
        str(tiny_model_dir), str(sae_dir), data, layers="1", probe="centroid", cache_dir=tmp_path, progress=False
    )
    assert result.settings.probe == "centroid"
    assert 0 <= result.layers[0].scores["sae"].test_accuracy <= 1
    assert result.layers[0].scores["raw"].C != result.layers[0].scores["raw"].C  # NaN: no C chosen
    assert main(["plugins"]) == 0
    assert "centroid" in capsys.readouterr().out


def test_a_plugin_that_fails_to_load_raises_its_own_error(toy_plugin, tiny_model_dir):
    data = load_dataset(list("abcdefgh"), [0, 1] * 4)
    with pytest.raises(PluginError, match=r"'svm' \(saeprobe-toy 0.0.1\) failed to load: AttributeError.*MISSING_SVM"):
        sweep(str(tiny_model_dir), None, data, probe="svm")


def test_unknown_probe_and_dataset(tiny_model_dir):
    with pytest.raises(Exception, match="no probe plugin 'svm'"):
        sweep(str(tiny_model_dir), None, load_dataset(list("abcdefgh"), [0, 1] * 4), probe="svm")
    with pytest.raises(Exception, match="no dataset plugin reads 'mystery'"):
        load_dataset("mystery")


def test_the_embedded_names_resolve():
    assert load_dataset("demo").name == "movie_sentiment"
    assert plugins.matching("models", "minilm") is not None
