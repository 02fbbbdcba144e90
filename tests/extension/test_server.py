"""The Jupyter server extension through its REST API (pytest-jupyter's jp_fetch)."""

import json
import shutil
import time

import pandas as pd
import pytest
from server_api import expect_error, fetch, fetch_json, wait_for
from tornado.httpclient import HTTPClientError

pytestmark = pytest.mark.integration


@pytest.fixture
def jp_server_config(tmp_path):
    return {
        "ServerApp": {"jpserver_extensions": {"saeprobe_server": True}},
        "SaeprobeServer": {"results_dir": str(tmp_path / "results")},
    }


async def test_plugins_and_registry_listings(jp_fetch):
    code, body = await fetch_json(jp_fetch, "plugins")
    assert code == 200 and {"logistic", "huggingface", "saelens-directory"} <= {p["name"] for p in body["plugins"]}
    code, body = await fetch_json(jp_fetch, "saes", params={"model": "EleutherAI/pythia-70m-deduped"})
    res_sm = [s for s in body["saes"] if s["release"] == "pythia-70m-deduped-res-sm"]
    assert {"blocks.3.hook_resid_post", "blocks.0.hook_resid_pre"} <= {s["hook_name"] for s in res_sm}
    assert all(s["neuronpedia_id"].startswith("pythia-70m-deduped/") for s in res_sm)


async def test_requests_without_a_valid_token_are_refused(jp_fetch):
    for headers in ({"Authorization": ""}, {"Authorization": "token not-the-token"}):
        for method, body in [("GET", None), ("POST", '{"model": "m", "data": "d.csv"}')]:
            for parts in (("sweeps",), ("plugins",)):
                if method == "POST" and parts == ("plugins",):
                    continue
                with pytest.raises(HTTPClientError) as error:
                    await jp_fetch("saeprobe", "api", *parts, method=method, body=body, headers=headers)
                assert error.value.code in (401, 403)


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "Expecting value"),
        ("[1, 2]", "JSON object"),
        ('{"data": "reviews.csv"}', "'model' is required"),
        ('{"model": "m", "data": "d.csv", "seed": "zero"}', "seed must be a whole number"),
        ('{"model": "m", "data": "d.csv", "polling": "mean"}', "no option 'polling'; did you mean 'pooling'?"),
        ('{"model": "m", "data": "d.csv", "shell": "rm -rf /"}', "no option 'shell'"),
        ('{"model": "m", "data": "d.csv", "top_ks": [0, 2]}', "top_ks=[0, 2] holds 0"),
    ],
)
async def test_malformed_bodies_get_400(jp_fetch, body, message):
    text = await expect_error(jp_fetch, 400, "sweeps", method="POST", body=body)
    assert message in text


async def test_paths_outside_the_root_and_bad_ids_are_refused(jp_fetch, workspace):
    for data in ("../outside.csv", "/etc/passwd", "./../../x.csv"):
        body = json.dumps({"model": "model", "data": data})
        assert "outside the allowed root" in await expect_error(jp_fetch, 403, "sweeps", method="POST", body=body)
    # Each named SAE set's path is checked like any other.
    body = json.dumps({"model": "model", "data": "reviews.csv", "saes": {"task": "saes", "other": "../../etc"}})
    assert "saes.other" in await expect_error(jp_fetch, 403, "sweeps", method="POST", body=body)
    body = json.dumps({"model": "model", "data": "reviews.csv", "saes": {"no:colons": "saes"}})
    assert "no:colons" in await expect_error(jp_fetch, 400, "sweeps", method="POST", body=body)
    await expect_error(jp_fetch, 404, "sweeps", "..%2F..%2Fetc", "result")
    await expect_error(jp_fetch, 404, "sweeps", "0" * 32)
    await expect_error(jp_fetch, 404, "sweeps", "not-a-job-id", "report")


async def test_a_full_sweep_job(jp_fetch, workspace):
    body = {
        "model": "model",
        "saes": {"task": "saes"},
        "data": "reviews.csv",
        "layers": "0-1",
        "template": "Review: {text}",
    }
    code, started = await fetch_json(jp_fetch, "sweeps", method="POST", body=json.dumps(body))
    assert code == 202 and started["state"] in ("queued", "running")
    await expect_error(jp_fetch, 404, "sweeps", started["id"], "result") if started["state"] != "done" else None
    status = await wait_for(jp_fetch, started["id"], ("done", "failed"))
    assert status["state"] == "done", status
    assert status["progress"]["stage"] == "probe fits" and status["progress"]["done"] == 2
    assert status["cli"].startswith(f"saeprobe sweep --model {workspace / 'model'} ")
    assert "--saes task=" in status["cli"]
    _, result = await fetch_json(jp_fetch, "sweeps", started["id"], "result")
    assert [entry["layer"] for entry in result["layers"]] == [0, 1] and result["classes"] == ["neg", "pos"]
    assert "sae:task" in result["layers"][0]["scores"] and list(result["layers"][0]["saes"]) == ["task"]
    report = await fetch(jp_fetch, "sweeps", started["id"], "report")
    assert report.headers["Content-Type"].startswith("text/html") and b"saeprobe-state" in report.body
    assert "sandbox allow-scripts" in report.headers["Content-Security-Policy"]
    assert b"data-theme" not in report.body.split(b"<head>")[0]
    # A front end's theme, which the report follows instead of the system's.
    dark = await fetch(jp_fetch, "sweeps", started["id"], "report", params={"theme": "dark"})
    assert b'<html lang="en" data-theme="dark">' in dark.body
    assert "not one of" in await expect_error(
        jp_fetch, 400, "sweeps", started["id"], "report", params={"theme": "sepia"}
    )
    _, listing = await fetch_json(jp_fetch, "sweeps")
    assert started["id"] in [job["id"] for job in listing["sweeps"]]


