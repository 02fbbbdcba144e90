"""Content-keyed on-disk caches, and every key they are filed under.

Layout under the cache root::

    activations/<key>/meta.json           what the key was made of
    activations/<key>/chunk-00000.npz     rows ``index`` with one array ``L<layer>`` per layer
    activations/<key>/layer-<L>.npy       the finished matrix of one layer, rows in data order
    activations/<key>/truncated.npy       which texts were truncated to the context
    activations/<key>/lengths.npy         each prompt's length in tokens
    tokens/<key>/chunk-00000.npz          token-level states of a chunk: ``index``, ``offsets`` and
                                          one ``L<layer>`` array of its real tokens per layer
    results/<key>/layer-<L>.json          a finished layer of a sweep (see LayerResultStore)
    saes/<key>/layer_<L>/                 an SAE trained by saeprobe (SAELens format)
    models/<identity hash>.json           dimensions of a model, so hits need no model load

All keys are made here, from the settings groups that shape what is stored (see
:mod:`saeprobe.settings`): a new setting enters the right keys by its group alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .jsonio import atomic_write, read_json, write_json
from .settings import EXTRACTION, RESULT_GROUPS, SAETrainingSettings, SweepSettings

DEFAULT_CACHE_ENV = "SAEPROBE_CACHE_DIR"
# Bump when the extraction itself changes, so old cache entries are not reused.
EXTRACTION_VERSION = 2
# Bump when saeprobe's SAE training changes what it saves (2: the preparation in the SAE metadata).
SAE_TRAINING_VERSION = 2


def default_cache_dir() -> Path:
    """``$SAEPROBE_CACHE_DIR`` when set, else ``~/.cache/saeprobe``."""
    configured = os.environ.get(DEFAULT_CACHE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "saeprobe"


def cache_root(cache_dir: str | Path | bool | None) -> Path | None:
    """The cache directory to use: ``False`` disables caching, ``None`` or ``True`` mean the default."""
    if cache_dir is False:
        return None
    if cache_dir is None or cache_dir is True:
        return default_cache_dir()
    return Path(cache_dir).expanduser()


def content_key(parts: Any) -> str:
    """A stable hash of JSON-able ``parts``."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def array_digest(array: np.ndarray) -> str:
    """A hash of an array's bytes (labels, split masks)."""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:32]


def activation_parts(model_identity: str, prompts: str, settings: SweepSettings, preparation: Mapping[str, Any]
                     ) -> dict[str, Any]:
    """What cached pooled activations depend on: the model and how it was prepared, the prompts it
    read, and the extraction settings (hook, resolved pooling, BOS handling, padding side)."""
    return {"model": model_identity, "preparation": dict(preparation), "prompts": prompts,
            **settings.parts(EXTRACTION), "version": EXTRACTION_VERSION}


def token_activation_parts(model_identity: str, prompts: str, settings: SweepSettings, preparation: Mapping[str, Any]
                           ) -> dict[str, Any]:
    """What cached token-level activations depend on: as :func:`activation_parts`, but not the
    pooling, which they come before."""
    parts = activation_parts(model_identity, prompts, settings, preparation)
    parts.pop("pooling")
    return {**parts, "level": "tokens"}


def result_parts(
    model_identity: str,
    preparation: Mapping[str, Any],
    prompts: str,
    classes: Sequence[Any],
    y: np.ndarray,
    train: np.ndarray,
    sae_identities: Mapping[int, str],
    settings: SweepSettings,
) -> dict[str, Any]:
    """What a finished sweep layer depends on: model and its preparation, prompts, the class names
    and labels, the training rows, the SAE of each layer, and every setting that shapes the result."""
    return {
        "model": model_identity, "preparation": dict(preparation), "prompts": prompts,
        "classes": [str(c) for c in classes], "labels": array_digest(y),
        "train": array_digest(train), "saes": {str(layer): identity for layer, identity in sae_identities.items()},
        "settings": settings.parts(*RESULT_GROUPS), "saeprobe": __version__,
    }


def sae_training_parts(model_identity: str, texts: Sequence[str], hook: str, settings: SAETrainingSettings,
                       sae_lens_version: str) -> dict[str, Any]:
    """What SAEs trained by saeprobe depend on: model, texts, hook, training settings, SAELens."""
    return {"model": model_identity, "texts": content_key({"texts": list(texts)}), "hook": hook,
            "settings": settings.to_dict(), "sae_lens": sae_lens_version, "version": SAE_TRAINING_VERSION}


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


