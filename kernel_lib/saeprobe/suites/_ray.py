"""The Ray engine of a suite: extraction on actors that keep each model loaded (with GPUs where the
cluster has them), probe fits as CPU tasks, one per layer, fanned out over the cluster.

Results travel one of two ways (``results_via``):

- ``cache`` — every node sees the cache folder (one machine, or a shared file system): the actor
  writes activations there, each probe task writes its layer's result there, and the driver
  assembles the unit's result from the cache (no forward pass, no fit);
- ``object_store`` — the nodes share no folder: each unit runs as one task (extraction and fits)
  and its result comes back through Ray's object store.

``auto`` (the default) checks whether every node sees the cache folder and chooses. A task or
actor whose worker dies is retried; since every finished layer is in the cache, a retried unit
resumes where it stopped and its result equals an undisturbed run's.

Ray starts its workers with one thread each. SAE codes and probe fits run on one thread anyway (see
:mod:`saeprobe._threads`); the forward pass's sums depend on the thread count, so the extraction
actors compute with as many torch threads as the driver has: on the same machine the results equal
the local engine's exactly.
"""

from __future__ import annotations

import contextlib
import secrets
from functools import partial
from pathlib import Path
from typing import Any

from ..config import SweepSettings
from ..errors import SettingsError
from ._checks import run_or_record
from ._spec import SuiteUnit
from ._units import UnitResults, missing_layers, run_unit

RESULTS_VIA = ("auto", "cache", "object_store")
RETRIES = 3


def import_ray() -> Any:
    """Ray, or :class:`SettingsError` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise SettingsError("the ray engine needs Ray: pip install 'saeprobe[ray]' (or use engine='local')") from None
    return ray


class RayRunner:
    """The Ray engine (a :class:`~saeprobe.suites.UnitRunner`): runs suite units on Ray and yields
    ``(unit, result as a dict)`` as units finish. Connects to ``address`` (``None``: the cluster
    ``ray.init`` finds, or a new local one) unless Ray is initialised already, and disconnects only
    from a connection it made."""

    def __init__(
        self,
        settings: SweepSettings,
        cache_dir: Path,
        address: str | None = None,
        gpus_per_worker: float | None = None,
        progress: bool = True,
        results_via: str = "auto",
    ):
        if results_via not in RESULTS_VIA:
            raise SettingsError(f"results_via={results_via!r} is not one of {list(RESULTS_VIA)}")
        self.settings = settings.to_dict()
        self.cache_dir = str(cache_dir)
        self.address = address
        self.gpus_per_worker = gpus_per_worker
        self.progress = progress
        self.results_via = results_via
        self.used: str | None = None
        import torch

        self.threads = torch.get_num_threads()

    @property
    def engine(self) -> str:
        """``ray`` and how results travelled (``cache`` or ``object_store``), once it has run."""
        return f"ray ({self.used})" if self.used else "ray"

    def __call__(self, units: list[SuiteUnit]) -> UnitResults:
        ray = import_ray()
        connected_here = not ray.is_initialized()
        if connected_here:
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
        try:
            gpus = self.gpus_per_worker
            if gpus is None:
                gpus = 1 if ray.cluster_resources().get("GPU", 0) > 0 else 0
            self.used = self.results_via
            if self.used == "auto":
                self.used = "cache" if cache_seen_by_every_node(ray, Path(self.cache_dir)) else "object_store"
            if self.used == "cache":
                yield from self._through_cache(ray, units, gpus)
            else:
                yield from self._through_object_store(ray, units, gpus)
        finally:
            if connected_here:
                ray.shutdown()

    def _through_cache(self, ray: Any, units: list[SuiteUnit], gpus: float) -> UnitResults:
        # On a CPU-only cluster an actor holds a core while it lives: it is let go once its model's
        # forward passes are done, so the probe tasks get every core (a one-core cluster included).
        extractor = ray.remote(Extractor).options(
            num_cpus=0 if gpus else 1, num_gpus=gpus, max_restarts=RETRIES, max_task_retries=RETRIES
        )
        probe = ray.remote(probe_layers).options(num_cpus=1, num_gpus=0, max_retries=RETRIES)
        actors: dict[str, Any] = {}
        extractions: dict[Any, str] = {}
        pending: dict[int, list[Any]] = {}
        datasets = {}  # read once here, for the plan and for assembling the unit's result
        for index, unit in enumerate(units):
            datasets[index] = unit.load_data()
            todo = missing_layers(unit, datasets[index], self.settings, self.cache_dir)
            pending[index] = []
            if not todo:
                continue
            if unit.model not in actors:
                actors[unit.model] = extractor.remote()
            extracted = actors[unit.model].cache.remote(unit, self.settings, self.cache_dir, self.threads)
            extractions[extracted] = unit.model
            # On CPU workers: the settings' device (a GPU) is the extraction's, not the fits'.
            on_cpu = {**self.settings, "device": "cpu"}
            pending[index] = [probe.remote(extracted, unit, on_cpu, self.cache_dir, [layer]) for layer in todo]
        waiting = {ref: index for index, refs in pending.items() for ref in refs}
        ready = [index for index, refs in pending.items() if not refs]
        while ready or waiting or extractions:
            for index in ready:
                assembled = partial(self._assembled, ray, pending[index], units[index], datasets.pop(index))
                yield units[index], run_or_record(assembled)
            ready = []
            if not (extractions or waiting):
                break
            done, _ = ray.wait([*extractions, *waiting], num_returns=1)
            for ref in done:
                if ref in extractions:
                    model = extractions.pop(ref)
                    # An extraction's error, once its retries are spent, reaches its unit through
                    # the probe tasks that wait on it, and is recorded there.
                    with contextlib.suppress(Exception):
                        ray.get(ref)
                    if model not in extractions.values():
                        ray.kill(actors.pop(model))
                    continue
                index = waiting.pop(ref)
                if index not in waiting.values():
                    ready.append(index)

    def _assembled(self, ray: Any, probes: list[Any], unit: SuiteUnit, data: Any) -> dict[str, Any]:
        """A unit's result from the cache, once its probe tasks are done (raising the error of one
        that failed, once its retries are spent)."""
        ray.get(probes)
        return run_unit(unit, self.settings, self.cache_dir, self.progress, data=data)

    def _through_object_store(self, ray: Any, units: list[SuiteUnit], gpus: float) -> UnitResults:
        whole = ray.remote(whole_unit).options(num_cpus=1, num_gpus=gpus, max_retries=RETRIES)
        waiting = {whole.remote(unit, self.settings, self.threads): index for index, unit in enumerate(units)}
        while waiting:
            done, _ = ray.wait(list(waiting), num_returns=1)
            for ref in done:
                yield units[waiting.pop(ref)], run_or_record(partial(ray.get, ref))


class Extractor:
    """A Ray actor that keeps the model loaded and fills the cache with a unit's activations."""

    def cache(self, unit: SuiteUnit, settings: dict[str, Any], cache_dir: str, threads: int) -> int:
        from ..sweeps import cache_activations

        _use_threads(threads)
        data = unit.load_data()
        return cache_activations(
            unit.model,
            unit.sweep_saes,
            data,
            settings=SweepSettings.from_dict(settings),
            cache_dir=cache_dir,
            progress=False,
            test_data=unit.load_test_data(),
        )


