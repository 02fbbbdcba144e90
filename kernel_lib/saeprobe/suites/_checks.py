"""What a suite checks before any work, and how a unit that fails while running is recorded: every
dataset read (files, columns, classes) with all the problems reported at once under the suite's
own keys, and a failed unit kept as its error so the other units still run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import SaeprobeError, SettingsError
from ._spec import SuiteSpec


def check_datasets(spec: SuiteSpec) -> None:
    """Read every dataset of ``spec`` (and its covariate-shift test set) as its units will, and check
    its classes against the ``min_class_size`` setting. Raises :class:`SettingsError` listing every
    problem, each under the suite's key (``datasets[1].text_column``), before any unit runs."""
    from ..data import load_dataset
    from ..sweeps import check_class_sizes

    problems = []
    for dataset in spec.datasets:
        key = dataset.key or f"dataset {dataset.name!r}"
        for field, path in (("path", dataset.path), ("test_path", dataset.test_path)):
            if path is None:
                continue
            try:
                data = load_dataset(path, options=dataset.options, name=dataset.name)
                if field == "path":
                    check_class_sizes(data, spec.settings.min_class_size)
            except SaeprobeError as exc:
                where = exc.option if exc.option and exc.option != "min_class_size" else field
                fix = f"settings.{exc.option}" if exc.option == "min_class_size" else f"{key}.{where}"
                problems.append(f"{key}.{where}: {exc.render(fix)}")
    if problems:
        raise SettingsError(
            f"{len(problems)} of the suite's datasets cannot be probed; nothing ran:\n  " + "\n  ".join(problems)
        )


def run_or_record(run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A unit's result from ``run``, or the record of its failure (see :func:`unit_failure`): the
    engines run every unit through this, so one failure never stops the others."""
    try:
        return run()
    except Exception as exc:  # any failure of one unit, a bug included, is that unit's to report
        return unit_failure(exc)


def unit_failure(error: BaseException) -> dict[str, Any]:
    """The record of a unit that failed while running (a Ray task's error read through to its
    cause), kept in ``suite.json`` in place of its result."""
    cause = getattr(error, "cause", None) or error
    return {"error": f"{type(cause).__name__}: {cause}"}
