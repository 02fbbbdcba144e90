"""What a cache holds, by kind, and keeping it within a size.

Every store marks its entry as used when it opens it (``.last-used``). After a forward pass writes
new activations, the entries a forward pass can make again (token states, then pooled activations)
that were used least recently are removed until the whole cache fits its limit
(``$SAEPROBE_CACHE_MAX_GB``, default 20 GB; ``0`` for no limit); the entries in use never are.
``saeprobe cache info`` and ``saeprobe cache clear`` read and clear it by hand."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Collection, Sequence
from pathlib import Path

from ..errors import SettingsError

# The cache's kinds, each a folder of entries (see saeprobe.store._stores).
KINDS = ("activations", "tokens", "results", "saes", "models", "dequantised")
# Kinds a forward pass makes again, so the size limit may remove them: the largest first.
EVICTABLE = ("tokens", "activations")
LIMIT_ENV = "SAEPROBE_CACHE_MAX_GB"
DEFAULT_LIMIT_GB = 20.0
USED_MARK = ".last-used"
GB = 1024**3


def mark_used(entry: Path) -> None:
    """Record that ``entry`` (a cache entry's folder) was used now. Only a hint for eviction: a
    cache that cannot be written is left alone."""
    with contextlib.suppress(OSError):
        (entry / USED_MARK).touch()


def last_used(entry: Path) -> float:
    """When ``entry`` was last used (its mark, else its own modification time)."""
    for path in (entry / USED_MARK, entry):
        with contextlib.suppress(OSError):
            return path.stat().st_mtime
    return 0.0


def entries(root: Path, kind: str) -> list[Path]:
    """The entries of one kind: the folders (or, for model dimensions, files) under ``root/kind``."""
    folder = Path(root) / kind
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if not path.name.startswith("."))


def size_of(path: Path) -> int:
    """Bytes held by a file, or by every file under a folder."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(dirpath, name)).st_size
    return total


def cache_usage(root: Path) -> list[dict[str, object]]:
    """One row per kind: ``kind``, ``entries``, ``bytes``, and the ``last_used`` time of its most
    recently used entry (seconds since the epoch; ``None`` when it is empty)."""
    rows = []
    for kind in KINDS:
        found = entries(root, kind)
        rows.append(
            {
                "kind": kind,
                "entries": len(found),
                "bytes": sum(size_of(entry) for entry in found),
                "last_used": max((last_used(entry) for entry in found), default=None),
            }
        )
    return rows


def size_limit() -> int | None:
    """The cache's limit in bytes from ``$SAEPROBE_CACHE_MAX_GB`` (default 20 GB); ``None`` for no
    limit (``0``). Raises :class:`SettingsError` for a value that is no number of gigabytes."""
    given = os.environ.get(LIMIT_ENV, "").strip()
    try:
        gigabytes = float(given) if given else DEFAULT_LIMIT_GB
    except ValueError:
        gigabytes = float("nan")
    if not gigabytes >= 0 or gigabytes == float("inf"):
        raise SettingsError(
            f"{LIMIT_ENV}={given!r} is not a number of gigabytes; give one such as 20, or 0 for no limit"
        )
    return None if gigabytes == 0 else int(gigabytes * GB)


def keep_within(root: Path, limit: int | None, in_use: Collection[Path] = ()) -> list[Path]:
    """Remove the least recently used token-state and activation entries of the cache at ``root``
    until all of it holds at most ``limit`` bytes, never an entry of ``in_use``; returns what was
    removed. Nothing is removed without a limit, or when only entries in use are left."""
    if limit is None:
        return []
    used = {Path(path).resolve() for path in in_use}
    sizes = {entry: size_of(entry) for kind in KINDS for entry in entries(root, kind)}  # one walk of the cache
    total = sum(sizes.values())
    candidates = [entry for kind in EVICTABLE for entry in entries(root, kind) if entry.resolve() not in used]
    removed = []
    for entry in sorted(candidates, key=last_used):
        if total <= limit:
            break
        shutil.rmtree(entry, ignore_errors=True)
        if not entry.exists():
            total -= sizes[entry]
            removed.append(entry)
    return removed


def clear_cache(
    root: Path, kinds: Sequence[str] | None = None, older_than_days: float | None = None
) -> tuple[int, int]:
    """Remove the entries of ``kinds`` (default every kind) last used more than ``older_than_days``
    ago (default: all of them); returns how many entries and bytes went. Raises
    :class:`SettingsError` for an unknown kind or a negative age."""
    unknown = sorted(set(kinds or ()) - set(KINDS))
    if unknown:
        raise SettingsError(f"no cache kind {unknown}; the kinds are {list(KINDS)}", option="kind")
    if older_than_days is not None and not older_than_days >= 0:
        raise SettingsError(f"--older-than {older_than_days!r} must be a number of days of 0 or more")
    cutoff = None if older_than_days is None else time.time() - older_than_days * 86400
    count = freed = 0
    for kind in kinds or KINDS:
        for entry in entries(root, kind):
            if cutoff is not None and last_used(entry) > cutoff:
                continue
            size = size_of(entry)
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()
            if not entry.exists():
                count += 1
                freed += size
    return count, freed
