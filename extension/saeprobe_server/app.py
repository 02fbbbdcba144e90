"""The extension application: configuration traits and the REST routes."""

from __future__ import annotations

from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import PeriodicCallback
from traitlets import Float, Int, Unicode

from saeprobe.store import default_cache_dir

from .handlers import (
    DataColumnsHandler,
    JobHandler,
    JobReportHandler,
    JobResultHandler,
    JobResumeHandler,
    JobsHandler,
    PluginsHandler,
    SaesHandler,
)
from .job_queue import JobManager

API = r"/saeprobe/api"
JOB_ID = r"(?P<job_id>[^/]+)"


class SaeprobeServer(ExtensionApp):
    """REST backend for saeprobe front ends; the science runs in job processes, not here."""

    name = "saeprobe_server"
    results_dir = Unicode(
        "",
        config=True,
        help="Where jobs and their results live (default: $SAEPROBE_CACHE_DIR/server or ~/.cache/saeprobe/server).",
    )
    allowed_root = Unicode(
        "",
        config=True,
        help="Model, data and SAE paths must lie under this folder (default: the server's root_dir).",
    )

    max_running_jobs = Int(1, config=True, help="How many sweep processes run at once; further jobs wait in a queue.")
    max_queued_jobs_per_user = Int(
        8, config=True, help="How many jobs one user may have waiting; more are refused (429)."
    )
    max_request_bytes = Int(65536, config=True, help="The largest request body accepted (larger ones get 413).")
    dispatch_interval_ms = Int(1000, config=True, help="How often ended jobs are reaped and queued ones started.")
    job_retention_days = Float(
        30.0,
        config=True,
        help="Finished jobs (done, failed, cancelled) are removed this many days after they ended, with their "
        "results and reports, so listings stay fast; 0 keeps them all.",
    )

    def initialize_settings(self) -> None:
        cache = default_cache_dir()
        results = Path(self.results_dir or cache / "server").expanduser()
        server_root = self.serverapp.root_dir if self.serverapp is not None else "."
        root = Path(self.allowed_root or server_root).expanduser().resolve()
        self.settings["saeprobe_jobs"] = JobManager(
            results,
            root,
            cache_dir=cache,
            max_running=self.max_running_jobs,
            max_queued_per_user=self.max_queued_jobs_per_user,
            retention_days=self.job_retention_days or None,
        )
        self.settings["saeprobe_max_request_bytes"] = self.max_request_bytes
        self._dispatcher: PeriodicCallback | None = None

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        # Jobs end while nobody asks: reap them and start queued ones on a timer as well.
        self._dispatcher = PeriodicCallback(self.settings["saeprobe_jobs"].dispatch, self.dispatch_interval_ms)
        self._dispatcher.start()

    async def stop_extension(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.stop()

    def initialize_handlers(self) -> None:
        self.handlers.extend(
            [
                (rf"{API}/plugins", PluginsHandler),
                (rf"{API}/saes", SaesHandler),
                (rf"{API}/data/columns", DataColumnsHandler),
                (rf"{API}/sweeps", JobsHandler),
                (rf"{API}/sweeps/{JOB_ID}", JobHandler),
                (rf"{API}/sweeps/{JOB_ID}/result", JobResultHandler),
                (rf"{API}/sweeps/{JOB_ID}/report", JobReportHandler),
                (rf"{API}/sweeps/{JOB_ID}/resume", JobResumeHandler),
            ]
        )
