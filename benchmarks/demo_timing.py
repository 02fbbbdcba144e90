"""Time ``saeprobe demo`` for one embedded model from an empty cache, then again from the cache it
filled, each in a fresh process as a user runs it; for a GGUF model also time the first load (the
one-off de-quantisation) against a load of the cached copy.

    .venv/bin/python benchmarks/demo_timing.py [--model smollm2] [--layers 0-29:6]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOAD_SNIPPET = """
import time
import transformer_lens.model_bridge
from saeprobe.model import resolve_model
started = time.perf_counter()
bridge = resolve_model({model!r}).load()
print(time.perf_counter() - started)
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.stderr[-3000:]}")
    return seconds, run.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2", choices=["minilm", "smollm2"])
    parser.add_argument("--layers", help="layers to sweep (default: the demo's, all)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "SAEPROBE_CACHE_DIR": str(Path(scratch) / "cache"), "HF_HUB_OFFLINE": "1"}
        rows = []
        if args.model == "smollm2":
            load = [sys.executable, "-c", LOAD_SNIPPET.format(model=args.model)]
            for label in ("model load, first (de-quantises)", "model load, cached copy"):
                seconds, printed = timed(load, env)
                rows.append((label, f"{float(printed.strip()):.1f} s ({seconds:.1f} s with the imports)"))
            (Path(scratch) / "cache" / "dequantised").rename(Path(scratch) / "dequantised-kept")
        demo = [
            sys.executable,
            "-m",
            "saeprobe",
            "demo",
            "--model",
            args.model,
            "--quiet",
            "--out",
            str(Path(scratch) / "demo.html"),
        ] + (["--layers", args.layers] if args.layers else [])
        first, printed = timed(demo, env)
        rows.append(("demo, empty cache", f"{first:.1f} s"))
        again, _ = timed(demo, env)
        rows.append(("demo, cached", f"{again:.1f} s"))
    print(f"saeprobe demo --model {args.model} --layers {args.layers or 'all'} on {os.cpu_count()} CPU cores")
    for label, value in rows:
        print(f"  {label:<36} {value}")
    print()
    print(printed.split("report:")[0].rstrip())


if __name__ == "__main__":
    main()
