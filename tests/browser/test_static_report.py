"""The offline HTML report in a real browser: click through layers, keys, sorting, inside an iframe;
a result comparing SAE sets; the chart's export."""

import copy
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

# A real sweep of the tiny model with two SAE sets, `narrow` and `wide` (tools/dump_widget_fixture.py).
TWO_SETS = Path(__file__).resolve().parents[2] / "widgets" / "tests" / "fixture.json"
SVG = "{http://www.w3.org/2000/svg}"


def shown(value):
    """A measured value as the details region writes it (counts are written as plain integers)."""
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.3f}"


def expected_facts(result, layer):
    """(label, text) pairs the details region of ``layer`` must show, taken from the result JSON."""
    entry = next(e for e in result.to_dict()["layers"] if e["layer"] == layer)
    diagnostics = entry["saes"]["sae"]["diagnostics"]
    sparsity, fidelity = diagnostics["sparsity"], diagnostics["fidelity"]
    return [
        ("raw test accuracy", shown(entry["scores"]["raw"]["test_accuracy"])),
        ("sae test accuracy", shown(entry["scores"]["sae"]["test_accuracy"])),
        ("L0 mean", shown(sparsity["l0_mean"])),
        ("n_active_union", str(sparsity["n_active_union"])),
        ("n_always_on", str(sparsity["n_always_on"])),
        ("FVU", shown(fidelity["fvu"])),
    ]


def test_click_and_arrow_keys_show_the_layer_numbers(tiny_result, tmp_path, page, artifacts):
    report = tiny_result.to_html(tmp_path / "sweep.html")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    page.get_by_role("button", name="Layer 2", exact=True).click()
    region = page.get_by_role("region", name="Layer 2 details")
    region.wait_for()
    for label, value in expected_facts(tiny_result, 2):
        assert f"{label}{value}" in region.inner_text().replace("\n", "").replace("\t", ""), label
    assert tiny_result.layers[2].diagnosis["sae"].text in region.inner_text()
    page.screenshot(path=str(artifacts / "static-report-layer2.png"), full_page=True)
    page.keyboard.press("ArrowRight")
    region = page.get_by_role("region", name="Layer 3 details")
    region.wait_for()
    for label, value in expected_facts(tiny_result, 3):
        assert f"{label}{value}" in region.inner_text().replace("\n", "").replace("\t", ""), label
    assert all(url.startswith("file://") for url in requests), requests


def test_hover_sort_and_toggle(tiny_result, tmp_path, page, artifacts):
    page.goto(tiny_result.to_html(tmp_path / "sweep.html").as_uri())
    # Points of equal accuracy overlap; whichever is on top, it belongs to layer 0.
    page.locator("circle.sp-point").first.hover(force=True)
    assert "Layer 0" in page.locator(".sp-readout").inner_text()
    rows = page.locator(".sp-features tbody tr")
    first_by_separation = rows.first.locator("td").first.inner_text()
    page.get_by_role("button", name="feature", exact=True).click()
    page.get_by_role("button", name="feature ▼").click()
    first_by_id = rows.first.locator("td").first.inner_text()
    ids = [int(t) for t in rows.locator("td:first-child").all_inner_texts()]
    assert ids == sorted(ids) and first_by_id == str(min(ids)) and first_by_separation.isdigit()
    lines = page.locator("path.sp-line").count()
    page.get_by_label("pca_matched").uncheck()
    assert page.locator("path.sp-line").count() == lines - 2


def test_works_inside_an_iframe(tiny_result, tmp_path, page, artifacts):
    tiny_result.to_html(tmp_path / "sweep.html")
    host = tmp_path / "course.html"
    host.write_text('<h1>Lesson 3</h1><iframe src="sweep.html" title="sweep" width="1000" height="1200"></iframe>')
    page.goto(host.as_uri())
    frame = page.frame_locator("iframe[title=sweep]")
    frame.get_by_role("button", name="Layer 1", exact=True).click()
    frame.get_by_role("region", name="Layer 1 details").wait_for()
    page.screenshot(path=str(artifacts / "static-report-iframe.png"), full_page=True)


def test_a_label_with_markup_still_renders(tiny_result, tmp_path, page):
    from saeprobe.view import write_report

    payload = tiny_result.to_dict()
    payload["classes"] = ["<!--<script>", "pos"]
    page.goto(write_report(payload, tmp_path / "odd.html").as_uri())
    page.get_by_role("button", name="Layer 1", exact=True).click()
    page.get_by_role("region", name="Layer 1 details").wait_for()


def flat_text(locator) -> str:
    """The text of ``locator`` without the line breaks and tabs between a label and its value."""
    return locator.inner_text().replace("\n", "").replace("\t", "")


def two_set_result() -> dict:
    return json.loads(TWO_SETS.read_text(encoding="utf-8"))


def add_set_copy(payload: dict, source: str, name: str) -> dict:
    """``payload`` with a further SAE set ``name`` at every layer: a copy of the set ``source``, its
    representations renamed with the suffix ``:name``."""
    for entry in payload["layers"]:
        for key in ("scores", "baselines"):
            entry[key].update(
                {
                    f"{rep.rsplit(':', 1)[0]}:{name}": copy.deepcopy(value)
                    for rep, value in entry[key].items()
                    if rep.endswith(f":{source}")
                }
            )
        entry["saes"][name] = copy.deepcopy(entry["saes"][source])
        entry["diagnosis"][name] = copy.deepcopy(entry["diagnosis"][source])
    return payload


