"""The widget inside a real JupyterLab on loopback: show a stored result, click a layer, read it back."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CELLS = [
    "import saeprobe\nwidget = saeprobe.SweepResult.from_json('result.json').show()\nwidget",
    "print('SELECTED', widget.selected_layer)",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_notebook(path: Path) -> None:
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source} for source in CELLS]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook))


@pytest.fixture
def lab(tmp_path, tiny_result):
    root = tmp_path / "notebooks"
    root.mkdir()
    tiny_result.to_json(root / "result.json")
    write_notebook(root / "sweep.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly",
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {(tmp_path / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield base, token, tmp_path / "lab.log"
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def test_click_a_layer_and_read_selected_layer_in_the_kernel(lab, page, artifacts):
    base, token, log = lab
    try:
        run_notebook(page, base, token, artifacts)
    except Exception:
        page.screenshot(path=str(artifacts / "jupyterlab-failure.png"), full_page=True)
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
                "el => /\\[(\\*|\\d+)\\]/.test(el.textContent)", arg=prompt.element_handle(), timeout=10_000
            )
            return
        except Exception:
            continue
    raise AssertionError("the cell never started running")


def run_notebook(page, base, token, artifacts):
    page.goto(f"{base}/lab/tree/sweep.ipynb?token={token}")
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.nth(1).wait_for(timeout=90_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=90_000)
    run_cell(page, cells.nth(0))
    layer_two = page.get_by_role("button", name="Layer 2", exact=True)
    layer_two.wait_for(timeout=120_000)
    layer_two.click()
    page.get_by_role("region", name="Layer 2 details").wait_for()
    page.screenshot(path=str(artifacts / "jupyterlab-widget-layer2.png"), full_page=True)
    run_cell(page, cells.nth(1))
    output = cells.nth(1).locator(".jp-OutputArea-output")
    output.wait_for(timeout=60_000)
    assert output.inner_text().strip() == "SELECTED 2"
