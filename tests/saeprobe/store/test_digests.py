"""Content digests of weight files: the same value as hashing the bytes, remembered across
processes by stat stamps, and read again when a file changes."""

import hashlib
import os

import pytest

from saeprobe.store import _digests as file_digests
from saeprobe.store import content_digest


@pytest.fixture
def memo_root(tmp_path, monkeypatch):
    """A fresh default cache for the memo file, and no digests remembered in this process."""
    root = tmp_path / "cache"
    monkeypatch.setenv("SAEPROBE_CACHE_DIR", str(root))
    monkeypatch.setattr(file_digests, "_memo", None)
    return root


@pytest.fixture
def reads(monkeypatch):
    """The files whose contents were read."""
    opened = []
    real_open = open

    def counting_open(file, *args, **kwargs):
        opened.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(file_digests, "open", counting_open, raising=False)
    return opened


def weights(folder, **files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return sorted(folder / name for name in files)


def test_digest_is_the_sha256_of_names_and_contents(memo_root, tmp_path):
    files = weights(tmp_path / "sae", **{"cfg.json": b"{}", "sae_weights.safetensors": b"\x00\x01" * 1000})
    expected = hashlib.sha256(b"cfg.json{}" + b"sae_weights.safetensors" + b"\x00\x01" * 1000).hexdigest()[:32]
    assert content_digest(files, tmp_path / "sae") == expected
    assert content_digest(files[:1]) == hashlib.sha256(b"{}").hexdigest()[:32]


def test_a_new_process_takes_the_digest_from_the_memo_file(memo_root, tmp_path, reads, monkeypatch):
    files = weights(tmp_path / "model", **{"config.json": b"{}", "model.safetensors": b"w" * 4096})
    first = content_digest(files, tmp_path / "model")
    assert len(reads) == 2 and (memo_root / file_digests.MEMO_FILE).is_file()
    monkeypatch.setattr(file_digests, "_memo", None)  # as a fresh interpreter starts
    assert content_digest(files, tmp_path / "model") == first
    assert len(reads) == 2  # nothing read again


def test_a_file_rewritten_in_place_is_read_again(memo_root, tmp_path, reads):
    files = weights(tmp_path / "model", **{"model.safetensors": b"a" * 64})
    first = content_digest(files)
    stat = os.stat(files[0])
    files[0].write_bytes(b"b" * 64)  # same size; the modification time is set back, as a copy tool might
    os.utime(files[0], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert content_digest(files) == hashlib.sha256(b"b" * 64).hexdigest()[:32] != first
    assert len(reads) == 2


def test_a_damaged_or_unwritable_memo_is_only_a_missed_shortcut(memo_root, tmp_path, monkeypatch):
    files = weights(tmp_path / "sae", **{"cfg.json": b"{}"})
    memo_root.mkdir()
    (memo_root / file_digests.MEMO_FILE).write_text('[["half')
    assert content_digest(files) == hashlib.sha256(b"{}").hexdigest()[:32]

    def refuse(*args, **kwargs):
        raise PermissionError("read-only cache")

    monkeypatch.setattr(file_digests, "_memo", None)
    monkeypatch.setattr(file_digests, "write_json", refuse)
    assert content_digest(weights(tmp_path / "other", **{"x.bin": b"x"})) == hashlib.sha256(b"x").hexdigest()[:32]


def test_the_memo_keeps_the_newest_digests(memo_root, tmp_path, monkeypatch):
    monkeypatch.setattr(file_digests, "MEMO_LIMIT", 3)
    files = [weights(tmp_path / f"m{i}", **{"w.bin": bytes([i])})[0] for i in range(5)]
    for file in files:
        content_digest([file])
    monkeypatch.setattr(file_digests, "_memo", None)
    kept = file_digests._stored()
    assert len(kept) == 3
    assert list(kept.values()) == [hashlib.sha256(bytes([i])).hexdigest()[:32] for i in (2, 3, 4)]