async def test_cancel_and_a_job_killed_mid_way(jp_fetch, workspace, tmp_path):
    body = {"model": "model", "saes": "saes", "data": "reviews.csv"}
    _, started = await fetch_json(jp_fetch, "sweeps", method="POST", body=json.dumps(body))
    _, cancelled = await fetch_json(jp_fetch, "sweeps", started["id"], method="DELETE")
    assert cancelled["state"] in ("cancelled", "done")
    # A job whose process died (a server restart, a kill) is shown as failed and resumable, never done.
    dead = tmp_path / "results" / "jobs" / ("f" * 32)
    dead.mkdir(parents=True)
    (dead / "params.json").write_text(json.dumps({"model": "model", "data": "reviews.csv"}))
    (dead / "status.json").write_text(json.dumps({"state": "running", "pid": 2**22 + 12345, "created": 0}))
    _, status = await fetch_json(jp_fetch, "sweeps", "f" * 32)
    assert status["state"] == "failed" and status["resumable"] is True


async def test_a_file_beside_the_server_but_not_under_its_root_is_never_read(
    jp_fetch, workspace, tmp_path, monkeypatch
):
    # The server's working directory is not its root: a relative value must mean a path under the root.
    elsewhere = tmp_path / "server-working-directory"
    elsewhere.mkdir()
    (elsewhere / "secret.csv").write_text("user,password\nalice,hunter2\nbob,swordfish\ncarol,letmein\n")
    monkeypatch.chdir(elsewhere)
    body = {"model": "model", "data": "secret.csv", "text_column": "user", "label_column": "password"}
    text = await expect_error(jp_fetch, 400, "sweeps", method="POST", body=json.dumps(body))
    assert "no such file or directory under the server's root" in text and "hunter2" not in text


async def test_job_paths_are_absolute_under_the_root_and_the_job_runs_there(jp_fetch, workspace, tmp_path, monkeypatch):
    elsewhere = tmp_path / "server-working-directory"
    shutil.copytree(workspace / "saes", elsewhere / "saes-beside-the-server")
    monkeypatch.chdir(elsewhere)
    # A name that is no path under the root passes on as a plugin name (hub model, SAELens release)...
    body = {"model": "model", "data": "reviews.csv", "saes": "saes-beside-the-server", "layers": "0"}
    _, started = await fetch_json(jp_fetch, "sweeps", method="POST", body=json.dumps(body))
    assert started["params"]["data"] == str((workspace / "reviews.csv").resolve())
    assert started["params"]["model"] == str((workspace / "model").resolve())
    # ...and the job, run from the root, never finds the folder beside the server.
    status = await wait_for(jp_fetch, started["id"], ("done", "failed"))
    assert status["state"] == "failed" and "saes-beside-the-server" in status["error"], status


@pytest.mark.parametrize(
    "body, message",
    [
        ('{"model": "m", "data": "d.csv", "test_size": NaN}', "NaN is not a JSON number"),
        ('{"model": "m", "data": "d.csv", "seed": Infinity}', "Infinity is not a JSON number"),
        ("[" * 30_000 + "]" * 30_000, "nests too deeply"),
    ],
)
async def test_non_json_numbers_and_deep_nesting_get_400(jp_fetch, body, message):
    assert message in await expect_error(jp_fetch, 400, "sweeps", method="POST", body=body)


async def test_awkward_paths_get_400_not_500(jp_fetch, workspace):
    (workspace / "loop-a").symlink_to(workspace / "loop-b")
    (workspace / "loop-b").symlink_to(workspace / "loop-a")
    for data in ("x" * 5000 + ".csv", "loop-a/reviews.csv", "/".join(["deep"] * 2000) + ".csv"):
        text = await expect_error(
            jp_fetch, 400, "sweeps", method="POST", body=json.dumps({"model": "model", "data": data})
        )
        assert "data" in text


async def test_user_input_never_becomes_a_cli_option(jp_fetch):
    code, body = await fetch_json(jp_fetch, "saes", params={"model": "--help"})
    assert code == 200 and body == {"model": "--help", "saes": []}
    await expect_error(jp_fetch, 400, "saes", params={"model": "x" * 500})


