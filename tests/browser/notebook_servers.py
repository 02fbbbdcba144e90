"""Notebook servers on loopback for the browser tests: JupyterLab, Notebook 7 and marimo, each in
its own process with its own configuration folders, stopped when the test ends."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from patience import patience

AS_ROOT = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_notebook(path: Path, sources: list[str]) -> None:
    """An unexecuted notebook of code cells with a Python 3 kernel."""
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        for source in sources
    ]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook))


def jupyter_command(app: str, root: Path, port: int, token: str) -> list[str]:
    """The command line of a Jupyter server app (``jupyterlab`` or ``notebook``) serving ``root``."""
    command = [
        sys.executable,
        "-m",
        app,
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        *AS_ROOT,
    ]
    if app == "jupyterlab":
        command += [
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
    return command


@contextmanager
def serving(command: list[str], ready_url: str, scratch: Path, name: str) -> Iterator[Path]:
    """Run ``command`` until the block ends, once ``ready_url`` answers; yields its log file. A
    server that dies or does not answer within 90 s (stretched on a loaded machine) fails the test
    with the log's end."""
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(scratch / "config"),
        "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "workspaces"),
        "MARIMO_SKIP_UPDATE_CHECK": "1",
    }
    log_path = scratch / f"{name}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=scratch)
        deadline = time.monotonic() + patience(90)
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"{name} did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.5)
        try:
            yield log_path
        finally:
            server.terminate()
            try:
                server.wait(timeout=patience(20))
            except subprocess.TimeoutExpired:
                server.kill()
