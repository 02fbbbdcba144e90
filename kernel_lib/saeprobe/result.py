"""The result of a sweep: typed per-layer records, tidy tables, and a versioned JSON form (see
docs/result-schema.md and ``schema/sweep_result.schema.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .errors import SaeprobeError
from .jsonio import dumps, from_jsonable, to_jsonable
from .diagnosis import with_diagnosis
from .records import LayerEntry
from .settings import SweepSettings

SCHEMA_VERSION = "1.4"
SCORE_COLUMNS = ["layer", "hook_name", "representation", "metric", "value", "regime", "regime_value"]
SCHEMA_PATH = Path(__file__).parent / "schema" / "sweep_result.schema.json"


@dataclass
class SweepResult:
    """Probe scores per layer and representation, with what produced them.

    ``layers`` holds one :class:`~saeprobe.records.LayerEntry` per layer, ordered by layer;
    ``settings`` the :class:`~saeprobe.SweepSettings` the sweep ran with (its pooling resolved).
    The DataFrame views are derived from them.
    """

    model: dict[str, Any]
    dataset: dict[str, Any]
    settings: SweepSettings
    classes: list[Any]
    n_train: int
    n_test: int
    layers: list[LayerEntry] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION
    saeprobe_version: str = __version__

    @property
    def scores(self) -> pd.DataFrame:
        """Tidy scores: one row per ``layer``, ``hook_name``, ``representation``, ``metric``,
        ``value``, ``regime`` (``standard``, or a regime's kind) and ``regime_value``."""
        rows = []
        for entry in self.layers:
            runs = [("standard", None, entry.scores)] + [(run.regime, run.value, run.scores) for run in entry.regimes]
            for regime, regime_value, scores in runs:
                for rep, metrics in scores.items():
                    for metric, value in metrics.__dict__.items():
                        rows.append({"layer": entry.layer, "hook_name": entry.hook_name, "representation": rep,
                                     "metric": metric, "value": value, "regime": regime, "regime_value": regime_value})
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
        """Per layer: test accuracy of the main ``representations``, then, when SAEs were swept,
        the number of principal components ``pca_matched`` used (``pca_k``: the features active on
        the training rows, capped by the width and the training rows), the figures that explain
        the gap on the probed vectors of all rows (L0, active-feature union, always-on count, FVU),
        where the SAE encoded tokens its own L0 and FVU per token, and the diagnosis's label."""
        accuracy = self.table("test_accuracy")
        table = accuracy[[rep for rep in representations if rep in accuracy.columns]]
        diagnostics = self.diagnostics
        if not diagnostics.empty:
            columns = ["pca_k", "l0_mean", "n_active_union", "n_always_on", "fvu"]
            columns += [c for c in ("l0_tokens", "fvu_tokens") if diagnostics[c].notna().any()]
            table = table.join(diagnostics.set_index("layer")[columns])
        diagnoses = self.diagnoses
        if not diagnoses.empty:
            table = table.join(diagnoses[diagnoses["sae_set"] == "sae"].set_index("layer")[["label"]]
                               .rename(columns={"label": "diagnosis"}))
        return table

    def diagnosis_text(self) -> str:
        """The diagnoses as lines of plain text, one per (layer, SAE set)."""
        return "\n".join(f"layer {row.layer} ({row.label}): {row.text}" for row in self.diagnoses.itertuples())

    @property
    def diagnoses(self) -> pd.DataFrame:
        """One row per (layer, SAE set) with a diagnosis: ``label`` and ``text`` (see
        ``docs/diagnosis.md``)."""
        rows = [{"layer": entry.layer, "sae_set": name, "label": found.label, "text": found.text}
                for entry in self.layers for name, found in entry.diagnosis.items()]
        return pd.DataFrame(rows, columns=["layer", "sae_set", "label", "text"])

    @property
    def diagnostics(self) -> pd.DataFrame:
        """One row per layer with an SAE: sparsity, effective dimension and fidelity on all rows,
        the training-row union and the ``pca_matched`` size it gave."""
        rows = []
        for entry in self.layers:
            found = entry.diagnostics
            if found is None:
                continue
            sparse, dims = found.sparsity, found.effective_dimension
            rows.append({
                "layer": entry.layer,
                "n_features": sparse.n_features,
                "l0_mean": sparse.l0_mean,
                "l0_median": sparse.l0_median,
                "n_active_union": sparse.n_active_union,
                "n_active_union_train": sparse.n_active_union_train,
                "pca_k": entry.baselines.get("pca_matched", {}).get("k"),
                "n_always_on": sparse.n_always_on,
                "rank_sae": dims["sae"].rank,
                "participation_ratio_sae": dims["sae"].participation_ratio,
                "rank_raw": dims["raw"].rank,
                "participation_ratio_raw": dims["raw"].participation_ratio,
                "fvu": found.fidelity.fvu,
                "cosine_mean": found.fidelity.cosine_mean,
                "relative_error": found.fidelity.relative_error,
                "l0_tokens": found.token_sparsity.l0_mean if found.token_sparsity else None,
                "fvu_tokens": found.token_fidelity.fvu if found.token_fidelity else None,
            })
        return pd.DataFrame(rows)

    def features(self, layer: int) -> pd.DataFrame:
        """The feature table of ``layer``: active SAE features sorted by class separation."""
        entry = self.layer(layer)
        if entry.diagnostics is None:
            raise SaeprobeError(f"layer {layer} was swept without an SAE, so it has no feature table")
        return pd.DataFrame(entry.diagnostics.features)

    def layer(self, layer: int) -> LayerEntry:
        """The entry of ``layer``; raises :class:`SaeprobeError` naming the layers present."""
        for entry in self.layers:
            if entry.layer == layer:
                return entry
        raise SaeprobeError(f"layer {layer} is not in this result; it has {[e.layer for e in self.layers]}")

    @property
    def saes(self) -> pd.DataFrame:
        """The SAE used at each layer: source, architecture, widths and hook."""
        rows = [{"layer": entry.layer, **(to_jsonable(entry.sae) or {})} for entry in self.layers]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able form, following the schema in ``schema/sweep_result.schema.json``."""
        return to_jsonable({
            "schema_version": self.schema_version,
            "saeprobe_version": self.saeprobe_version,
            "model": self.model,
            "dataset": self.dataset,
            "settings": self.settings.to_dict(),
            "classes": self.classes,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "layers": sorted(self.layers, key=lambda entry: entry.layer),
            "timings": self.timings,
        })

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
        text = dumps(self.to_dict(), indent=2)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> SweepResult:
        """Rebuild a result from :meth:`to_dict` output (any 1.x schema); raises
        :class:`SaeprobeError` on another major version or a payload of the wrong shape."""
        version = str(payload.get("schema_version", "")) if isinstance(payload, dict) else ""
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise SaeprobeError(
                f"result schema version {version!r} is not readable by this saeprobe (reads "
                f"{SCHEMA_VERSION}); upgrade saeprobe or re-run the sweep"
            )
        try:
            return cls(
                model=payload["model"],
                dataset=payload["dataset"],
                settings=SweepSettings.from_dict(payload["settings"]),
                classes=payload["classes"],
                n_train=payload["n_train"],
                n_test=payload["n_test"],
                layers=[with_diagnosis(from_jsonable(LayerEntry, _upgrade_layer(entry))) for entry in payload["layers"]],
                timings=payload.get("timings", {}),
                schema_version=version,
                saeprobe_version=payload.get("saeprobe_version") or payload["settings"].get("saeprobe_version", "unknown"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SaeprobeError(f"this is not a saeprobe result of schema {version}: {exc!r}; re-run the sweep") from exc

    @classmethod
    def from_json(cls, source: str | Path) -> SweepResult:
        """Read a result from a JSON file path or JSON text."""
        text = str(source)
        if not text.lstrip().startswith("{"):
            text = Path(source).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))


def _upgrade_layer(entry: dict[str, Any]) -> dict[str, Any]:
    """A layer entry of schema 1.0 or 1.1 in the 1.2 form: its sparsity gains the training-row union
    (which the ``pca_matched`` baseline recorded)."""
    sparsity = (entry.get("diagnostics") or {}).get("sparsity")
    if sparsity is not None and "n_active_union_train" not in sparsity:
        known = (entry.get("baselines") or {}).get("pca_matched", {}).get("n_active_union_train")
        sparsity = {**sparsity, "n_active_union_train": known if known is not None else sparsity["n_active_union"]}
        entry = {**entry, "diagnostics": {**entry["diagnostics"], "sparsity": sparsity}}
    return entry
