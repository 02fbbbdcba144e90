import numpy as np
import pytest
import scipy.sparse as sp
import torch

from builders import TINY_WIDTH, make_sae
from saeprobe import encode, extract
from saeprobe.errors import SAEError
from saeprobe.sae import resolve_saes

HOOKS = {layer: f"blocks.{layer}.hook_resid_post" for layer in range(4)}


def test_directory_of_saes_is_matched_to_layers_by_hook(sae_dir):
    resolved = resolve_saes(str(sae_dir), [1, 3], HOOKS, TINY_WIDTH)
    assert sorted(resolved) == [1, 3]
    assert resolved[3].hook_name == "blocks.3.hook_resid_post"
    assert resolved[3].source.endswith("layer_3")
    assert resolved[1].describe().architecture == "standard"


def test_single_sae_directory_object_and_mapping(sae_dir):
    assert list(resolve_saes(sae_dir / "layer_2", [2], HOOKS, TINY_WIDTH)) == [2]
    sae = make_sae(0)
    assert resolve_saes(sae, [0], HOOKS, TINY_WIDTH)[0].sae is sae
    mapped = resolve_saes({0: sae, 1: str(sae_dir / "layer_1")}, [0, 1], HOOKS, TINY_WIDTH)
    assert mapped[1].d_sae == 64


def test_missing_layer_names_the_layers_covered(sae_dir):
    with pytest.raises(SAEError, match=r"no SAE for layer\(s\) \[2\].*cover layers \[0\]"):
        resolve_saes(make_sae(0), [0, 2], HOOKS, TINY_WIDTH)


def test_width_and_hook_mismatches_are_explained():
    with pytest.raises(SAEError, match="d_in=16 but the model's width is 32"):
        resolve_saes({0: make_sae(0, d_in=16)}, [0], HOOKS, TINY_WIDTH)
    with pytest.raises(SAEError, match=r"trained on 'blocks.0.hook_resid_pre'.*hook='resid_pre'"):
        resolve_saes({0: make_sae(0, hook="resid_pre")}, [0], HOOKS, TINY_WIDTH)


def test_unusable_sources(tmp_path):
    with pytest.raises(SAEError, match="holds no SAELens SAE"):
        resolve_saes(str(tmp_path), [0], HOOKS, TINY_WIDTH)
    with pytest.raises(SAEError, match="neither a directory nor a SAELens release"):
        resolve_saes("no-such-release-xyz", [0], HOOKS, TINY_WIDTH)
    with pytest.raises(SAEError, match="two SAEs read layer 0"):
        resolve_saes([make_sae(0), make_sae(0, seed=5)], [0], HOOKS, TINY_WIDTH)


def test_release_without_matching_ids_points_to_a_mapping():
    with pytest.raises(SAEError, match="pass a mapping"):
        resolve_saes("pythia-70m-deduped-res-sm", [0], {0: "blocks.0.hook_mlp_out"}, 512)


def test_codes_are_sparse_and_equal_the_dense_encoding(tiny_bridge, sae_dir):
    acts = extract(
        tiny_bridge, ["a good film", "a bad film", "the city"], layers="0,2", cache_dir=False, progress=False
    )
    codes = encode(str(sae_dir), acts)
    assert sorted(codes) == [0, 2]
    assert sp.isspmatrix_csr(codes[2]) and codes[2].shape == (3, 64)
    resolved = resolve_saes(str(sae_dir), [2], HOOKS, TINY_WIDTH)
    dense = resolved[2].sae.encode(torch.as_tensor(acts[2])).detach().numpy()
    np.testing.assert_allclose(codes[2].toarray(), dense, atol=1e-6)
    assert codes[2].nnz == np.count_nonzero(dense)


def test_encode_checks_width_and_needs_layers_for_plain_dicts():
    with pytest.raises(SAEError, match="reads width 32 but the activations have width 8"):
        encode({0: make_sae(0)}, {0: np.zeros((2, 8), dtype=np.float32)})
    with pytest.raises(SAEError, match="needs"):
        encode("some-dir", {0: np.zeros((2, 8), dtype=np.float32)})


def _nan_weights(directory):
    from safetensors.torch import load_file, save_file

    weights = load_file(directory / "sae_weights.safetensors")
    weights["W_enc"][0, 0] = float("nan")
    save_file(weights, directory / "sae_weights.safetensors")


