"""Timeouts that hold on a loaded machine. A test's wait is a base allowance (what an idle 2-core
machine needs, with room to spare) stretched by the load the machine carries when the wait
starts (the 1-minute load average per core, when above 1) and by ``SAEPROBE_TEST_PATIENCE`` (a
factor, default 1, for machines known to be slow)."""

from __future__ import annotations

import os


def stretch() -> float:
    """The factor every wait is multiplied by now."""
    factor = float(os.environ.get("SAEPROBE_TEST_PATIENCE", "1"))
    try:
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:  # no load average on this platform
        load = 1.0
    return factor * max(1.0, load)


def patience(seconds: float) -> float:
    """``seconds`` of waiting on an idle machine, stretched for this one (see the module)."""
    return seconds * stretch()


def patience_ms(milliseconds: float) -> float:
    """:func:`patience` in milliseconds, as Playwright's waits take them."""
    return milliseconds * stretch()
