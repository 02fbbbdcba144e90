"""What a person looks at: the notebook widgets (thin anywidget classes over the bundled front end
in ``static/``), the offline HTML reports that work with no kernel, and the chart as a standalone
SVG. Imports no torch."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._report import (
        STATIC,
        first_selection,
        report_html,
        suite_report_html,
        write_report,
        write_suite_report,
    )
    from ._svg import accuracy_svg
    from ._widget import LayerSweepWidget, SuiteWidget

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
