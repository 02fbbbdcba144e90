"""The extension application: configuration traits and the REST routes."""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from traitlets import Unicode

from .handlers import (
    JobHandler, JobReportHandler, JobResultHandler, JobsHandler, PluginsHandler, SaesHandler,
)
from .jobs import JobManager

API = r"/saeprobe/api"
JOB_ID = r"(?P<job_id>[^/]+)"


class SaeprobeServer(ExtensionApp):
    """REST backend for saeprobe front ends; the science runs in job processes, not here."""

    name = "saeprobe_server"
    results_dir = Unicode(
        "", config=True,
        help="Where jobs and their results live (default: $SAEPROBE_CACHE_DIR/server or ~/.cache/saeprobe/server).",
    )
    allowed_root = Unicode(
        "", config=True, help="Model, data and SAE paths must lie under this folder (default: the server's root_dir).",
    )

    def initialize_settings(self) -> None:
        cache = os.environ.get("SAEPROBE_CACHE_DIR") or str(Path.home() / ".cache" / "saeprobe")
        results = Path(self.results_dir or Path(cache) / "server").expanduser()
        root = Path(self.allowed_root or self.serverapp.root_dir).expanduser().resolve()
        self.settings["saeprobe_jobs"] = JobManager(results, root, cache_dir=Path(cache))

    def initialize_handlers(self) -> None:
        self.handlers.extend([
            (rf"{API}/plugins", PluginsHandler),
            (rf"{API}/saes", SaesHandler),
            (rf"{API}/sweeps", JobsHandler),
            (rf"{API}/sweeps/{JOB_ID}", JobHandler),
            (rf"{API}/sweeps/{JOB_ID}/result", JobResultHandler),
            (rf"{API}/sweeps/{JOB_ID}/report", JobReportHandler),
        ])
