"""The activation cache: hits need no model, interrupted runs resume, writes are atomic."""

import numpy as np
import pytest

from saeprobe import extract, load_dataset
from saeprobe.activations import _chunks
from saeprobe.activations._hooks import HookReader
from saeprobe.model import HuggingFaceModels
from saeprobe.store import ActivationStore

TEXTS = [f"text number {i} " + "word " * (i % 4) for i in range(10)]


@pytest.fixture
def counted_forward(monkeypatch):
    """Count forward batches and the layers each was asked for; optionally fail at call N."""
    calls = []
    state = {"fail_at": None}
    real = HookReader.run

    def forward(reader, batch, layers, *args):
        calls.append(sorted(layers))
        if state["fail_at"] is not None and len(calls) == state["fail_at"]:
            raise KeyboardInterrupt("simulated kill")
        return real(reader, batch, layers, *args)

    monkeypatch.setattr(HookReader, "run", forward)
    return calls, state


def test_second_run_loads_no_model_and_runs_no_forward_pass(tiny_model_dir, tmp_path, monkeypatch, counted_forward):
    calls, _ = counted_forward
    first = extract(str(tiny_model_dir), TEXTS, layers="all", cache_dir=tmp_path, progress=False)
    assert first.n_forward_batches > 0 and len(calls) == first.n_forward_batches

    def no_boot(*args, **kwargs):
        raise AssertionError("the model was loaded although every activation is cached")

    monkeypatch.setattr(HuggingFaceModels, "load", no_boot)
    calls.clear()
    second = extract(str(tiny_model_dir), TEXTS, layers="1,3", cache_dir=tmp_path, progress=False)
    assert calls == [] and second.n_forward_batches == 0
    np.testing.assert_array_equal(second[3], first[3])


def test_killed_run_resumes_from_finished_chunks(tiny_bridge, tmp_path, monkeypatch, counted_forward):
    calls, state = counted_forward
    monkeypatch.setattr(_chunks, "CHUNK_SIZE", 4)
    expected = extract(tiny_bridge, TEXTS, layers="all", batch_size=2, cache_dir=False, progress=False)
    calls.clear()
    state["fail_at"] = 3  # first batch of the second chunk: chunk one (two batches) is on disk
    with pytest.raises(KeyboardInterrupt):
        extract(tiny_bridge, TEXTS, layers="all", batch_size=2, cache_dir=tmp_path, progress=False)
    state["fail_at"] = None
    calls.clear()
    resumed = extract(tiny_bridge, TEXTS, layers="all", batch_size=2, cache_dir=tmp_path, progress=False)
    assert len(calls) == 3  # chunks two (2 batches) and three (1 batch) only
    for layer in expected:
        np.testing.assert_allclose(resumed[layer], expected[layer], atol=1e-6)


def test_new_layers_compute_only_what_is_missing(tiny_bridge, tmp_path, counted_forward):
    calls, _ = counted_forward
    extract(tiny_bridge, TEXTS, layers="0,1", cache_dir=tmp_path, progress=False)
    calls.clear()
    extract(tiny_bridge, TEXTS, layers="0-2", cache_dir=tmp_path, progress=False)
    assert calls and all(names == [2] for names in calls)


def test_a_corrupt_chunk_is_recomputed(tiny_bridge, tmp_path, counted_forward):
    calls, _ = counted_forward
    first = extract(tiny_bridge, TEXTS, layers=[0], cache_dir=tmp_path, progress=False)
    directory = next((tmp_path / "activations").iterdir())
    for path in directory.glob("layer-*.npy"):
        path.unlink()
    next(directory.glob("chunk-*.npz")).write_bytes(b"not a zip file")
    calls.clear()
    again = extract(tiny_bridge, TEXTS, layers=[0], cache_dir=tmp_path, progress=False)
    assert len(calls) == first.n_forward_batches
    np.testing.assert_array_equal(again[0], first[0])


def test_key_follows_content_not_call_details(tmp_path):
    parts = {"model": "m", "prompts": "p", "hook": "hook_resid_post", "pooling": "last"}
    assert ActivationStore(tmp_path, parts).key == ActivationStore(tmp_path, dict(parts)).key
    assert ActivationStore(tmp_path, parts).key != ActivationStore(tmp_path, {**parts, "pooling": "mean"}).key


def test_template_changes_the_key(tiny_bridge, tmp_path):
    extract(tiny_bridge, load_dataset(TEXTS[:2], [0, 1]), layers=[0], cache_dir=tmp_path, progress=False)
    extract(
        tiny_bridge,
        load_dataset(TEXTS[:2], [0, 1], template="Q: {text}"),
        layers=[0],
        cache_dir=tmp_path,
        progress=False,
    )
    assert len(list((tmp_path / "activations").iterdir())) == 2


def test_relabelled_classes_are_a_new_result_not_the_old_names(tiny_model_dir, tmp_path):
    from saeprobe import sweep

    texts = [f"good film {i}" for i in range(10)] + [f"bad film {i}" for i in range(10)]
    first = sweep(
        str(tiny_model_dir),
        None,
        load_dataset(texts, ["neg"] * 10 + ["pos"] * 10),
        layers=[1],
        cache_dir=tmp_path,
        progress=False,
    )
    # Same order of classes (a < b as neg < pos), so the label indices are identical; only the names differ.
    renamed = sweep(
        str(tiny_model_dir),
        None,
        load_dataset(texts, ["a"] * 10 + ["b"] * 10),
        layers=[1],
        cache_dir=tmp_path,
        progress=False,
    )
    assert first.classes == ["neg", "pos"] and renamed.classes == ["a", "b"]
    assert renamed.timings["layers_from_cache"] == 0 and renamed.timings["forward_batches"] == 0


def test_cache_dir_true_means_the_default_cache(tiny_bridge, tmp_path, monkeypatch):
    monkeypatch.setenv("SAEPROBE_CACHE_DIR", str(tmp_path / "default"))
    extract(tiny_bridge, TEXTS[:3], layers=[0], cache_dir=True, progress=False)
    assert any((tmp_path / "default" / "activations").iterdir())
