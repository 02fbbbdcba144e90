"""The offline HTML report in a real browser: click through layers, keys, sorting, inside an iframe."""

import pytest

pytestmark = pytest.mark.browser


def shown(value):
    """A measured value as the details region writes it (counts are written as plain integers)."""
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.3f}"


def expected_facts(result, layer):
    """(label, text) pairs the details region of ``layer`` must show, taken from the result JSON."""
    entry = next(e for e in result.to_dict()["layers"] if e["layer"] == layer)
    sparsity, fidelity = entry["diagnostics"]["sparsity"], entry["diagnostics"]["fidelity"]
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
    from saeprobe.report import write_report

    payload = tiny_result.to_dict()
    payload["classes"] = ["<!--<script>", "pos"]
    page.goto(write_report(payload, tmp_path / "odd.html").as_uri())
    page.get_by_role("button", name="Layer 1", exact=True).click()
    page.get_by_role("region", name="Layer 1 details").wait_for()


def test_a_click_on_a_layer_redraws_quickly_with_30_layers(tiny_result, tmp_path, page):
    from dataclasses import replace

    layers = [replace(tiny_result.layers[i % len(tiny_result.layers)], layer=i, hook_name=f"blocks.{i}.hook_resid_post")
              for i in range(30)]
    report = replace(tiny_result, layers=layers).to_html(tmp_path / "thirty.html")
    page.goto(report.as_uri())
    page.get_by_role("region", name="Layer 0 details").wait_for()
    # The view redraws synchronously on a click: the time of click() is the time to redraw.
    times = page.evaluate("""() => {
        const times = [];
        for (const layer of [...Array(30).keys()].reverse()) {
            const started = performance.now();
            document.querySelector(`button[aria-label='Layer ${layer}']`).click();
            times.push(performance.now() - started);
            if (!document.querySelector(`[aria-label='Layer ${layer} details']`)) throw new Error(`layer ${layer} not shown`);
        }
        return times.sort((a, b) => a - b);
    }""")
    median = times[len(times) // 2]
    print(f"click-to-redraw, 30 layers x 1 SAE set: median {median:.1f} ms, slowest {times[-1]:.1f} ms")
    assert median < 50, times
