"""Labelled texts: datasets read from files, data frames or lists, their prompts and train/test
split (sae-probes' split among them), unlabelled texts for SAE training, the data that ships with
saeprobe, and sae-probes' benchmark datasets from the installed package. Imports no torch."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._builtin import DEMO_DATA, EMBEDDED_DATASETS, EmbeddedDatasets, demo_dataset, general_sentences
    from ._columns import TableColumns, table_columns
    from ._dataset import ProbeDataset, Prompts, Split, prompts_of
    from ._protocol import (
        PEER_SEED,
        SAE_PROBES_SPLIT,
        balanced_split,
        sae_probes_split,
        with_sae_probes_split,
    )
    from ._sae_probes import (
        SAE_PROBES_DATASETS,
        BenchmarkDataset,
        SaeProbesDatasets,
        benchmark_datasets,
        benchmark_table,
        find_benchmark_dataset,
        sae_probes_folder,
    )
    from ._tables import FILES, TABLE_SUFFIXES, TableFiles, load_dataset, load_texts, read_table

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