def probe_layers(extracted: int, unit: SuiteUnit, settings: dict[str, Any], cache_dir: str, layers: list[int]) -> int:
    """A Ray task: fit the probes of ``layers`` from the cached activations (``extracted`` is the
    extraction's forward-batch count, passed so the task waits for it); the layer results go to
    the cache. Returns how many layers it fitted."""
    run_unit(unit, settings, cache_dir, layers=layers)
    return len(layers)


def whole_unit(unit: SuiteUnit, settings: dict[str, Any], threads: int) -> dict[str, Any]:
    """A Ray task: the whole unit on one worker (``threads`` torch threads), in that worker's own
    cache; the result returns through the object store."""
    _use_threads(threads)
    return run_unit(unit, {**settings, "threads": 1}, None)  # the task holds one CPU: its layers one by one


def _use_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


def cache_seen_by_every_node(ray: Any, folder: Path) -> bool:
    """Whether a file written here into ``folder`` is read back on every alive node of the cluster."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    marker = folder / f".ray-shared-{secrets.token_hex(8)}"
    marker.write_text(marker.name, encoding="utf-8")
    try:
        check = ray.remote(_reads)
        nodes = [node["NodeID"] for node in ray.nodes() if node.get("Alive")]
        refs = [
            check.options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)).remote(
                str(marker)
            )
            for node in nodes
        ]
        return all(ray.get(refs))
    finally:
        marker.unlink(missing_ok=True)


def _reads(path: str) -> bool:
    marker = Path(path)
    return marker.is_file() and marker.read_text(encoding="utf-8") == marker.name
