"""Every kind of cache file, truncated, with a flipped byte, or replaced by garbage: the damage is
detected and the file computed again; a damaged file is never used."""

import io
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
        assert intact(path), f"{path.name} was not rewritten"


def intact(path) -> bool:
    """Whether a cache file verifies as the file it is (arrays: as their store wrote them, with
    the cache kind, entry key and file name bound into the checksum)."""
    if path.suffix == ".json":
        return read_json_checked(path) is not None
    return read_checked(path, f"{path.parent.parent.name}/{path.parent.name}/{path.name}") is not None


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


@pytest.mark.parametrize("swap", ["another layer", "another chunk", "another entry", "a chunk written by 0.4.0"])
def test_a_valid_token_file_copied_over_another_is_recomputed_not_read(
    swap, clean_cache, model, sae_dir, reviews, undisturbed, tmp_path
):
    """A file that verifies on its own, put where another belongs: read as missing and computed
    again, never read as the layer or chunk it replaced (nor crashing on a token count that
    differs)."""
    cache = tmp_path / "cache"
    shutil.copytree(clean_cache, cache)
    shutil.rmtree(cache / "results")
    entry = next((cache / "tokens").iterdir())
    target = entry / "chunk-00000.L0.npy"
    if swap == "another layer":
        source = entry / "chunk-00000.L1.npy"
    else:  # a valid file of chunk 1 (as a run with more texts leaves), or of another entry's chunk 0
        from saeprobe.store import write_checked

        folder = entry if swap != "another entry" else cache / "tokens" / ("0" * len(entry.name))
        folder.mkdir(exist_ok=True)
        source = folder / ("chunk-00000.L0.npy" if swap == "another entry" else "chunk-00001.L0.npy")
        width = np.load(io.BytesIO(read_checked(target, f"tokens/{entry.name}/{target.name}"))).shape[1]
        buffer = io.BytesIO()
        np.save(buffer, np.ones((3, width), dtype=np.float32))  # three tokens: not this chunk's count
        # 0.4.0 wrote the checksum of the content alone (it is still read): the token count catches it.
        identity = "" if swap == "a chunk written by 0.4.0" else f"tokens/{folder.name}/{source.name}"
        write_checked(source, buffer.getvalue(), identity)
    assert source.is_file() and (intact(source) or swap == "a chunk written by 0.4.0")
    shutil.copyfile(source, target)
    result = sweep_file(model, str(sae_dir), str(reviews), cache)
    assert to_jsonable(result.layers) == undisturbed
    assert intact(target)
