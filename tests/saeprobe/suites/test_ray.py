"""Suites on a local Ray cluster (``ray.init(num_cpus=2)``): results equal the local engine's, through
the cache (with a worker killed in the middle of a unit, and retried) and through the object store."""

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

import saeprobe
from patience import patience

pytestmark = pytest.mark.integration
ray = pytest.importorskip("ray", reason="the ray engine's tests need Ray: pip install 'saeprobe[ray]'")


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    # Workers inherit the environment the cluster starts with: their own default cache for the
    # object-store engine, and no hub. Ray runs its workers at nice 15 unless told otherwise; on a
    # machine whose cores other processes keep busy they would then get a few percent of a core
    # and a test would crawl for tens of minutes, so they run at the tests' own priority.
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("SAEPROBE_CACHE_DIR", str(tmp_path_factory.mktemp("worker-cache")))
        environment.setenv("RAY_worker_niceness", "0")
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        yield
        ray.shutdown()


@pytest.fixture
def reference(tiny_suite_run):
    """The local engine's results: the layers of each dataset's sweep."""
    return layers_by_dataset(tiny_suite_run[0])


def layers_by_dataset(result):
    return {run.dataset: json.loads((result.out / run.result).read_text())["layers"] for run in result.runs}


def test_through_the_object_store_equals_local(ray_cluster, reference, tiny_suite, tmp_path):
    result = saeprobe.suite(
        tiny_suite,
        tmp_path / "out",
        engine="ray",
        results_via="object_store",
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    assert result.engine == "ray (object_store)"
    assert layers_by_dataset(result) == reference


def test_through_a_shared_cache_equals_local_and_a_worker_killed_mid_unit_is_retried(
    ray_cluster, reference, tiny_suite, tmp_path
):
    killed = []

    def kill_first_probe_task():
        deadline = time.monotonic() + patience(300)
        while not killed and time.monotonic() < deadline:
            for pid in probe_task_processes():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_first_probe_task, daemon=True)
    watcher.start()
    result = saeprobe.suite(tiny_suite, tmp_path / "out", engine="ray", cache_dir=tmp_path / "cache", progress=False)
    watcher.join(timeout=5)
    assert killed, "no probe task was seen running"
    assert result.engine == "ray (cache)"
    assert layers_by_dataset(result) == reference
    assert [run.timings["layers_from_cache"] for run in result.runs] == [4, 4, 4]  # fitted by the tasks, assembled here


def probe_task_processes():
    """PIDs of Ray workers running a probe task (Ray titles a busy worker ``ray::<task>``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes().startswith(b"ray::probe_layers"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
