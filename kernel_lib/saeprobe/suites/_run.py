"""Suites: the same sweep over many datasets, models and SAE sets, run here or on a Ray cluster.

Each (model, dataset) pair is one unit: one sweep with every SAE set of that model, cached like any
sweep, so a rerun computes only what is missing and an interrupted suite resumes. Each finished
unit's result is written at once (``runs/<model>/<dataset>.json``); ``suite.json`` holds the runs
and the summary across datasets, ``suite.html`` the offline report.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from .. import __version__
from ..errors import SaeprobeError, SaeprobeWarning, SettingsError
from ..records import representation_name
from ..store import atomic_write, cache_root, dumps, make_writable_folder, write_json
from ._checks import check_datasets
from ._local import LocalRunner
from ._ray import RayRunner, import_ray
from ._spec import BUILTIN_SUITES, GENERAL_TEXT, SuiteSpec, SuiteUnit, TrainedSet, load_suite
from ._summary import SUMMARY_COLUMNS, summarize
from ._units import UnitRunner

SUITE_SCHEMA_VERSION = "1.0"
LOCK_FILE = ".suite.lock"
ENGINES = ("local", "ray")


@dataclass
class SuiteRun:
    """One finished unit: model, dataset, the result file (relative to the suite's folder) and what
    the unit cost (its sweep's timings); or, for a unit that failed, its ``error`` (no result)."""

    model: str
    dataset: str
    result: str
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None  # a unit that failed while running: its error, and no result


@dataclass
class SuiteResult:
    """What a suite wrote under ``out``: the engine used, one :class:`SuiteRun` per unit and the
    summary rows across datasets (see :func:`saeprobe.suites.summarize`)."""

    out: Path
    engine: str
    runs: list[SuiteRun]
    rows: list[dict[str, Any]]
    spec: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failed(self) -> list[SuiteRun]:
        """The units that failed while running, with their errors (the summary leaves them out)."""
        return [run for run in self.runs if run.error is not None]

    @property
    def summary(self) -> Any:
        """The summary as a tidy DataFrame: ``model, layer, representation, metric, mean, median,
        n_datasets, wins, ties, losses``."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=SUMMARY_COLUMNS)

    def result(self, dataset: str, model: str | None = None) -> Any:
        """The :class:`~saeprobe.SweepResult` of ``dataset`` (and ``model``, needed when the suite
        has several)."""
        from ..sweeps import SweepResult

        found = [
            run
            for run in self.runs
            if run.dataset == dataset and (model is None or run.model == model) and run.error is None
        ]
        if len(found) != 1:
            have = sorted({(run.model, run.dataset) for run in self.runs})
            raise SaeprobeError(f"no single run of dataset {dataset!r} (model {model!r}); the runs are {have}")
        return SweepResult.from_json(self.out / found[0].result)

    def to_dict(self) -> dict[str, Any]:
        """``suite.json``'s content."""
        return {
            "schema_version": SUITE_SCHEMA_VERSION,
            "saeprobe_version": __version__,
            "engine": self.engine,
            "spec": self.spec,
            "seconds": round(self.seconds, 3),
            "runs": [vars(run) for run in self.runs],
            "summary": self.rows,
        }

    def to_html(self, path: str | Path | None = None) -> Path:
        """Write the offline suite report (default ``<out>/suite.html``): the heatmap of datasets ×
        layers, the mean curves and every dataset's sweep view, with no kernel."""
        from ..view import write_suite_report

        return write_suite_report(self.view_state(), Path(path) if path else self.out / "suite.html")

    def view_state(self) -> dict[str, Any]:
        """The suite and every run's result, as the suite view reads them."""
        results = {
            f"{run.model}/{run.dataset}": json.loads((self.out / run.result).read_text(encoding="utf-8"))
            for run in self.runs
            if run.error is None
        }
        return {**self.to_dict(), "results": results}

    def show(self) -> Any:
        """The notebook widget of this suite (:class:`saeprobe.SuiteWidget`)."""
        from ..view import SuiteWidget

        return SuiteWidget(self)

    @classmethod
    def from_json(cls, path: str | Path) -> SuiteResult:
        """Read ``suite.json`` (or the folder holding it)."""
        path = Path(path)
        path = path / "suite.json" if path.is_dir() else path
        payload = json.loads(path.read_text(encoding="utf-8"))
        if str(payload.get("schema_version", "")).split(".")[0] != SUITE_SCHEMA_VERSION.split(".")[0]:
            raise SaeprobeError(
                f"{str(path)!r} is not a suite file this saeprobe reads (schema {SUITE_SCHEMA_VERSION})"
            )
        return cls(
            path.parent,
            payload["engine"],
            [SuiteRun(**run) for run in payload["runs"]],
            payload["summary"],
            payload.get("spec", {}),
            payload.get("seconds", 0.0),
        )


def suite(
    spec: str | Path | Mapping[str, Any] | SuiteSpec,
    out: str | Path,
    *,
    engine: str = "local",
    ray_address: str | None = None,
    gpus_per_worker: float | None = None,
    results_via: str = "auto",
    workers: int = 1,
    cache_dir: str | Path | None = None,
    progress: bool = True,
    on_unit: Callable[[SuiteUnit, dict[str, Any]], None] | None = None,
    datasets: Sequence[str] | None = None,
    first: int | None = None,
) -> SuiteResult:
    """Run a suite (a YAML file, a mapping, :class:`~saeprobe.suites.SuiteSpec`, or a built-in
    name such as ``"small"``) and write its results under ``out``.

    ``engine``: ``local`` (here, one unit after another; with ``workers`` above 1 a unit's layers
    are fitted by that many processes at once) or ``ray`` (extraction on Ray actors that
    keep each model loaded, ``gpus_per_worker`` GPUs each where the cluster has GPUs; probe fits as
    CPU tasks; ``ray_address`` as for ``ray.init``, default a local cluster or the one
    ``RAY_ADDRESS`` names; ``results_via``: ``cache`` when every node sees the cache folder,
    ``object_store`` when not, ``auto`` to check, see :class:`~saeprobe.suites.RayRunner`). Units share the
    cache (``cache_dir``; default ``$SAEPROBE_CACHE_DIR`` or ``~/.cache/saeprobe``): a rerun
    computes only what is missing. ``on_unit(unit, result)``
    hears each finished unit. ``datasets`` (names) and ``first`` (a count) run a subset of the
    suite's datasets (see :meth:`SuiteSpec.subset`). Results equal across engines. Raises
    :class:`SettingsError` for a bad suite or engine.
    """
    if engine not in ENGINES:
        raise SettingsError(f"engine {engine!r} is not one of {list(ENGINES)}; 'ray' needs pip install 'saeprobe[ray]'")
    if not isinstance(workers, int) or workers < 1:
        raise SettingsError(f"workers={workers!r} must be a whole number of at least 1", option="workers")
    spec = builtin_or_spec(spec)
    if datasets is not None or first is not None:
        spec = spec.subset(datasets, first)
    if engine == "ray":
        import_ray()  # a missing Ray stops the suite before any work, and before any folder is made
    check_datasets(spec)
    out = Path(out).expanduser()
    with _out_folder(out):
        started = time.perf_counter()
        cache_dir = _cache_folder(cache_dir)
        runner: UnitRunner
        if engine == "local":
            runner = LocalRunner(spec.settings, cache_dir, progress, workers)
        else:
            runner = RayRunner(spec.settings, cache_dir, ray_address, gpus_per_worker, progress, results_via)
        units = _with_trained_sets(spec, cache_dir, progress)
        order = {unit.key: index for index, unit in enumerate(units)}
        finished: list[tuple[int, SuiteRun, dict[str, Any] | None]] = []  # (place in the suite, run, scores)
        for unit, payload in runner(units):
            if "error" in payload:
                failure = SuiteRun(unit.model, unit.dataset.name, "", error=payload["error"])
                finished.append((order[unit.key], failure, None))
                continue
            relative = Path("runs") / f"{unit.key}.json"
            text = dumps(payload, indent=1).encode()
            atomic_write(out / relative, partial(_write_bytes, text))
            run = SuiteRun(unit.model, unit.dataset.name, relative.as_posix(), payload.get("timings", {}))
            scores = {
                "layers": [
                    {key: entry.get(key) for key in ("layer", "scores", "comparisons")} for entry in payload["layers"]
                ]
            }
            finished.append((order[unit.key], run, scores))
            if on_unit is not None:
                on_unit(unit, payload)
        finished.sort(key=lambda item: item[0])
        runs = [run for _, run, _ in finished]
        rows = summarize((run.model, run.dataset, scores) for _, run, scores in finished if scores)
        result = SuiteResult(out, runner.engine, runs, rows, spec.to_dict(), time.perf_counter() - started)
        write_json(out / "suite.json", result.to_dict())
        result.to_html()
    if result.failed:
        warnings.warn(
            f"{len(result.failed)} of the suite's {len(runs)} units failed; suite.json records their errors "
            f"({'; '.join(f'{run.model}/{run.dataset}: {run.error}' for run in result.failed[:3])})",
            SaeprobeWarning,
            stacklevel=2,
        )
    return result


@contextmanager
def _out_folder(out: Path) -> Iterator[None]:
    """Hold ``out`` for one suite: made if need be, checked writable before any work, and locked
    (where the system has ``fcntl``), so a second suite writing the same folder stops with a message
    instead of each overwriting the other's listing."""
    try:
        make_writable_folder(out / "runs")
        lock = (out / LOCK_FILE).open("a+")
    except OSError as exc:
        raise SettingsError(
            f"the suite's out folder {str(out)!r} cannot be written ({exc.strerror or exc}); give another with --out",
            option="out",
        ) from None
    with lock:
        try:
            import fcntl
        except ImportError:  # no advisory locks here (Windows): one suite per folder is up to the user
            yield
            return
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SettingsError(
                f"another suite is writing {str(out)!r} now; wait for it to finish, or give this one another --out",
                option="out",
            ) from None
        yield


def describe_suite(result: SuiteResult) -> str:
    """The text ``saeprobe suite`` prints: per model and layer, the mean test accuracy over datasets
    of raw and of each SAE set's code, with its win/tie/loss count against raw, the units that
    failed, then the files."""
    table = result.summary
    table = table[(table["metric"] == "test_accuracy")]
    sets = dict.fromkeys(name for model_sets in result.spec.get("saes", {}).values() for name in model_sets)
    codes = ["raw", *(representation_name("sae", name) for name in sets)]
    lines = [
        f"suite: {len(result.runs)} runs, engine {result.engine}, {result.seconds:.1f} s; mean test accuracy over "
        "datasets (wins/ties/losses against raw; a win or a loss only where the gap's interval excludes zero):"
    ]
    for model, rows in table.groupby("model", sort=False):
        lines.append(f"model {model}")
        cells: dict[int, dict[str, str]] = {}
        for row in rows[rows["representation"].isin(codes)].itertuples():
            note = "" if row.representation == "raw" else f" ({row.wins:.0f}/{row.ties:.0f}/{row.losses:.0f})"
            cells.setdefault(row.layer, {})[row.representation] = f"{row.mean:.3f}{note}"
        import pandas as pd

        shown = [c for c in codes if c in set(rows["representation"])]
        frame = pd.DataFrame.from_dict(cells, orient="index")[shown]
        frame.index.name = "layer"
        lines.append(frame.to_string())
    lines += [f"FAILED {run.model}/{run.dataset}: {run.error}" for run in result.failed]
    lines += [f"wrote {result.out / 'suite.json'}", f"wrote {result.out / 'suite.html'}"]
    return "\n".join(lines)


def builtin_or_spec(spec: str | Path | Mapping[str, Any] | SuiteSpec) -> SuiteSpec:
    """A checked spec: as given, read from a file, or the built-in suite of that name."""
    if isinstance(spec, SuiteSpec):
        return spec
    if isinstance(spec, str) and spec in BUILTIN_SUITES:
        return load_suite(BUILTIN_SUITES[spec])
    return load_suite(spec)


def _cache_folder(cache_dir: str | Path | None) -> Path:
    """The cache every unit shares; a suite needs one, since its units resume from it."""
    root = cache_root(cache_dir)
    if root is None:
        raise SettingsError(
            "a suite needs a cache (its units resume from it), and the cache folder cannot be "
            "written; give another with cache_dir (--cache-dir)"
        )
    return root.resolve()  # workers elsewhere (Ray) read it from another working directory


def _with_trained_sets(spec: SuiteSpec, cache_dir: Path, progress: bool) -> list[SuiteUnit]:
    """The units, with every SAE set saeprobe trains (``{train: ...}``) trained here (cached) and
    named by its directory."""
    trained: dict[tuple[str, TrainedSet], str] = {}
    units = []
    for unit in spec.units():
        saes = {}
        for name, set_spec in unit.saes.items():
            if isinstance(set_spec, TrainedSet):
                if (unit.model, set_spec) not in trained:
                    trained[unit.model, set_spec] = _train(unit.model, set_spec, spec, cache_dir, progress)
                set_spec = trained[unit.model, set_spec]
            saes[name] = set_spec
        units.append(SuiteUnit(unit.model, unit.dataset, saes))
    return units


def _train(model: str, trained: TrainedSet, spec: SuiteSpec, cache_dir: Path, progress: bool) -> str:
    from ..data import general_sentences, load_texts
    from ..sae import train_saes

    texts = general_sentences() if trained.texts == GENERAL_TEXT else load_texts(trained.texts)
    if not texts:
        raise SettingsError(f"no texts to train SAEs on in {trained.texts!r}; give a file of sentences")
    settings = spec.settings
    found = train_saes(
        model,
        texts,
        settings.layers,
        settings.hook,
        trained.settings,
        cache_dir=cache_dir,
        revision=settings.revision,
        device=settings.device,
        progress=progress,
    )
    return str(found.directory)


def _write_bytes(data: bytes, stream: BinaryIO) -> None:
    stream.write(data)
