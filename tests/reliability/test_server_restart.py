"""The server restarted under a running job: the job stays tracked and its result is served. A job
killed while the server is down shows as failed and resumable, and a resume finishes it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from patience import patience

pytestmark = pytest.mark.integration
TOKEN = "reliability-test-token"


class Server:
    """A real Jupyter Server process with the saeprobe extension, on a free port."""

    def __init__(self, root: Path, results: Path, config_dir: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "jupyter_server_config.json").write_text(
            json.dumps(
                {
                    "ServerApp": {
                        "jpserver_extensions": {"saeprobe_server": True},
                        "root_dir": str(root),
                        "port": self.port,
                        "ip": "127.0.0.1",
                        "open_browser": False,
                        "token": TOKEN,
                        "allow_root": True,
                    },
                    "SaeprobeServer": {"results_dir": str(results)},
                }
            )
        )
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.call("GET", "/api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the server did not start")

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=patience(30)) as response:
            return json.loads(response.read() or b"null")

    def sweep(self, job_id: str) -> dict:
        return self.call("GET", f"/saeprobe/api/sweeps/{job_id}")

    def wait(self, job_id: str, states: tuple, timeout: float = 300) -> dict:
        deadline = time.monotonic() + patience(timeout)
        while True:
            status = self.sweep(job_id)
            if status["state"] in states or time.monotonic() > deadline:
                return status
            time.sleep(0.5)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=patience(30))


@pytest.fixture
def workspace(tmp_path, tiny_model_dir, sae_dir):
    root = tmp_path / "root"
    shutil.copytree(tiny_model_dir, root / "model")
    shutil.copytree(sae_dir, root / "saes")
    pd.DataFrame(
        {
            "text": [f"good film {i}" for i in range(40)] + [f"bad film {i}" for i in range(40)],
            "label": ["pos"] * 40 + ["neg"] * 40,
        }
    ).to_csv(root / "reviews.csv", index=False)
    return root


def start_job(server: Server) -> dict:
    body = {"model": "model", "saes": "saes", "data": "reviews.csv", "pooling": "mean", "batch_size": 2}
    started = server.call("POST", "/saeprobe/api/sweeps", body)
    return server.wait(started["id"], ("running", "done", "failed"), timeout=60)


def test_a_job_outlives_a_server_restart_and_its_result_is_served(workspace, tmp_path):
    first = Server(workspace, tmp_path / "results", tmp_path / "config")
    job = start_job(first)
    assert job["state"] == "running" and job["pid"]
    first.kill()
    os.kill(job["pid"], 0)  # the sweep's own process group lives on
    second = Server(workspace, tmp_path / "results", tmp_path / "config")
    try:
        assert second.sweep(job["id"])["state"] in ("running", "done")
        assert second.wait(job["id"], ("done", "failed"))["state"] == "done"
        result = second.call("GET", f"/saeprobe/api/sweeps/{job['id']}/result")
        assert [entry["layer"] for entry in result["layers"]] == [0, 1, 2, 3]
    finally:
        second.kill()


def test_a_job_killed_while_the_server_is_down_resumes(workspace, tmp_path):
    first = Server(workspace, tmp_path / "results", tmp_path / "config")
    job = start_job(first)
    first.kill()
    os.killpg(job["pid"], signal.SIGKILL)
    second = Server(workspace, tmp_path / "results", tmp_path / "config")
    try:
        status = second.sweep(job["id"])
        assert status["state"] == "failed" and status["resumable"] is True
        resumed = second.call("POST", f"/saeprobe/api/sweeps/{job['id']}/resume")
        assert resumed["state"] in ("queued", "running")
        assert second.wait(job["id"], ("done", "failed"))["state"] == "done"
        listing = second.call("GET", "/saeprobe/api/sweeps")["sweeps"]
        assert [(j["id"], j["state"]) for j in listing] == [(job["id"], "done")] and "params" not in listing[0]
    finally:
        second.kill()
