"""The offline suite report in a real browser: the gap heatmap of datasets × layers per SAE set, the
mean curves, and a clicked cell's sweep view, all from one file with no network."""

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

# A real suite of the tiny model: 3 datasets, SAE sets `narrow` and `wide`, layers 0-3.
SUITE = Path(__file__).resolve().parents[2] / "widgets" / "tests" / "suite-fixture.json"
DATASETS = ["movie_sentiment", "larger_than", "topics"]


def suite_state() -> dict:
    return json.loads(SUITE.read_text(encoding="utf-8"))


def result_of(suite: dict, dataset: str) -> dict:
    run = next(run for run in suite["runs"] if run["dataset"] == dataset)
    return suite["results"][f"{run['model']}/{dataset}"]


def gap_text(result: dict, layer: int, set_name: str) -> str:
    """The heatmap's text of a cell: raw − sae:SET test accuracy at ``layer`` to 3 decimals, a half
    rounded away from 0 as JavaScript's toFixed does (-0.0625 is "-0.063")."""
    scores = next(entry for entry in result["layers"] if entry["layer"] == layer)["scores"]
    gap = scores["raw"]["test_accuracy"] - scores[f"sae:{set_name}"]["test_accuracy"]
    return str(Decimal(gap).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def heatmap_texts(table) -> list[list[str]]:
    """The cell texts of a heatmap table, row by row."""
    return [row.locator("button").all_inner_texts() for row in table.locator("tbody tr").all()]


def test_heatmap_set_tabs_and_a_cell_opens_its_sweep(tmp_path, page, artifacts):
    from saeprobe.view import write_suite_report

    suite = suite_state()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(write_suite_report(suite, tmp_path / "suite.html").as_uri())
    assert "3 datasets · SAE sets narrow, wide · local engine" in page.locator("header").first.inner_text()

    table = page.get_by_role("table", name=re.compile("^raw − sae:narrow test accuracy"))
    assert table.locator("thead th").all_inner_texts()[1:] == ["0", "1", "2", "3"]
    assert table.locator("tbody th").all_inner_texts() == DATASETS
    assert heatmap_texts(table) == [
        [gap_text(result_of(suite, d), layer, "narrow") for layer in range(4)] for d in DATASETS
    ]

    page.get_by_role("tablist", name="SAE set of the heatmaps").get_by_role("tab", name="wide").click()
    table = page.get_by_role("table", name=re.compile("^raw − sae:wide test accuracy"))
    assert heatmap_texts(table) == [
        [gap_text(result_of(suite, d), layer, "wide") for layer in range(4)] for d in DATASETS
    ]

    topics = result_of(suite, "topics")
    page.get_by_role("button", name=f"topics, layer 2, gap {gap_text(topics, 2, 'wide')}", exact=True).click()
    sweep = page.get_by_role("region", name=re.compile("^Sweep of topics"))
    region = sweep.get_by_role("region", name="Layer 2 details")
    region.wait_for()
    for found in next(entry for entry in topics["layers"] if entry["layer"] == 2)["diagnosis"].values():
        assert found["text"] in region.inner_text()
    assert sweep.locator("header").inner_text().startswith(f"{topics['model']['label']} · topics")
    assert table.locator("[aria-current=true]").get_attribute("aria-label").startswith("topics, layer 2, gap ")
    page.screenshot(path=str(artifacts / "suite-report.png"), full_page=True)

    # A layer chosen in the sweep view moves the heatmap's selected cell along.
    sweep.get_by_role("button", name="Layer 3", exact=True).click()
    sweep.get_by_role("region", name="Layer 3 details").wait_for()
    assert table.locator("[aria-current=true]").get_attribute("aria-label").startswith("topics, layer 3, gap ")
    assert all(url.startswith("file://") for url in requests), requests


def test_mean_curves_and_win_counts_come_from_the_summary(tmp_path, page):
    from saeprobe.view import write_suite_report

    suite = suite_state()
    page.goto(write_suite_report(suite, tmp_path / "suite.html").as_uri())
    means = page.get_by_role("region", name="Means over datasets")
    chart = means.get_by_role("img", name=re.compile("^Mean test accuracy over datasets by layer"))
    assert chart.locator("path.sp-line").count() == 5  # raw, and sae and pca_matched of each set
    assert means.locator(".sp-legend li").all_inner_texts() == [
        "raw",
        "sae:narrow",
        "pca_matched:narrow",
        "sae:wide",
        "pca_matched:wide",
    ]
    counts = {
        (row["representation"], row["layer"]): f"{row['wins']} / {row['ties']} / {row['losses']}"
        for row in suite["summary"]
        if row["metric"] == "test_accuracy"
    }
    rows = means.locator("table.sp-wins tbody tr").all()
    assert [row.locator("th").inner_text() for row in rows] == ["sae:narrow", "sae:wide"]
    for row in rows:
        name = row.locator("th").inner_text()
        assert row.locator("td").all_inner_texts() == [counts[(name, layer)] for layer in range(4)]
