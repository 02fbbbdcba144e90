"""The sae-probes benchmark's datasets (Kantamneni, Engels et al., "Are Sparse Autoencoders Useful?
A Case Study in Sparse Probing", ICML 2025): 113 binary tasks and 8 out-of-distribution sets, read
as zstd CSVs from the installed ``sae-probes`` package's data folder. The package is found without
being imported (its import reads every dataset and loads torch), and nothing is copied."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import DataOptions
from ..errors import DataError
from ._dataset import ProbeDataset
from ._tables import _from_frame

PACKAGE = "sae_probes"
PREFIX = "sae-probes:"
OOD_PREFIX = "sae-probes-ood:"
INSTALL = 'pip install "saeprobe[sae-probes]" && pip install --no-deps "sae-probes>=0.4.2"'
MASTER = "probing_datasets_MASTER.csv.zst"
OOD_FOLDER = "OOD data"
TEXT_COLUMN = "prompt"
LABEL_COLUMN = "target"


@dataclass(frozen=True)
class BenchmarkDataset:
    """One of sae-probes' binary datasets: its number and tag (its name is ``NUMBER_TAG``, as the
    package names it), its file and its out-of-distribution file, when it has one."""

    number: int
    tag: str
    path: Path
    ood_path: Path | None

    @property
    def name(self) -> str:
        return f"{self.number}_{self.tag}"


def sae_probes_folder() -> Path:
    """The data folder of the installed ``sae-probes`` package. Raises :class:`DataError` with the
    install command when the package is missing or holds no data."""
    spec = importlib.util.find_spec(PACKAGE)  # finds a top-level package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"sae-probes' datasets need the sae-probes package, which is not installed; run: {INSTALL}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (folder / MASTER).is_file():
        raise DataError(f"the installed sae-probes package has no {MASTER} in {str(folder)!r}; reinstall it: {INSTALL}")
    return folder


def read_zstd_table(path: Path) -> pd.DataFrame:
    """A zstd-compressed CSV as sae-probes reads it (pandas' own parsing, so labels keep their
    types). Raises :class:`DataError` when the ``zstandard`` module is missing."""
    try:
        import zstandard  # noqa: F401  pandas decompresses with it
    except ImportError:
        raise DataError(f"reading sae-probes' datasets needs the zstandard module; run: {INSTALL}") from None
    return pd.read_csv(path, compression="zstd")


@cache
def benchmark_datasets() -> tuple[BenchmarkDataset, ...]:
    """sae-probes' binary datasets in the order of its master list (as ``sae_probes.DATASETS``)."""
    folder = sae_probes_folder()
    master = read_zstd_table(folder / MASTER)
    binary = master[master["Data type"] == "Binary Classification"]
    found = []
    for tag, saved in zip(binary["Dataset Tag"], binary["Dataset save name"], strict=True):
        name = Path(str(saved)).name.removesuffix(".csv")
        number = int(name.split("_", 1)[0])
        ood = folder / OOD_FOLDER / f"{name}_OOD.csv.zst"
        found.append(BenchmarkDataset(number, str(tag), folder / f"{saved}.zst", ood if ood.is_file() else None))
    return tuple(found)


def find_benchmark_dataset(name: str) -> BenchmarkDataset:
    """The dataset called ``name``: its full name (``113_movie_sent``) or its tag (``movie_sent``).
    Raises :class:`DataError` naming the closest names for anything else."""
    datasets = benchmark_datasets()
    for dataset in datasets:
        if name in (dataset.name, dataset.tag):
            return dataset
    import difflib

    close = difflib.get_close_matches(name, [d.name for d in datasets], n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise DataError(
        f"sae-probes has no dataset {name!r}; {hint}`saeprobe datasets sae-probes` lists its {len(datasets)} datasets"
    )


def benchmark_table() -> pd.DataFrame:
    """One row per dataset: ``name``, ``rows``, ``classes`` (their values, as the table reads
    them), ``median_prompt_chars`` and ``ood`` (whether an out-of-distribution set exists)."""
    rows = []
    for dataset in benchmark_datasets():
        frame = read_zstd_table(dataset.path)
        rows.append(
            {
                "name": dataset.name,
                "rows": len(frame),
                "classes": " / ".join(str(c) for c in sorted(frame[LABEL_COLUMN].unique(), key=str)),
                "median_prompt_chars": int(frame[TEXT_COLUMN].astype(str).str.len().median()),
                "ood": dataset.ood_path is not None,
            }
        )
    return pd.DataFrame(rows)


def _dataset_from(frame: pd.DataFrame, name: str, template: str | None) -> ProbeDataset:
    options = DataOptions(text_column=TEXT_COLUMN, label_column=LABEL_COLUMN, template=template)
    return _from_frame(frame, options, name)


class SaeProbesDatasets:
    """sae-probes' benchmark datasets from the installed package: ``sae-probes:NAME`` (e.g.
    ``sae-probes:113_movie_sent`` or ``sae-probes:movie_sent``) and their out-of-distribution sets,
    ``sae-probes-ood:NAME``."""

    def matches(self, spec: str) -> bool:
        return spec.startswith((PREFIX, OOD_PREFIX))

    def load(self, spec: str, name: str | None = None, **options: Any) -> ProbeDataset:
        ood = spec.startswith(OOD_PREFIX)
        wanted = spec.removeprefix(OOD_PREFIX if ood else PREFIX).strip()
        for option in ("text_column", "label_column", "split_column"):
            if options.get(option) not in (None, {"text_column": "text", "label_column": "label"}.get(option)):
                raise DataError(
                    f"sae-probes' datasets have fixed columns ({TEXT_COLUMN!r}, {LABEL_COLUMN!r}); "
                    "leave {option} out",
                    option=option,
                )
        dataset = find_benchmark_dataset(wanted)
        if not ood:
            return _dataset_from(read_zstd_table(dataset.path), name or dataset.name, options.get("template"))
        if dataset.ood_path is None:
            with_ood = ", ".join(d.name for d in benchmark_datasets() if d.ood_path is not None)
            raise DataError(
                f"sae-probes has no out-of-distribution set for {dataset.name!r}; these have one: {with_ood}"
            )
        return _dataset_from(read_zstd_table(dataset.ood_path), name or f"{dataset.name}_OOD", options.get("template"))


SAE_PROBES_DATASETS = SaeProbesDatasets()
