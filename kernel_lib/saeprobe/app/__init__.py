"""The ways in: the ``saeprobe`` command line, the runner of a background sweep job (which the
Jupyter server extension starts in a process of its own) and the offline demo. Imports no torch
at module level, so ``saeprobe --help`` and the server start fast."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._cli import build_parser, main
    from ._demo import DEMO_SETTINGS, DEMO_TOP_KS, DemoResult, DemoSetting, describe, run_demo
    from ._jobs import (
        PARAMS_FILE,
        SOURCES,
        STATUS_FILE,
        cli_line,
        process_start,
        read_status,
        run_job,
        update_status,
        validate_params,
    )

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
