"""Labelled texts: datasets read from files, data frames or lists, their prompts and train/test
split, unlabelled texts for SAE training, and the data that ships with saeprobe. Imports no torch."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._builtin import DEMO_DATA, EMBEDDED_DATASETS, EmbeddedDatasets, demo_dataset, general_sentences
    from ._dataset import ProbeDataset, Prompts, Split, prompts_of
    from ._tables import FILES, TABLE_SUFFIXES, TableFiles, load_dataset, load_texts, read_table

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
