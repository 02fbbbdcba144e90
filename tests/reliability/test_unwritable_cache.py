"""A cache that cannot be written, from the start (a read-only folder) or part way (a full disk):
the sweep says so and finishes without it, with the same result."""

import tempfile
from pathlib import Path

import pytest
from runs import layers_of, run_sweep
from sweep_runner import sweep_file

from saeprobe.errors import SaeprobeWarning
from saeprobe.store import to_jsonable

pytestmark = pytest.mark.integration


def read_only_folder(tmp_path: Path) -> Path:
    """An existing folder nobody may write to here: a chmod-ed one, or one the kernel refuses even
    to root (sysfs)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        tempfile.mkstemp(dir=folder)
    except OSError:
        return folder
    for candidate in (Path("/sys/kernel"), Path("/sys")):
        try:
            tempfile.mkstemp(dir=candidate)
        except OSError:
            return candidate
    pytest.skip("no read-only folder on this machine (root may write to chmod-ed folders and to /sys)")


def test_a_read_only_cache_runs_without_caching_and_says_so(tiny_model_dir, sae_dir, reviews, undisturbed, tmp_path):
    folder = read_only_folder(tmp_path)
    with pytest.warns(SaeprobeWarning, match="cannot be written .*running without a cache"):
        result = sweep_file(str(tiny_model_dir), str(sae_dir), str(reviews), folder)
    assert to_jsonable(result.layers) == undisturbed


def test_a_disk_that_fills_up_mid_sweep_stops_the_caching_not_the_sweep(
    tiny_model_dir, sae_dir, reviews, undisturbed, tmp_path
):
    # Every file this process writes is capped at 30 kB (RLIMIT_FSIZE): the first big cache write
    # fails as on a full disk; the small ones before it succeed.
    out = tmp_path / "result.json"
    done = run_sweep(tiny_model_dir, sae_dir, reviews, tmp_path / "cache", out, "--file-limit", "30000")
    assert done.returncode == 0, done.stderr
    assert "cannot write the cache" in done.stderr and "going on without saving to it" in done.stderr
    assert layers_of(out) == undisturbed
