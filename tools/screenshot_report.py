"""Photograph the top of an offline report in Debian's Chromium, as the README shows it: a 1280-wide
window, the pointer over the accuracy chart so its tooltip shows, the top 1000 pixels.

    .venv/bin/python tools/screenshot_report.py out/demo.html docs/images/report.png [--no-hover]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

WIDTH, HEIGHT = 1280, 1000
# Where the pointer rests over the chart, as shares of its width and height: near layer 2 of six.
POINTER = (0.42, 0.35)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--no-hover", action="store_true", help="leave the pointer off the chart")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(args.report.resolve().as_uri())
        chart = page.locator("svg.sp-chart").first
        chart.wait_for()
        if not args.no_hover:
            box = chart.bounding_box()
            assert box is not None
            page.mouse.move(box["x"] + box["width"] * POINTER[0], box["y"] + box["height"] * POINTER[1])
            page.locator(".sp-tooltip:not([hidden])").first.wait_for()
        args.png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.png), clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT})
        browser.close()
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
