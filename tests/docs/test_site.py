"""The documentation site: it builds offline in strict mode, its generated reference pages say what
the code declares, the lesson's report holds the lesson's result, and the README stays a front
door whose links lead somewhere."""

import dataclasses
import json
import re
from pathlib import Path

import pytest

from saeprobe.config import DataOptions, SAETrainingSettings, SweepSettings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_of_the_navigation_is_built(built_site):
    for page in (
        "index.html",
        "lesson/index.html",
        "lesson/report.html",
        "guides/sweeps/index.html",
        "reference/settings/index.html",
        "reference/rest-api/index.html",
        "reference/api/sweeps/index.html",
    ):
        assert (built_site / page).is_file(), page
    assert "fonts.googleapis" not in (built_site / "index.html").read_text()  # nothing is fetched when read offline


def test_the_settings_reference_lists_every_setting_with_what_it_allows(built_site):
    text = (built_site / "reference/settings/index.html").read_text()
    for cls in (SweepSettings, DataOptions, SAETrainingSettings):
        for field in dataclasses.fields(cls):
            assert f"<code>{field.name}</code>" in text, field.name
    assert "[0, 4294967295]" in text and "one of last, mean, max" in text


def test_the_api_reference_shows_each_folder_and_its_public_names(built_site):
    text = (built_site / "reference/api/sweeps/index.html").read_text()
    assert 'id="saeprobe.sweeps.sweep"' in text and 'id="saeprobe.sweeps.SweepRun"' in text
    assert ":func:" not in text and ":class:" not in text  # Sphinx roles are shown as code


def test_the_lessons_report_holds_the_lessons_result(built_site):
    result = json.loads((ROOT / "docs/lesson/smollm2-demo.json").read_text())
    page = (built_site / "lesson/report.html").read_text()
    state = json.loads(re.search(r'id="saeprobe-state">(.*?)</script>', page, re.S).group(1))
    assert state["result"] == result
    assert 'src="report.html"' in (built_site / "lesson/index.html").read_text()


def test_the_readme_is_a_short_front_door_whose_links_lead_somewhere():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target


def test_the_lesson_quotes_its_result_and_the_result_is_of_the_current_schema():
    import jsonschema

    from saeprobe import SweepResult
    from saeprobe.sweeps import SCHEMA_PATH

    stored = json.loads((ROOT / "docs/lesson/smollm2-demo.json").read_text())
    jsonschema.validate(stored, json.loads(SCHEMA_PATH.read_text()))
    result = SweepResult.from_dict(stored)
    accuracy = result.table("test_accuracy")
    figures = result.diagnostics.set_index(["layer", "sae_set"])
    labels = result.diagnoses.set_index(["layer", "sae_set"])["label"]

    def acc(layer, rep):
        return round(float(accuracy.loc[layer, rep]), 3)

    assert (acc(0, "raw"), acc(0, "sae:task"), acc(0, "pca_matched:task")) == (0.660, 0.472, 0.528)
    assert figures.loc[(0, "task"), ["l0_mean", "n_always_on", "n_active_union_train", "pca_k"]].tolist() == [
        16,
        15,
        21,
        21,
    ]
    assert (acc(15, "raw"), acc(15, "sae:task"), acc(15, "pca_matched:task"), figures.loc[(15, "task"), "pca_k"]) == (
        0.991,
        0.575,
        0.840,
        19,
    )
    assert (labels[(18, "task")], labels[(24, "task")], labels[(27, "task")]) == (
        "fidelity",
        "undetermined",
        "inconclusive",
    )
    gap = result.layer(27).comparison("raw", "sae:task")
    assert (round(gap.gap, 2), round(gap.low, 2), round(gap.high, 2), gap.n_test) == (0.06, 0.01, 0.10, 106)
    assert (acc(18, "sae_reconstruction:task"), acc(18, "sae_error:task")) == (0.896, 0.991)
    assert round(figures.loc[(18, "task"), "fvu"], 2) == 0.81
    assert figures.loc[(27, "task"), ["n_always_on", "n_active_union"]].tolist() == [11, 32]
    assert (acc(27, "raw"), acc(27, "sae:task")) == (0.962, 0.906)
    assert (round(figures.loc[(0, "general"), "fvu"]), round(figures.loc[(27, "general"), "fvu"], 1)) == (38, 8.7)
    top = result.features(27, "task").iloc[0]
    assert (top["feature"], round(top["firing_rate:negative"], 2), round(top["firing_rate:positive"], 2)) == (
        1246,
        0.89,
        0.54,
    )
    means = accuracy.mean()
    assert (round(means["raw"], 3), round(means["sae:task"], 3), round(means["sae:general"], 3)) == (
        0.858,
        0.620,
        0.658,
    )
    controls = (
        round(means["sae_random:task"], 3),
        round(means["sae_random:general"], 3),
        round(means["raw_random_k:task"], 3),
        round(means["raw_shuffled"], 3),
    )
    assert controls == (0.665, 0.656, 0.729, 0.554)
    beats = [found.evidence["beats_random"] for entry in result.layers for found in entry.diagnosis.values()]
    assert beats.count(True) == 0 and len(beats) == 20
    assert not any(entry.warnings for entry in result.layers)
    text = (ROOT / "docs/lesson/index.md").read_text()
    for quoted in (
        "0.858",
        "0.620",
        "0.658",
        "Feature 1246",
        "38 at layer 0",
        "(L0 = 16)",
        "0.01 to 0.10",
        "(188)",
        "0.665",
        "0.656",
        "0.729",
        "0.554",
    ):
        assert quoted in text, quoted
