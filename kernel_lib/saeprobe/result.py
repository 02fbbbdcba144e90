"""The result of a sweep: tidy tables plus a versioned JSON form (see docs/result-schema.md)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import SaeprobeError

SCHEMA_VERSION = "1.1"
SCORE_COLUMNS = ["layer", "hook_name", "representation", "metric", "value", "regime", "regime_value"]
SCHEMA_PATH = Path(__file__).parent / "schema" / "sweep_result.schema.json"


@dataclass
class SweepResult:
    """Probe scores per layer and representation, with what produced them.

    ``layers`` is a list of per-layer records ``{"layer", "hook_name", "sae", "scores":
    {representation: {metric: value}}}`` ordered by layer; the DataFrame views are derived
    from it.
    """

    model: dict[str, Any]
    dataset: dict[str, Any]
    settings: dict[str, Any]
    classes: list[Any]
    n_train: int
    n_test: int
    layers: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    @property
    def scores(self) -> pd.DataFrame:
        """Tidy scores: one row per ``layer``, ``hook_name``, ``representation``, ``metric``,
        ``value``, ``regime`` (``standard``, or a regime's kind) and ``regime_value``."""
        rows = []
        for entry in self.layers:
            runs = [("standard", None, entry["scores"])]
            runs += [(run["regime"], run["value"], run["scores"]) for run in entry.get("regimes", [])]
            for regime, regime_value, scores in runs:
                for rep, metrics in scores.items():
                    for metric, value in metrics.items():
                        rows.append(
                            {"layer": entry["layer"], "hook_name": entry["hook_name"], "representation": rep,
                             "metric": metric, "value": value, "regime": regime, "regime_value": regime_value}
                        )
        return pd.DataFrame(rows, columns=SCORE_COLUMNS)

    def table(self, metric: str = "test_accuracy") -> pd.DataFrame:
        """One ``metric`` as a layer × representation table."""
        scores = self.scores
        chosen = scores[(scores["metric"] == metric) & (scores["regime"] == "standard")]
        if chosen.empty:
            known = sorted(scores["metric"].unique())
            raise SaeprobeError(f"no metric {metric!r} in this result; it has {known}")
        table = chosen.pivot(index="layer", columns="representation", values="value")
        table.columns.name = None
        return table

    def summary(self, representations: tuple[str, ...] = ("raw", "sae", "pca_matched", "sae_topk_5")) -> pd.DataFrame:
        """Per layer: test accuracy of the main ``representations`` beside the figures that
        explain them (L0, active-feature union, always-on count, FVU) when SAEs were swept."""
        accuracy = self.table("test_accuracy")
        table = accuracy[[rep for rep in representations if rep in accuracy.columns]]
        diagnostics = self.diagnostics
        if not diagnostics.empty:
            explain = diagnostics.set_index("layer")[["l0_mean", "n_active_union", "n_always_on", "fvu"]]
            table = table.join(explain)
        return table

    @property
    def diagnostics(self) -> pd.DataFrame:
        """One row per layer with an SAE: sparsity, effective dimension and fidelity on this data."""
        rows = []
        for entry in self.layers:
            found = entry.get("diagnostics")
            if not found:
                continue
            sparse, dims = found["sparsity"], found["effective_dimension"]
            rows.append(
                {
                    "layer": entry["layer"],
                    "n_features": sparse["n_features"],
                    "l0_mean": sparse["l0_mean"],
                    "l0_median": sparse["l0_median"],
                    "n_active_union": sparse["n_active_union"],
                    "n_always_on": sparse["n_always_on"],
                    "rank_sae": dims["sae"]["rank"],
                    "participation_ratio_sae": dims["sae"]["participation_ratio"],
                    "rank_raw": dims["raw"]["rank"],
                    "participation_ratio_raw": dims["raw"]["participation_ratio"],
                    **found["fidelity"],
                }
            )
        return pd.DataFrame(rows)

    def features(self, layer: int) -> pd.DataFrame:
        """The feature table of ``layer``: active SAE features sorted by class separation."""
        for entry in self.layers:
            if entry["layer"] == layer:
                if not entry.get("diagnostics"):
                    raise SaeprobeError(f"layer {layer} was swept without an SAE, so it has no feature table")
                return pd.DataFrame(entry["diagnostics"]["features"])
        raise SaeprobeError(f"layer {layer} is not in this result; it has {[e['layer'] for e in self.layers]}")

    @property
    def saes(self) -> pd.DataFrame:
        """The SAE used at each layer: source, architecture, widths and hook."""
        rows = [{"layer": entry["layer"], **(entry.get("sae") or {})} for entry in self.layers]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able form, following the schema in ``schema/sweep_result.schema.json``."""
        return json_safe(
            {
                "schema_version": self.schema_version,
                "model": self.model,
                "dataset": self.dataset,
                "settings": self.settings,
                "classes": self.classes,
                "n_train": self.n_train,
                "n_test": self.n_test,
                "layers": sorted(self.layers, key=lambda entry: entry["layer"]),
                "timings": self.timings,
            }
        )

    def show(self, selected_layer: int | None = None):
        """The notebook widget of this result (:class:`saeprobe.LayerSweepWidget`)."""
        from .widget import LayerSweepWidget

        return LayerSweepWidget(self, selected_layer=selected_layer)

    def to_html(self, path: str | Path, selected_layer: int | None = None) -> Path:
        """Write the offline report: one self-contained HTML file that works with no kernel."""
        from .report import write_report

        return write_report(self.to_dict(), path, selected_layer)

    def to_json(self, path: str | Path | None = None) -> str:
        """Serialise to JSON text; also write it to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> SweepResult:
        """Rebuild a result from :meth:`to_dict` output; raises on an unknown schema major version."""
        version = str(payload.get("schema_version", ""))
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise SaeprobeError(
                f"result schema version {version!r} is not readable by this saeprobe (reads "
                f"{SCHEMA_VERSION}); upgrade saeprobe or re-run the sweep"
            )
        return cls(
            model=payload["model"],
            dataset=payload["dataset"],
            settings=payload["settings"],
            classes=payload["classes"],
            n_train=payload["n_train"],
            n_test=payload["n_test"],
            layers=[restore_nan(entry) for entry in payload["layers"]],
            timings=payload.get("timings", {}),
            schema_version=version,
        )

    @classmethod
    def from_json(cls, source: str | Path) -> SweepResult:
        """Read a result from a JSON file path or JSON text."""
        text = str(source)
        if not text.lstrip().startswith("{"):
            text = Path(source).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))


def json_safe(value: Any) -> Any:
    """``value`` with numpy scalars as Python numbers and NaN/inf as ``None``."""
    # JSON has no NaN: undefined metrics (e.g. AUC on a one-class test split) become null.
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def restore_nan(entry: dict[str, Any]) -> dict[str, Any]:
    """A layer entry read from JSON with undefined scores (``null``) back as NaN."""
    def restore(scores: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {
            rep: {metric: (float("nan") if value is None else value) for metric, value in metrics.items()}
            for rep, metrics in scores.items()
        }

    regimes = [{**run, "scores": restore(run["scores"])} for run in entry.get("regimes", [])]
    return {**entry, "scores": restore(entry["scores"]), "regimes": regimes}
