"""Write widgets/tests/fixture.json: the result of a real sweep (the tests' tiny GPT-2 and two SAE
sets built here, ``narrow`` and ``wide``), and widgets/tests/suite-fixture.json: the view state of
a real suite of the same model and sets on three small datasets; the front-end tests read both.
Run it again whenever the result schema changes; tests/saeprobe/view/test_widget.py says when that
is due."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "widgets" / "tests" / "fixture.json"
SUITE_FIXTURE = ROOT / "widgets" / "tests" / "suite-fixture.json"


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    import saeprobe
    from builders import CORPUS, TINY_LAYERS, build_tiny_model, make_sae, write_tiny_suite

    with tempfile.TemporaryDirectory() as scratch:
        model = build_tiny_model(Path(scratch) / "tiny-gpt2")
        sets = {"narrow": Path(scratch) / "narrow", "wide": Path(scratch) / "wide"}
        for layer in range(TINY_LAYERS):
            make_sae(layer).save_model(sets["narrow"] / f"layer_{layer}")
            make_sae(layer, d_sae=128, seed=7).save_model(sets["wide"] / f"layer_{layer}")
        texts = [f"{a} and {b}" for a in CORPUS for b in CORPUS[:6]]
        labels = ["pos" if any(w in t for w in ("charming", "loved", "brilliant")) else "neg" for t in texts]
        data = saeprobe.load_dataset(texts, labels, template="Review: {text}\nSentiment:", name="corpus-pairs")
        result = saeprobe.sweep(
            str(model),
            {name: str(path) for name, path in sets.items()},
            data,
            layers="0-2",
            top_ks=(1, 5),
            feature_table_size=12,
            cache_dir=False,
            progress=False,
        )
        suite_file = write_tiny_suite(Path(scratch), model, sets, rows=48)
        state = saeprobe.suite(
            suite_file, Path(scratch) / "suite", cache_dir=Path(scratch) / "cache", progress=False
        ).view_state()
    result.model.name = "tiny-gpt2"  # not the scratch path
    FIXTURE.write_text(result.to_json() + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE.relative_to(ROOT)}")
    # Not the scratch paths: the model as a name, the SAE sets by their folder's name.
    text = json.dumps(state, indent=1).replace(str(Path(scratch)), "/scratch")
    SUITE_FIXTURE.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {SUITE_FIXTURE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
