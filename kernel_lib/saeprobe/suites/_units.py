"""A suite's unit of work, one sweep of a model on a dataset, and the protocol of the engines that
run units (here, or on Ray). Every engine runs a unit through :func:`run_unit`, so their results
are the same."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from ..config import SweepSettings
from ._spec import SuiteUnit

UnitResults = Iterator[tuple[SuiteUnit, dict[str, Any]]]


class UnitRunner(Protocol):
    """An engine: called with the suite's units, it yields ``(unit, result as a dict)`` as each
    unit finishes, in any order; ``engine`` names how they ran, as ``suite.json`` records it."""

    @property
    def engine(self) -> str: ...

    def __call__(self, units: list[SuiteUnit]) -> UnitResults: ...


def missing_layers(unit: SuiteUnit, data: Any, settings: dict[str, Any], cache_dir: str) -> list[int]:
    """The layers of ``unit`` (its dataset ``data`` read) whose results the cache lacks."""
    from ..sweeps import plan_sweep

    plan = plan_sweep(
        unit.model,
        unit.sweep_saes,
        data,
        settings=SweepSettings.from_dict(settings),
        cache_dir=cache_dir,
        load_saes=False,
        test_data=unit.load_test_data(),
    )
    return plan.todo


def run_unit(
    unit: SuiteUnit,
    settings: dict[str, Any],
    cache_dir: str | None,
    progress: bool = False,
    layers: list[int] | None = None,
    data: Any = None,
) -> dict[str, Any]:
    """One unit's sweep (only ``layers`` when given), its result as a dict; used by every engine.
    ``data`` is the unit's dataset when the caller has read it already."""
    from ..sweeps import sweep

    chosen = SweepSettings.from_dict(settings)
    if layers is not None:  # one of many tasks side by side: its layers one after another
        chosen = chosen.replace(layers=",".join(map(str, layers)), threads=1)
    data = unit.load_data() if data is None else data
    return sweep(
        unit.model,
        unit.sweep_saes,
        data,
        settings=chosen,
        cache_dir=cache_dir,
        progress=progress,
        test_data=unit.load_test_data(),
    ).to_dict()
