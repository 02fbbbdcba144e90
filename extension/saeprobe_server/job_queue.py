"""The server's queue of sweep jobs, kept on disk: validate parameters, start each sweep in a process
of its own (``python -m saeprobe job DIR``), report its state."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from saeprobe.app import PARAMS_FILE, cli_line, process_start, read_status, update_status, validate_params
from saeprobe.store import read_json, write_json

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
ENDED_STATES = ("done", "failed", "cancelled")
PROC_STAT = Path("/proc/self/stat")  # where it exists, /proc tells whether a process lives
PATH_PARAMETERS = ("model", "data", "saes")
SUMMARY_FIELDS = ("id", "state", "queue_position", "progress", "created", "started", "finished", "resumable", "owner")
# Values with these endings name files; anything else that is not under the root may be a plugin's name.
FILE_SUFFIXES = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json", ".txt", ".gguf", ".safetensors")


class QueueFull(Exception):
    """A user already has as many queued jobs as the server allows."""


class JobManager:
    """The jobs under ``results/jobs``; paths in parameters must lie under ``root``.

    At most ``max_running`` sweep processes run at once; further jobs wait in a queue, in the order
    they came, and start as running ones end (:meth:`dispatch`). Each user may have at most
    ``max_queued_per_user`` jobs waiting.
    """

    def __init__(
        self,
        results: Path,
        root: Path,
        cache_dir: Path,
        max_running: int = 1,
        max_queued_per_user: int = 8,
        retention_days: float | None = None,
    ):
        if max_running < 1 or max_queued_per_user < 1:
            raise ValueError("max_running and max_queued_per_user must be at least 1")
        if retention_days is not None and not retention_days > 0:
            raise ValueError("retention_days must be above 0 (None keeps every job)")
        self.retention_days = retention_days
        self.jobs_dir = Path(results) / "jobs"
        self.root = Path(root)
        self.cache_dir = Path(cache_dir)
        self.max_running = max_running
        self.max_queued_per_user = max_queued_per_user
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        self.prune()
        self._processes: dict[str, subprocess.Popen] = {}
        # Cancelled jobs' processes, signalled and not yet ended: they hold no running slot.
        self._stopping: dict[str, subprocess.Popen] = {}
        # Jobs left queued by an earlier server wait again, in the order they came.
        waiting = [job for job in self._stored_jobs() if read_status(job).get("state") == "queued"]
        self._queue: list[str] = [
            job.name for job in sorted(waiting, key=lambda job: read_status(job).get("created", 0))
        ]

    def validate(self, body: Any) -> dict[str, Any]:
        """The sweep parameters of a request body, checked by the settings' own declarations
        (:func:`saeprobe.app.validate_params`); ``ValueError`` for malformed ones,
        ``PermissionError`` for a path outside the allowed root."""
        params = validate_params(body)
        for name in PATH_PARAMETERS:
            try:
                if isinstance(params.get(name), dict):  # named SAE sets
                    sets = params[name].items()
                    params[name] = {key: self.checked_path(f"{name}.{key}", value) for key, value in sets}
                elif name in params:
                    params[name] = self.checked_path(name, params[name])
            except (PermissionError, ValueError) as exc:
                setattr(exc, "option", name)  # the field a form marks  # noqa: B010
                raise
        return params

    def checked_path(self, name: str, value: str) -> str:
        """``value`` as an absolute path when it names something under the root; unchanged when it
        is a plugin's name (a hub model, a SAELens release, a built-in dataset). Relative values are
        read against the root, never against the server's working directory."""
        if not value.isprintable() or value != value.strip():
            raise ValueError(
                f"{name} {value!r} holds spaces at its ends or characters that cannot be printed (a newline?); "
                "give the path as it is written"
            )
        if value.startswith("~"):
            raise PermissionError(
                f"{name} {value!r} lies outside the allowed root {str(self.root)!r}; give a path under it"
            )
        candidate = Path(value) if Path(value).is_absolute() else self.root / value
        try:
            resolved = candidate.resolve()
            exists = resolved.exists()
        except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
            raise ValueError(
                f"{name} {value!r} cannot be resolved ({type(exc).__name__}); give a plain path under the root"
            ) from None
        if resolved != self.root and self.root not in resolved.parents:
            raise PermissionError(f"{name} {value!r} lies outside the allowed root {str(self.root)!r}")
        if resolved == self.root:
            raise ValueError(f"{name} {value!r} names the server's root itself; give a file or folder under it")
        if name == "data" and exists and not resolved.is_file():
            raise ValueError(f"data {value!r} is a folder, not a file; give a CSV, TSV or JSONL file under the root")
        if exists:
            return str(resolved)
        if _looks_like_path(value):
            raise ValueError(
                f"{name} {value!r}: no such file or directory under the server's root {str(self.root)!r}; "
                "give a path relative to that root"
            )
        return value

    def submit(self, params: dict[str, Any], owner: str = "") -> str:
        """Write the job's folder and queue it; returns the job id. Raises :class:`QueueFull` when
        ``owner`` already has ``max_queued_per_user`` jobs waiting."""
        waiting = sum(1 for job_id in self._queue if read_status(self.jobs_dir / job_id).get("owner", "") == owner)
        if waiting >= self.max_queued_per_user:
            raise QueueFull(
                f"you already have {waiting} sweeps waiting (the limit is {self.max_queued_per_user}); "
                "wait for one to start, or cancel one with DELETE sweeps/<id>"
            )
        self.prune()
        job_id = uuid.uuid4().hex
        job_dir = self.jobs_dir / job_id
        job_dir.mkdir()
        write_json(job_dir / PARAMS_FILE, {"cache_dir": str(self.cache_dir), "allowed_root": str(self.root), **params})
        update_status(job_dir, state="queued", created=time.time(), owner=owner)
        self._queue.append(job_id)
        self.dispatch()
        return job_id

    def dispatch(self) -> None:
        """Reap ended job processes and start queued jobs while fewer than ``max_running`` run."""
        for processes in (self._processes, self._stopping):
            for job_id, process in list(processes.items()):
                if process.poll() is not None:
                    del processes[job_id]
        while self._queue and self._running() < self.max_running:
            job_id = self._queue.pop(0)
            if read_status(self.jobs_dir / job_id).get("state") == "queued":
                self._launch(job_id)

    def _running(self) -> int:
        # Processes of this server, plus jobs an earlier server started that are still alive.
        adopted = sum(
            1
            for job in self._stored_jobs()
            if job.name not in self._processes
            and read_status(job).get("state") == "running"
            and self._alive(job.name, read_status(job))
        )
        return len(self._processes) + adopted

    def _launch(self, job_id: str) -> None:
        job_dir = self.jobs_dir / job_id
        with (job_dir / "job.log").open("w") as log:
            # Run from the root: a name that reaches the job unchanged is never read beside the server.
            process = subprocess.Popen(
                [sys.executable, "-m", "saeprobe", "job", str(job_dir)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self.root,
            )
        self._processes[job_id] = process
        update_status(
            job_dir, state="running", pid=process.pid, pid_start=process_start(process.pid), started=time.time()
        )

    def prune(self) -> list[str]:
        """Remove the folders of jobs that ended (done, failed, cancelled) more than
        ``retention_days`` ago; returns their ids. Queued and running jobs are never removed."""
        if self.retention_days is None:
            return []
        cutoff = time.time() - self.retention_days * 86400
        removed = []
        for job in self._stored_jobs():
            status = read_status(job)
            ended = status.get("finished") or status.get("updated") or 0
            if status.get("state") in ENDED_STATES and isinstance(ended, int | float) and ended < cutoff:
                shutil.rmtree(job, ignore_errors=True)
                removed.append(job.name)
        return removed

    def _stored_jobs(self) -> list[Path]:
        return [p for p in self.jobs_dir.iterdir() if JOB_ID.match(p.name) and (p / PARAMS_FILE).is_file()]

    def folder(self, job_id: str) -> Path:
        """The folder of a known job; ``KeyError`` for a malformed or unknown id."""
        if not JOB_ID.match(job_id) or not (self.jobs_dir / job_id / PARAMS_FILE).is_file():
            raise KeyError(job_id)
        return self.jobs_dir / job_id

    def status(self, job_id: str) -> dict[str, Any]:
        """State (queued, running, done, failed, cancelled), progress and error of a job, with its
        parameters; a queued job's ``queue_position`` (1 starts next). A job whose process died
        without finishing shows as failed and resumable: caches keep its work. A job folder whose
        files are damaged shows as failed, never as an error of the whole listing."""
        job_dir = self.folder(job_id)
        status = read_status(job_dir)
        params = read_json(job_dir / PARAMS_FILE)
        if not isinstance(params, dict):
            return {
                "id": job_id,
                **status,
                "state": "failed",
                "resumable": False,
                "params": {},
                "error": f"the job's {PARAMS_FILE} is damaged; start the sweep again",
            }
        if status.get("state") == "queued" and job_id in self._queue:
            status["queue_position"] = self._queue.index(job_id) + 1
        elif status.get("state") in ("queued", "running") and not self._alive(job_id, status):
            status = {
                **status,
                "state": "failed",
                "resumable": True,
                "error": status.get("error") or "the job's process ended before it finished; resume it",
            }
        shown = {k: v for k, v in params.items() if k != "cache_dir"}
        return {"id": job_id, **status, "params": shown, "cli": cli_line(shown)}

    def summary(self, job_id: str) -> dict[str, Any]:
        """A job as listings show it: state, position, progress, times, a short error, and what it
        sweeps (model and data), not every parameter."""
        full = self.status(job_id)
        brief = {key: full[key] for key in SUMMARY_FIELDS if key in full}
        if full.get("error"):
            brief["error"] = str(full["error"])[:300]
        return {**brief, **{key: full["params"][key] for key in ("model", "data", "saes") if key in full["params"]}}

    def _alive(self, job_id: str, status: dict[str, Any]) -> bool:
        process = self._processes.get(job_id)
        if process is not None:
            return process.poll() is None
        pid = status.get("pid")
        if not isinstance(pid, int) or pid <= 0:
            return False
        started = process_start(pid)
        if started is not None or PROC_STAT.exists():
            # Alive only if the process with that number is the one the job recorded, and has not
            # ended (an ended process a dead server never reaped has no start time).
            return started is not None and status.get("pid_start") is not None and started == status["pid_start"]
        try:  # no /proc on this system: a live PID is trusted
            os.kill(pid, 0)
        except OSError:
            return False
        return True

    def all(self) -> list[dict[str, Any]]:
        """Every job in summary form, newest first (read again from disk, so they survive a server
        restart)."""
        jobs = [self.summary(job.name) for job in self._stored_jobs()]
        return sorted(jobs, key=lambda job: job.get("created") or 0, reverse=True)

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Take a job out of the queue, or stop its process, and mark it cancelled. A recorded
        process is signalled only if it is still the job's own (its start time matches)."""
        job_dir = self.folder(job_id)
        status = self.status(job_id)
        if job_id in self._queue:
            self._queue.remove(job_id)
        if status["state"] in ("queued", "running"):
            if self._alive(job_id, status):
                with contextlib.suppress(OSError):
                    os.killpg(status["pid"], signal.SIGTERM)
            update_status(job_dir, state="cancelled", finished=time.time())
            if job_id in self._processes:
                # Signalled: its slot goes to the next job now, not when the process is gone.
                self._stopping[job_id] = self._processes.pop(job_id)
        self.dispatch()
        return self.status(job_id)

    def resume(self, job_id: str) -> dict[str, Any]:
        """Queue a failed or cancelled job again in the same folder; the caches keep what it had
        finished, so it resumes there. ``ValueError`` for a job that is queued, running or done."""
        status = self.status(job_id)
        if status["state"] not in ("failed", "cancelled") or not status["params"]:
            raise ValueError(f"sweep {job_id} is {status['state']}; only a failed or cancelled sweep can be resumed")
        update_status(
            self.folder(job_id), state="queued", error=None, resumable=None, progress={}, pid=None, pid_start=None
        )
        self._queue.append(job_id)
        self.dispatch()
        return self.status(job_id)


def _looks_like_path(value: str) -> bool:
    """Whether ``value`` can only mean a file or folder: hub ids are ``name`` or ``owner/name``."""
    return (
        value.startswith(".")
        or "\\" in value
        or value.count("/") > 1
        or Path(value).suffix.lower() in FILE_SUFFIXES
        or ".." in Path(value).parts
    )