async def test_stored_nan_and_a_damaged_job_folder_do_not_break_the_listing(jp_fetch, tmp_path):
    jobs = tmp_path / "results" / "jobs"
    odd, damaged = jobs / ("a" * 32), jobs / ("b" * 32)
    for folder in (odd, damaged):
        folder.mkdir(parents=True)
    (odd / "params.json").write_text('{"model": "m", "data": "d.csv", "test_size": NaN}')  # written by an older server
    (odd / "status.json").write_text('{"state": "done", "created": 2, "progress": {"done": NaN}}')
    (damaged / "params.json").write_text('{"model": "m", "da')  # a truncated write
    response = await fetch(jp_fetch, "sweeps")
    listing = json.loads(response.body.decode(), parse_constant=lambda c: pytest.fail(f"bare {c} in the listing"))
    states = {job["id"]: job for job in listing["sweeps"]}
    assert states["a" * 32]["state"] == "done" and states["a" * 32]["progress"] == {"done": None}
    assert states["b" * 32]["state"] == "failed" and "damaged" in states["b" * 32]["error"]
    assert all("params" not in job for job in listing["sweeps"])  # listings are summaries


async def test_a_reused_pid_is_not_the_jobs_process(jp_fetch, tmp_path):
    import subprocess

    bystander = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        job = tmp_path / "results" / "jobs" / ("c" * 32)
        job.mkdir(parents=True)
        (job / "params.json").write_text(json.dumps({"model": "model", "data": "reviews.csv"}))
        # The job recorded this PID, but with another start time: the number now belongs to someone else.
        (job / "status.json").write_text(
            json.dumps({"state": "running", "pid": bystander.pid, "pid_start": 1, "created": 0})
        )
        _, status = await fetch_json(jp_fetch, "sweeps", "c" * 32)
        assert status["state"] == "failed" and status["resumable"] is True
        await fetch_json(jp_fetch, "sweeps", "c" * 32, method="DELETE")
        time.sleep(0.2)
        assert bystander.poll() is None, "DELETE signalled an unrelated process"
    finally:
        bystander.kill()
        bystander.wait()


async def test_an_echoed_value_keeps_its_percent_signs(jp_fetch, workspace):
    body = json.dumps({"model": "model", "data": "%2e%2e/x.csv"})
    text = await expect_error(jp_fetch, 400, "sweeps", method="POST", body=body)
    assert "'%2e%2e/x.csv'" in text and "%%" not in text


@pytest.mark.parametrize(
    "data, message",
    [
        (".", "names the server's root itself"),
        ("saes", "is a folder, not a file"),
        ("reviews.csv\n", "cannot be printed"),
        (" reviews.csv", "spaces at its ends"),
    ],
)
async def test_data_that_is_no_file_is_refused_at_submission(jp_fetch, workspace, data, message):
    body = json.dumps({"model": "model", "data": data})
    assert message in await expect_error(jp_fetch, 400, "sweeps", method="POST", body=body)


async def test_a_data_files_columns_come_with_suggestions(jp_fetch, workspace):
    """The form's column lists: the file's columns and the likely text, label and split columns."""
    frame = {
        "review": ["a long film review"] * 4,
        "stars": ["1", "5"] * 2,
        "part": ["train", "test"] * 2,
        "id": [1, 2, 3, 4],
    }
    pd.DataFrame(frame).to_csv(workspace / "films.csv", index=False)
    _, found = await fetch_json(jp_fetch, "data", "columns", params={"path": "films.csv"})
    assert found["columns"] == ["review", "stars", "part", "id"] and found["n_rows_read"] == 4
    assert (found["text_column"], found["label_column"], found["split_column"]) == ("review", "stars", "part")
    _, plain = await fetch_json(jp_fetch, "data", "columns", params={"path": "reviews.csv"})
    assert (plain["text_column"], plain["label_column"], plain["split_column"]) == ("text", "label", None)
    (workspace / "semicolons.csv").write_text("text;label\na;b\n")
    for path, status, words in [
        ("semicolons.csv", 400, "separated by ';'"),
        ("missing.csv", 400, "no such file"),
        ("/etc/passwd", 403, "outside the allowed root"),
        ("model", 400, "is a folder"),
    ]:
        assert words in await expect_error(jp_fetch, status, "data", "columns", params={"path": path}), path


async def test_a_refused_parameter_is_named_for_the_form(jp_fetch, workspace):
    """The error JSON names the field at fault, so the JupyterLab form shows it beside that field."""
    for body, status, field in [
        ({"model": "model", "data": "reviews.csv", "pooling": "sideways"}, 400, "pooling"),
        ({"model": "model", "data": "reviews.csv", "layers": "a-b"}, 400, "layers"),
        ({"model": "model", "data": "/etc/passwd"}, 403, "data"),
        ({"data": "reviews.csv"}, 400, "model"),
        ({"model": "model", "data": "reviews.csv", "saes": {"task": "./missing/saes"}}, 400, "saes"),
    ]:
        answer = json.loads(await expect_error(jp_fetch, status, "sweeps", method="POST", body=json.dumps(body)))
        assert answer["field"] == field, answer
