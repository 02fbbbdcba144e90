"""Suites on the local engine: runs, summary across datasets, report, reruns from the cache, Ctrl-C."""

import json

import pytest

import saeprobe
from saeprobe import SuiteResult, SweepResult
from saeprobe.errors import SettingsError

pytestmark = pytest.mark.integration


def test_a_suite_writes_every_run_its_summary_and_report(tiny_suite_run):
    result, _ = tiny_suite_run
    payload = json.loads((result.out / "suite.json").read_text())
    assert payload["schema_version"] == "1.0" and payload["engine"] == "local"
    assert [(run["dataset"], run["result"].split("/")[0]) for run in payload["runs"]] == [
        ("movie_sentiment", "runs"),
        ("larger_than", "runs"),
        ("topics", "runs"),
    ]
    sweep = result.result("topics")
    assert isinstance(sweep, SweepResult) and sweep.sae_set_names == ["narrow", "wide"] and len(sweep.classes) == 4
    summary = result.summary
    assert list(summary.columns) == [
        "model",
        "layer",
        "representation",
        "metric",
        "mean",
        "median",
        "n_datasets",
        "wins",
        "ties",
        "losses",
    ]
    row = summary[(summary.layer == 2) & (summary.representation == "sae:wide") & (summary.metric == "test_accuracy")]
    accuracies = [
        result.result(d).layer(2).scores["sae:wide"].test_accuracy for d in ("movie_sentiment", "larger_than", "topics")
    ]
    assert row["mean"].item() == pytest.approx(sum(accuracies) / 3) and row["n_datasets"].item() == 3
    # A win or a loss only where the paired interval of raw minus the code excludes zero.
    gaps = [
        result.result(d).layer(2).comparison("raw", "sae:wide") for d in ("movie_sentiment", "larger_than", "topics")
    ]
    assert row["wins"].item() == sum(gap.high < 0 for gap in gaps)
    assert row["losses"].item() == sum(gap.low > 0 for gap in gaps)
    assert row[["wins", "ties", "losses"]].sum(axis=1).item() == 3
    assert summary[summary.representation == "raw"]["wins"].isna().all()
    report = (result.out / "suite.html").read_text()
    assert '"suite"' in report and '"results"' in report and "sae:narrow" in report
    again = SuiteResult.from_json(result.out)
    assert again.rows == result.rows and [r.result for r in again.runs] == [r.result for r in result.runs]


def test_a_rerun_computes_nothing(tiny_suite_run, tiny_suite, tmp_path):
    first, cache = tiny_suite_run
    again = saeprobe.suite(tiny_suite, tmp_path, cache_dir=cache, progress=False)
    for run in again.runs:
        assert run.timings["forward_batches"] == 0 and run.timings["layers_from_cache"] == 4, run
        assert (tmp_path / run.result).read_text().count('"layer"') >= 4
    assert again.rows == first.rows


def test_parallel_fits_on_the_local_engine_give_the_same_results(tiny_suite_run, tiny_suite, tmp_path):
    first, _ = tiny_suite_run
    parallel = saeprobe.suite(tiny_suite, tmp_path / "out", cache_dir=tmp_path / "cache", workers=2, progress=False)
    for a, b in zip(first.runs, parallel.runs, strict=True):
        assert (
            json.loads((first.out / a.result).read_text())["layers"]
            == json.loads((parallel.out / b.result).read_text())["layers"]
        )
    assert [run.timings["layers_from_cache"] for run in parallel.runs] == [
        4,
        4,
        4,
    ]  # fitted by the pool, assembled here


def test_ctrl_c_keeps_finished_units_and_the_rerun_resumes(tiny_suite, tmp_path):
    def stop_after_first(unit, result):
        raise KeyboardInterrupt

    one_layer = _suite_with(tiny_suite, tmp_path, {}, layers="1")  # a cache of its own to fill: keep it small
    with pytest.raises(KeyboardInterrupt):
        saeprobe.suite(
            one_layer, tmp_path / "out", cache_dir=tmp_path / "cache", progress=False, on_unit=stop_after_first
        )
    assert (tmp_path / "out" / "runs").is_dir() and not (tmp_path / "out" / "suite.json").exists()
    resumed = saeprobe.suite(one_layer, tmp_path / "out", cache_dir=tmp_path / "cache", progress=False)
    cached = [run.timings["layers_from_cache"] for run in resumed.runs]
    assert cached == [1, 0, 0]  # the finished unit came from the cache; the others were computed


