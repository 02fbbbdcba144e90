"""Job processes as the server sees them: a process that ended is not running, even unreaped."""

import os
import subprocess
import sys
import time

import pytest

from saeprobe.app import process_start


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc (Linux)")
def test_an_ended_process_that_nobody_reaped_has_no_start_time():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    assert process_start(os.getpid()) is not None
    deadline = time.monotonic() + 120
    # Not waited for: once it exits it stays a zombie, as a job does whose server died.
    while process_start(child.pid) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_start(child.pid) is None
    assert child.poll() == 0  # reaped now; it had ended all along
