"""A suite's summary across datasets: per (model, layer, representation, metric) the mean and
median over datasets, and for every representation other than ``raw`` how many datasets it wins,
ties and loses against ``raw`` at that layer (sae-probes' win/tie/loss count; a tie is within the
diagnosis margin, 0.02)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

from ..explain import MARGIN

METRICS = ("test_accuracy", "test_auc", "train_accuracy")
SUMMARY_COLUMNS = [
    "model",
    "layer",
    "representation",
    "metric",
    "mean",
    "median",
    "n_datasets",
    "wins",
    "ties",
    "losses",
]


def summarize(
    runs: Iterable[tuple[str, str, dict[str, Any]]], metrics: tuple[str, ...] = METRICS
) -> list[dict[str, Any]]:
    """Summary rows from ``(model, dataset, result as a dict)`` triples (the standard regime only;
    an undefined metric, e.g. the AUC of a one-class test split, is left out of its row)."""
    values: dict[tuple[str, int, str, str], dict[str, float]] = {}
    for model, dataset, result in runs:
        for entry in result["layers"]:
            for representation, scores in entry["scores"].items():
                for metric in metrics:
                    value = scores.get(metric)
                    if value is not None:
                        values.setdefault((model, entry["layer"], representation, metric), {})[dataset] = float(value)
    rows = []
    for (model, layer, representation, metric), by_dataset in sorted(values.items()):
        found = list(by_dataset.values())
        row = {
            "model": model,
            "layer": layer,
            "representation": representation,
            "metric": metric,
            "mean": statistics.fmean(found),
            "median": statistics.median(found),
            "n_datasets": len(found),
            "wins": None,
            "ties": None,
            "losses": None,
        }
        raw = values.get((model, layer, "raw", metric))
        if representation != "raw" and raw:
            paired = [(value, raw[dataset]) for dataset, value in by_dataset.items() if dataset in raw]
            wins = sum(value > reference + MARGIN for value, reference in paired)
            losses = sum(value < reference - MARGIN for value, reference in paired)
            row.update(wins=wins, ties=len(paired) - wins - losses, losses=losses)
        rows.append(row)
    return rows
