"""The notebook widget: a thin anywidget class whose traits carry the sweep result JSON."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from ._report import STATIC, first_selection, report_html, suite_report_html


class LayerSweepWidget(anywidget.AnyWidget):
    """Accuracy curves per layer, the explaining diagnostics, and the selected layer's details.

    ``result`` is a :class:`~saeprobe.SweepResult` or its JSON dict; ``selected_layer`` is synced
    both ways; ``progress`` (``stage``, ``done``, ``total``, ``message``) is shown while a sweep runs.
    A running sweep feeds it through its callbacks (:meth:`on_progress`, :meth:`on_layer`); the
    widget never starts one itself.
    """

    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"
    result = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    selected_layer = traitlets.Int(0).tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)

    def __init__(self, result: Any = None, selected_layer: int | None = None, **kwargs: Any):
        payload = result.to_dict() if hasattr(result, "to_dict") else result
        if selected_layer is None:
            selected_layer = payload["layers"][0]["layer"] if payload and payload.get("layers") else 0
        super().__init__(result=payload, selected_layer=selected_layer, **kwargs)

    def on_progress(self, stage: str, done: int, total: int) -> None:
        """A sweep's progress callback: shows the stage and its count (cleared when the last layer
        is probed). Pass it as ``saeprobe.sweep(..., on_progress=widget.on_progress)``."""
        finished = stage == "probe fits" and done == total
        self.progress = {} if finished else {"stage": stage, "done": done, "total": total}

    def on_layer(self, partial: Any) -> None:
        """A sweep's per-layer callback: draws the result so far. Pass it as
        ``saeprobe.sweep(..., on_layer=widget.on_layer)``."""
        self.result = partial.to_dict()

    def _repr_mimebundle_(self, **kwargs: Any):
        # Saved notebooks (GitHub, nbviewer, a kernel-less reopen) still show the offline view.
        bundle = super()._repr_mimebundle_(**kwargs)
        if self.result and isinstance(bundle, tuple):
            data, metadata = bundle
            data["text/html"] = _iframe(report_html(self.result, self.selected_layer))
            return data, metadata
        return bundle


class SuiteWidget(anywidget.AnyWidget):
    """A suite's view: the heatmap of datasets × layers (raw − SAE test accuracy per SAE set), the
    mean curves across datasets, and the sweep view of the clicked (dataset, layer).

    ``suite`` is a :class:`~saeprobe.SuiteResult` or its view state; ``selected_run``
    (``model/dataset``) and ``selected_layer`` are synced both ways.
    """

    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"
    suite = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    selected_run = traitlets.Unicode("").tag(sync=True)
    selected_layer = traitlets.Int(0).tag(sync=True)

    def __init__(self, suite: Any = None, **kwargs: Any):
        payload = suite.view_state() if hasattr(suite, "view_state") else suite
        super().__init__(suite=payload, **{**(first_selection(payload) if payload else {}), **kwargs})

    def _repr_mimebundle_(self, **kwargs: Any):
        bundle = super()._repr_mimebundle_(**kwargs)
        if self.suite and isinstance(bundle, tuple):
            data, metadata = bundle
            data["text/html"] = _iframe(suite_report_html(self.suite))
            return data, metadata
        return bundle


def _iframe(page: str) -> str:
    import html

    # 900px until the page's script, where one runs, fits the frame to its content as it changes.
    style = "width:100%;height:900px;border:0"
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" style="{style}" title="saeprobe sweep" '
        "data-saeprobe-autosize></iframe>"
    )
