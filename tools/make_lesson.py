"""Write docs/lesson/smollm2-demo.json, the result the lesson's interactive report shows: the demo
on the SmolLM2-135M decoder (the seed experiment's setting: a prompt around each review, the last
token's hidden state), every third layer, with SAEs trained here on the task's prompts and on
general prose. Offline; about ten minutes on two CPU cores, seconds once cached.

    .venv/bin/python tools/make_lesson.py [--cache-dir DIR]

The site's build renders the file into the lesson's report (tools/docs_pages.py); a test checks it
is a result of the current schema. Run this again when the schema or the demo changes.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from saeprobe.app import describe, run_demo

OUT = Path(__file__).resolve().parents[1] / "docs" / "lesson" / "smollm2-demo.json"
LAYERS = "0-29:3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", help="cache for the model copy, activations, SAEs and results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        demo = run_demo(Path(scratch) / "lesson.html", model="smollm2", layers=LAYERS, cache_dir=args.cache_dir)
    demo.result.model.name = "smollm2"  # the built-in name, not this machine's path to the file
    OUT.write_text(demo.result.to_json() + "\n", encoding="utf-8")
    print(describe(demo))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
