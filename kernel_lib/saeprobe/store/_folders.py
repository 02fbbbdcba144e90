"""Where the caches live, and folders that appear whole or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SaeprobeWarning

DEFAULT_CACHE_ENV = "SAEPROBE_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$SAEPROBE_CACHE_DIR`` when set, else ``~/.cache/saeprobe``."""
    configured = os.environ.get(DEFAULT_CACHE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "saeprobe"


def cache_root(cache_dir: str | Path | bool | None) -> Path | None:
    """The cache directory to use: ``False`` disables caching, ``None`` or ``True`` mean the default.
    A directory that cannot be created or written is not used: a warning says so, and the run goes
    on without a cache (``None``). The file digests' memo follows the cache chosen (none without)."""
    from ._digests import use_memo_folder

    if cache_dir is False:
        use_memo_folder(None)
        return None
    root = default_cache_dir() if cache_dir is None or cache_dir is True else Path(cache_dir).expanduser()
    try:
        make_writable_folder(root)
    except OSError as exc:
        warnings.warn(
            f"the cache directory {str(root)!r} cannot be written ({exc.strerror or exc}); running without "
            "a cache, so nothing computed now is kept: give another with cache_dir= (--cache-dir)",
            SaeprobeWarning,
            stacklevel=3,
        )
        use_memo_folder(None)
        return None
    use_memo_folder(root)
    return root


def make_writable_folder(folder: Path) -> None:
    """Make ``folder`` (and its parents) if need be and check that a file can be written in it, by
    writing and removing one. Raises the :class:`OSError` of the first step that fails."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, probe = tempfile.mkstemp(dir=folder, prefix=".writable.")
    os.close(handle)
    os.unlink(probe)


@contextmanager
def staged_directory(target: Path) -> Iterator[Path]:
    """A fresh directory beside ``target`` to fill; when the block ends it replaces ``target`` in
    one rename, and when the block fails it is removed. A killed process never leaves a
    half-written ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
