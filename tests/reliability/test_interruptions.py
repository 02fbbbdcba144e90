"""kill -9 in the middle of a sweep, then run it again: the result equals an undisturbed run's."""

import signal

import pytest
from runs import layers_of, run_sweep

from patience import patience

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "kill", ["forward:3", "probe:20", "write:6"], ids=["forward-pass", "probe-fits", "cache-write"]
)
def test_a_killed_sweep_resumes_to_the_undisturbed_result(
    kill, tiny_model_dir, sae_dir, reviews, undisturbed, tmp_path
):
    cache, out = tmp_path / "cache", tmp_path / "result.json"
    killed = run_sweep(tiny_model_dir, sae_dir, reviews, cache, out, "--kill", kill)
    assert killed.returncode == -signal.SIGKILL and not out.exists()
    resumed = run_sweep(tiny_model_dir, sae_dir, reviews, cache, out)
    assert resumed.returncode == 0, resumed.stderr
    assert layers_of(out) == undisturbed


def test_two_sweeps_share_one_cache_at_the_same_time(tiny_model_dir, sae_dir, reviews, undisturbed, tmp_path):
    import subprocess
    import sys

    from runs import RUNNER

    cache = tmp_path / "cache"
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    processes = [
        subprocess.Popen(
            [sys.executable, str(RUNNER), str(tiny_model_dir), str(sae_dir), str(reviews), str(cache), str(out)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in outs
    ]
    for process in processes:
        assert process.wait(timeout=patience(600)) == 0, process.stderr.read()
    assert layers_of(outs[0]) == undisturbed and layers_of(outs[1]) == undisturbed
