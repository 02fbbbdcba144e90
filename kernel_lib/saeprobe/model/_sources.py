"""Model sources: a hub name, a local Hugging Face directory, or a model object already loaded.

A source knows its identity (for cache keys) before anything is loaded, so a sweep whose
activations are all cached never loads the model.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import time
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import ModelError, SaeprobeWarning
from ..store import directory_digest
from ._preparation import Preparation

# A hub repository id: "name" or "owner/name" (letters, digits, '-', '_', '.'); anything else is a path.
REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*(/[A-Za-z0-9][A-Za-z0-9_.\-]*)?")
COMMIT = re.compile(r"[0-9a-f]{40}")


@dataclass
class ModelSource:
    """Where a model comes from, its content identity, and the loaded model once needed: one per
    weight processing (see :class:`~saeprobe.model.Preparation`), each loaded once. A model
    object given by the user (``given``) is used as it is."""

    name: str
    identity: str
    revision: str | None = None
    device: str = "cpu"
    loader: Any = field(default=None, repr=False)
    given: Any = field(default=None, repr=False)
    _prepared: dict[tuple, Any] = field(default_factory=dict, repr=False)
    load_seconds: float = field(default=0.0, repr=False)

    def load(self, preparation: Preparation | None = None) -> Any:
        """The model prepared as ``preparation`` says (default: the raw stream), loaded through
        its model plugin on first use (``load_seconds`` adds up the time spent, imports included).
        Raises :class:`ModelError` when TransformerLens cannot apply the processing to this
        architecture."""
        preparation = preparation or Preparation()
        if self.given is not None:
            if preparation.processed:
                warnings.warn(
                    f"the SAEs ask for a model prepared with {preparation.describe()}, but a loaded "
                    f"{type(self.given).__name__} is used as given; pass the model's name or directory to have "
                    "saeprobe prepare it",
                    SaeprobeWarning,
                    stacklevel=4,
                )
            return self.given
        key = tuple(preparation.processing.items())
        if key not in self._prepared:
            started = time.perf_counter()
            model = self.loader.load(self.name, self.revision, self.device)
            if preparation.processed:
                _process(model, preparation, self.name)
            self._prepared[key] = model
            self.load_seconds += time.perf_counter() - started
        return self._prepared[key]

    @property
    def is_loaded(self) -> bool:
        return self.given is not None or bool(self._prepared)


def _process(model: Any, preparation: Preparation, name: str) -> None:
    if not hasattr(model, "enable_compatibility_mode"):
        raise ModelError(
            f"{name!r} loaded as a {type(model).__name__}, which saeprobe cannot process for these SAEs "
            f"({preparation.describe()}); load it as a TransformerBridge, or pass processing='none'"
        )
    try:
        model.enable_compatibility_mode(disable_warnings=True, **preparation.processing)
    except Exception as exc:  # an architecture TransformerLens cannot process
        raise ModelError(
            f"TransformerLens could not apply {preparation.describe()} to {name!r}: {type(exc).__name__}: {exc}; "
            "pass processing='none' to read the raw stream"
        ) from exc


# The last model resolved by name, kept with the models it loaded: a process that sweeps one model
# on many datasets (a notebook, a suite's worker) loads it once.
_WARM: dict[tuple[str, str | None, str], ModelSource] = {}


def resolve_model(model: Any, revision: str | None = None, device: str = "cpu") -> ModelSource:
    """Describe ``model`` (hub name, local directory, or loaded model) without loading it; the
    source of the model named last is reused, with what it loaded.

    Local directories are identified by the hash of their files, hub names by name and
    revision, loaded models by the hash of their parameters. Raises :class:`ModelError` for
    objects that are neither a name nor a TransformerLens model. A source passes through.
    """
    if isinstance(model, ModelSource):
        return model
    if isinstance(model, (str, Path)):
        from ..plugins import require

        loader = require("models", str(model))
        name, identity = loader.source(str(model), revision)
        key = (identity, revision, device)
        if key not in _WARM:
            _WARM.clear()
            _WARM[key] = ModelSource(name=name, identity=identity, revision=revision, device=device, loader=loader)
        return _WARM[key]
    if hasattr(model, "run_with_cache") and hasattr(model, "cfg"):
        name = getattr(model.cfg, "model_name", None) or type(model).__name__
        return ModelSource(name=str(name), identity=f"object:{_hash_parameters(model)}", given=model)
    raise ModelError(
        f"cannot use a {type(model).__name__} as a model; give a hub name, a local Hugging Face "
        "directory, or a TransformerBridge / HookedTransformer"
    )


def model_dimensions(model: Any) -> dict[str, Any]:
    """``n_layers``, ``d_model``, ``n_ctx`` and ``bidirectional`` (an encoder such as BERT) of a
    TransformerLens model."""
    cfg = model.cfg
    return {
        "n_layers": int(cfg.n_layers),
        "d_model": int(cfg.d_model),
        "n_ctx": int(cfg.n_ctx),
        "bidirectional": is_bidirectional(model),
    }


def is_bidirectional(model: Any) -> bool:
    """Whether every token attends to every other (an encoder) rather than only to earlier ones."""
    hf_model = getattr(model, "original_model", None)
    if hf_model is None:
        return getattr(model.cfg, "attention_dir", "causal") == "bidirectional"
    config = hf_model.config
    return not (getattr(config, "is_decoder", False) or hf_model.can_generate())


def default_pooling(dimensions: dict[str, Any]) -> str:
    """``last`` for causal models (the last token has read the whole prompt); ``mean`` for
    encoders, whose tokens all see the whole text and which were trained to embed by averaging."""
    return "mean" if dimensions.get("bidirectional") else "last"


def check_hooks(model: Any, hook_names: list[str]) -> None:
    """Raise :class:`ModelError` when the model has no hook point of one of these names."""
    available = set(model.hook_dict)
    missing = [name for name in hook_names if name not in available]
    if missing:
        points = sorted({n.split(".", 2)[2] for n in available if n.startswith("blocks.0.")})
        raise ModelError(
            f"the model has no hook {missing[0]!r}; per-layer hook points it offers: {points}; "
            "choose one of them with hook=..."
        )


class HuggingFaceModels:
    """Hugging Face hub names and local model directories, booted with TransformerBridge."""

    def matches(self, spec: str) -> bool:
        return True

    def source(self, spec: str, revision: str | None) -> tuple[str, str]:
        path = Path(spec).expanduser()
        if path.exists():
            if not (path / "config.json").is_file():
                raise ModelError(
                    f"model directory {str(path)!r} has no config.json; point at a Hugging Face "
                    "model directory (config.json, weights and tokenizer files)"
                )
            return str(path.resolve()), f"dir:{directory_digest(path)}"
        if not is_repo_id(spec):
            raise ModelError(
                f"no such model directory {spec!r}; give the path of a local Hugging Face model directory "
                "(config.json, weights and tokenizer files) or a hub name such as 'gpt2'"
            )
        if not in_hub_cache(spec) and not hub_reachable():
            raise ModelError(_unreachable(spec))
        resolved = resolved_commit(spec, revision or "main")
        return spec, f"hub:{spec}@{resolved or revision or 'main'}"

    def load(self, name: str, revision: str | None, device: str) -> Any:
        from transformer_lens.model_bridge import TransformerBridge

        try:
            return TransformerBridge.boot_transformers(name, device=device, revision=revision)
        except OSError as exc:
            answer = " ".join(str(exc).split()).rstrip(".")
            raise ModelError(
                f"could not load model {name!r}: no local directory of that name exists, and the hub "
                f"answered: {answer}. Give a local Hugging Face directory, or a hub name when the hub is reachable"
            ) from exc


def is_repo_id(spec: str) -> bool:
    """Whether ``spec`` has the form of a hub repository id rather than of a file path."""
    return bool(REPO_ID.fullmatch(spec)) and ".." not in spec and "--" not in spec and len(spec) <= 96


def resolved_commit(name: str, revision: str) -> str | None:
    """The commit a hub ``revision`` (branch or tag) points at: asked of the hub when it is
    reachable, else read from the local Hugging Face cache; ``None`` when neither knows. A branch
    that moves then gives a new identity, so activations cached for the old commit are not reused."""
    if COMMIT.fullmatch(revision):
        return revision
    if not _hub_offline():
        try:
            from huggingface_hub import HfApi

            return HfApi().model_info(name, revision=revision, timeout=10).sha
        except Exception:  # unreachable or unknown here: the local cache may still know
            pass
    ref = _hub_cache_folder(name) / "refs" / revision
    try:
        commit = ref.read_text().strip()
    except OSError:
        return None
    return commit if COMMIT.fullmatch(commit) else None


def in_hub_cache(name: str) -> bool:
    """Whether the local Hugging Face cache holds a snapshot of the hub model ``name``."""
    snapshots = _hub_cache_folder(name) / "snapshots"
    return snapshots.is_dir() and any(snapshots.iterdir())


def _hub_cache_folder(name: str) -> Path:
    """Where huggingface_hub keeps the hub model ``name`` locally."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE) / f"models--{name.replace('/', '--')}"


