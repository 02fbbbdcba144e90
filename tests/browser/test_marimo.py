"""The widget in a real marimo app on loopback (``mo.ui.anywidget``): click a layer, and the cell that
reads the widget's value runs again with the selection."""

from __future__ import annotations

import sys

import pytest
from notebook_servers import free_port, serving

from patience import patience_ms

pytestmark = pytest.mark.browser

APP = """import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo
    import saeprobe
    return mo, saeprobe


@app.cell
def _(mo, saeprobe):
    widget = mo.ui.anywidget(saeprobe.SweepResult.from_json("result.json").show())
    widget
    return (widget,)


@app.cell
def _(mo, widget):
    mo.md(f"SELECTED {widget.value['selected_layer']}")
    return


if __name__ == "__main__":
    app.run()
"""


def test_click_a_layer_and_the_marimo_cell_reads_it(tiny_result, tmp_path, page, artifacts):
    pytest.importorskip("marimo", reason="marimo is needed for this test: pip install marimo")
    tiny_result.to_json(tmp_path / "result.json")
    (tmp_path / "sweep_app.py").write_text(APP)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "marimo",
        "run",
        "sweep_app.py",
        "--headless",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-token",
    ]
    with serving(command, f"http://127.0.0.1:{port}/health", tmp_path, "marimo") as log:
        try:
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_text("SELECTED 0").wait_for(timeout=patience_ms(120_000))
            page.get_by_role("button", name="Layer 2", exact=True).click()
            page.get_by_role("region", name="Layer 2 details").wait_for()
            page.get_by_text("SELECTED 2").wait_for(timeout=patience_ms(60_000))
            page.screenshot(path=str(artifacts / "marimo-widget-layer2.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(artifacts / "marimo-failure.png"), full_page=True)
            print(log.read_text()[-4000:])
            raise
