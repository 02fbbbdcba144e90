"""Content digests of weight files: the same value as hashing the bytes, remembered across
processes by stat stamps in the cache in use, checked before they are believed, and read again
when a file changes."""

import hashlib
import json
import os

import pytest

from saeprobe.store import _digests as file_digests
from saeprobe.store import content_digest


@pytest.fixture
def memo_root(tmp_path, monkeypatch):
    """A fresh default cache for the memo file, and no digests remembered in this process."""
    root = tmp_path / "cache"
    monkeypatch.setenv("SAEPROBE_CACHE_DIR", str(root))
    monkeypatch.setattr(file_digests, "_computed", {})
    monkeypatch.setattr(file_digests, "_folder", [])
    return root


@pytest.fixture
def reads(monkeypatch):
    """The files read in full (a digest computed), as lists of files per digest."""
    read = []
    real = file_digests._full_digest

    def counting(files, names_from):
        read.extend(map(os.fspath, files))
        return real(files, names_from)

    monkeypatch.setattr(file_digests, "_full_digest", counting)
    return read


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
    monkeypatch.setattr(file_digests, "_computed", {})  # as a fresh interpreter starts
    assert content_digest(files, tmp_path / "model") == first
    assert len(reads) == 2  # nothing read in full again


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

    monkeypatch.setattr(file_digests, "_computed", {})
    monkeypatch.setattr(file_digests, "write_json", refuse)
    assert content_digest(weights(tmp_path / "other", **{"x.bin": b"x"})) == hashlib.sha256(b"x").hexdigest()[:32]


def test_the_memo_keeps_the_newest_digests(memo_root, tmp_path, monkeypatch):
    monkeypatch.setattr(file_digests, "MEMO_LIMIT", 3)
    files = [weights(tmp_path / f"m{i}", **{"w.bin": bytes([i])})[0] for i in range(5)]
    for file in files:
        content_digest([file])
    kept = file_digests._stored()
    assert len(kept) == 3
    expected = [hashlib.sha256(bytes([i])).hexdigest()[:32] for i in (2, 3, 4)]
    assert [digest for digest, _, _ in kept.values()] == expected


def test_a_tampered_memo_entry_is_not_believed(memo_root, tmp_path, reads, monkeypatch):
    """One SAE's entry set to another SAE's digest (as a careless or hostile edit would) is
    caught by the entry's checksum; the files are read in full and the true digest returned."""
    first = weights(tmp_path / "a", **{"w.bin": b"a" * 100})
    second = weights(tmp_path / "b", **{"w.bin": b"b" * 100})
    true_first, true_second = content_digest(first), content_digest(second)
    path = memo_root / file_digests.MEMO_FILE
    entries = json.loads(path.read_text())
    entries[0][1] = entries[1][1]  # a's entry now says b's digest
    path.write_text(json.dumps(entries))
    monkeypatch.setattr(file_digests, "_computed", {})
    reads.clear()
    assert content_digest(first) == true_first != true_second
    assert reads == [os.fspath(first[0])]


def test_an_entry_whose_files_changed_under_the_same_stamps_is_read_again(memo_root, tmp_path, reads, monkeypatch):
    """A stamp collision (an entry copied with its checksum onto other files' key) fails the
    fingerprint, which reads the files' first and last MiB again."""
    first = weights(tmp_path / "a", **{"w.bin": b"a" * 100})
    second = weights(tmp_path / "b", **{"w.bin": b"b" * 100})
    content_digest(first)
    content_digest(second)
    memo = file_digests._stored()
    (_, entry_a), (key_b, _) = list(memo.items())
    digest_a, fingerprint_a, _ = entry_a
    forged = [[key_b, digest_a, fingerprint_a, file_digests._checksum(key_b, digest_a, fingerprint_a)]]
    (memo_root / file_digests.MEMO_FILE).write_text(json.dumps(forged))
    monkeypatch.setattr(file_digests, "_computed", {})
    assert content_digest(second) == hashlib.sha256(b"b" * 100).hexdigest()[:32]


def test_the_memo_lives_in_the_cache_in_use_and_nowhere_without_one(memo_root, tmp_path):
    from saeprobe.store import cache_root

    elsewhere = tmp_path / "elsewhere"
    cache_root(elsewhere)
    content_digest(weights(tmp_path / "a", **{"w.bin": b"a"}))
    assert (elsewhere / file_digests.MEMO_FILE).is_file() and not memo_root.exists()
    cache_root(False)
    content_digest(weights(tmp_path / "b", **{"w.bin": b"b"}))
    assert not memo_root.exists() and len(file_digests._stored()) == 0
    assert len(json.loads((elsewhere / file_digests.MEMO_FILE).read_text())) == 1
