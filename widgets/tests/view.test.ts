import { describe, expect, it } from "vitest";
import {
  accuracyRange, accuracySeries, defaultVisible, describePreparation, detailRows, diagnosisLines, explain, GLOSSARY, headline, saeSource, formatCount, formatValue, gapSeries, representations, resolveLayer,
  sortFeatures, stepLayer,
} from "../src/view";
import { sweepResult } from "./fixture";

describe("representations", () => {
  it("orders raw, sae, baselines, then top-k sets by kind and size", () => {
    expect(representations(sweepResult())).toEqual([
      "raw", "sae", "pca_matched", "sae_reconstruction", "sae_error", "sae_topk_1", "sae_topk_5", "raw_topk_1", "raw_topk_5",
    ]);
    expect(defaultVisible(representations(sweepResult()))).toEqual(["raw", "sae", "pca_matched"]);
    expect(defaultVisible(["raw_topk_1"])).toEqual(["raw_topk_1"]);
  });
});

describe("series", () => {
  it("follows layer order and the split", () => {
    const result = sweepResult();
    result.layers.reverse();
    const byLayer = [...result.layers].sort((a, b) => a.layer - b.layer);
    expect(accuracySeries(result, "sae", "test")).toEqual(byLayer.map((e) => ({ layer: e.layer, value: e.scores.sae.test_accuracy })));
    expect(accuracySeries(result, "raw", "train").map((p) => p.value)).toEqual(byLayer.map((e) => e.scores.raw.train_accuracy));
    expect(accuracySeries(result, "missing", "test")).toEqual([]);
  });

  it("skips layers where a metric is undefined", () => {
    const result = sweepResult();
    result.layers[1].scores.sae.test_accuracy = null;
    expect(accuracySeries(result, "sae", "test").map((p) => p.layer)).toEqual([0, 2]);
  });

  it("puts the gap next to the sparsity that explains it", () => {
    const result = sweepResult();
    const gaps = gapSeries(result);
    expect(gaps.map((g) => g.layer)).toEqual([0, 1, 2]);
    const first = result.layers[0];
    expect(gaps[0].gap).toBeCloseTo(first.scores.raw.test_accuracy! - first.scores.sae.test_accuracy!);
    expect(gaps.map((g) => g.n_active_union)).toEqual(result.layers.map((e) => e.diagnostics!.sparsity.n_active_union));
    expect(gaps[0].l0_mean).toBe(first.diagnostics!.sparsity.l0_mean);
  });

  it("ranges accuracies from a rounded floor to 1", () => {
    expect(accuracyRange([0.71, 0.9])).toEqual([0.65, 1]);
    expect(accuracyRange([])).toEqual([0, 1]);
  });
});

describe("layer navigation", () => {
  it("steps and clamps at the ends", () => {
    expect(stepLayer([0, 1, 2], 1, 1)).toBe(2);
    expect(stepLayer([0, 1, 2], 2, 1)).toBe(2);
    expect(stepLayer([0, 1, 2], 0, -1)).toBe(0);
    expect(stepLayer([0, 3, 6], 5, 1)).toBe(0);
  });

  it("resolves a requested layer to the nearest one present", () => {
    expect(resolveLayer([0, 3, 6], 4)).toBe(3);
    expect(resolveLayer([], 4)).toBeUndefined();
  });
});

