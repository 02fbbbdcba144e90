"""Content-keyed on-disk caches.

Layout under the cache root::

    activations/<key>/meta.json           what the key was made of (for people; never read)
    activations/<key>/chunk-00000.npz     rows ``index`` with one array ``L<layer>`` per layer
    activations/<key>/layer-<L>.npy       the finished matrix of one layer, rows in data order
    activations/<key>/truncated.npy       which texts were truncated to the context
    activations/<key>/lengths.npy         each prompt's length in tokens
    tokens/<key>/chunk-00000.index.npz    a chunk's example ``index`` and token ``offsets``
    tokens/<key>/chunk-00000.L<L>.npy     the states of that chunk's real tokens at one layer
    results/<key>/layer-<L>.json          a finished layer of a sweep (see LayerResultStore)
    saes/<key>/layer_<L>/                 an SAE trained by saeprobe (SAELens format)
    models/<identity hash>.json           dimensions of a model, so hits need no model load

The keys are made in :mod:`saeprobe.store._keys`.

Every array and record is written atomically with a checksum and verified when read: a file that
is truncated, has a flipped bit or holds garbage reads as missing and is computed again, never
used. An array's checksum also covers what the file is (cache kind, entry key, file name: its
layer and chunk), so a valid file copied over another one reads as missing too. A cache that
cannot be written (read-only, full disk) is left alone with a warning, and the run goes on
without saving to it.
"""

from __future__ import annotations

import contextlib
import io
import warnings
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CacheError, SaeprobeWarning
from ._jsonio import read_checked, read_json_checked, write_checked, write_json, write_json_checked
from ._keys import content_key
from ._usage import mark_used


class _Store:
    """A cache folder that verifies what it reads and stops writing (with one warning) when the
    disk refuses, so a full or read-only cache never stops a run."""

    def __init__(self, directory: Path, parts: dict[str, Any]):
        self.directory = directory
        self.writable = True
        if not (directory / "meta.json").is_file():
            self._write(lambda: write_json(directory / "meta.json", parts))
        mark_used(directory)  # the size limit removes the entries used least recently

    def _write(self, write: Callable[[], None]) -> None:
        if not self.writable:
            return
        try:
            write()
        except OSError as exc:
            self.writable = False
            warnings.warn(
                f"cannot write the cache in {str(self.directory)!r} ({exc.strerror or exc}); going on "
                "without saving to it",
                SaeprobeWarning,
                stacklevel=4,
            )

    def _identity(self, path: Path) -> str:
        """What a file of this store is, bound into its checksum: the kind of cache, the entry's
        key and the file's name (its layer and chunk). A valid file copied over another reads as
        damaged and is computed again."""
        return f"{self.directory.parent.name}/{self.directory.name}/{path.name}"

    def _save_array(self, path: Path, array: np.ndarray) -> None:
        buffer = io.BytesIO()
        np.save(buffer, array)
        self._write(lambda: write_checked(path, buffer.getvalue(), self._identity(path)))

    def _save_archive(self, path: Path, **arrays: Any) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        self._write(lambda: write_checked(path, buffer.getvalue(), self._identity(path)))

    def _load_array(self, path: Path) -> np.ndarray | None:
        return _load_array(path, self._identity(path))

    def _load_arrays(self, path: Path) -> dict[str, np.ndarray] | None:
        return _load_arrays(path, self._identity(path))


class ActivationStore(_Store):
    """The cached pooled activations of one key (see :func:`activation_parts`)."""

    def __init__(self, root: Path, parts: dict[str, Any]):
        self.key = content_key(parts)
        super().__init__(Path(root) / "activations" / self.key, parts)

    def load_layers(self, layers: list[int]) -> tuple[dict[int, np.ndarray], np.ndarray, np.ndarray] | None:
        """Finished matrices of ``layers``, the truncation flags and the prompt lengths, or ``None``
        if any is missing or damaged."""
        truncated = self._load_array(self.directory / "truncated.npy")
        lengths = self._load_array(self.directory / "lengths.npy")
        if truncated is None or lengths is None:
            return None
        matrices = {}
        for layer in layers:
            matrix = self._load_array(self.directory / f"layer-{layer}.npy")
            if matrix is None or matrix.shape[0] != len(lengths):
                return None
            matrices[layer] = matrix
        return matrices, truncated, lengths

    def save_layers(self, matrices: dict[int, np.ndarray], truncated: np.ndarray, lengths: np.ndarray) -> None:
        for layer, matrix in matrices.items():
            self._save_array(self.directory / f"layer-{layer}.npy", matrix)
        self._save_array(self.directory / "lengths.npy", lengths)
        self._save_array(self.directory / "truncated.npy", truncated)

    def load_chunk(self, number: int, index: np.ndarray) -> dict[int, np.ndarray]:
        """Per-layer arrays already computed for chunk ``number`` (empty if none, stale or damaged)."""
        stored = self._load_arrays(self._chunk_path(number))
        if stored is None or "index" not in stored or not np.array_equal(stored["index"], index):
            return {}
        return {int(name[1:]): array for name, array in stored.items() if name.startswith("L")}

    def save_chunk(self, number: int, index: np.ndarray, arrays: dict[int, np.ndarray]) -> None:
        self._save_archive(self._chunk_path(number), index=index, **{f"L{layer}": a for layer, a in arrays.items()})

    def _chunk_path(self, number: int) -> Path:
        return self.directory / f"chunk-{number:05d}.npz"


