"""A suite's summary across datasets: per (model, layer, representation, metric) the mean and
median over datasets, and for every representation other than ``raw`` how many datasets it wins,
ties and loses against ``raw`` at that layer (sae-probes' win/tie/loss count). For test accuracy a
win or a loss counts only when the paired interval of the gap excludes zero, otherwise it is a
tie; results without intervals (written before 0.4, or with ``bootstrap=0``) and the other metrics
count a gap within the diagnosis margin, 0.02, as a tie."""

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
    # The interval of raw's test accuracy minus each representation's, by (model, layer, rep, dataset).
    intervals: dict[tuple[str, int, str, str], tuple[float, float]] = {}
    for model, dataset, result in runs:
        for entry in result["layers"]:
            for compared in entry.get("comparisons") or []:
                if compared["reference"] == "raw" and compared["low"] is not None and compared["high"] is not None:
                    intervals[model, entry["layer"], compared["other"], dataset] = (compared["low"], compared["high"])
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
            outcomes = [
                _outcome(
                    value,
                    raw[dataset],
                    intervals.get((model, layer, representation, dataset)) if metric == "test_accuracy" else None,
                )
                for dataset, value in by_dataset.items()
                if dataset in raw
            ]
            row.update(wins=outcomes.count(1), ties=outcomes.count(0), losses=outcomes.count(-1))
        rows.append(row)
    return rows


def _outcome(value: float, raw: float, gap_interval: tuple[float, float] | None) -> int:
    """1 when a representation beats raw on a dataset, -1 when it loses, 0 for a tie: by the
    interval of raw minus it when there is one (zero excluded), else by the margin."""
    if gap_interval is not None:
        low, high = gap_interval
        return 1 if high < 0 else -1 if low > 0 else 0
    return 1 if value > raw + MARGIN else -1 if value < raw - MARGIN else 0
