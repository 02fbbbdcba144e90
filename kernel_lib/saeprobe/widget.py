"""The notebook widget: a thin anywidget class whose traits carry the sweep result JSON."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from .report import STATIC, report_html


class LayerSweepWidget(anywidget.AnyWidget):
    """Accuracy curves per layer, the explaining diagnostics, and the selected layer's details.

    ``result`` is a :class:`~saeprobe.SweepResult` or its JSON dict; ``selected_layer`` is synced
    both ways; ``progress`` (``stage``, ``done``, ``total``, ``message``) is shown while a sweep runs.
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

    def run(self, **sweep_arguments: Any):
        """Run :func:`saeprobe.sweep` with these arguments, drawing layers as they finish; returns the result."""
        from .layer_sweep import sweep

        def on_progress(stage: str, done: int, total: int) -> None:
            self.progress = {"stage": stage, "done": done, "total": total}

        def on_layer(partial: Any) -> None:
            self.result = partial.to_dict()

        result = sweep(**sweep_arguments, on_progress=on_progress, on_layer=on_layer)
        self.result = result.to_dict()
        self.progress = {}
        return result

    def _repr_mimebundle_(self, **kwargs: Any):
        # Saved notebooks (GitHub, nbviewer, a kernel-less reopen) still show the offline view.
        bundle = super()._repr_mimebundle_(**kwargs)
        if self.result and isinstance(bundle, tuple):
            data, metadata = bundle
            data["text/html"] = _iframe(report_html(self.result, self.selected_layer))
            return data, metadata
        return bundle


def _iframe(page: str) -> str:
    import html

    return f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:900px;border:0" title="saeprobe sweep"></iframe>'

