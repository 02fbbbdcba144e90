"""The JupyterLab extension in a real `jupyter lab` on loopback, driven in Chromium: open the
saeprobe panel, start the demo sweep from the form with the embedded data, watch its progress reach
done, open its report in a tab and click a layer there, then cancel a second job and resume it;
every control has an accessible name, and the form and the panel work by keyboard."""

from __future__ import annotations

import re
import secrets
import time

import pandas as pd
import pytest
from notebook_servers import free_port, jupyter_command, serving

from patience import patience_ms

pytestmark = pytest.mark.browser

# The panel's controls and the form's: each needs a name a screen reader can say.
UNNAMED = """root => [...root.querySelectorAll('button, input, select, progress')].filter(el => {
  const labelled = (el.labels && el.labels.length) || el.getAttribute('aria-label')
    || el.getAttribute('aria-labelledby');
  return !(labelled || el.textContent.trim());
}).map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def lab(tmp_path, monkeypatch, tiny_result):
    root = tmp_path / "work"
    root.mkdir()
    # What the file browser offers the commands: a table with its own column names, a result file.
    films = pd.DataFrame({"review": ["a fine film", "a dull film"] * 4, "stars": ["5", "1"] * 4})
    films.to_csv(root / "films.csv", index=False)
    tiny_result.to_json(root / "result.json")
    # The jobs' caches and results apart from the user's; the model comes from its PyPI package.
    monkeypatch.setenv("SAEPROBE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    command = jupyter_command("jupyterlab", root, port, token)
    with serving(command, f"{base}/api/status?token={token}", tmp_path, "jupyterlab") as log:
        yield f"{base}/lab?token={token}", log


def test_the_panel_starts_watches_opens_cancels_and_resumes_sweeps(lab, page, artifacts):
    url, log = lab
    try:
        drive(page, url, artifacts)
    except Exception:
        page.screenshot(path=str(artifacts / "lab-panel-failure.png"), full_page=True)
        print(log.read_text()[-4000:])
        raise


def open_form(page):
    page.locator("#saeprobe-sweeps").get_by_role("button", name="New sweep…").click()
    form = page.get_by_role("form", name="New saeprobe sweep").last
    form.wait_for()
    return form


def job_row(panel, index: int):
    return panel.locator("li.sp-lab-job").nth(index)


def drive(page, url, artifacts):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(url)
    page.locator(".lm-TabBar-tab[data-id='saeprobe-sweeps']").click(timeout=patience_ms(90_000))
    panel = page.locator("#saeprobe-sweeps")
    panel.get_by_text("No sweeps yet").wait_for()

    # The demo sweep, from the form: the embedded model and data, two layers.
    form = open_form(page)
    assert form.get_by_label("Model", exact=True).get_attribute("list")  # offline names suggested
    form.get_by_label("Model", exact=True).fill("minilm")
    form.get_by_label("Data", exact=True).fill("demo")
    form.get_by_label("layers", exact=True).fill("0-1")
    assert page.locator(".sp-lab-form").evaluate(UNNAMED) == []
    form.screenshot(path=str(artifacts / "lab-form.png"))
    clicked = time.monotonic()
    form.get_by_role("button", name="Start sweep").click()
    first = job_row(panel, 0)
    first.locator(".sp-lab-progress", has_text=re.compile(r"\d+/\d+")).wait_for(timeout=patience_ms(120_000))
    to_progress = time.monotonic() - clicked
    (artifacts / "lab-panel-timing.txt").write_text(f"click to first progress update: {to_progress:.1f} s\n")
    print(f"click to first progress update: {to_progress:.1f} s")
    page.locator("li.sp-lab-job.sp-lab-done").first.wait_for(timeout=patience_ms(300_000))

    # A second job, submitted by keyboard (Enter in a field), then cancelled and resumed.
    second = open_form(page)
    second.get_by_label("Model", exact=True).fill("minilm")
    second.get_by_label("Data", exact=True).fill("demo")
    second.get_by_label("template", exact=True).fill("Film: {text}")
    second.get_by_label("layers", exact=True).fill("all")
    second.get_by_label("layers", exact=True).press("Enter")
    newest = job_row(panel, 0)
    cancel = newest.get_by_role("button", name=re.compile("^Cancel: "))
    cancel.wait_for(timeout=patience_ms(30_000))
    assert panel.evaluate(UNNAMED) == []
    page.screenshot(path=str(artifacts / "lab-panel.png"))
    cancel.focus()
    page.keyboard.press("Enter")
    panel.locator("li.sp-lab-job.sp-lab-cancelled").wait_for(timeout=patience_ms(60_000))
    newest.get_by_role("button", name=re.compile("^Resume: ")).click()
    again = panel.locator("li.sp-lab-job.sp-lab-running, li.sp-lab-job.sp-lab-queued")
    again.first.wait_for(timeout=patience_ms(60_000))
    # Leave no job running when the server stops: cancel it again.
    job_row(panel, 0).get_by_role("button", name=re.compile("^Cancel: ")).click()
    panel.locator("li.sp-lab-job.sp-lab-cancelled").wait_for(timeout=patience_ms(60_000))

    # The finished job's report in a main-area tab; a click on a layer there selects it.
    done = panel.locator("li.sp-lab-job.sp-lab-done").first
    done.get_by_role("button", name=re.compile("^Open report: ")).click()
    report = page.frame_locator("iframe[title^='saeprobe report']")
    report.get_by_role("button", name="Layer 1", exact=True).click(timeout=patience_ms(60_000))
    report.get_by_role("region", name="Layer 1 details").wait_for()
    page.screenshot(path=str(artifacts / "lab-report.png"))

    # The finished job in a new notebook: the result saved beside it, one cell showing the widget.
    done.get_by_role("button", name=re.compile("^Open in notebook: ")).click()
    page.locator(".jp-Notebook .jp-Cell", has_text="SweepResult.from_json").first.wait_for(timeout=patience_ms(60_000))

    # The file browser's commands: a table opens the form with its columns offered and chosen.
    page.locator(".jp-DirListing-item", has_text="films.csv").click(button="right")
    page.get_by_role("menuitem", name="Sweep with saeprobe…").click()
    prefilled = page.get_by_role("form", name="New saeprobe sweep").last
    assert prefilled.get_by_label("Data", exact=True).input_value() == "films.csv"
    text_column = prefilled.get_by_label("text column", exact=True)
    page.wait_for_function("el => el.value === 'review'", arg=text_column.element_handle())
    assert prefilled.get_by_label("label column", exact=True).input_value() == "stars"
    # A result file is drawn in a tab by the widget's own view.
    page.locator(".jp-DirListing-item", has_text="result.json").click(button="right")
    page.get_by_role("menuitem", name="Open saeprobe report").click()
    drawn = page.locator(".sp-lab-result").last
    drawn.get_by_role("button", name="Layer 2", exact=True).click()
    drawn.get_by_role("region", name="Layer 2 details").wait_for()