class ActivationStore:
    """The cached activations of one key (see :func:`activation_parts`)."""

    def __init__(self, root: Path, parts: dict[str, Any]):
        self.key = content_key(parts)
        self.directory = Path(root) / "activations" / self.key
        if not (self.directory / "meta.json").is_file():
            write_json(self.directory / "meta.json", parts)

    def load_layers(self, layers: list[int]) -> tuple[dict[int, np.ndarray], np.ndarray, np.ndarray] | None:
        """Finished matrices of ``layers``, the truncation flags and the prompt lengths, or ``None``
        if any is missing."""
        truncated = _load_npy(self.directory / "truncated.npy")
        lengths = _load_npy(self.directory / "lengths.npy")
        if truncated is None or lengths is None:
            return None
        matrices = {}
        for layer in layers:
            matrix = _load_npy(self.directory / f"layer-{layer}.npy")
            if matrix is None:
                return None
            matrices[layer] = matrix
        return matrices, truncated, lengths

    def save_layers(self, matrices: dict[int, np.ndarray], truncated: np.ndarray, lengths: np.ndarray) -> None:
        for layer, matrix in matrices.items():
            atomic_write(self.directory / f"layer-{layer}.npy", lambda s, m=matrix: np.save(s, m))
        atomic_write(self.directory / "lengths.npy", lambda s: np.save(s, lengths))
        atomic_write(self.directory / "truncated.npy", lambda s: np.save(s, truncated))

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
        atomic_write(self._chunk_path(number), lambda s: np.savez(s, index=index, **payload))

    def _chunk_path(self, number: int) -> Path:
        return self.directory / f"chunk-{number:05d}.npz"


class TokenStore:
    """The cached token-level activations of one key (see :func:`token_activation_parts`), chunk by
    chunk: each chunk holds its examples' ``index``, the ``offsets`` of each example's tokens, and
    the real tokens' states ``[n_tokens, d_model]`` of every layer asked for so far."""

    def __init__(self, root: Path, parts: dict[str, Any]):
        self.key = content_key(parts)
        self.directory = Path(root) / "tokens" / self.key
        if not (self.directory / "meta.json").is_file():
            write_json(self.directory / "meta.json", parts)

    def layers_in(self, number: int, index: np.ndarray) -> set[int]:
        """The layers chunk ``number`` holds for exactly these examples (empty if none or stale)."""
        try:
            with np.load(self._path(number)) as stored:
                if not np.array_equal(stored["index"], index):
                    return set()
                return {int(name[1:]) for name in stored.files if name.startswith("L")}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return set()

    def load(self, number: int, layers: Sequence[int]) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
        """Chunk ``number``'s ``index``, ``offsets`` and the token states of ``layers``."""
        with np.load(self._path(number)) as stored:
            return stored["index"], stored["offsets"], {layer: stored[f"L{layer}"] for layer in layers}

    def save(self, number: int, index: np.ndarray, offsets: np.ndarray, arrays: dict[int, np.ndarray]) -> None:
        payload = {f"L{layer}": array for layer, array in arrays.items()}
        atomic_write(self._path(number), lambda s: np.savez(s, index=index, offsets=offsets, **payload))

    def _path(self, number: int) -> Path:
        return self.directory / f"chunk-{number:05d}.npz"


class LayerResultStore:
    """Finished per-layer sweep entries of one key (see :func:`result_parts`), so an interrupted
    sweep resumes at the first unfinished layer and a repeated one fits nothing."""

    def __init__(self, root: Path, parts: dict[str, Any]):
        self.key = content_key(parts)
        self.directory = Path(root) / "results" / self.key
        if not (self.directory / "key.json").is_file():
            write_json(self.directory / "key.json", parts)

    def load(self, layers: list[int]) -> dict[int, Any]:
        """The stored JSON of the entries already finished among ``layers``."""
        found = {}
        for layer in layers:
            entry = read_json(self.directory / f"layer-{layer}.json")
            if entry is not None:
                found[layer] = entry
        return found

    def save(self, layer: int, entry: Any) -> None:
        write_json(self.directory / f"layer-{layer}.json", entry)

    def load_meta(self) -> dict[str, Any] | None:
        meta = read_json(self.directory / "meta.json")
        return meta if isinstance(meta, dict) else None

    def save_meta(self, meta: dict[str, Any]) -> None:
        write_json(self.directory / "meta.json", meta)


def load_model_dimensions(root: Path, identity: str) -> dict[str, Any] | None:
    """The recorded dimensions of the model with this identity, if a run saw it before."""
    dims = read_json(_dimensions_path(root, identity))
    return dims if isinstance(dims, dict) else None


def save_model_dimensions(root: Path, identity: str, dimensions: dict[str, Any]) -> None:
    write_json(_dimensions_path(root, identity), dimensions)


def _dimensions_path(root: Path, identity: str) -> Path:
    return Path(root) / "models" / f"{content_key({'identity': identity})}.json"


def _load_npy(path: Path) -> np.ndarray | None:
    if not path.is_file():
        return None
    try:
        return np.load(path)
    except (OSError, ValueError):
        return None
