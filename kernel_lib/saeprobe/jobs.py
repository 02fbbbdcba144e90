"""Background sweep jobs, one folder each: ``params.json`` (the sweep's parameters),
``status.json`` (state, progress, error), then ``result.json`` and ``report.html``.

``python -m saeprobe.jobs JOB_DIR`` runs one; the Jupyter server extension starts it in a process
of its own, so torch never runs in the server.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from .cache import write_json

STATUS_FILE = "status.json"
PARAMS_FILE = "params.json"
DATA_OPTIONS = ("text_column", "label_column", "split_column", "template")
SWEEP_OPTIONS = ("saes", "layers", "hook", "pooling", "test_size", "seed", "probe", "cache_dir")


def read_status(job_dir: Path) -> dict[str, Any]:
    """The job's status record (``{"state": "queued"}`` before it has one)."""
    try:
        return json.loads((Path(job_dir) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return {"state": "queued"}


def update_status(job_dir: Path, **fields: Any) -> None:
    """Merge ``fields`` into the status record, atomically."""
    write_json(Path(job_dir) / STATUS_FILE, {**read_status(job_dir), **fields, "updated": time.time()})


def run_job(job_dir: str | Path) -> int:
    """Run the sweep described by ``params.json``; returns the process exit status."""
    from .data import load_dataset
    from .layer_sweep import sweep

    job_dir = Path(job_dir)
    params = json.loads((job_dir / PARAMS_FILE).read_text())
    update_status(job_dir, state="running", pid=os.getpid(), started=time.time(), progress={})
    try:
        data = load_dataset(params["data"], **{k: params[k] for k in DATA_OPTIONS if params.get(k) is not None})
        result = sweep(
            model=params["model"], data=data, progress=False,
            on_progress=lambda stage, done, total: update_status(job_dir, progress={"stage": stage, "done": done, "total": total}),
            **{k: params[k] for k in SWEEP_OPTIONS if params.get(k) is not None},
        )
        result.to_json(job_dir / "result.json")
        result.to_html(job_dir / "report.html")
    except Exception as exc:  # the job's owner reads the reason from its status
        update_status(job_dir, state="failed", error=f"{type(exc).__name__}: {exc}", finished=time.time())
        return 1
    update_status(job_dir, state="done", finished=time.time())
    return 0


if __name__ == "__main__":
    sys.exit(run_job(sys.argv[1]))