@cache
def hub_reachable() -> bool:
    """Whether the Hugging Face hub can be asked: not in offline mode (``HF_HUB_OFFLINE``,
    ``TRANSFORMERS_OFFLINE``), and its host answers a connection within two seconds. Asked once
    per process."""
    if _hub_offline():
        return False
    from urllib.parse import urlparse

    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", endpoint.port or 443), timeout=2):
            return True
    except OSError:
        return False


def _unreachable(spec: str) -> str:
    """Why the hub model ``spec`` cannot be had here, with the nearest offline model and the list."""
    import difflib

    from ._builtin import OFFLINE_MODELS

    why = "offline mode is on (HF_HUB_OFFLINE)" if _hub_offline() else "the hub cannot be reached from here"
    close = difflib.get_close_matches(spec.lower(), list(OFFLINE_MODELS), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    listing = "; ".join(f"{name} ({what})" for name, what in OFFLINE_MODELS.items())
    return (
        f"model {spec!r} is no local directory and not in the Hugging Face cache, and {why}; {hint}the models that "
        f"load offline are: {listing}; or give a local Hugging Face directory or a .gguf file"
    )


def _hub_offline() -> bool:
    return any(
        os.environ.get(name, "").lower() in ("1", "true", "yes") for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


HUGGINGFACE = HuggingFaceModels()


def _hash_parameters(model: Any) -> str:
    import torch

    digest = hashlib.sha256(type(model).__name__.encode())
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is not None:
        digest.update(str(getattr(tokenizer, "name_or_path", "")).encode())
        digest.update(str(len(tokenizer)).encode())
    return digest.hexdigest()[:32]
