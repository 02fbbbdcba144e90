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


def test_a_jobs_command_line_reads_back_as_its_parameters():
    """The panel's "copy command line": the CLI parses it to the same sources and settings."""
    import shlex

    from saeprobe.app import cli_line, validate_params
    from saeprobe.app._cli import build_parser
    from saeprobe.config import DataOptions, SweepSettings, from_arguments

    params = validate_params(
        {
            "model": "/work/models/tiny",
            "data": "/work/data/my reviews.csv",
            "saes": {"task": "/work/saes/task", "wide": "/work/saes/wide"},
            "layers": "0-5:2",
            "template": "Review: {text}\nSentiment:",
            "exclude_bos": False,
            "top_ks": [1, 5],
            "text_column": "review",
        }
    )
    line = cli_line({**params, "allowed_root": "/work"})
    assert line.startswith("saeprobe sweep --model /work/models/tiny --data '/work/data/my reviews.csv' ")
    assert "allowed_root" not in line and "\n" not in line
    args = build_parser().parse_args(shlex.split(line)[1:])
    assert (args.model, args.data, args.saes) == (
        params["model"],
        params["data"],
        ["task=/work/saes/task", "wide=/work/saes/wide"],
    )
    args.template = args.template.replace("\\n", "\n")
    settings, options = from_arguments(SweepSettings, args), from_arguments(DataOptions, args)
    assert settings.layers == "0-5:2" and settings.exclude_bos is False and tuple(settings.top_ks) == (1, 5)
    assert options.template == "Review: {text}\nSentiment:" and options.text_column == "review"
