import { describe, expect, it } from "vitest";
import {
  accuracyRange, accuracySeries, defaultVisible, detailRows, formatCount, formatValue, gapSeries, representations, resolveLayer,
  sortFeatures, stepLayer,
} from "../src/view";
import { sweepResult } from "./fixture";

describe("representations", () => {
  it("orders raw, sae, baselines, then top-k sets by kind and size", () => {
    expect(representations(sweepResult())).toEqual(["raw", "sae", "pca_matched", "sae_topk_2", "sae_topk_16", "raw_topk_1"]);
    expect(defaultVisible(representations(sweepResult()))).toEqual(["raw", "sae", "pca_matched"]);
    expect(defaultVisible(["raw_topk_1"])).toEqual(["raw_topk_1"]);
  });
});

describe("series", () => {
  it("follows layer order and the split", () => {
    expect(accuracySeries(sweepResult(), "sae", "test")).toEqual([
      { layer: 0, value: 0.55 }, { layer: 1, value: 0.6 }, { layer: 2, value: 0.75 },
    ]);
    expect(accuracySeries(sweepResult(), "raw", "train").map((p) => p.value)).toEqual([0.75, 0.8, 0.85].map((v) => expect.closeTo(v, 9)));
    expect(accuracySeries(sweepResult(), "missing", "test")).toEqual([]);
  });

  it("puts the gap next to the sparsity that explains it", () => {
    const gaps = gapSeries(sweepResult());
    expect(gaps.map((g) => g.layer)).toEqual([0, 1, 2]);
    expect(gaps[0].gap).toBeCloseTo(0.15);
    expect(gaps.map((g) => g.n_active_union)).toEqual([4, 30, 120]);
    expect(gaps[0].l0_mean).toBe(2);
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
    const rows = Object.fromEntries(detailRows(sweepResult().layers[1]));
    expect(rows["raw test accuracy"]).toBe("0.700");
    expect(rows["sae test AUC"]).toBe("–");
    expect(rows["n_active_union"]).toBe("4");
    expect(rows["always-on ids"]).toBe("3, 17");
    expect(rows["FVU"]).toBe("0.250");
    expect(rows["rank (SAE / raw)"]).toBe("2 / 32");
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
  const rows = sweepResult().layers[0].diagnostics!.features;
  it("sorts by any column with ties broken by feature id", () => {
    expect(sortFeatures(rows, "separation", "desc").map((r) => r.feature)).toEqual([9, 1, 3]);
    expect(sortFeatures(rows, "separation", "asc").map((r) => r.feature)).toEqual([1, 3, 9]);
    expect(sortFeatures(rows, "firing_rate:pos", "desc").map((r) => r.feature)).toEqual([3, 9, 1]);
    expect(sortFeatures(rows, "neuronpedia_url", "asc").map((r) => r.feature)).toEqual([9, 1, 3]);
  });
});
