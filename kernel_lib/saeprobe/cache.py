"""Content-keyed on-disk store of pooled activations; atomic writes, resumable chunks.

Layout under the cache root::

    activations/<key>/meta.json           what the key was made of
    activations/<key>/chunk-00000.npz     rows ``index`` with one array ``L<layer>`` per layer
    activations/<key>/layer-<L>.npy       the finished matrix of one layer, rows in data order
    activations/<key>/truncated.npy       which texts were truncated to the context
    models/<identity hash>.json           dimensions of a model, so hits need no model load
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_CACHE_ENV = "SAEPROBE_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$SAEPROBE_CACHE_DIR`` when set, else ``~/.cache/saeprobe``."""
    configured = os.environ.get(DEFAULT_CACHE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "saeprobe"


def content_key(parts: dict[str, Any]) -> str:
    """A stable hash of JSON-able ``parts``."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def _atomic_write(path: Path, write: Any) -> None:
    # Write next to the target and rename: a killed process leaves either the old file or the new.
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as JSON to ``path`` atomically."""
    _atomic_write(path, lambda s: s.write(json.dumps(payload, indent=2, sort_keys=True).encode()))


class ActivationStore:
    """The cached activations of one (model, prompts, hook, pooling) key."""

    def __init__(self, root: Path, parts: dict[str, Any]):
        self.root = Path(root)
        self.key = content_key(parts)
        self.directory = self.root / "activations" / self.key
        meta = self.directory / "meta.json"
        if not meta.is_file():
            write_json(meta, parts)

    def load_layers(self, layers: list[int]) -> tuple[dict[int, np.ndarray], np.ndarray] | None:
        """Finished matrices of ``layers`` and the truncation flags, or ``None`` if any is missing."""
        truncated = _load_npy(self.directory / "truncated.npy")
        if truncated is None:
            return None
        matrices = {}
        for layer in layers:
            matrix = _load_npy(self.directory / f"layer-{layer}.npy")
            if matrix is None:
                return None
            matrices[layer] = matrix
        return matrices, truncated

    def save_layers(self, matrices: dict[int, np.ndarray], truncated: np.ndarray) -> None:
        for layer, matrix in matrices.items():
            _atomic_write(self.directory / f"layer-{layer}.npy", lambda s, m=matrix: np.save(s, m))
        _atomic_write(self.directory / "truncated.npy", lambda s: np.save(s, truncated))

    def load_chunk(self, number: int, index: np.ndarray) -> dict[int, np.ndarray]:
        """Per-layer arrays already computed for chunk ``number`` (empty if none or stale)."""
        path = self._chunk_path(number)
        if not path.is_file():
            return {}
        try:
            with np.load(path) as stored:
                if not np.array_equal(stored["index"], index):
                    return {}
                return {int(name[1:]): stored[name] for name in stored.files if name.startswith("L")}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return {}

    def save_chunk(self, number: int, index: np.ndarray, arrays: dict[int, np.ndarray]) -> None:
        payload = {f"L{layer}": array for layer, array in arrays.items()}
        _atomic_write(self._chunk_path(number), lambda s: np.savez(s, index=index, **payload))

    def _chunk_path(self, number: int) -> Path:
        return self.directory / f"chunk-{number:05d}.npz"


class LayerResultStore:
    """Finished per-layer sweep entries of one key (model, prompts, labels, split, SAEs, settings),
    so an interrupted sweep resumes at the first unfinished layer and a repeated one fits nothing."""

    def __init__(self, root: Path, parts: dict[str, Any]):
        self.key = content_key(parts)
        self.directory = Path(root) / "results" / self.key
        if not (self.directory / "key.json").is_file():
            write_json(self.directory / "key.json", parts)

    def load(self, layers: list[int]) -> dict[int, dict[str, Any]]:
        """The entries already finished among ``layers``."""
        found = {}
        for layer in layers:
            path = self.directory / f"layer-{layer}.json"
            try:
                found[layer] = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
        return found

    def save(self, layer: int, entry: dict[str, Any]) -> None:
        write_json(self.directory / f"layer-{layer}.json", entry)

    def load_meta(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.directory / "meta.json").read_text())
        except (OSError, ValueError):
            return None

    def save_meta(self, meta: dict[str, Any]) -> None:
        write_json(self.directory / "meta.json", meta)


def load_model_dimensions(root: Path, identity: str) -> dict[str, int] | None:
    """The recorded dimensions of the model with this identity, if a sweep saw it before."""
    path = Path(root) / "models" / f"{content_key({'identity': identity})}.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def save_model_dimensions(root: Path, identity: str, dimensions: dict[str, int]) -> None:
    write_json(Path(root) / "models" / f"{content_key({'identity': identity})}.json", dimensions)


def _load_npy(path: Path) -> np.ndarray | None:
    if not path.is_file():
        return None
    try:
        return np.load(path)
    except (OSError, ValueError):
        return None
