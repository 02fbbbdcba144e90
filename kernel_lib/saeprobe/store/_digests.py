"""Content digests of weight files (model directories, SAE directories, GGUF files), the identities
that key the caches. A digest is remembered by the files' stat stamps, in this process and in a
small file of the cache in use, so a repeated run does not read gigabytes of weights again only to
learn that they have not changed. What the file says is checked before it is believed (see
:func:`content_digest`); see docs/guides/reliability.md for what is trusted."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from ._folders import default_cache_dir
from ._jsonio import read_json, write_json

MEMO_FILE = "file-digests.json"
MEMO_LIMIT = 512  # digests kept; the oldest go first
BLOCK = 1 << 22
EDGE = 1 << 20  # a fingerprint reads each file's first and last MiB

# Digests computed in this process, by the files' stamps: trusted as they stand.
_computed: dict[str, str] = {}
# Where the memo file lives: the cache in use (see use_memo_folder); None keeps digests in this
# process only. Until a cache is chosen, the default one.
_folder: list[Path | None] = []
_lock = threading.Lock()


def use_memo_folder(folder: Path | None) -> None:
    """Keep the memo file in ``folder``, the cache directory in use (``None``: no cache, so no
    file; digests are then remembered in this process only)."""
    with _lock:
        _folder[:] = [folder]


def memo_path() -> Path | None:
    """The memo file of the cache in use, or ``None`` without a cache."""
    folder = _folder[0] if _folder else default_cache_dir()
    return None if folder is None else Path(folder) / MEMO_FILE


def content_digest(files: Sequence[Path], names_from: Path | None = None) -> str:
    """The first 32 hex digits of the SHA-256 of the files' contents in the given order, each
    preceded by its path relative to ``names_from`` when that is given.

    Remembered per stamp of every file (path, size, modification and change times, inode): a
    file rewritten in place changes its change time, which no tool sets back, and is read again.
    A digest from the memo file is a hint: it is used only when its entry's checksum holds and the
    files' fingerprint (their sizes and first and last MiB, read again now) is the one it was
    stored with; otherwise the files are read in full."""
    key = _key(files, names_from)
    with _lock:
        if key in _computed:
            return _computed[key]
        stored = _stored().get(key)
    if stored is not None:
        digest, fingerprint, check = stored
        if check == _checksum(key, digest, fingerprint) and fingerprint == _fingerprint(files):
            with _lock:
                _computed[key] = digest
            return digest
    value = _full_digest(files, names_from)
    fingerprint = _fingerprint(files)
    with _lock:
        _computed[key] = value
        _remember(key, value, fingerprint)
    return value


def directory_digest(path: Path) -> str:
    """The content digest of a directory: every file in it and its sub-directories (but those whose
    names start with a dot), in path order, each named by its path inside ``path``. A model
    directory's and an SAE directory's identity."""
    path = Path(path)
    return content_digest(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")), path)


def _full_digest(files: Sequence[Path], names_from: Path | None) -> str:
    digest = hashlib.sha256()
    for file in files:
        if names_from is not None:
            digest.update(str(Path(file).relative_to(names_from)).encode())
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(BLOCK), b""):
                digest.update(block)
    return digest.hexdigest()[:32]


def _fingerprint(files: Sequence[Path]) -> str:
    """A cheap check of the files' contents: each one's size and its first and last MiB."""
    found = hashlib.sha256()
    for file in files:
        with open(file, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            found.update(str(size).encode())
            found.update(handle.read(EDGE))
            if size > EDGE:
                handle.seek(max(EDGE, size - EDGE))
                found.update(handle.read(EDGE))
    return found.hexdigest()[:32]


def _checksum(key: str, digest: str, fingerprint: str) -> str:
    """Binds a memo entry's parts: an edited digest or fingerprint no longer matches it."""
    return hashlib.sha256(f"saeprobe-digest-memo|{key}|{digest}|{fingerprint}".encode()).hexdigest()[:16]


def _key(files: Sequence[Path], names_from: Path | None) -> str:
    stamps = []
    for file in files:
        stat = os.stat(file)
        stamps.append(
            [str(Path(file).resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]
        )
    relative = None if names_from is None else str(Path(names_from).resolve())
    return hashlib.sha256(json.dumps([relative, stamps]).encode()).hexdigest()


def _stored() -> dict[str, tuple[str, str, str]]:
    """The memo file's entries (digest, fingerprint, checksum by key), oldest first (entries in a
    list keep their order); a missing or damaged file, or none, holds none."""
    path = memo_path()
    entries = read_json(path) if path is not None else None
    if not isinstance(entries, list):
        return {}
    return {
        entry[0]: (entry[1], entry[2], entry[3])
        for entry in entries
        if isinstance(entry, list) and len(entry) == 4 and all(isinstance(part, str) for part in entry)
    }


def _remember(key: str, value: str, fingerprint: str) -> None:
    """Add ``key → value`` to the memo file, keeping the newest :data:`MEMO_LIMIT` entries. The
    memo is only a shortcut: a file that cannot be written is left alone."""
    path = memo_path()
    if path is None:
        return
    memo = _stored()
    memo.pop(key, None)
    memo[key] = (value, fingerprint, _checksum(key, value, fingerprint))
    for old in list(memo)[: max(0, len(memo) - MEMO_LIMIT)]:
        del memo[old]
    with contextlib.suppress(OSError):
        write_json(path, [[k, *v] for k, v in memo.items()])
