"""The layer sweep: a plan made before any forward pass (what the cache holds, what is left), the
run that reads, encodes and probes what is left, and its result with tidy tables and a versioned
JSON form (``schema/``). Imports no torch at module level: a sweep answered from the cache loads
neither torch nor scikit-learn."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._plan import SweepPlan, cache_activations, check_class_sizes, check_top_ks, plan_activations, plan_sweep
    from ._result import READABLE_MAJORS, SCHEMA_PATH, SCHEMA_VERSION, SweepResult
    from ._run import SweepRun, sweep

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
