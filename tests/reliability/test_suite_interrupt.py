"""Ctrl-C on a running suite: one line saying what was kept, exit status 130, no traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from builders import write_tiny_suite
from patience import patience

pytestmark = pytest.mark.integration


def test_ctrl_c_on_a_suite_says_what_was_kept_in_one_line_and_exits_130(tiny_model_dir, sae_dir, tmp_path):
    suite = write_tiny_suite(tmp_path, tiny_model_dir, {"task": sae_dir})
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "saeprobe", "suite", str(suite), "--out", str(tmp_path / "out")]
    process = subprocess.Popen(
        [*command, "--cache-dir", str(cache), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 600
    # The cache folder appears when the first sweep starts: the suite is at work.
    while not cache.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, f"the suite ended before it could be interrupted: {process.communicate()}"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=patience(600))
    assert process.returncode == 130, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("saeprobe: interrupted; what suite finished is kept")
    assert "run the same command again" in last
