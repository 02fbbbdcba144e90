"""The widget inside real JupyterLab and Notebook 7 servers on loopback: show a stored result,
click a layer, read the selection back in the kernel."""

from __future__ import annotations

import secrets

import pytest
from notebook_servers import free_port, jupyter_command, serving, write_notebook

from patience import patience_ms

pytestmark = pytest.mark.browser

CELLS = [
    "import saeprobe\nwidget = saeprobe.SweepResult.from_json('result.json').show()\nwidget",
    "print('SELECTED', widget.selected_layer)",
]


# Each front end: the server app's module and the page of the notebook.
FRONT_ENDS = {"jupyterlab": "lab/tree/sweep.ipynb", "notebook": "notebooks/sweep.ipynb"}


@pytest.fixture(params=sorted(FRONT_ENDS))
def lab(request, tmp_path, tiny_result):
    root = tmp_path / "notebooks"
    root.mkdir()
    tiny_result.to_json(root / "result.json")
    write_notebook(root / "sweep.ipynb", CELLS)
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    app = request.param
    with serving(jupyter_command(app, root, port, token), f"{base}/api/status?token={token}", tmp_path, app) as log:
        yield app, f"{base}/{FRONT_ENDS[app]}?token={token}", log


def test_click_a_layer_and_read_selected_layer_in_the_kernel(lab, page, artifacts):
    app, url, log = lab
    try:
        run_notebook(page, url, app, artifacts)
    except Exception:
        page.screenshot(path=str(artifacts / f"{app}-failure.png"), full_page=True)
        print(log.read_text()[-4000:])
        raise


def run_cell(page, cell) -> None:
    """Run one cell; press again if the key went nowhere (the page may still be settling)."""
    prompt = cell.locator(".jp-InputPrompt")
    for _ in range(5):
        cell.locator(".cm-content").click()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(
                "el => /\\[(\\*|\\d+)\\]/.test(el.textContent)",
                arg=prompt.element_handle(),
                timeout=patience_ms(10_000),
            )
            return
        except Exception:
            continue
    raise AssertionError("the cell never started running")


def run_notebook(page, url, app, artifacts):
    page.goto(url)
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.nth(1).wait_for(timeout=patience_ms(90_000))
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=patience_ms(90_000))
    run_cell(page, cells.nth(0))
    layer_two = page.get_by_role("button", name="Layer 2", exact=True)
    layer_two.wait_for(timeout=patience_ms(120_000))
    layer_two.click()
    page.get_by_role("region", name="Layer 2 details").wait_for()
    page.screenshot(path=str(artifacts / f"{app}-widget-layer2.png"), full_page=True)
    run_cell(page, cells.nth(1))
    output = cells.nth(1).locator(".jp-OutputArea-output")
    output.wait_for(timeout=patience_ms(60_000))
    assert output.inner_text().strip() == "SELECTED 2"
