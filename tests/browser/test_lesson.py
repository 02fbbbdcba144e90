"""The lesson as a course would link to it: the built page, opened from disk with no server, shows
the interactive report, and clicking a layer shows that layer's figures."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

LESSON_RESULT = Path(__file__).resolve().parents[2] / "docs" / "lesson" / "smollm2-demo.json"


def test_the_lesson_page_shows_the_report_and_a_click_shows_a_layer(built_site, page, artifacts):
    result = json.loads(LESSON_RESULT.read_text())
    layer = result["layers"][-1]["layer"]
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((built_site / "lesson" / "index.html").as_uri())
    report = page.frame_locator("iframe[src='report.html']")
    report.get_by_role("button", name=f"Layer {layer}", exact=True).click()
    details = report.get_by_role("region", name=f"Layer {layer} details")
    details.wait_for()
    raw = result["layers"][-1]["scores"]["raw"]["test_accuracy"]
    assert f"{raw:.3f}" in details.inner_text()
    page.screenshot(path=str(artifacts / "lesson.png"), full_page=False)
    outside = [url for url in requests if not url.startswith(("file://", "data:", "about:", "blob:"))]
    assert not outside, outside
