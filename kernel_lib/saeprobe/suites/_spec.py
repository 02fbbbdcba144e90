"""A suite: every (model, dataset) pair swept with every SAE set, from one YAML file or mapping.

```yaml
models: [minilm]                                  # any model specification
saes: {task: saes/task, general: saes/general}    # named SAE sets, or {model: {name: spec}} per model
datasets:
  - {name: sst2, path: data/sst2.csv, text_column: sentence, label_column: label}
layers: all
settings: {pooling: mean}                         # any SweepSettings field
```

An SAE set may also be trained by saeprobe (cached like any trained SAE): ``{train: general}``
(the general prose every Python has offline) or ``{train: PATH}`` (a text file or table), with
any :class:`~saeprobe.SAETrainingSettings` field beside it (``width``, ``k``, ``steps``, ...).
Relative paths are read against the suite file's folder. Checked without torch; every error names
the key and the fix.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..config import DataOptions, SAETrainingSettings, SweepSettings, check_names
from ..errors import DataError, SettingsError
from ..sae import check_set_name
from ._yaml import read_suite_yaml

KEYS = ("models", "saes", "datasets", "layers", "settings")
BUILTIN_SUITES = {
    "small": Path(__file__).parent / "builtin" / "small" / "suite.yaml",
    "sae-probes": Path(__file__).parent / "builtin" / "sae-probes" / "suite.yaml",
}
BUILTIN_SUITE_NAMES = tuple(BUILTIN_SUITES)
DATASET_KEYS = ("name", "path", "test_path", *DataOptions.names())
GENERAL_TEXT = "general"
UNIT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# A dataset path that stands for every dataset of a benchmark, each a unit named as the benchmark names it,
# and a test path beside it that gives each dataset with an out-of-distribution set that set.
EVERY_SAE_PROBES_DATASET = "sae-probes:*"
EVERY_SAE_PROBES_OOD_SET = "sae-probes-ood:*"
# sae-probes names its datasets NUMBER_TAG; a subset may name them by tag alone.
NUMBERED = re.compile(r"^\d+_(?P<tag>.+)$")


@dataclass(frozen=True)
class TrainedSet:
    """An SAE set saeprobe trains for a model: on ``texts`` (``general``, or a file's path) with
    ``settings``."""

    texts: str
    settings: SAETrainingSettings


@dataclass(frozen=True)
class SuiteDataset:
    """One dataset of a suite: its name (unique in the suite), where it is read from, and how; and
    the dataset its probes are also tested on under covariate shift (``test_path``), if any."""

    name: str
    path: str
    options: DataOptions = field(default_factory=DataOptions)
    test_path: str | None = None
    key: str = ""  # where the suite file gives it, for messages: datasets[1]


@dataclass(frozen=True)
class SuiteUnit:
    """One sweep of a suite: a model on a dataset, with every SAE set of that model."""

    model: str
    dataset: SuiteDataset
    saes: dict[str, Any]

    def load_data(self) -> Any:
        """The unit's dataset (:class:`~saeprobe.ProbeDataset`), read as the suite says."""
        from ..data import load_dataset

        return load_dataset(self.dataset.path, options=self.dataset.options, name=self.dataset.name)

    def load_test_data(self) -> Any:
        """The dataset the unit's probes are also tested on (covariate shift), read with the same
        options; ``None`` when the suite gives none."""
        from ..data import load_dataset

        if self.dataset.test_path is None:
            return None
        return load_dataset(self.dataset.test_path, options=self.dataset.options)

    @property
    def sweep_saes(self) -> dict[str, Any] | None:
        """The SAE sets as :func:`saeprobe.sweep` takes them: ``None`` for raw probes only."""
        return self.saes or None

    @property
    def key(self) -> str:
        """``model/dataset``, with the model shortened to a file-safe name."""
        return f"{model_slug(self.model)}/{self.dataset.name}"


@dataclass(frozen=True)
class SuiteSpec:
    """A checked suite: models, SAE sets per model (``{model: {set name: spec | TrainedSet}}``),
    datasets and the sweep settings shared by every unit."""

    models: list[str]
    saes: dict[str, dict[str, Any]]
    datasets: list[SuiteDataset]
    settings: SweepSettings = field(default_factory=SweepSettings)
    source: str = "mapping"
    folder: Path = field(default_factory=Path.cwd)

    def units(self) -> list[SuiteUnit]:
        """Every (model, dataset) pair, models outermost (a model's units run back to back)."""
        return [
            SuiteUnit(model, dataset, self.saes.get(model, {})) for model in self.models for dataset in self.datasets
        ]

    def subset(self, names: Sequence[str] | None = None, first: int | None = None) -> SuiteSpec:
        """The suite on fewer datasets: those called ``names`` (a benchmark's ``NUMBER_TAG`` names
        may be given by their tag), then the first ``first`` of what is left. Raises
        :class:`SettingsError` naming any name the suite does not hold."""
        datasets = self.datasets
        if names is not None:
            wanted = [str(name).strip() for name in names if str(name).strip()]
            if not wanted:
                raise SettingsError("give at least one dataset name to run", option="datasets")
            by_name = {alias: d for d in datasets for alias in _aliases(d)}
            unknown = [name for name in wanted if name not in by_name]
            if unknown:
                close = difflib.get_close_matches(unknown[0], [d.name for d in datasets], n=3, cutoff=0.5)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise SettingsError(
                    f"the suite has no dataset {unknown[0]!r}{hint}; it has {len(datasets)}: "
                    f"{', '.join(d.name for d in datasets[:8])}{', ...' if len(datasets) > 8 else ''}",
                    option="datasets",
                )
            chosen = {by_name[name].name for name in wanted}
            datasets = [d for d in datasets if d.name in chosen]
        if first is not None:
            if not isinstance(first, int) or isinstance(first, bool) or first < 1:
                raise SettingsError(f"first={first!r} must be a whole number of at least 1", option="first")
            datasets = datasets[:first]
        return replace(self, datasets=datasets)

    def to_dict(self) -> dict[str, Any]:
        """The suite as a plain mapping (trained sets as their ``train`` mapping)."""

        def plain(spec: Any) -> Any:
            if isinstance(spec, TrainedSet):
                return {"train": spec.texts, **spec.settings.to_dict()}
            return spec

        return {
            "models": self.models,
            "saes": {model: {name: plain(spec) for name, spec in sets.items()} for model, sets in self.saes.items()},
            "datasets": [
                {
                    "name": d.name,
                    "path": d.path,
                    **({"test_path": d.test_path} if d.test_path is not None else {}),
                    **{k: v for k, v in d.options.to_dict().items() if v is not None},
                }
                for d in self.datasets
            ],
            "settings": self.settings.to_dict(),
        }


def load_suite(source: str | Path | Mapping[str, Any]) -> SuiteSpec:
    """A :class:`SuiteSpec` from a YAML (or JSON) file or a mapping. Raises
    :class:`SettingsError` naming the key for anything missing, unknown or malformed."""
    if isinstance(source, Mapping):
        return parse_suite(source, Path.cwd(), "mapping")
    path = Path(source).expanduser()
    if not path.is_file():
        raise SettingsError(f"suite file {str(path)!r} does not exist; give a YAML file as in docs/guides/suites.md")
    payload = read_suite_yaml(path)
    if not isinstance(payload, Mapping):
        raise SettingsError(f"suite file {str(path)!r} must hold a mapping with the keys {list(KEYS)}")
    return parse_suite(payload, path.resolve().parent, str(path))


def parse_suite(payload: Mapping[str, Any], folder: Path, source: str) -> SuiteSpec:
    """Check a suite mapping; relative dataset and SAE paths are read against ``folder``."""
    check_names(KEYS, dict(payload), "a suite")
    models = payload.get("models")
    if isinstance(models, str):
        models = [models]
    if not isinstance(models, list) or not models or not all(isinstance(m, str) and m.strip() for m in models):
        raise SettingsError("suite key 'models' must list at least one model specification, e.g. [minilm]")
    models = [_in_folder(m, folder) for m in models]
    for index, model in enumerate(models):
        if not re.sub(r"[\\/.]", "", model).strip():
            raise SettingsError(f"models[{index}] {model!r} names no model; give a model name or a model directory")
    if len({model_slug(m) for m in models}) != len(models):
        raise SettingsError(f"suite key 'models' names a model twice (or two with the same last name): {models}")
    datasets = _datasets(payload.get("datasets"), folder)
    given_settings = payload.get("settings") or {}
    if not isinstance(given_settings, Mapping):
        raise SettingsError(
            f"suite key 'settings' must map setting names to values, e.g. {{pooling: mean}}, not {given_settings!r}"
        )
    settings_payload = dict(given_settings)
    if "layers" in payload:
        if "layers" in settings_payload:
            raise SettingsError("give 'layers' once: at the top of the suite or in its settings, not both")
        settings_payload["layers"] = payload["layers"]
    settings = SweepSettings.from_dict(settings_payload)
    return SuiteSpec(models, _sae_sets(payload.get("saes"), models, folder), datasets, settings, source, folder)


def model_slug(model: str) -> str:
    """A file-safe name for a model specification: its last path part, other characters as ``-``."""
    last = [part for part in re.split(r"[\\/]", model.rstrip("/\\")) if part][-1]
    return file_safe(last)


def file_safe(name: str) -> str:
    """``name`` with every character but letters, digits, ``_``, ``.`` and ``-`` as ``-``."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)


def _aliases(dataset: SuiteDataset) -> set[str]:
    """What a subset may call a dataset: its name and a benchmark dataset's own name, each also by
    its tag (the name without its ``NUMBER_``)."""
    names = {dataset.name}
    if dataset.path.startswith("sae-probes:"):
        names.add(dataset.path.removeprefix("sae-probes:"))
    return names | {m["tag"] for name in names if (m := NUMBERED.match(name))}


def _in_folder(spec: str, folder: Path) -> str:
    """A model, dataset, SAE or text path of a suite read against the suite's ``folder`` (made
    absolute) when something of that name is there; anything else (a hub name, a built-in, an
    absolute path) as given."""
    local = folder / spec
    return str(local.resolve()) if local.exists() else spec


def _datasets(entries: Any, folder: Path) -> list[SuiteDataset]:
    if not isinstance(entries, list) or not entries:
        raise SettingsError("suite key 'datasets' must list at least one dataset: {name: NAME, path: FILE, ...}")
    found: list[SuiteDataset] = []
    names: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or "path" not in entry:
            raise SettingsError(f"datasets[{index}] must be a mapping with at least 'path' (and 'name')")
        check_names(DATASET_KEYS, dict(entry), f"datasets[{index}]")
        path = str(entry["path"])
        options = DataOptions.from_dict({k: v for k, v in entry.items() if k in DataOptions.names()})
        test_path = None if entry.get("test_path") is None else str(entry["test_path"])
        if path == EVERY_SAE_PROBES_DATASET:
            if "name" in entry:
                raise SettingsError(
                    f"datasets[{index}] stands for many datasets, each named as sae-probes names it; leave 'name' out"
                )
            if test_path not in (None, EVERY_SAE_PROBES_OOD_SET):
                raise SettingsError(
                    f"datasets[{index}] test_path: beside {EVERY_SAE_PROBES_DATASET!r} give only "
                    f"{EVERY_SAE_PROBES_OOD_SET!r} (each dataset's own out-of-distribution set)"
                )
            with_ood = _sae_probes_names(ood=True) if test_path else set()
            for name in _sae_probes_names():
                if file_safe(name) not in names:
                    names.add(file_safe(name))
                    ood = f"sae-probes-ood:{name}" if name in with_ood else None
                    found.append(
                        SuiteDataset(file_safe(name), f"sae-probes:{name}", options, ood, f"datasets[{index}] ({name})")
                    )
            continue
        if test_path is not None:
            test_path = _in_folder(test_path, folder)
        name = str(entry.get("name") or Path(path).stem)
        if not UNIT_NAME.match(name):
            raise SettingsError(
                f"datasets[{index}] name {name!r}: use letters, digits, '_', '.' or '-' (it names a file)"
            )
        if name in names:
            raise SettingsError(f"two datasets are named {name!r}; give each a name of its own")
        names.add(name)
        found.append(SuiteDataset(name, _in_folder(path, folder), options, test_path, f"datasets[{index}]"))
    return found


def _sae_probes_names(ood: bool = False) -> list[str]:
    """The names of sae-probes' binary datasets (with ``ood``, of those with an out-of-distribution
    set), from the installed package (its files unread)."""
    from ..data import benchmark_datasets

    try:
        return [dataset.name for dataset in benchmark_datasets() if not ood or dataset.ood_path is not None]
    except DataError as exc:
        raise SettingsError(f"{EVERY_SAE_PROBES_DATASET}: {exc}") from None


def _sae_sets(saes: Any, models: list[str], folder: Path) -> dict[str, dict[str, Any]]:
    """``{model: {set name: spec}}``: one mapping of sets for every model, or one per model."""
    if saes is None:
        return {}
    if not isinstance(saes, Mapping) or not saes:
        raise SettingsError("suite key 'saes' must map set names to SAE specifications, or models to such maps")
    if set(saes) <= set(models) and all(isinstance(v, Mapping) and "train" not in v for v in saes.values()):
        per_model = {model: dict(saes.get(model) or {}) for model in models}
    else:
        per_model = {model: dict(saes) for model in models}
    return {
        model: {name: _set_spec(name, spec, folder) for name, spec in sets.items()} for model, sets in per_model.items()
    }


def _set_spec(name: Any, spec: Any, folder: Path) -> Any:
    check_set_name(name)
    if isinstance(spec, Mapping):
        if "train" not in spec:
            raise SettingsError(
                f"SAE set {name!r}: a mapping must say what to train on, {{train: general}} or "
                "{train: texts.txt}, with SAE training settings beside it"
            )
        texts = str(spec["train"])
        texts = texts if texts == GENERAL_TEXT else _in_folder(texts, folder)
        settings = SAETrainingSettings.from_dict({k: v for k, v in spec.items() if k != "train"})
        return TrainedSet(texts, settings)
    if not isinstance(spec, str) or not spec.strip():
        raise SettingsError(f"SAE set {name!r} must be a release, a directory or {{train: ...}}, not {spec!r}")
    return _in_folder(spec, folder)
