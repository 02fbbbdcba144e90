"""Write the embedded demo dataset, kernel_lib/saeprobe/data/files/movie_sentiment.csv.

Sentences about films, written for saeprobe from the word lists and templates below (no outside
source). A label is the sentence's sentiment; a quarter of the sentences negate the adjective
("was not dull"), so a probe must read more than which adjective occurs. Deterministic: rerun
after changing the lists and commit the file.

    python tools/make_demo_dataset.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "kernel_lib" / "saeprobe" / "data" / "files" / "movie_sentiment.csv"

SUBJECTS = [
    "the film",
    "the plot",
    "the acting",
    "the soundtrack",
    "the ending",
    "the dialogue",
    "the cast",
    "the pacing",
    "the story",
    "the camera work",
    "the script",
    "the lead performance",
    "the sequel",
    "the documentary",
    "the animation",
    "the final act",
]
POSITIVE = [
    "wonderful",
    "brilliant",
    "moving",
    "delightful",
    "gripping",
    "superb",
    "charming",
    "clever",
    "beautiful",
    "heartfelt",
    "funny",
    "thrilling",
    "memorable",
    "warm",
    "inventive",
    "stunning",
]
NEGATIVE = [
    "dull",
    "tedious",
    "clumsy",
    "boring",
    "awful",
    "lifeless",
    "predictable",
    "shallow",
    "messy",
    "painful",
    "forgettable",
    "confusing",
    "bland",
    "cheap",
    "sloppy",
    "dreary",
]
TEMPLATES = [
    "{s} was {a}.",
    "Honestly, {s} felt {a}.",
    "I thought {s} was {a}.",
    "{s} is {a} from start to finish.",
    "Everyone agreed that {s} was {a}.",
    "In the end, {s} was simply {a}.",
]
NEGATED = ["{s} was not {a}.", "I would not call {s} {a}.", "{s} was never {a}."]


def sentences(seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows = []
    for label, words, opposite in [("positive", POSITIVE, "negative"), ("negative", NEGATIVE, "positive")]:
        for subject in SUBJECTS:
            for adjective in rng.sample(words, 8):
                template = rng.choice(TEMPLATES)
                rows.append((template.format(s=subject, a=adjective), label))
            for adjective in rng.sample(words, 3):
                template = rng.choice(NEGATED)
                rows.append((template.format(s=subject, a=adjective), opposite))
    rows = [(text[0].upper() + text[1:], label) for text, label in rows]
    rng.shuffle(rows)
    return rows


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(sentences())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