def test_a_suite_needs_a_known_engine_and_a_cache(tiny_suite, tmp_path, monkeypatch):
    with pytest.raises(SettingsError, match="engine 'spark' is not one of"):
        saeprobe.suite(tiny_suite, tmp_path, engine="spark")
    with pytest.raises(SettingsError, match="workers=0 must be a whole number"):
        saeprobe.suite(tiny_suite, tmp_path, workers=0)
    monkeypatch.setitem(__import__("sys").modules, "ray", None)
    with pytest.raises(SettingsError, match=r"pip install 'saeprobe\[ray\]'"):
        saeprobe.suite(tiny_suite, tmp_path, engine="ray", cache_dir=tmp_path / "c")


def _suite_with(tiny_suite, tmp_path, replace: dict[str, str], **fields: object) -> object:
    """The tiny suite's mapping with datasets rewritten (``{name: yaml entry}``) and top-level
    ``fields`` replaced, read from tmp_path."""
    import shutil

    import yaml

    for csv in tiny_suite.parent.glob("*.csv"):
        shutil.copy(csv, tmp_path / csv.name)
    payload = yaml.safe_load(tiny_suite.read_text())
    payload["datasets"] = [replace.get(entry["name"], entry) for entry in payload["datasets"]]
    payload.update(fields)
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(payload))
    return path


def test_every_dataset_problem_is_reported_at_once_under_the_suites_keys_before_any_work(tiny_suite, tmp_path):
    path = _suite_with(
        tiny_suite,
        tmp_path,
        {
            "larger_than": {"name": "larger_than", "path": "larger_than.csv", "text_column": "sentence"},
            "topics": {"name": "topics", "path": "missing.csv"},
        },
    )
    with pytest.raises(SettingsError) as error:
        saeprobe.suite(path, tmp_path / "out", cache_dir=tmp_path / "cache", progress=False)
    message = str(error.value)
    assert "2 of the suite's datasets cannot be probed; nothing ran" in message
    assert "datasets[1].text_column: column 'sentence' is not in" in message
    assert "with datasets[1].text_column" in message
    assert "datasets[2].path:" in message and "missing.csv" in message
    assert not (tmp_path / "cache").exists() and not (tmp_path / "out").exists()


def test_a_unit_that_fails_while_running_is_recorded_and_the_rest_finish(
    tiny_suite, tiny_suite_run, tmp_path, monkeypatch
):
    from saeprobe.suites import _local

    real = _local.run_unit

    def failing_on_topics(unit, *args, **kwargs):
        if unit.dataset.name == "topics":
            raise RuntimeError("the disk went away")
        return real(unit, *args, **kwargs)

    monkeypatch.setattr(_local, "run_unit", failing_on_topics)
    _, cache = tiny_suite_run  # the units that do not fail come from this cache
    with pytest.warns(saeprobe.errors.SaeprobeWarning, match="1 of the suite's 3 units failed"):
        result = saeprobe.suite(tiny_suite, tmp_path / "out", cache_dir=cache, progress=False)
    assert [run.error for run in result.failed] == ["RuntimeError: the disk went away"]
    assert {row["n_datasets"] for row in result.rows} == {2}  # the summary holds the units that finished
    stored = SuiteResult.from_json(tmp_path / "out")
    assert [(run.dataset, run.error) for run in stored.runs][-1] == ("topics", "RuntimeError: the disk went away")
    assert (tmp_path / "out" / "suite.html").is_file()
    assert stored.result("movie_sentiment").layers


def test_a_second_suite_on_the_same_out_folder_stops_with_a_message(tiny_suite, tmp_path):
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with (out / ".suite.lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running suite holds it
        with pytest.raises(SettingsError, match=r"another suite is writing .* give this one another --out"):
            saeprobe.suite(tiny_suite, out, cache_dir=tmp_path / "cache", progress=False)


def test_an_out_folder_that_cannot_be_written_or_a_missing_ray_stop_before_any_work(tiny_suite, tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(SettingsError, match=r"out folder .* cannot be written"):
        saeprobe.suite(tiny_suite, blocked / "out", cache_dir=tmp_path / "cache", progress=False)
    assert not (tmp_path / "cache").exists()
    monkeypatch.setitem(__import__("sys").modules, "ray", None)
    with pytest.raises(SettingsError, match="needs Ray"):
        saeprobe.suite(tiny_suite, tmp_path / "fresh", engine="ray", cache_dir=tmp_path / "c")
    assert not (tmp_path / "fresh").exists()