DAMAGES = {
    "cfg.json not JSON": (lambda d: (d / "cfg.json").write_text("{not json"), "cannot read .*cfg.json"),
    "cfg.json truncated": (
        lambda d: (d / "cfg.json").write_text((d / "cfg.json").read_text()[:20]),
        "cannot read .*cfg.json",
    ),
    "cfg.json empty": (lambda d: (d / "cfg.json").write_text(""), "cannot read .*cfg.json"),
    "cfg.json without widths": (
        lambda d: (d / "cfg.json").write_text('{"architecture": "standard"}'),
        "no d_in / d_sae",
    ),
    "weights missing": (lambda d: (d / "sae_weights.safetensors").unlink(), "has no sae_weights.safetensors"),
    "weights empty": (
        lambda d: (d / "sae_weights.safetensors").write_bytes(b""),
        "has an empty sae_weights.safetensors",
    ),
    "weights truncated": (
        lambda d: (d / "sae_weights.safetensors").write_bytes((d / "sae_weights.safetensors").read_bytes()[:200]),
        "weights file is missing or damaged",
    ),
    "weights garbage": (
        lambda d: (d / "sae_weights.safetensors").write_bytes(b"\x07" * 5000),
        "weights file is missing or damaged",
    ),
    "weights NaN": (_nan_weights, "NaN or infinite values in 'W_enc'"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_sae_directory_is_named_with_what_is_wrong(damage, tmp_path):
    make_sae(0).save_model(tmp_path / "sae")
    spoil, message = DAMAGES[damage]
    spoil(tmp_path / "sae")
    with pytest.raises(SAEError, match=message):
        resolve_saes(str(tmp_path / "sae"), [0], HOOKS, TINY_WIDTH)[0].load()


def _with_cfg(**changes):
    """A damage that rewrites cfg.json fields (``metadata.x`` for the metadata's)."""

    def spoil(directory):
        import json

        cfg = json.loads((directory / "cfg.json").read_text())
        for key, value in changes.items():
            part, _, inner = key.partition(".")
            if inner:
                cfg[part][inner] = value
            else:
                cfg[key] = value
        (directory / "cfg.json").write_text(json.dumps(cfg))

    return spoil


CFG_FIELDS = {
    "d_sae 0": (_with_cfg(d_sae=0), r"cfg.json field 'd_sae' is 0; it must be a whole number above 0"),
    "d_in text": (_with_cfg(d_in="32"), r"field 'd_in' is '32'"),
    "unknown architecture": (_with_cfg(architecture="spiky"), r"architecture 'spiky' \(its cfg.json field"),
    "k 0": (_with_cfg(architecture="topk", k=0), r"field 'k' is 0; it must be a whole number from 1 to d_sae \(64\)"),
    "k above d_sae": (_with_cfg(architecture="topk", k=65), r"field 'k' is 65"),
    "prepend_bos a string": (_with_cfg(**{"metadata.prepend_bos": "false"}), r"'metadata.prepend_bos' is 'false'"),
    "processing flag a string": (
        _with_cfg(**{"metadata.model_from_pretrained_kwargs": {"center_writing_weights": "yes"}}),
        r"'metadata.model_from_pretrained_kwargs.center_writing_weights' is 'yes'; it must be true or false",
    ),
    "context_size negative": (_with_cfg(**{"metadata.context_size": -5}), r"'metadata.context_size' is -5"),
    "context_size zero": (_with_cfg(**{"metadata.context_size": 0}), r"'metadata.context_size' is 0"),
}


@pytest.mark.parametrize("field", list(CFG_FIELDS))
def test_a_cfg_field_out_of_range_is_refused_when_read_naming_the_field(field, tmp_path):
    make_sae(0).save_model(tmp_path / "sae")
    spoil, message = CFG_FIELDS[field]
    spoil(tmp_path / "sae")
    with pytest.raises(SAEError, match=message):
        resolve_saes(str(tmp_path / "sae"), [0], HOOKS, TINY_WIDTH)


def test_saes_of_layers_the_model_lacks_are_not_suggested(tmp_path):
    make_sae(9).save_model(tmp_path / "sae")
    with pytest.raises(SAEError) as error:
        resolve_saes(str(tmp_path / "sae"), [0, 1], HOOKS, TINY_WIDTH, n_layers=4)
    assert "layers=9" not in str(error.value)
    assert "layer(s) [9] read hooks this model lacks (its layers are 0-3)" in str(error.value)
    assert "give SAEs of this model" in str(error.value)
