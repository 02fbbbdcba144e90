"""Suites: the same sweep over many datasets, models and SAE sets, from a YAML file or a mapping,
run unit by unit here or on a Ray cluster (one runner protocol, the same results), with a summary
across datasets. Imports no torch at module level."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._local import LocalRunner
    from ._ray import RESULTS_VIA, RayRunner, cache_seen_by_every_node, import_ray
    from ._run import ENGINES, SUITE_SCHEMA_VERSION, SuiteResult, SuiteRun, builtin_or_spec, describe_suite, suite
    from ._spec import (
        BUILTIN_SUITE_NAMES,
        BUILTIN_SUITES,
        GENERAL_TEXT,
        SuiteDataset,
        SuiteSpec,
        SuiteUnit,
        TrainedSet,
        load_suite,
        model_slug,
        parse_suite,
    )
    from ._summary import METRICS, SUMMARY_COLUMNS, summarize
    from ._units import UnitRunner, missing_layers, run_unit

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
