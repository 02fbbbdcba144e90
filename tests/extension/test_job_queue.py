"""The server's bounds: a limited number of sweep processes, a queue with positions, request and
queue limits, and a server that stays responsive while jobs run."""

import json
import time
from pathlib import Path

import pytest
from server_api import expect_error, fetch_json, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def jp_server_config(tmp_path):
    return {
        "ServerApp": {"jpserver_extensions": {"saeprobe_server": True}},
        "SaeprobeServer": {
            "results_dir": str(tmp_path / "results"),
            "max_running_jobs": 1,
            "max_queued_jobs_per_user": 2,
            "max_request_bytes": 2048,
        },
    }


SWEEP = {"model": "model", "saes": "saes", "data": "reviews.csv", "layers": "0"}


async def test_one_job_runs_the_others_wait_in_order(jp_fetch, workspace):
    ids = []
    for _ in range(3):
        code, started = await fetch_json(jp_fetch, "sweeps", method="POST", body=json.dumps(SWEEP))
        assert code == 202
        ids.append(started["id"])
    states = [(await fetch_json(jp_fetch, "sweeps", job_id))[1] for job_id in ids]
    assert states[0]["state"] == "running" and states[0]["pid"]
    assert [(s["state"], s.get("queue_position"), s.get("pid")) for s in states[1:]] == [
        ("queued", 1, None),
        ("queued", 2, None),
    ]
    # The owner's queue is full: a fourth request is refused, and says what to do.
    text = await expect_error(jp_fetch, 429, "sweeps", method="POST", body=json.dumps(SWEEP))
    assert "2 sweeps waiting" in text and "DELETE" in text
    # The server answers quickly while a job computes.
    started = time.perf_counter()
    await jp_fetch("api", "status")
    assert time.perf_counter() - started < 0.2
    # Cancelling the first lets the next one start; the last moves up the queue.
    await fetch_json(jp_fetch, "sweeps", ids[0], method="DELETE")
    _, second = await fetch_json(jp_fetch, "sweeps", ids[1])
    _, third = await fetch_json(jp_fetch, "sweeps", ids[2])
    assert second["state"] == "running" and (third["state"], third["queue_position"]) == ("queued", 1)
    done = await wait_for(jp_fetch, ids[2], ("done", "failed"))
    assert done["state"] == "done", done
    _, second = await fetch_json(jp_fetch, "sweeps", ids[1])
    assert second["state"] == "done" and second["finished"] <= done["started"]


async def test_a_body_over_the_limit_gets_413(jp_fetch, workspace):
    body = json.dumps({**SWEEP, "template": "x" * 4000 + "{text}"})
    text = await expect_error(jp_fetch, 413, "sweeps", method="POST", body=body)
    assert "limit is 2048" in text


async def test_ended_job_processes_are_reaped(jp_fetch, workspace, jp_serverapp):
    _, started = await fetch_json(jp_fetch, "sweeps", method="POST", body=json.dumps(SWEEP))
    pid = started["pid"]
    await fetch_json(jp_fetch, "sweeps", started["id"], method="DELETE")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        await fetch_json(jp_fetch, "sweeps")  # any request reaps (so does the timer)
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return  # reaped: the process entry is gone
        if state != "Z":
            time.sleep(0.2)
            continue
        time.sleep(0.2)
    pytest.fail(f"process {pid} was not reaped (still a zombie)")


def test_ended_jobs_older_than_the_retention_are_removed_and_the_rest_kept(tmp_path):
    from saeprobe_server.job_queue import JobManager

    jobs = tmp_path / "results" / "jobs"
    now = time.time()
    ages = {"a" * 32: ("done", 40), "b" * 32: ("failed", 31), "c" * 32: ("done", 5), "d" * 32: ("queued", 90)}
    for job_id, (state, days) in ages.items():
        (jobs / job_id).mkdir(parents=True)
        (jobs / job_id / "params.json").write_text("{}")
        ended = now - days * 86400
        (jobs / job_id / "status.json").write_text(json.dumps({"state": state, "created": ended, "finished": ended}))
    manager = JobManager(tmp_path / "results", tmp_path, tmp_path / "cache", retention_days=30)
    assert sorted(p.name for p in jobs.iterdir()) == ["c" * 32, "d" * 32]
    assert manager.prune() == []
    with pytest.raises(ValueError, match="retention_days must be above 0"):
        JobManager(tmp_path / "results", tmp_path, tmp_path / "cache", retention_days=0)
    keep_all = JobManager(tmp_path / "results", tmp_path, tmp_path / "cache")
    assert keep_all.prune() == []
