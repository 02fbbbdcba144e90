"""The local engine: a suite's units one after another on this machine."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from ..config import SweepSettings
from ._checks import run_or_record
from ._spec import SuiteUnit
from ._units import UnitResults, missing_layers, run_unit


class LocalRunner:
    """Runs units one after another. With several ``workers``, a unit's forward pass runs here (the
    model stays loaded) and its layers are fitted by a pool of processes reading the cache, then the
    unit is assembled from the cache: the same results, as the Ray engine's. A unit that fails is
    yielded as its error (see :func:`~saeprobe.suites._checks.unit_failure`) and the rest run."""

    engine = "local"

    def __init__(self, settings: SweepSettings, cache_dir: Path, progress: bool = True, workers: int = 1):
        self.settings = settings
        self.cache_dir = cache_dir
        self.progress = progress
        self.workers = workers

    def __call__(self, units: list[SuiteUnit]) -> UnitResults:
        settings, cache = self.settings.to_dict(), str(self.cache_dir)
        if self.workers == 1:
            for unit in units:
                yield unit, run_or_record(partial(run_unit, unit, settings, cache, self.progress))
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=spawn) as pool:
            for unit in units:
                yield unit, run_or_record(partial(self._in_processes, pool, unit, settings, cache))

    def _in_processes(self, pool: Any, unit: SuiteUnit, settings: dict[str, Any], cache: str) -> dict[str, Any]:
        """One unit: its forward pass here, its missing layers fitted by the pool, then assembled."""
        from ..sweeps import cache_activations

        data = unit.load_data()
        todo = missing_layers(unit, data, settings, cache)
        if todo:
            cache_activations(
                unit.model,
                unit.sweep_saes,
                data,
                settings=self.settings,
                cache_dir=self.cache_dir,
                progress=self.progress,
                test_data=unit.load_test_data(),
            )
            n = len(todo)
            list(pool.map(run_unit, [unit] * n, [settings] * n, [cache] * n, [False] * n, [[layer] for layer in todo]))
        return run_unit(unit, settings, cache, self.progress, data=data)
