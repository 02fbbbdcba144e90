"""What a report header calls an SAE set: never a cache hash or an absolute path where a shorter
name says the same."""

import json
from pathlib import Path

from saeprobe.sae import LayerSAE, describe_set


def layer_sae(layer: int, source: str) -> LayerSAE:
    return LayerSAE(layer, source, {"d_in": 8, "d_sae": 32}, identity=f"id-{layer}", loader=lambda: None)


def test_saes_trained_here_are_named_by_how_they_were_trained(tmp_path):
    folder = tmp_path / "cache" / "saes" / "0123456789abcdef"
    settings = {"architecture": "topk", "width": 512, "k": 16, "steps": 300, "batch_size": 256}
    (folder / "layer_0").mkdir(parents=True)
    (folder / "key.json").write_text(json.dumps({"settings": settings}))
    (folder / "layer_0" / "training.json").write_text(json.dumps({"n_train_tokens": 1919}))
    found = describe_set({0: layer_sae(0, str(folder / "layer_0")), 1: layer_sae(1, str(folder / "layer_1"))})
    assert found == "trained here: topk SAEs of 512 features, k=16, 300 steps over 1,919 tokens (40 passes)"
    assert "0123456789abcdef" not in found


def test_folders_read_as_the_user_would_type_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside = {layer: layer_sae(layer, str(tmp_path / "saes" / "task" / f"layer_{layer}")) for layer in (0, 1)}
    assert describe_set(inside) == "SAEs from saes/task"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    elsewhere = {0: layer_sae(0, str(tmp_path / "home" / "runs" / "wide"))}
    monkeypatch.chdir(Path("/"))
    assert describe_set(elsewhere) == "SAEs from ~/runs/wide"


def test_objects_and_releases_are_named_as_given():
    objects = {0: layer_sae(0, "object:TopKSAE"), 1: layer_sae(1, "object:TopKSAE")}
    assert describe_set(objects) == "2 SAE objects given in Python (TopKSAE)"
    release = {0: layer_sae(0, "gpt2-small-res-jb/blocks.0.hook_resid_pre")}
    assert describe_set(release) == "SAELens release gpt2-small-res-jb"
