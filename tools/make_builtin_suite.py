"""Write the datasets of the built-in small suite, kernel_lib/saeprobe/suites/builtin/small/.

Statements written for saeprobe from the lists below (no outside source), so the package may ship
them: numeric comparisons (true/false), cities and their countries (true/false), and sentences on
four topics. With the embedded film-review sentences they make four small tasks of different
kinds: sentiment, arithmetic truth, factual truth and topic (four classes). Deterministic: rerun
after changing the lists and commit the files.

    python tools/make_builtin_suite.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "kernel_lib" / "saeprobe" / "suites" / "builtin" / "small"

CITIES = {
    "Paris": "France",
    "Lyon": "France",
    "Marseille": "France",
    "Berlin": "Germany",
    "Munich": "Germany",
    "Hamburg": "Germany",
    "Madrid": "Spain",
    "Barcelona": "Spain",
    "Seville": "Spain",
    "Rome": "Italy",
    "Milan": "Italy",
    "Naples": "Italy",
    "Tokyo": "Japan",
    "Osaka": "Japan",
    "Kyoto": "Japan",
    "Toronto": "Canada",
    "Vancouver": "Canada",
    "Montreal": "Canada",
    "Sydney": "Australia",
    "Melbourne": "Australia",
    "Perth": "Australia",
    "Cairo": "Egypt",
    "Alexandria": "Egypt",
    "Mumbai": "India",
    "Delhi": "India",
    "Chennai": "India",
    "Beijing": "China",
    "Shanghai": "China",
    "Lagos": "Nigeria",
    "Nairobi": "Kenya",
    "Lima": "Peru",
    "Santiago": "Chile",
    "Bogota": "Colombia",
    "Oslo": "Norway",
    "Bergen": "Norway",
    "Stockholm": "Sweden",
    "Helsinki": "Finland",
    "Warsaw": "Poland",
    "Krakow": "Poland",
    "Lisbon": "Portugal",
    "Porto": "Portugal",
    "Athens": "Greece",
    "Dublin": "Ireland",
    "Vienna": "Austria",
    "Prague": "Czechia",
    "Budapest": "Hungary",
    "Chicago": "the United States",
    "Boston": "the United States",
    "Seattle": "the United States",
    "Manchester": "the United Kingdom",
    "Glasgow": "the United Kingdom",
    "Istanbul": "Turkey",
    "Hanoi": "Vietnam",
    "Bangkok": "Thailand",
    "Seoul": "South Korea",
    "Busan": "South Korea",
    "Buenos Aires": "Argentina",
    "Havana": "Cuba",
    "Nagoya": "Japan",
    "Quebec": "Canada",
}

TOPICS = {
    "sport": (
        ["the striker", "the goalkeeper", "the coach", "the team", "the runner", "the referee"],
        [
            "scored in the final minute",
            "trained hard before the match",
            "won the championship",
            "missed a penalty",
            "broke the track record",
            "was sent off in the second half",
        ],
    ),
    "science": (
        ["the chemist", "the telescope", "the experiment", "the physicist", "the lab", "the biologist"],
        [
            "measured the reaction rate",
            "detected a faint galaxy",
            "confirmed the hypothesis",
            "sequenced the genome",
            "recorded the particle decay",
            "published the results in a journal",
        ],
    ),
    "food": (
        ["the chef", "the bakery", "the soup", "the restaurant", "the recipe", "the dessert"],
        [
            "needed more garlic",
            "served fresh bread every morning",
            "was seasoned with thyme",
            "used ripe tomatoes",
            "tasted of lemon and honey",
            "was slowly roasted in the oven",
        ],
    ),
    "weather": (
        ["the storm", "the forecast", "the wind", "the morning fog", "the rain", "the heatwave"],
        [
            "reached the coast by noon",
            "promised sunshine all week",
            "knocked down several trees",
            "lifted before lunch",
            "flooded the low streets",
            "lasted for ten days",
        ],
    ),
}
OPENERS = ["", "Yesterday ", "According to the news, ", "Last week ", "Once again ", "This time "]


def larger_than(rng: random.Random, n: int = 240) -> list[tuple[str, str]]:
    rows = []
    while len(rows) < n:
        a, b = rng.sample(range(1, 100), 2)
        truth = len(rows) % 2 == 0
        big, small = max(a, b), min(a, b)
        first, second = (big, small) if truth else (small, big)
        rows.append((f"{first} is larger than {second}.", "true" if truth else "false"))
    return rows


def capitals(rng: random.Random) -> list[tuple[str, str]]:
    countries = sorted(set(CITIES.values()))
    rows = []
    for city, country in CITIES.items():
        rows.append((f"The city of {city} is in {country}.", "true"))
        wrong = rng.choice([c for c in countries if c != country])
        rows.append((f"The city of {city} is in {wrong}.", "false"))
    return rows


def topics(rng: random.Random, per_topic: int = 60) -> list[tuple[str, str]]:
    rows = []
    for topic, (subjects, predicates) in TOPICS.items():
        triples = [(o, s, p) for o in OPENERS for s in subjects for p in predicates]
        for opener, subject, predicate in rng.sample(triples, per_topic):
            sentence = f"{opener}{subject} {predicate}."
            rows.append((sentence[0].upper() + sentence[1:], topic))
    return rows


def write(name: str, rows: list[tuple[str, str]], rng: random.Random) -> None:
    rng.shuffle(rows)
    with open(OUT / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    print(f"wrote {name}.csv: {len(rows)} rows")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    write("larger_than", larger_than(rng), rng)
    write("capitals", capitals(rng), rng)
    write("topics", topics(rng), rng)


if __name__ == "__main__":
    main()
