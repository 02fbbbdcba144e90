"""The cache's size by kind, its limit (least recently used entries a forward pass makes again go
first, never one in use) and clearing it by hand."""

import json
import os
import time

import pytest

from saeprobe.app import main
from saeprobe.errors import SettingsError
from saeprobe.store import cache_usage, clear_cache, keep_within, mark_used, size_limit


def entry(root, kind, name, size, used_ago=0.0):
    """A cache entry of ``size`` bytes last used ``used_ago`` seconds ago."""
    folder = root / kind / name
    folder.mkdir(parents=True)
    (folder / "data.npy").write_bytes(b"x" * size)
    mark_used(folder)
    when = time.time() - used_ago
    os.utime(folder / ".last-used", (when, when))
    return folder


def test_usage_counts_entries_and_bytes_by_kind(tmp_path):
    entry(tmp_path, "tokens", "a", 1000)
    entry(tmp_path, "tokens", "b", 500)
    entry(tmp_path, "results", "r", 10)
    rows = {row["kind"]: row for row in cache_usage(tmp_path)}
    assert (rows["tokens"]["entries"], rows["tokens"]["bytes"]) == (2, 1500)
    assert (rows["results"]["entries"], rows["saes"]["entries"], rows["saes"]["last_used"]) == (1, 0, None)


def test_the_limit_removes_the_least_recently_used_recomputable_entries_never_one_in_use(tmp_path):
    oldest = entry(tmp_path, "tokens", "oldest", 1000, used_ago=300)
    in_use = entry(tmp_path, "tokens", "in-use", 1000, used_ago=400)
    older = entry(tmp_path, "activations", "older", 1000, used_ago=200)
    recent = entry(tmp_path, "tokens", "recent", 1000, used_ago=10)
    trained = entry(tmp_path, "saes", "trained", 5000, used_ago=1000)
    removed = keep_within(tmp_path, 7500, in_use=[in_use])
    assert removed == [oldest, older]
    assert in_use.exists() and recent.exists() and trained.exists()
    assert keep_within(tmp_path, None) == []
    # Only entries in use or not recomputable are left: nothing more goes, whatever the limit.
    assert keep_within(tmp_path, 1, in_use=[in_use, recent]) == []


def test_clear_by_kind_and_age(tmp_path):
    entry(tmp_path, "tokens", "old", 100, used_ago=10 * 86400)
    entry(tmp_path, "tokens", "new", 100)
    entry(tmp_path, "results", "old", 10, used_ago=10 * 86400)
    assert clear_cache(tmp_path, ["tokens"], older_than_days=7) == (1, 100)
    assert sorted(p.name for p in (tmp_path / "tokens").iterdir()) == ["new"]
    assert clear_cache(tmp_path) == (2, 110)
    with pytest.raises(SettingsError, match=r"no cache kind \['token'\]"):
        clear_cache(tmp_path, ["token"])


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("SAEPROBE_CACHE_MAX_GB", raising=False)
    assert size_limit() == 20 * 1024**3
    monkeypatch.setenv("SAEPROBE_CACHE_MAX_GB", "0")
    assert size_limit() is None
    monkeypatch.setenv("SAEPROBE_CACHE_MAX_GB", "0.5")
    assert size_limit() == 1024**3 // 2
    for bad in ("lots", "-1", "inf"):
        monkeypatch.setenv("SAEPROBE_CACHE_MAX_GB", bad)
        with pytest.raises(SettingsError, match="is not a number of gigabytes"):
            size_limit()


def test_cache_info_and_clear_from_the_command_line(tmp_path, capsys):
    entry(tmp_path, "tokens", "a", 2048, used_ago=3 * 86400)
    entry(tmp_path, "models", "m", 10)
    assert main(["cache", "info", "--cache-dir", str(tmp_path), "--json"]) == 0
    rows = {row["kind"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["tokens"]["bytes"] == 2048 and rows["models"]["entries"] == 1
    assert main(["cache", "info", "--cache-dir", str(tmp_path)]) == 0
    assert "limit 20 GB" in capsys.readouterr().out
    assert main(["cache", "clear", "--cache-dir", str(tmp_path), "--kind", "tokens", "--older-than", "1"]) == 0
    assert "removed 1 entries" in capsys.readouterr().out
    assert main(["cache", "clear", "--cache-dir", str(tmp_path), "--kind", "weights"]) == 2
    assert "no cache kind ['weights']" in capsys.readouterr().err


@pytest.mark.integration
def test_a_sweep_over_its_limit_removes_older_activations_and_keeps_its_own(
    tiny_model_dir, sae_dir, tmp_path, monkeypatch
):
    import saeprobe

    texts = [f"film number {i} was {'good' if i % 2 else 'bad'}" for i in range(24)]
    labels = ["pos" if i % 2 else "neg" for i in range(24)]
    data = saeprobe.load_dataset(texts, labels)
    saeprobe.sweep(str(tiny_model_dir), saes=str(sae_dir), data=data, layers=[0], cache_dir=tmp_path, progress=False)
    first = recomputable(tmp_path)
    monkeypatch.setenv("SAEPROBE_CACHE_MAX_GB", str(1 / 1024**3))  # one byte: only what is in use stays
    other = saeprobe.load_dataset(texts, labels, template="Review: {text}")
    with pytest.warns(saeprobe.errors.SaeprobeWarning, match="outgrew its limit"):
        saeprobe.sweep(
            str(tiny_model_dir), saes=str(sae_dir), data=other, layers=[0], cache_dir=tmp_path, progress=False
        )
    kept = recomputable(tmp_path)
    assert first and kept and not kept & first


def recomputable(root):
    return {p.name for kind in ("tokens", "activations") if (root / kind).is_dir() for p in (root / kind).iterdir()}
