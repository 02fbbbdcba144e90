"""Content digests of weight files (model directories, SAE directories, GGUF files), the identities
that key the caches. A digest is remembered by the files' stat stamps, in this process and in a
small file of the default cache directory, so a repeated run does not read gigabytes of weights
again only to learn that they have not changed."""

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

_memo: dict[str, str] | None = None
_lock = threading.Lock()


def content_digest(files: Sequence[Path], names_from: Path | None = None) -> str:
    """The first 32 hex digits of the SHA-256 of the files' contents in the given order, each
    preceded by its path relative to ``names_from`` when that is given.

    Remembered per stamp of every file (path, size, modification and change times, inode): a
    file rewritten in place changes its change time, which no tool sets back, and is read again."""
    key = _key(files, names_from)
    with _lock:
        memo = _loaded_memo()
        if key in memo:
            return memo[key]
    digest = hashlib.sha256()
    for file in files:
        if names_from is not None:
            digest.update(str(Path(file).relative_to(names_from)).encode())
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(BLOCK), b""):
                digest.update(block)
    value = digest.hexdigest()[:32]
    with _lock:
        _remember(key, value)
    return value


def directory_digest(path: Path) -> str:
    """The content digest of a directory: every file in it and its sub-directories (but those whose
    names start with a dot), in path order, each named by its path inside ``path``. A model
    directory's and an SAE directory's identity."""
    path = Path(path)
    return content_digest(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")), path)


def _key(files: Sequence[Path], names_from: Path | None) -> str:
    stamps = []
    for file in files:
        stat = os.stat(file)
        stamps.append(
            [str(Path(file).resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]
        )
    relative = None if names_from is None else str(Path(names_from).resolve())
    return hashlib.sha256(json.dumps([relative, stamps]).encode()).hexdigest()


def _memo_path() -> Path:
    return default_cache_dir() / MEMO_FILE


def _stored() -> dict[str, str]:
    """The memo file's digests, oldest first (pairs in a list keep their order); a missing or
    damaged file holds none."""
    pairs = read_json(_memo_path())
    if not isinstance(pairs, list):
        return {}
    return {
        pair[0]: pair[1]
        for pair in pairs
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)
    }


def _loaded_memo() -> dict[str, str]:
    global _memo
    if _memo is None:
        _memo = _stored()
    return _memo


def _remember(key: str, value: str) -> None:
    """Keep ``key → value`` here and in the memo file, merged with what other processes stored
    since it was read. The memo is only a shortcut: a file that cannot be written is left alone."""
    memo = _loaded_memo()
    memo.update({k: v for k, v in _stored().items() if k not in memo})
    memo.pop(key, None)
    memo[key] = value
    for old in list(memo)[: max(0, len(memo) - MEMO_LIMIT)]:
        del memo[old]
    with contextlib.suppress(OSError):
        write_json(_memo_path(), [[k, v] for k, v in memo.items()])