class TokenStore(_Store):
    """The cached token-level activations of one key (see :func:`token_activation_parts`), chunk by
    chunk: each chunk's examples (``index``) and the ``offsets`` of each example's tokens, and per
    layer the real tokens' states ``[n_tokens, d_model]``, one file each, so a layer is read alone."""

    def __init__(self, root: Path, parts: dict[str, Any]):
        self.key = content_key(parts)
        super().__init__(Path(root) / "tokens" / self.key, parts)

    def layers_in(self, number: int, index: np.ndarray) -> set[int]:
        """The layers whose states are stored, intact, for chunk ``number`` with exactly these
        examples (each file's checksum is verified, so a damaged one is computed again)."""
        stored = self._load_arrays(self._path(number, "index.npz"))
        if stored is None or "index" not in stored or not np.array_equal(stored["index"], index):
            return set()
        prefix = f"chunk-{number:05d}.L"
        n_tokens = int(stored["offsets"][-1]) if "offsets" in stored and len(stored["offsets"]) else -1
        return {
            int(p.name[len(prefix) : -4])
            for p in self.directory.glob(f"{prefix}*.npy")
            if _rows_of(read_checked(p, self._identity(p))) == n_tokens
        }

    def load(self, number: int, layers: Sequence[int]) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
        """Chunk ``number``'s ``index``, ``offsets`` and the token states of ``layers``. Raises
        :class:`~saeprobe.errors.CacheError` when a file went missing or was damaged since the
        chunk was found complete."""
        stored = self._load_arrays(self._path(number, "index.npz"))
        loaded = {layer: self._load_array(self._path(number, f"L{layer}.npy")) for layer in layers}
        arrays = {layer: array for layer, array in loaded.items() if array is not None}
        if stored is None or len(arrays) != len(loaded):
            raise CacheError(
                f"the cached token states of chunk {number} in {str(self.directory)!r} were damaged or "
                "removed while in use; run again and they are computed anew"
            )
        return stored["index"], stored["offsets"], arrays

    def save(self, number: int, index: np.ndarray, offsets: np.ndarray, arrays: dict[int, np.ndarray]) -> None:
        for layer, states in arrays.items():
            self._save_array(self._path(number, f"L{layer}.npy"), states)
        self._save_archive(self._path(number, "index.npz"), index=index, offsets=offsets)

    def _path(self, number: int, part: str) -> Path:
        return self.directory / f"chunk-{number:05d}.{part}"


class LayerResultStore(_Store):
    """Finished per-layer sweep entries of one key (see :func:`result_parts`), so an interrupted
    sweep resumes at the first unfinished layer and a repeated one fits nothing. Each entry also
    carries a tag of what only its layer depends on (the layer's SAEs, see :func:`layer_tag`), so
    sweeps of different layer subsets share one store."""

    def __init__(self, root: Path, parts: dict[str, Any]):
        self.key = content_key(parts)
        super().__init__(Path(root) / "results" / self.key, parts)

    def load(self, tags: dict[int, str]) -> dict[int, Any]:
        """The stored JSON of the layers of ``tags`` already finished with that tag (damaged ones
        left out)."""
        found = {}
        for layer, tag in tags.items():
            entry = read_json_checked(self._path(layer, tag))
            if entry is not None:
                found[layer] = entry
        return found

    def save(self, layer: int, tag: str, entry: Any) -> None:
        self._write(lambda: write_json_checked(self._path(layer, tag), entry))

    def _path(self, layer: int, tag: str) -> Path:
        return self.directory / f"layer-{layer}-{tag[:16]}.json"

    def load_meta(self) -> dict[str, Any] | None:
        meta = read_json_checked(self.directory / "sweep-meta.json")
        return meta if isinstance(meta, dict) and {"n_truncated", "lengths"} <= set(meta) else None

    def save_meta(self, meta: dict[str, Any]) -> None:
        self._write(lambda: write_json_checked(self.directory / "sweep-meta.json", meta))


DIMENSION_KEYS = {"n_layers", "d_model", "n_ctx", "bidirectional"}


def load_model_dimensions(root: Path, identity: str) -> dict[str, Any] | None:
    """The recorded dimensions of the model with this identity, if a run saw it before (and the
    record is intact)."""
    dims = read_json_checked(_dimensions_path(root, identity))
    return dims if isinstance(dims, dict) and set(dims) >= DIMENSION_KEYS else None


def save_model_dimensions(root: Path, identity: str, dimensions: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):  # only a shortcut: the next run reads the dimensions from the model again
        write_json_checked(_dimensions_path(root, identity), dimensions)


def _dimensions_path(root: Path, identity: str) -> Path:
    return Path(root) / "models" / f"{content_key({'identity': identity})}.json"


def _load_arrays(path: Path, identity: str) -> dict[str, np.ndarray] | None:
    """The arrays of a verified ``.npz`` file written as ``identity``, or ``None`` when it is
    missing, damaged or another file."""
    data = read_checked(path, identity)
    if data is None:
        return None
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def _rows_of(data: bytes | None) -> int | None:
    """The number of rows of the ``.npy`` array in ``data``, from its header alone (``None`` for no
    data or no such header): a chunk's states must hold one row per token of the chunk."""
    if data is None:
        return None
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape = header(stream)[0]
    except (ValueError, OSError):
        return None
    return int(shape[0]) if shape else None


def _load_array(path: Path, identity: str) -> np.ndarray | None:
    """The array of a verified ``.npy`` file written as ``identity``, or ``None`` when it is
    missing, damaged or another file."""
    data = read_checked(path, identity)
    if data is None:
        return None
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError):
        return None