describe("details", () => {
  it("writes the layer's numbers as text", () => {
    const entry = sweepResult().layers[1];
    entry.scores.sae.test_auc = null;
    const rows = Object.fromEntries(detailRows(entry));
    const d = entry.diagnostics!;
    expect(rows["raw test accuracy"]).toBe(entry.scores.raw.test_accuracy!.toFixed(3));
    expect(rows["sae test AUC"]).toBe("–");
    expect(rows["n_active_union"]).toBe(String(d.sparsity.n_active_union));
    expect(rows["always-on ids"]).toBe(d.sparsity.always_on_ids.join(", "));
    expect(rows["FVU"]).toBe(formatValue(d.fidelity.fvu));
    expect(rows["rank (SAE / raw)"]).toBe(`${d.effective_dimension.sae.rank} / ${d.effective_dimension.raw.rank}`);
    expect(rows["model processing"]).toBe("fold_ln, center_writing_weights, center_unembed, fold_value_biases");
    expect(rows["L0 per token"]).toBe(formatValue(d.token_sparsity!.l0_mean));
    expect(rows["FVU on tokens"]).toBe(formatValue(d.token_fidelity!.fvu));
  });

  it("gives the written diagnosis of each SAE set", () => {
    const entry = sweepResult().layers[1];
    const found = entry.diagnosis!.sae;
    expect(diagnosisLines(entry)).toEqual([{ set: "sae", label: found.label.replace("_", " "), text: found.text }]);
    delete entry.diagnosis;
    expect(diagnosisLines(entry)).toEqual([]);
  });

  it("describes the model's preparation", () => {
    const none = { fold_ln: false, center_writing_weights: false, center_unembed: false, fold_value_biases: false,
      refactor_factored_attn_matrices: false, prepend_bos: false };
    expect(describePreparation(none)).toBe("none (raw stream); prepend_bos=false");
  });

  it("formats numbers", () => {
    expect(formatValue(null)).toBe("–");
    expect(formatValue(Number.NaN)).toBe("–");
    expect(formatValue(1)).toBe("1.000");
    expect(formatCount(12.0)).toBe("12");
    expect(formatValue(0.12345)).toBe("0.123");
    expect(formatValue(123.456)).toBe("123.5");
  });
});

describe("feature table sorting", () => {
  const rows = sweepResult().layers[0].diagnostics!.features.slice(0, 3);
  rows[0].separation = 0.5;
  rows[1].separation = 0.2;
  rows[2].separation = 0.2;
  const [a, b, c] = rows.map((r) => r.feature);
  const [low, high] = b < c ? [b, c] : [c, b];
  it("sorts by any column with ties broken by feature id", () => {
    expect(sortFeatures(rows, "separation", "desc").map((r) => r.feature)).toEqual([a, low, high]);
    expect(sortFeatures(rows, "separation", "asc").map((r) => r.feature)).toEqual([low, high, a]);
    const byRate = [...rows].sort((x, y) => Number(y["firing_rate:pos"]) - Number(x["firing_rate:pos"]) || x.feature - y.feature);
    expect(sortFeatures(rows, "firing_rate:pos", "desc").map((r) => r.feature)).toEqual(byRate.map((r) => r.feature));
  });
});

describe("a reader's view", () => {
  it("states the finding from the diagnoses, with runs of swept layers", () => {
    const result = sweepResult();
    const labels = ["dimensionality", "dimensionality", "fidelity"] as const;
    result.layers.forEach((entry, i) => {
      entry.diagnosis = { sae: { label: labels[i], text: "", evidence: { gap: [0.2, 0.1, 0.05][i] } } };
    });
    expect(headline(result)).toBe(
      "SAE codes lose 0.050 to 0.200 of test accuracy against the raw states (raw − SAE). " +
      "Diagnosis: dimensionality at layers 0–1; fidelity at layer 2.",
    );
    result.layers.forEach((entry) => { entry.diagnosis!.sae.label = "no_gap"; });
    expect(headline(result)).toBe(
      "SAE codes keep the concept at every layer (raw − SAE test accuracy 0.050 to 0.200). Diagnosis: no gap at layers 0–2.",
    );
    result.layers.forEach((entry) => delete entry.diagnosis);
    expect(headline(result)).toBeNull();
  });

  it("explains every metric name it shows and names the SAEs' folder", () => {
    expect(explain("sae_topk_16")).toContain("K SAE features");
    expect(explain("raw test accuracy")).toBe(GLOSSARY.raw);
    expect(explain("FVU on tokens")).toBe(GLOSSARY.FVU);
    expect(explain("hook")).toBeUndefined();
    const result = sweepResult();
    result.layers[0].sae!.source = "/tmp/x/saes/task/layer_0";
    expect(saeSource(result)).toBe("saes/task");
  });
});