def redraw_times(page, n_layers: int) -> list[float]:
    """Milliseconds from a click on each layer's button to the redrawn view, sorted."""
    page.get_by_role("region", name="Layer 0 details").wait_for()
    # The view redraws synchronously on a click: the time of click() is the time to redraw.
    return page.evaluate(
        """n => {
        const times = [];
        for (const layer of [...Array(n).keys()].reverse()) {
            const started = performance.now();
            document.querySelector(`button[aria-label='Layer ${layer}']`).click();
            times.push(performance.now() - started);
            const shown = document.querySelector(`[aria-label='Layer ${layer} details']`);
            if (!shown) throw new Error(`layer ${layer} not shown`);
        }
        return times.sort((a, b) => a - b);
    }""",
        n_layers,
    )


def test_a_click_on_a_layer_redraws_quickly_with_30_layers(tiny_result, tmp_path, page):
    from dataclasses import replace

    layers = [
        replace(tiny_result.layers[i % len(tiny_result.layers)], layer=i, hook_name=f"blocks.{i}.hook_resid_post")
        for i in range(30)
    ]
    page.goto(replace(tiny_result, layers=layers).to_html(tmp_path / "thirty.html").as_uri())
    times = redraw_times(page, 30)
    median = times[len(times) // 2]
    print(f"click-to-redraw, 30 layers x 1 SAE set: median {median:.1f} ms, slowest {times[-1]:.1f} ms")
    assert median < 50, times


def test_a_click_on_a_layer_redraws_quickly_with_30_layers_and_3_sae_sets(tmp_path, page):
    from saeprobe.view import write_report

    payload = add_set_copy(two_set_result(), "wide", "third")
    layers = payload["layers"]
    payload["layers"] = [
        dict(copy.deepcopy(layers[i % len(layers)]), layer=i, hook_name=f"blocks.{i}.hook_resid_post")
        for i in range(30)
    ]
    page.goto(write_report(payload, tmp_path / "thirty-three.html").as_uri())
    assert page.get_by_role("tab").all_inner_texts() == ["narrow", "wide", "third"]
    assert page.locator(".sp-chart path.sp-line").count() == 2 * 7  # raw, and sae and pca_matched of each set
    times = redraw_times(page, 30)
    median = times[len(times) // 2]
    print(f"click-to-redraw, 30 layers x 3 SAE sets: median {median:.1f} ms, slowest {times[-1]:.1f} ms")
    assert median < 50, times


def test_the_details_switch_between_sae_sets_and_keep_the_choice(tmp_path, page, artifacts):
    from saeprobe.view import write_report

    payload = two_set_result()
    page.goto(write_report(payload, tmp_path / "two-sets.html").as_uri())
    header = page.locator("header").inner_text()
    assert f"narrow\n{payload['sae_sets']['narrow']}" in header and f"wide\n{payload['sae_sets']['wide']}" in header
    page.get_by_role("button", name="Layer 1", exact=True).click()
    region = page.get_by_role("region", name="Layer 1 details")
    entry = payload["layers"][1]
    narrow, wide = (entry["saes"][name]["diagnostics"]["sparsity"] for name in ("narrow", "wide"))
    assert f"SAE width{narrow['n_features']}" in flat_text(region)
    assert "sae:narrow test accuracy" in flat_text(region)
    for name in ("narrow", "wide"):
        assert entry["diagnosis"][name]["text"] in region.inner_text()
    page.get_by_role("tab", name="wide").click()
    assert page.get_by_role("tab", name="wide").get_attribute("aria-selected") == "true"
    panel = page.get_by_role("tabpanel", name="SAE set wide")
    assert f"SAE width{wide['n_features']}" in flat_text(panel)
    assert f"n_active_union{wide['n_active_union']}" in flat_text(panel)
    assert "sae:wide test accuracy" in flat_text(panel) and "sae:narrow" not in flat_text(panel)
    page.screenshot(path=str(artifacts / "static-report-two-sets.png"), full_page=True)
    page.get_by_role("button", name="Layer 2", exact=True).click()
    panel = page.get_by_role("tabpanel", name="SAE set wide")
    layer_two = payload["layers"][2]["saes"]["wide"]["diagnostics"]["sparsity"]
    assert f"n_active_union{layer_two['n_active_union']}" in flat_text(panel)


def test_the_chart_downloads_as_svg_and_png_with_its_legend(tmp_path, page):
    from saeprobe.view import write_report

    page.goto(write_report(two_set_result(), tmp_path / "two-sets.html").as_uri())
    with page.expect_download() as svg_download:
        page.get_by_role("button", name="SVG", exact=True).click()
    assert svg_download.value.suggested_filename == "saeprobe-accuracy.svg"
    root = ET.parse(svg_download.value.path()).getroot()
    assert root.tag == f"{SVG}svg"
    texts = [node.text for node in root.iter(f"{SVG}text")]
    for name in (
        "raw",
        "sae:narrow",
        "pca_matched:narrow",
        "sae:wide",
        "pca_matched:wide",
        "solid: test, dashed: train",
    ):
        assert name in texts, texts
    assert not any("class" in node.attrib for node in root.iter())
    with page.expect_download() as png_download:
        page.get_by_role("button", name="PNG", exact=True).click()
    assert png_download.value.suggested_filename == "saeprobe-accuracy.png"
    data = Path(png_download.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (2 * int(root.get("width")), 2 * int(root.get("height")))
