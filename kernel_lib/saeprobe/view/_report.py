"""The offline report: one self-contained HTML file (bundled script, styles and result inline)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"


def _inline_json(payload: Any) -> str:
    # Inside <script>, "</script" ends the block and "<!--" or "<script" switch the parser into an
    # escaped state that can swallow the rest of the page; JSON may spell every "<" as \u003c.
    return json.dumps(payload, allow_nan=False).replace("<", "\\u003c")


def _bundle(name: str) -> str:
    path = STATIC / name
    if not path.is_file():
        raise FileNotFoundError(
            f"the widget bundle {path} is missing; build it with `npm ci && npm run build` in the project root"
        )
    return path.read_text(encoding="utf-8")


def report_html(result: dict[str, Any], selected_layer: int | None = None, title: str | None = None) -> str:
    """HTML text of a page that shows ``result`` (the sweep JSON) like the notebook widget, with no
    kernel, no network and no other file: it works opened from disk and inside an ``<iframe>``."""
    layers = [entry["layer"] for entry in result.get("layers", [])]
    state = {
        "result": result,
        "selected_layer": selected_layer if selected_layer is not None else (layers[0] if layers else 0),
        "progress": {},
    }
    model = result["model"].get("label") or result["model"]["name"].split("/")[-1]
    heading = title or f"saeprobe sweep: {model} on {result['dataset']['name']}"
    return _page(state, heading)


def suite_report_html(suite: dict[str, Any]) -> str:
    """HTML text of a page that shows a suite (its ``suite.json`` with every run's result under
    ``results``) like the suite widget: the heatmap, the mean curves and each dataset's sweep view."""
    state = {"suite": suite, **first_selection(suite)}
    models = sorted({run["model"].split("/")[-1] for run in suite["runs"]})
    datasets = sorted({run["dataset"] for run in suite["runs"]})
    return _page(state, f"saeprobe suite: {', '.join(models)} on {len(datasets)} datasets")


def first_selection(suite: dict[str, Any]) -> dict[str, Any]:
    """The run and layer a suite view opens on: the first run, its first layer."""
    if not suite["runs"]:
        return {"selected_run": "", "selected_layer": 0}
    run = suite["runs"][0]
    key = f"{run['model']}/{run['dataset']}"
    layers = [entry["layer"] for entry in suite["results"][key]["layers"]]
    return {"selected_run": key, "selected_layer": layers[0] if layers else 0}


def _page(state: dict[str, Any], heading: str) -> str:
    script = _bundle("report.js").replace("</script", "<\\/script")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(heading)}</title>\n"
        f"<style>\nbody {{ margin: 0; padding: 12px; }}\n{_bundle('widget.css')}\n</style>\n"
        "</head>\n<body>\n"
        f'<div id="saeprobe-root"></div>\n'
        f'<script type="application/json" id="saeprobe-state">{_inline_json(state)}</script>\n'
        f"<script>\n{script}\n</script>\n</body>\n</html>\n"
    )


def write_report(result: dict[str, Any], path: str | Path, selected_layer: int | None = None) -> Path:
    """Write :func:`report_html` of ``result`` to ``path``; returns the path."""
    return _write(report_html(result, selected_layer), path)


def write_suite_report(suite: dict[str, Any], path: str | Path) -> Path:
    """Write :func:`suite_report_html` of ``suite`` to ``path``; returns the path."""
    return _write(suite_report_html(suite), path)


def _write(page: str, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
