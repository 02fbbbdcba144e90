"""A queued server job whose files change before it runs: it opens nothing outside the root."""

from __future__ import annotations

import shutil

import pytest

from saeprobe.app._jobs import read_status, run_job

SECRET = "text,label\nalice hunter2,a\nbob swordfish,b\ncarol letmein,a\ndave qwerty,b\n"


@pytest.fixture
def queued(tmp_path, monkeypatch, sae_dir):
    """A server's job manager over a root with a dataset and an SAE folder, whose jobs wait in the
    queue (no process starts them), and a secret file beside the root."""
    from saeprobe_server.job_queue import JobManager

    root = tmp_path / "root"
    root.mkdir()
    (root / "reviews.csv").write_text("text,label\n" + "".join(f"good {i},pos\nbad {i},neg\n" for i in range(10)))
    shutil.copytree(sae_dir / "layer_0", root / "sae")
    (tmp_path / "secret.csv").write_text(SECRET)
    manager = JobManager(tmp_path / "results", root.resolve(), tmp_path / "cache")
    monkeypatch.setattr(manager, "_launch", lambda job_id: None)
    return manager, root, tmp_path / "secret.csv"


def test_a_data_file_swapped_for_a_link_out_of_the_root_while_queued_is_refused(queued):
    manager, root, secret = queued
    job_id = manager.submit(manager.validate({"model": "minilm", "data": "reviews.csv"}))
    (root / "reviews.csv").unlink()
    (root / "reviews.csv").symlink_to(secret)  # checked at submission, swapped before the job runs
    assert run_job(manager.folder(job_id)) == 1
    status = read_status(manager.folder(job_id))
    assert status["state"] == "failed"
    assert "now leads to" in status["error"] and "outside the server's root" in status["error"]
    assert "hunter2" not in status["error"] and "rows" not in status["error"]
    assert not (manager.folder(job_id) / "result.json").exists()


def test_a_file_inside_an_sae_folder_swapped_for_a_link_out_of_the_root_is_refused(queued):
    manager, root, secret = queued
    job_id = manager.submit(manager.validate({"model": "minilm", "data": "reviews.csv", "saes": {"task": "sae"}}))
    (root / "sae" / "cfg.json").unlink()
    (root / "sae" / "cfg.json").symlink_to(secret)
    assert run_job(manager.folder(job_id)) == 1
    error = read_status(manager.folder(job_id))["error"]
    assert "saes.task" in error and "outside the server's root" in error


def test_a_plugin_name_that_became_a_link_out_of_the_root_is_refused(queued):
    manager, root, secret = queued
    job_id = manager.submit(manager.validate({"model": "minilm", "data": "reviews.csv"}))
    (root / "minilm").symlink_to(secret.parent)  # a name that meant the built-in model now names a folder
    assert run_job(manager.folder(job_id)) == 1
    assert "model 'minilm' now leads to" in read_status(manager.folder(job_id))["error"]
