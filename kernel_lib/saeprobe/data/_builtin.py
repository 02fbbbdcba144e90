"""Data that ships with saeprobe or with every Python: the demo's film-review sentences and general
English prose from Python's own documentation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ._dataset import ProbeDataset
from ._tables import load_dataset

DEMO_DATA = Path(__file__).parent / "files" / "movie_sentiment.csv"


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


class EmbeddedDatasets:
    """Datasets that ship with saeprobe, by name: 'demo' (352 film-review sentences)."""

    names = ("demo", "movie_sentiment")

    def matches(self, spec: str) -> bool:
        return spec.lower() in self.names

    def load(self, spec: str, **options: Any) -> ProbeDataset:
        return demo_dataset(template=options.get("template"))


EMBEDDED_DATASETS = EmbeddedDatasets()
