"""What a run can be told, declared once: the sweep's settings, how a table is read, how SAEs are
trained, the option machinery that derives keywords, flags, JSON Schema and cache-key groups from
those declarations, and layer specifications. Imports no torch."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._constraints import Constraint, Contains, Each, Interval, NotBlank, OneOf, Pattern, Rule
    from ._layers import check_layer_spec, hook_name, parse_layers, split_hook_name
    from ._options import (
        Options,
        add_arguments,
        check_names,
        flag_of,
        flags,
        from_arguments,
        json_schema,
        option,
    )
    from ._settings import (
        ARCHITECTURES,
        BASELINES,
        CODE_POOLINGS,
        CODES,
        CONTROLS,
        DEFAULT_CS,
        DEFAULT_TOP_KS,
        DIAGNOSTICS,
        EXTRACTION,
        POOLINGS,
        PROBES,
        PROCESSINGS,
        REGIMES,
        RESULT_GROUPS,
        RUN,
        TARGET,
        TEXT_SLOT,
        DataOptions,
        SAETrainingSettings,
        SweepSettings,
        settings_with,
        template_problem,
    )

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
