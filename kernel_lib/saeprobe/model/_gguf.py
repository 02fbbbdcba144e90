"""GGUF model files (llama.cpp's format) as saeprobe models.

transformers reads a GGUF file and de-quantises its weights to float32; saeprobe does that once
per file, keeps the result as a Hugging Face directory in the cache, and boots that directory with
TransformerBridge like any local model. The file's content hash is its identity, so activations
cached for it are found without loading anything.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..errors import ModelError
from ..store import content_digest, default_cache_dir, staged_directory
from ._sources import HUGGINGFACE

GGUF_SUFFIX = ".gguf"
GGUF_MAGIC = b"GGUF"
DEQUANTISED_DIR = "dequantised"
INSTALL_HINT = "pip install gguf (or pip install 'saeprobe[gguf]')"


def find_gguf_file(spec: str | Path) -> Path:
    """The GGUF file ``spec`` names: the file itself, or the only ``.gguf`` file in a directory.

    Raises :class:`ModelError` when it does not exist, is not a GGUF file, or the directory holds
    none or several.
    """
    path = Path(spec).expanduser()
    if path.is_dir():
        found = sorted(path.glob(f"*{GGUF_SUFFIX}"))
        if len(found) != 1:
            names = [p.name for p in found] or "none"
            raise ModelError(
                f"directory {str(path)!r} must hold exactly one {GGUF_SUFFIX} file (found: {names}); "
                "give the path of the file itself"
            )
        path = found[0]
    if not path.is_file():
        raise ModelError(f"GGUF model file {str(path)!r} does not exist; give the path of a local {GGUF_SUFFIX} file")
    with path.open("rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise ModelError(
                f"{str(path)!r} is not a GGUF file (it does not start with 'GGUF'); re-download or re-export it"
            )
    return path.resolve()


def file_identity(path: Path) -> str:
    """A content hash of the file, remembered per stamp (:func:`saeprobe.store.content_digest`)."""
    return content_digest([path])


def dequantised_directory(gguf_file: str | Path, cache_root: str | Path | None = None) -> Path:
    """The Hugging Face directory holding the de-quantised float32 model and tokenizer of
    ``gguf_file``, made on first use under ``<cache root>/dequantised/<content hash>``.

    The directory appears atomically, so an interrupted conversion is redone, never half-read.
    Raises :class:`ModelError` when the ``gguf`` package is missing or transformers cannot read
    the file's architecture.
    """
    path = find_gguf_file(gguf_file)
    root = Path(cache_root).expanduser() if cache_root is not None else default_cache_dir()
    target = root / DEQUANTISED_DIR / file_identity(path)
    if (target / "config.json").is_file():
        return target
    print(f"saeprobe: de-quantising {path.name} to float32 once; the copy is kept in {target}", file=sys.stderr)
    with staged_directory(target) as staging:
        _dequantise(path, staging)
    return target


def _dequantise(path: Path, out: Path) -> None:
    try:
        import gguf  # noqa: F401  (transformers needs it to read the file)
    except ImportError as exc:
        raise ModelError(f"reading {path.name} needs the 'gguf' package; run: {INSTALL_HINT}") from exc
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    options: dict[str, Any] = {"gguf_file": path.name}
    if hasattr(transformers, "GgufConfig"):  # newer transformers could keep weights packed otherwise
        options["quantization_config"] = transformers.GgufConfig(dequantize=True)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
        loaded = AutoModelForCausalLM.from_pretrained(path.parent, dtype=torch.float32, **options)
    except (ValueError, KeyError, NotImplementedError) as exc:
        raise ModelError(
            f"transformers could not read {path.name}: {exc}. saeprobe loads GGUF decoders whose "
            "architecture transformers supports (llama, mistral, qwen2, gpt2, …)"
        ) from exc
    # A model loaded from GGUF is marked quantised and refuses save_pretrained; copy its
    # de-quantised weights into a plain model of the same config.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    with torch.device("meta"):
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(loaded.state_dict(), assign=True)
    plain.tie_weights()
    plain.save_pretrained(out)
    tokenizer.save_pretrained(out)


class GGUFModels:
    """Local GGUF files (or a directory holding one), de-quantised once to float32 and booted with TransformerBridge."""

    def matches(self, spec: str) -> bool:
        path = Path(spec).expanduser()
        if path.suffix.lower() == GGUF_SUFFIX:
            return True
        return path.is_dir() and not (path / "config.json").exists() and any(path.glob(f"*{GGUF_SUFFIX}"))

    def source(self, spec: str, revision: str | None) -> tuple[str, str]:
        path = find_gguf_file(spec)
        return str(path), f"gguf:{file_identity(path)}"

    def load(self, name: str, revision: str | None, device: str) -> Any:
        return HUGGINGFACE.load(str(dequantised_directory(name)), None, device)


GGUF = GGUFModels()
