"""The result of a sweep: typed per-layer records, tidy tables, and a versioned JSON form (see
docs/reference/result-schema.md and ``sweeps/schema/sweep_result.schema.json``)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..config import SweepSettings
from ..errors import SaeprobeError
from ..explain import with_diagnosis
from ..records import (
    BEST_PROBE,
    DEFAULT_SET,
    DatasetInfo,
    LayerEntry,
    ModelInfo,
    probe_of,
    representation_name,
    split_representation,
    with_probe,
)
from ..store import dumps, from_jsonable, to_jsonable

SCHEMA_VERSION = "2.4"
# Majors this saeprobe reads: 1.x files are migrated on reading (see _upgrade_layer).
READABLE_MAJORS = ("1", "2")
DIAGNOSTIC_COLUMNS = [
    "layer",
    "sae_set",
    "n_features",
    "l0_mean",
    "l0_median",
    "n_active_union",
    "n_active_union_train",
    "pca_k",
    "n_always_on",
    "rank_sae",
    "participation_ratio_sae",
    "rank_raw",
    "participation_ratio_raw",
    "fvu",
    "cosine_mean",
    "relative_error",
    "l0_tokens",
    "fvu_tokens",
]
SCORE_COLUMNS = ["layer", "hook_name", "representation", "probe", "metric", "value", "regime", "regime_value"]
COMPARISON_COLUMNS = ["layer", "reference", "other", "gap", "low", "high", "spread", "p_value", "n_test", "confidence"]
SCHEMA_PATH = Path(__file__).parent / "schema" / "sweep_result.schema.json"


@dataclass
class SweepResult:
    """Probe scores per layer and representation, with what produced them.

    ``layers`` holds one :class:`~saeprobe.records.LayerEntry` per layer, ordered by layer;
    ``settings`` the :class:`~saeprobe.SweepSettings` the sweep ran with (its pooling resolved);
    ``sae_sets`` what each SAE set is, in a phrase for headers ("trained here: topk SAEs of 512
    features, …"; set it to describe a set in your own words). The DataFrame views are derived
    from them.
    """

    model: ModelInfo
    dataset: DatasetInfo
    settings: SweepSettings
    classes: list[Any]
    n_train: int
    n_test: int
    layers: list[LayerEntry] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    sae_sets: dict[str, str] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION
    saeprobe_version: str = __version__

    @property
    def scores(self) -> pd.DataFrame:
        """Tidy scores: one row per ``layer``, ``hook_name``, ``representation`` (the score's name:
        ``raw``, ``sae:task``, ``raw@knn`` ...), ``probe`` (the plugin that read it: the sweep's
        ``probe`` setting, or one of its ``probes``), ``metric``, ``value``, ``regime``
        (``standard``, or a regime's kind) and ``regime_value``."""
        rows = []
        for entry in self.layers:
            runs = [("standard", None, entry.scores)] + [(run.regime, run.value, run.scores) for run in entry.regimes]
            for regime, regime_value, scores in runs:
                for rep, metrics in scores.items():
                    probe = probe_of(rep)[1] or self.settings.probe
                    for metric, value in metrics.__dict__.items():
                        rows.append(
                            {
                                "layer": entry.layer,
                                "hook_name": entry.hook_name,
                                "representation": rep,
                                "probe": probe,
                                "metric": metric,
                                "value": value,
                                "regime": regime,
                                "regime_value": regime_value,
                            }
                        )
        return pd.DataFrame(rows, columns=SCORE_COLUMNS)

    @property
    def comparisons(self) -> pd.DataFrame:
        """Tidy paired comparisons: one row per ``layer``, ``reference`` and ``other``
        representation, with the gap in test accuracy (reference − other), its bootstrap interval
        (``low``, ``high``), ``spread``, McNemar's ``p_value``, ``n_test`` and ``confidence``."""
        rows = [{"layer": entry.layer, **vars(found)} for entry in self.layers for found in entry.comparisons]
        return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)

    def _standard(self, metric: str) -> pd.DataFrame:
        """The tidy scores of one ``metric`` outside regimes; raises :class:`SaeprobeError` naming
        the metrics there are for another."""
        scores = self.scores
        chosen = scores[(scores["metric"] == metric) & (scores["regime"] == "standard")]
        if chosen.empty:
            raise SaeprobeError(f"no metric {metric!r} in this result; it has {sorted(scores['metric'].unique())}")
        return chosen

    def table(self, metric: str = "test_accuracy") -> pd.DataFrame:
        """One ``metric`` as a layer × representation table."""
        table = self._standard(metric).pivot(index="layer", columns="representation", values="value")
        table.columns.name = None
        return table

    def probes(self, metric: str = "test_auc") -> pd.DataFrame:
        """The probes compared on the same representations (the ``probes`` setting): one row per
        layer and representation read by more than one probe (``raw``, ``sae:task``), one column of
        ``metric`` per probe, and with ``best`` the probe it chose (``best_probe``)."""
        chosen = self._standard(metric).copy()
        chosen["representation"] = [probe_of(name)[0] for name in chosen["representation"]]
        read_by = chosen.groupby("representation")["probe"].nunique()
        compared = chosen[chosen["representation"].isin(read_by[read_by > 1].index)]
        if compared.empty:
            raise SaeprobeError(
                "this sweep fitted one probe per representation; give probes=[...] (e.g. diffmean,knn,best) to "
                "compare probes"
            )
        table = compared.pivot_table(
            index=["layer", "representation"], columns="probe", values="value", aggfunc="first", sort=False
        )
        table = table[list(dict.fromkeys(compared["probe"]))]
        table.columns.name = None
        if BEST_PROBE in table.columns:
            table["best_probe"] = [
                self.layer(layer).baselines.get(with_probe(name, BEST_PROBE), {}).get("probe")
                for layer, name in table.index
            ]
        return table

    def summary(
        self,
        representations: tuple[str, ...] | None = None,
        sae_set: str | None = None,
    ) -> pd.DataFrame:
        """Per layer: test accuracy of the main ``representations`` (each SAE set's own, named for
        it: ``sae:task``, ...; by default ``raw``, ``sae``, ``pca_matched``, the largest top-k
        feature set, the one the diagnosis cites, and ``sae_random``), then per SAE set the number
        of principal components its ``pca_matched`` used (``pca_k``: the features active on the
        training rows, capped by the width and the training rows), the figures that explain the
        gap on the probed vectors of all rows (L0, active-feature union, always-on count, FVU),
        where the SAE encoded tokens its own L0 and FVU per token, and the diagnosis's label.
        Columns of a set other than ``sae`` carry its name (``fvu:task``); with ``sae_set`` only
        that set's columns are shown, under the plain names."""
        if sae_set is not None and sae_set not in self.sae_set_names:
            raise SaeprobeError(f"no SAE set {sae_set!r} in this result; it has {self.sae_set_names}")
        sets = [sae_set] if sae_set is not None else self.sae_set_names
        accuracy = self.table("test_accuracy")
        if representations is None:
            kinds = (split_representation(name)[0] for name in accuracy.columns)
            top_ks = [int(kind[len("sae_topk_") :]) for kind in kinds if re.fullmatch(r"sae_topk_\d+", kind)]
            cited = (f"sae_topk_{max(top_ks)}",) if top_ks else ()
            representations = ("raw", "sae", "pca_matched", *cited, "sae_random")
        wanted = {rep: rep for rep in representations if split_representation(rep)[1] is None}
        for set_name in sets:
            wanted.update(
                {
                    representation_name(rep, set_name): rep
                    for rep in representations
                    if split_representation(rep)[1] == DEFAULT_SET
                }
            )
        table = accuracy[[rep for rep in wanted if rep in accuracy.columns]]
        diagnostics, diagnoses = self.diagnostics, self.diagnoses
        for set_name in sets:
            mine = diagnostics[diagnostics["sae_set"] == set_name].set_index("layer")
            columns = ["pca_k", "l0_mean", "n_active_union", "n_always_on", "fvu"]
            columns += [c for c in ("l0_tokens", "fvu_tokens") if mine[c].notna().any()]
            labels = diagnoses[diagnoses["sae_set"] == set_name].set_index("layer")[["label"]]
            part = mine[columns].join(labels.rename(columns={"label": "diagnosis"}))
            if sae_set is None:
                part = part.rename(columns=partial(representation_name, set_name=set_name))
            table = table.join(part)
        return table.rename(columns=wanted) if sae_set is not None else table

    @property
    def sae_set_names(self) -> list[str]:
        """The SAE sets of this sweep, in the order they were given (empty for raw probes only)."""
        return list(dict.fromkeys(name for entry in self.layers for name in entry.saes))

    def diagnosis_text(self) -> str:
        """The diagnoses as lines of plain text, one per (layer, SAE set), naming the set unless it is
        the one unnamed set (``sae``), then the controls' warnings, one line each."""
        lines = []
        for _, row in self.diagnoses.iterrows():
            named = "" if row["sae_set"] == DEFAULT_SET else f" {row['sae_set']}"
            lines.append(f"layer {row['layer']}{named} ({row['label']}): {row['text']}")
        lines += [f"layer {entry.layer} WARNING: {text}" for entry in self.layers for text in entry.warnings]
        return "\n".join(lines)

    @property
    def diagnoses(self) -> pd.DataFrame:
        """One row per (layer, SAE set) with a diagnosis: ``label`` and ``text`` (see
        ``docs/reference/diagnosis.md``)."""
        rows = [
            {"layer": entry.layer, "sae_set": name, "label": found.label, "text": found.text}
            for entry in self.layers
            for name, found in entry.diagnosis.items()
        ]
        return pd.DataFrame(rows, columns=["layer", "sae_set", "label", "text"])

    @property
    def diagnostics(self) -> pd.DataFrame:
        """One row per (layer, SAE set): sparsity, effective dimension and fidelity on all rows,
        the training-row union and the ``pca_matched`` size it gave."""
        rows = []
        for entry in self.layers:
            for set_name, found in entry.saes.items():
                figures = found.diagnostics
                sparse, dims = figures.sparsity, figures.effective_dimension
                rows.append(
                    {
                        "layer": entry.layer,
                        "sae_set": set_name,
                        "n_features": sparse.n_features,
                        "l0_mean": sparse.l0_mean,
                        "l0_median": sparse.l0_median,
                        "n_active_union": sparse.n_active_union,
                        "n_active_union_train": sparse.n_active_union_train,
                        "pca_k": entry.baselines.get(representation_name("pca_matched", set_name), {}).get("k"),
                        "n_always_on": sparse.n_always_on,
                        "rank_sae": dims["sae"].rank,
                        "participation_ratio_sae": dims["sae"].participation_ratio,
                        "rank_raw": dims["raw"].rank,
                        "participation_ratio_raw": dims["raw"].participation_ratio,
                        "fvu": figures.fidelity.fvu,
                        "cosine_mean": figures.fidelity.cosine_mean,
                        "relative_error": figures.fidelity.relative_error,
                        "l0_tokens": figures.token_sparsity.l0_mean if figures.token_sparsity else None,
                        "fvu_tokens": figures.token_fidelity.fvu if figures.token_fidelity else None,
                    }
                )
        return pd.DataFrame(rows, columns=DIAGNOSTIC_COLUMNS)

    def features(self, layer: int, sae_set: str | None = None) -> pd.DataFrame:
        """The feature table of ``layer`` for SAE set ``sae_set`` (default: the only set): active
        SAE features sorted by class separation."""
        entry = self.layer(layer)
        if not entry.saes:
            raise SaeprobeError(f"layer {layer} was swept without an SAE, so it has no feature table")
        try:
            found = entry.sae_set(sae_set)
        except KeyError as exc:
            raise SaeprobeError(f"{exc.args[0]} (features(layer, sae_set=NAME))") from None
        assert found is not None  # the layer has SAE sets
        return pd.DataFrame(found.diagnostics.features)

    def layer(self, layer: int) -> LayerEntry:
        """The entry of ``layer``; raises :class:`SaeprobeError` naming the layers present."""
        for entry in self.layers:
            if entry.layer == layer:
                return entry
        raise SaeprobeError(f"layer {layer} is not in this result; it has {[e.layer for e in self.layers]}")

    @property
    def saes(self) -> pd.DataFrame:
        """The SAE of each (layer, SAE set): source, architecture, widths and hook."""
        rows = [
            {"layer": entry.layer, "sae_set": name, **to_jsonable(found.sae)}
            for entry in self.layers
            for name, found in entry.saes.items()
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able form, following the schema in ``schema/sweep_result.schema.json``."""
        return to_jsonable(
            {
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
                "sae_sets": self.sae_sets,
            }
        )

    def show(self, selected_layer: int | None = None):
        """The notebook widget of this result (:class:`saeprobe.LayerSweepWidget`)."""
        from ..view import LayerSweepWidget

        return LayerSweepWidget(self, selected_layer=selected_layer)

    def to_html(self, path: str | Path, selected_layer: int | None = None) -> Path:
        """Write the offline report: one self-contained HTML file that works with no kernel."""
        from ..view import write_report

        return write_report(self.to_dict(), path, selected_layer)

    def to_svg(
        self, path: str | Path, representations: Sequence[str] | None = None, splits: Sequence[str] = ("test", "train")
    ) -> Path:
        """Write the accuracy-by-layer chart as a standalone SVG file (for slides and papers):
        ``representations`` (default: raw, and each SAE set's code and ``pca_matched``), test
        accuracy solid and train dashed (``splits``), with axis titles, the chance line and a
        legend. Raises :class:`SaeprobeError` naming the representations present for an unknown
        one."""
        from ..view import accuracy_svg

        present = list(self.table("test_accuracy").columns)
        if representations is None:
            representations = ["raw"] + [
                representation_name(kind, name) for name in self.sae_set_names for kind in ("sae", "pca_matched")
            ]
        unknown = [name for name in representations if name not in present]
        if unknown or not set(splits) <= {"test", "train"}:
            raise SaeprobeError(
                f"cannot draw {unknown or list(splits)}: representations are {present}, splits 'test' and 'train'"
            )
        path = Path(path)
        path.write_text(accuracy_svg(self.to_dict(), list(representations), splits), encoding="utf-8")
        return path

    def to_json(self, path: str | Path | None = None) -> str:
        """Serialise to JSON text; also write it to ``path`` when given."""
        text = dumps(self.to_dict(), indent=2)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> SweepResult:
        """Rebuild a result from :meth:`to_dict` output (schema 2.x, or 1.x migrated); raises
        :class:`SaeprobeError` on another major version or a payload of the wrong shape."""
        version = str(payload.get("schema_version", "")) if isinstance(payload, dict) else ""
        if version.split(".")[0] not in READABLE_MAJORS:
            raise SaeprobeError(
                f"result schema version {version!r} is not readable by this saeprobe (reads "
                f"{SCHEMA_VERSION}); upgrade saeprobe or re-run the sweep"
            )
        try:
            return cls(
                model=from_jsonable(ModelInfo, payload["model"]),
                dataset=from_jsonable(DatasetInfo, payload["dataset"]),
                settings=SweepSettings.from_dict(payload["settings"]),
                classes=payload["classes"],
                n_train=payload["n_train"],
                n_test=payload["n_test"],
                layers=[
                    with_diagnosis(from_jsonable(LayerEntry, _upgrade_layer(entry, version)))
                    for entry in payload["layers"]
                ],
                timings=payload.get("timings", {}),
                sae_sets=payload.get("sae_sets", {}),
                schema_version=SCHEMA_VERSION,  # migrated: the object is in today's form
                saeprobe_version=payload.get("saeprobe_version")
                or payload["settings"].get("saeprobe_version", "unknown"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SaeprobeError(
                f"this is not a saeprobe result of schema {version}: {exc!r}; re-run the sweep"
            ) from exc

    @classmethod
    def from_json(cls, source: str | Path) -> SweepResult:
        """Read a result from a JSON file path or JSON text."""
        text = str(source)
        if not text.lstrip().startswith("{"):
            text = Path(source).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))


def _upgrade_layer(entry: dict[str, Any], version: str) -> dict[str, Any]:
    """A layer entry of schema 1.x in the 2.0 form. 1.0 and 1.1: the sparsity gains the
    training-row union (which the ``pca_matched`` baseline recorded). Every 1.x: the one SAE's
    ``sae``, ``diagnostics`` and ``n_beyond_context`` move into ``saes["sae"]``, with the layer's
    preparation."""
    if not version.startswith("1."):
        return entry
    entry = dict(entry)
    sparsity = (entry.get("diagnostics") or {}).get("sparsity")
    if sparsity is not None and "n_active_union_train" not in sparsity:
        known = (entry.get("baselines") or {}).get("pca_matched", {}).get("n_active_union_train")
        sparsity = {**sparsity, "n_active_union_train": known if known is not None else sparsity["n_active_union"]}
        entry["diagnostics"] = {**entry["diagnostics"], "sparsity": sparsity}
    sae, diagnostics = entry.pop("sae", None), entry.pop("diagnostics", None)
    beyond = entry.pop("n_beyond_context", None)
    if sae is not None and diagnostics is not None:
        entry["saes"] = {
            DEFAULT_SET: {
                "sae": sae,
                "diagnostics": diagnostics,
                "preparation": entry.get("preparation"),
                "n_beyond_context": beyond,
            }
        }
    return entry
