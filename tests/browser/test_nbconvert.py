"""An executed notebook exported with ``jupyter nbconvert --to html`` keeps the interactive offline
view: the layer buttons work in the exported page, with no kernel and no network."""

from __future__ import annotations

import subprocess
import sys

import pytest

from patience import patience, patience_ms

pytestmark = pytest.mark.browser


def test_the_exported_page_keeps_working_layer_buttons(tiny_result, tmp_path, page, artifacts):
    import nbformat
    from nbclient import NotebookClient

    tiny_result.to_json(tmp_path / "result.json")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import saeprobe\nsaeprobe.SweepResult.from_json('result.json').show(selected_layer=1)"
        )
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    # Executed as a notebook front end saves it: JupyterLab and Notebook 7 keep no widget state
    # unless asked to, so nbconvert shows each widget's own HTML view.
    NotebookClient(
        notebook,
        timeout=int(patience(300)),
        kernel_name="python3",
        store_widget_state=False,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    nbformat.write(notebook, tmp_path / "sweep.ipynb")
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(tmp_path / "sweep.ipynb")],
        check=True,
        capture_output=True,
        timeout=patience(300),
    )
    page.goto((tmp_path / "sweep.html").as_uri())
    view = page.frame_locator("iframe[title='saeprobe sweep']")
    view.get_by_role("region", name="Layer 1 details").wait_for(timeout=patience_ms(30_000))
    view.get_by_role("button", name="Layer 2", exact=True).click()
    region = view.get_by_role("region", name="Layer 2 details")
    region.wait_for()
    assert tiny_result.layers[2].diagnosis["sae"].text in region.inner_text()
    # The frame grows to its page: nothing is cut off, and no scroll bar inside the notebook.
    frame = page.locator("iframe[title='saeprobe sweep']")
    page.wait_for_function(
        "f => f.contentDocument && Math.abs(f.getBoundingClientRect().height"
        " - f.contentDocument.documentElement.scrollHeight) <= 8",
        arg=frame.element_handle(),
        timeout=patience_ms(30_000),
    )
    assert frame.bounding_box()["height"] > 900
    page.screenshot(path=str(artifacts / "nbconvert-layer2.png"), full_page=True)
