"""Every kind of cache file, truncated, with a flipped byte, or replaced by garbage: the damage is
detected and the file computed again; a damaged file is never used."""

import json
import shutil

import numpy as np
import pytest
from sweep_runner import sweep_file

from saeprobe.store import read_checked, read_json_checked, to_jsonable

pytestmark = pytest.mark.integration

KINDS = {
    "pooled layer": "activations/*/layer-*.npy",
    "pooled chunk": "activations/*/chunk-*.npz",
    "prompt lengths": "activations/*/lengths.npy",
    "truncation flags": "activations/*/truncated.npy",
    "token index": "tokens/*/chunk-*.index.npz",
    "token states": "tokens/*/chunk-*.L*.npy",
    "result layer": "results/*/layer-*.json",
    "result meta": "results/*/sweep-meta.json",
    "model dimensions": "models/*.json",
}


def damage(data: bytes, how: str) -> bytes:
    if how == "truncated":
        return data[: len(data) // 2]
    if how == "byte-flipped":
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x80]) + data[middle + 1 :]
    return np.random.default_rng(0).bytes(len(data))


@pytest.fixture(scope="module")
def model(tiny_model_dir):
    """One model source for every sweep here: loaded once, the same identity as its path's."""
    from saeprobe.model import resolve_model

    return resolve_model(str(tiny_model_dir))


@pytest.fixture(scope="module")
def clean_cache(model, sae_dir, reviews, tmp_path_factory):
    cache = tmp_path_factory.mktemp("clean") / "cache"
    sweep_file(model, str(sae_dir), str(reviews), cache)
    return cache


def damaged_copy(clean_cache, tmp_path, kinds: list[str], how: str) -> list:
    cache = tmp_path / "cache"
    shutil.copytree(clean_cache, cache)
    if not any(kind.startswith("result") for kind in kinds):
        shutil.rmtree(cache / "results")  # finished layers would spare the sweep reading anything else
    if kinds == ["pooled chunk"]:
        for finished in cache.glob(KINDS["pooled layer"]):
            finished.unlink()  # chunks are read on the way to finished matrices
    files = []
    for kind in kinds:
        found = sorted(cache.glob(KINDS[kind]))
        assert found, f"the sweep left no {kind} file"
        files += found
    for path in files:
        path.write_bytes(damage(path.read_bytes(), how))
    return cache, files


def assert_recomputed(model, sae_dir, reviews, cache, files, undisturbed) -> None:
    result = sweep_file(model, str(sae_dir), str(reviews), cache)
    assert to_jsonable(result.layers) == undisturbed
    for path in files:  # written again, whole: it verifies
        intact = read_json_checked(path) if path.suffix == ".json" else read_checked(path)
        assert intact is not None, f"{path.name} was not rewritten"


@pytest.mark.parametrize("kind", list(KINDS))
def test_one_flipped_byte_in_any_kind_of_file_is_detected(
    kind, clean_cache, model, sae_dir, reviews, undisturbed, tmp_path
):
    # The insidious damage: the file still parses, only a value changed.
    cache, files = damaged_copy(clean_cache, tmp_path, [kind], "byte-flipped")
    assert_recomputed(model, sae_dir, reviews, cache, files, undisturbed)


@pytest.mark.parametrize("how", ["truncated", "byte-flipped", "garbage"])
def test_every_file_damaged_at_once_is_detected(how, clean_cache, model, sae_dir, reviews, undisturbed, tmp_path):
    cache, files = damaged_copy(clean_cache, tmp_path, list(KINDS), how)
    assert_recomputed(model, sae_dir, reviews, cache, files, undisturbed)


def test_a_result_record_of_the_wrong_shape_is_recomputed(clean_cache, model, sae_dir, reviews, undisturbed, tmp_path):
    # Well-formed JSON with a valid checksum but the wrong shape: {} and [] in place of layer entries.
    from saeprobe.store import write_json_checked

    cache = tmp_path / "cache"
    shutil.copytree(clean_cache, cache)
    for number, path in enumerate(sorted(cache.glob(KINDS["result layer"]))):
        write_json_checked(path, {} if number % 2 else [])
    result = sweep_file(model, str(sae_dir), str(reviews), cache)
    assert to_jsonable(result.layers) == undisturbed
    assert json.loads(sorted(cache.glob(KINDS["result layer"]))[0].read_text())["payload"]["layer"] == 0
