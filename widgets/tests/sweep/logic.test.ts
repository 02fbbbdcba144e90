import { describe, expect, it } from "vitest";
import {
  accuracySeries, assignColors, coincidences, colorSlots, hasNeuronpedia, layerValues, pcaChoice, defaultVisible, isControl, describePreparation, detailRows, diagnosisLines, explain, GLOSSARY, headlines, probeOf, saeSets,
  saeSource, gapSeries, layerGap, meanAccuracies, modelLabel, setDescriptions, orderRepresentations, representationGroups, representationName, representations,
  resolveLayer, sortFeatures,
  splitRepresentation, stepLayer, sweepTitle,
} from "../../src/sweep/logic";
import { accuracyRange, formatCount, formatValue, formatWithInterval } from "../../src/shared/format";
import { singleSetResult, sweepResult } from "../fixture";

describe("representations", () => {
  it("orders raw, sae, baselines, then top-k sets by kind and size, then the controls", () => {
    expect(representations(singleSetResult())).toEqual([
      "raw", "sae", "pca_matched", "sae_reconstruction", "sae_error", "sae_topk_1", "sae_topk_5", "raw_topk_1", "raw_topk_5",
      "raw_shuffled", "sae_shuffled", "sae_random", "raw_random_k",
    ]);
    expect(defaultVisible(representations(singleSetResult()))).toEqual(["raw", "sae", "pca_matched"]);
    expect(defaultVisible(["raw_topk_1"])).toEqual(["raw_topk_1"]);
  });

  it("groups each SAE set's representations, sets in order, top-k codes after all sets", () => {
    const names = representations(sweepResult());
    expect(names).toEqual([
      "raw",
      "sae:narrow", "pca_matched:narrow", "sae_reconstruction:narrow", "sae_error:narrow",
      "sae:wide", "pca_matched:wide", "sae_reconstruction:wide", "sae_error:wide",
      "sae_topk_1:narrow", "sae_topk_5:narrow", "sae_topk_1:wide", "sae_topk_5:wide",
      "raw_topk_1", "raw_topk_5",
      "raw_shuffled", "sae_shuffled:narrow", "sae_shuffled:wide", "sae_random:narrow", "sae_random:wide",
      "raw_random_k:narrow", "raw_random_k:wide",
    ]);
    expect(defaultVisible(names)).toEqual(["raw", "sae:narrow", "pca_matched:narrow", "sae:wide", "pca_matched:wide"]);
    const groups = representationGroups(names);
    expect(groups.map((g) => [g.set, g.controls, g.names.length])).toEqual([[null, false, 3], ["narrow", false, 6], ["wide", false, 6], [null, true, 7]]);
    expect(groups[0].names).toEqual(["raw", "raw_topk_1", "raw_topk_5"]);
    expect(groups[3].names.every(isControl)).toBe(true);
  });

  it("orders any list of names the same way, once each, the sets in the order given", () => {
    expect(orderRepresentations(["pca_matched:b", "raw", "sae:a", "sae:b", "raw"], ["b", "a"])).toEqual(["raw", "sae:b", "pca_matched:b", "sae:a"]);
  });

  it("reads the probe out of a score's name and puts other probes' readings after the representation they read", () => {
    expect(probeOf("raw@knn")).toEqual(["raw", "knn"]);
    expect(probeOf("sae@best:task")).toEqual(["sae:task", "best"]);
    expect(probeOf("sae@diffmean")).toEqual(["sae", "diffmean"]);
    expect(probeOf("sae_topk_5:task")).toEqual(["sae_topk_5:task", null]);
    expect(orderRepresentations(["sae@knn:a", "raw@knn", "sae:a", "raw@best", "raw", "pca_matched:a"], ["a"])).toEqual(
      ["raw", "raw@best", "raw@knn", "sae:a", "sae@knn:a", "pca_matched:a"],
    );
    expect(defaultVisible(["raw", "raw@knn", "sae:a", "sae@knn:a"])).toEqual(["raw", "sae:a"]);
  });

  it("follows the order of the sets in the layers, not of their names", () => {
    const result = sweepResult();
    for (const entry of result.layers) entry.saes = { wide: entry.saes!.wide, narrow: entry.saes!.narrow };
    expect(saeSets(result)).toEqual(["wide", "narrow"]);
    expect(representations(result).slice(1, 3)).toEqual(["sae:wide", "pca_matched:wide"]);
  });

  it("names a set's representations with its name after a colon, except the set named sae", () => {
    expect(representationName("sae_topk_5", "task")).toBe("sae_topk_5:task");
    expect(representationName("pca_matched", "sae")).toBe("pca_matched");
    expect(splitRepresentation("sae_topk_5:task")).toEqual(["sae_topk_5", "task"]);
    expect(splitRepresentation("pca_matched")).toEqual(["pca_matched", "sae"]);
    expect(splitRepresentation("sae_error")).toEqual(["sae_error", "sae"]);
    expect(splitRepresentation("raw_topk_1")).toEqual(["raw_topk_1", null]);
    expect(splitRepresentation("raw_random_k")).toEqual(["raw_random_k", "sae"]);
    expect(splitRepresentation("raw_shuffled")).toEqual(["raw_shuffled", null]);
    expect(splitRepresentation("sae:res.v2-b")).toEqual(["sae", "res.v2-b"]);
    expect(saeSets(sweepResult())).toEqual(["narrow", "wide"]);
    expect(saeSets(singleSetResult())).toEqual(["sae"]);
  });

  it("gives raw and every set's sae code the first colours", () => {
    const single = representations(singleSetResult());
    expect([...colorSlots(single)]).toEqual(single.map((name, i) => [name, i]));
    const slots = colorSlots(representations(sweepResult()));
    expect([slots.get("raw"), slots.get("sae:narrow"), slots.get("sae:wide"), slots.get("pca_matched:narrow")]).toEqual([0, 1, 2, 3]);
    expect(new Set(slots.values()).size).toBe(slots.size);
  });
});

describe("series", () => {
  it("follows layer order and the split", () => {
    const result = singleSetResult();
    result.layers.reverse();
    const byLayer = [...result.layers].sort((a, b) => a.layer - b.layer);
    expect(accuracySeries(result, "sae", "test")).toEqual(byLayer.map((e) => ({
      layer: e.layer, value: e.scores.sae.test_accuracy, low: e.scores.sae.test_accuracy_low, high: e.scores.sae.test_accuracy_high,
    })));
    expect(accuracySeries(result, "sae", "train").every((p) => p.low === undefined)).toBe(true);
    expect(accuracySeries(result, "raw", "train").map((p) => p.value)).toEqual(byLayer.map((e) => e.scores.raw.train_accuracy));
    expect(accuracySeries(result, "missing", "test")).toEqual([]);
  });

  it("skips layers where a metric is undefined", () => {
    const result = singleSetResult();
    result.layers[1].scores.sae.test_accuracy = null;
    expect(accuracySeries(result, "sae", "test").map((p) => p.layer)).toEqual([0, 2]);
  });

  it("puts the gap next to the sparsity that explains it", () => {
    const result = singleSetResult();
    const gaps = gapSeries(result, "sae");
    expect(gaps.map((g) => g.layer)).toEqual([0, 1, 2]);
    const first = result.layers[0];
    expect(gaps[0].gap).toBeCloseTo(first.scores.raw.test_accuracy! - first.scores.sae.test_accuracy!);
    expect(gaps.map((g) => g.n_active_union)).toEqual(result.layers.map((e) => e.saes!.sae.diagnostics.sparsity.n_active_union));
    expect(gaps[0].l0_mean).toBe(first.saes!.sae.diagnostics.sparsity.l0_mean);
  });

  it("gives each SAE set its own gap and sparsity", () => {
    const result = sweepResult();
    result.layers[1].scores["sae:wide"].test_accuracy = 0.5;
    const [narrow, wide] = [gapSeries(result, "narrow"), gapSeries(result, "wide")];
    const entry = result.layers[1];
    expect(wide[1].gap).toBeCloseTo(entry.scores.raw.test_accuracy! - 0.5);
    expect(narrow[1].gap).toBeCloseTo(entry.scores.raw.test_accuracy! - entry.scores["sae:narrow"].test_accuracy!);
    expect(wide.map((g) => g.n_active_union)).toEqual(result.layers.map((e) => e.saes!.wide.diagnostics.sparsity.n_active_union));
    expect(narrow.map((g) => g.l0_mean)).toEqual(result.layers.map((e) => e.saes!.narrow.diagnostics.sparsity.l0_mean));
    expect(gapSeries(result, "missing").map((g) => [g.gap, g.n_active_union])).toEqual([[null, null], [null, null], [null, null]]);
  });

  it("takes a layer's gap from raw's and the set's sae test accuracy, null where either is missing", () => {
    const entry = sweepResult().layers[1];
    entry.scores["sae:wide"].test_accuracy = 0.5;
    const raw = entry.scores.raw.test_accuracy!;
    const paired = entry.comparisons!.find((c) => c.reference === "raw" && c.other === "sae:wide")!;
    expect(layerGap(entry, "wide")).toEqual({ raw, sae: 0.5, gap: raw - 0.5, low: paired.low, high: paired.high });
    entry.comparisons = [];
    entry.scores.raw.test_accuracy = null;
    expect(layerGap(entry, "wide")).toEqual({ raw: null, sae: 0.5, gap: null });
    expect(layerGap(entry, "missing")).toEqual({ raw: null, sae: null, gap: null });
    expect(layerGap(undefined, "wide")).toEqual({ raw: null, sae: null, gap: null });
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
  it("sets the trained SAE beside its random control, and gives the spread over repeated splits", () => {
    const entry = singleSetResult().layers[1];
    const rows = Object.fromEntries(detailRows(entry, "sae"));
    const random = entry.scores.sae_random;
    expect(rows["random SAE test accuracy"]).toBe(formatWithInterval(random.test_accuracy, random.test_accuracy_low, random.test_accuracy_high));
    const trained = entry.comparisons!.find((c) => c.reference === "sae" && c.other === "sae_random")!;
    expect(rows["gap (trained − random SAE)"]).toBe(formatWithInterval(trained.gap, trained.low, trained.high));
    expect(rows["random SAE FVU"]).toBe(formatValue(entry.saes!.sae.random_diagnostics!.fidelity.fvu));
    expect(Object.keys(rows).some((key) => key.includes("splits"))).toBe(false);
    entry.split_seeds = [0, 1, 2];
    entry.scores.raw.split_accuracy_mean = 0.8;
    entry.scores.raw.split_accuracy_std = 0.05;
    expect(Object.fromEntries(detailRows(entry, "sae"))["raw test accuracy over 3 splits"]).toBe("0.800 ± 0.050 (mean ± sd)");
  });

  it("says where a transcoder reads and what it rebuilds, and writes each note on how an SAE is read", () => {
    const entry = singleSetResult().layers[1];
    const sae = entry.saes!.sae.sae;
    sae.hook_name = "blocks.1.hook_resid_mid";
    sae.hook_name_out = "blocks.1.hook_mlp_out";
    sae.notes = ["A transcoder: ...", "Its metadata records training with SAELens 6 ..."];
    const rows = Object.fromEntries(detailRows(entry, "sae"));
    expect([rows["codes read at"], rows["reconstruction measured against"]]).toEqual(["blocks.1.hook_resid_mid", "blocks.1.hook_mlp_out"]);
    expect([rows.note, rows["note 2"]]).toEqual(sae.notes);
  });

  it("writes the layer's numbers as text", () => {
    const entry = singleSetResult().layers[1];
    entry.scores.sae.test_auc = null;
    const rows = Object.fromEntries(detailRows(entry, "sae"));
    const d = entry.saes!.sae.diagnostics;
    const raw = entry.scores.raw;
    expect(rows["raw test accuracy"]).toBe(`${raw.test_accuracy!.toFixed(3)} [${raw.test_accuracy_low!.toFixed(3)}, ${raw.test_accuracy_high!.toFixed(3)}]`);
    const gap = entry.comparisons!.find((c) => c.reference === "raw" && c.other === "sae")!;
    expect(rows["gap (raw − sae)"]).toBe(formatWithInterval(gap.gap, gap.low, gap.high));
    expect(rows["McNemar p"]).toBe(formatValue(gap.p_value));
    expect(rows["sae test AUC"]).toBe("–");
    expect(rows["n_active_union"]).toBe(String(d.sparsity.n_active_union));
    expect(rows["always-on ids"]).toBe(d.sparsity.always_on_ids.join(", "));
    expect(rows["FVU"]).toBe(formatValue(d.fidelity.fvu));
    expect(rows["rank (SAE / raw)"]).toBe(`${d.effective_dimension.sae.rank} / ${d.effective_dimension.raw.rank}`);
    expect(rows["model processing"]).toBe("fold_ln, center_writing_weights, center_unembed, fold_value_biases");
    expect(rows["L0 per token"]).toBe(formatValue(d.token_sparsity!.l0_mean));
    expect(rows["FVU on tokens"]).toBe(formatValue(d.token_fidelity!.fvu));
    expect(Object.keys(rows).some((label) => label.startsWith("model processing for"))).toBe(false);
    expect(rows["texts beyond the SAE's context"]).toBeUndefined();
  });

  it("writes the raw rows once, then one SAE set's figures", () => {
    const entry = sweepResult().layers[1];
    const wide = entry.saes!.wide;
    wide.n_beyond_context = 4;
    wide.preparation = { ...entry.preparation!, fold_ln: false, center_writing_weights: false, center_unembed: false, fold_value_biases: false };
    const rows = detailRows(entry, "wide");
    const byLabel = Object.fromEntries(rows);
    expect(rows.filter(([label]) => label.startsWith("raw ")).length).toBe(3);
    expect(rows.some(([label]) => label.includes("narrow"))).toBe(false);
    const wideScores = entry.scores["sae:wide"];
    expect(byLabel["sae:wide test accuracy"]).toBe(formatWithInterval(wideScores.test_accuracy, wideScores.test_accuracy_low, wideScores.test_accuracy_high));
    expect(byLabel["L0 mean"]).toBe(formatValue(wide.diagnostics.sparsity.l0_mean));
    expect(byLabel["SAE width"]).toBe(String(wide.diagnostics.sparsity.n_features));
    expect(byLabel["model processing"]).toBe("fold_ln, center_writing_weights, center_unembed, fold_value_biases");
    expect(byLabel["model processing for wide"]).toBe("none (raw stream)");
    expect(byLabel["texts beyond the SAE's context"]).toBe("4");
    const narrow = Object.fromEntries(detailRows(entry, "narrow"));
    expect(narrow["SAE width"]).toBe(String(entry.saes!.narrow.diagnostics.sparsity.n_features));
    expect(narrow["model processing for narrow"]).toBeUndefined();
  });

  it("gives the written diagnosis of each SAE set", () => {
    const entry = sweepResult().layers[1];
    const { narrow, wide } = entry.diagnosis!;
    expect(diagnosisLines(entry)).toEqual([
      { set: "narrow", label: narrow.label.replace("_", " "), text: narrow.text },
      { set: "wide", label: wide.label.replace("_", " "), text: wide.text },
    ]);
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
  const rows = sweepResult().layers[0].saes!.narrow.diagnostics.features.slice(0, 3);
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
  it("states the finding from the diagnoses in plain words, never a range with a negative in it", () => {
    const result = singleSetResult();
    const labels = ["dimensionality", "dimensionality", "fidelity"] as const;
    result.layers.forEach((entry, i) => {
      entry.diagnosis = { sae: { label: labels[i], text: "", evidence: { gap: [0.2, 0.1, 0.05][i] } } };
    });
    expect(headlines(result)).toEqual([
      "The SAE loses 0.12 on average and up to 0.20 at layer 0. Diagnosis: dimensionality at layers 0–1; fidelity at layer 2.",
    ]);
    // The demo: a small loss on average, a real one at layer 2, gains elsewhere.
    [-0.028, 0.104, -0.01].forEach((gap, i) => { result.layers[i].diagnosis!.sae.evidence.gap = gap; });
    result.layers.forEach((entry) => { entry.diagnosis!.sae.label = "inconclusive"; });
    expect(headlines(result)).toEqual(["The SAE loses 0.02 on average and up to 0.10 at layer 1. Diagnosis: inconclusive at layers 0–2."]);
    [-0.05, 0.03, -0.04].forEach((gap, i) => { result.layers[i].diagnosis!.sae.evidence.gap = gap; });
    expect(headlines(result)[0]).toBe("The SAE gains 0.02 on average, but loses up to 0.03 at layer 1. Diagnosis: inconclusive at layers 0–2.");
    [-0.05, 0, -0.04].forEach((gap, i) => { result.layers[i].diagnosis!.sae.evidence.gap = gap; });
    result.layers.forEach((entry) => { entry.diagnosis!.sae.label = "no_gap"; });
    expect(headlines(result)).toEqual(["The SAE matches or beats the raw states at every layer (by up to 0.05 at layer 0). Diagnosis: no gap at layers 0–2."]);
    for (const text of headlines(result)) expect(text).not.toMatch(/-\d/);
    result.layers.forEach((entry) => delete entry.diagnosis);
    expect(headlines(result)).toEqual([]);
  });

  it("states the finding of every SAE set, each naming its set", () => {
    const result = sweepResult();
    result.layers.forEach((entry, i) => {
      entry.diagnosis!.narrow = { label: "no_gap", text: "", evidence: { gap: 0 } };
      entry.diagnosis!.wide = { label: i < 2 ? "fidelity" : "no_gap", text: "", evidence: { gap: [0.3, 0.2, 0][i] } };
    });
    expect(headlines(result)).toEqual([
      "The narrow SAE matches or beats the raw states at every layer. Diagnosis: no gap at layers 0–2.",
      "The wide SAE loses 0.17 on average and up to 0.30 at layer 0. Diagnosis: fidelity at layers 0–1; no gap at layer 2.",
    ]);
    result.layers.forEach((entry) => delete entry.diagnosis!.narrow);
    expect(headlines(result)).toEqual([expect.stringMatching(/^The wide SAE loses/)]);
  });

  it("gives the mean test accuracies the CLI prints, raw first, then each set's code", () => {
    const result = sweepResult();
    const mean = (name: string) => result.layers.reduce((sum, e) => sum + e.scores[name].test_accuracy!, 0) / result.layers.length;
    const means = meanAccuracies(result);
    expect(means.map(([name]) => name)).toEqual(["raw", "narrow", "wide"]);
    expect(means[0][1]).toBeCloseTo(mean("raw"), 12);
    expect(means[2][1]).toBeCloseTo(mean("sae:wide"), 12);
  });
  it("explains every metric name it shows and names the SAEs' folder", () => {
    expect(explain("sae_topk_16")).toContain("K SAE features");
    expect(explain("raw test accuracy")).toBe(GLOSSARY.raw);
    expect(explain("FVU on tokens")).toBe(GLOSSARY.FVU);
    expect(explain("hook")).toBeUndefined();
    const result = singleSetResult();
    result.layers[0].saes!.sae.sae.source = "/tmp/x/saes/task/layer_0";
    expect(saeSource(result, "sae")).toBe("saes/task");
  });

  it("explains the names of a named SAE set's representations", () => {
    expect(explain("sae_topk_5:task")).toBe(GLOSSARY.sae_topk);
    expect(explain("sae:narrow test accuracy")).toBe(GLOSSARY.sae);
    expect(explain("pca_matched:res.v2-b")).toBe(GLOSSARY.pca_matched);
    expect(explain("gap (raw − sae:wide test)")).toBe(GLOSSARY.gap);
    expect(explain("n_active_union · wide")).toBe(GLOSSARY.n_active_union);
  });

  it("explains a representation read by another probe as the representation and the probe", () => {
    expect(explain("sae@knn:task")).toBe(`${GLOSSARY.sae} Read by the knn probe: k nearest neighbours, k chosen by cross-validation.`);
    expect(explain("raw@best")).toContain("validation fifth");
    expect(explain("raw@custom")).toContain("Read by the custom probe: a probe plugin.");
  });

  it("titles the view with the model's label and the dataset, and says what each SAE set is", () => {
    const result = sweepResult();
    result.layers.forEach((entry) => {
      entry.saes!.narrow.sae.source = `/runs/saes/narrow/layer_${entry.layer}`;
      entry.saes!.wide.sae.source = `/runs/saes/wide/layer_${entry.layer}`;
    });
    expect(saeSource(result, "wide")).toBe("saes/wide");
    expect([modelLabel("/scratch/tiny-gpt2"), modelLabel("google/gemma-2-2b"), modelLabel("gpt2")]).toEqual(["scratch/tiny-gpt2", "google/gemma-2-2b", "gpt2"]);
    // Results before 2.4 have no label: the name's last two parts.
    result.model.label = undefined;
    result.model.name = "/scratch/tiny-gpt2";
    expect(sweepTitle(result)).toBe("scratch/tiny-gpt2 · corpus-pairs · resid_post, last pooling · 42 train / 18 test");
    result.model.label = "all-MiniLM-L6-v2";
    expect(sweepTitle(result)).toBe("all-MiniLM-L6-v2 · corpus-pairs · resid_post, last pooling · 42 train / 18 test");
    // The result's own words first; a folder where it has none (results before 2.4).
    delete result.sae_sets;
    expect(setDescriptions(result)).toEqual([["narrow", "SAEs from saes/narrow"], ["wide", "SAEs from saes/wide"]]);
    result.sae_sets = { narrow: "SAEs trained on the task's sentences; trained here: topk SAEs of 512 features" };
    expect(setDescriptions(result)[0]).toEqual(["narrow", "SAEs trained on the task's sentences; trained here: topk SAEs of 512 features"]);
  });
});

describe("colours and curves on the chart", () => {
  it("never gives two shown curves one colour, and lets hidden curves keep theirs", () => {
    const first = assignColors(new Map(), ["raw", "sae:task", "pca_matched:task"], 12);
    expect([...first.values()]).toEqual([0, 1, 2]);
    // A curve shown later takes a colour no curve has held, not a hidden one's.
    const later = assignColors(first, ["raw", "pca_matched:task", "raw_topk_1"], 12);
    expect(later.get("raw_topk_1")).toBe(3);
    expect(later.get("sae:task")).toBe(1);
    // Twenty curves on twelve colours: within the first twelve shown, all differ.
    const many = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const crowded = assignColors(new Map(), many, 12);
    expect(new Set(many.slice(0, 12).map((name) => crowded.get(name))).size).toBe(12);
    // With room again, a clash left from before is resolved for the curve shown second.
    const clash = assignColors(new Map([["a", 0], ["b", 0]]), ["a", "b"], 12);
    expect(clash.get("a")).not.toBe(clash.get("b"));
  });

  it("says which shown curves coincide with an earlier one", () => {
    const result = sweepResult();
    result.layers.forEach((entry, i) => {
      entry.scores.raw.test_accuracy = 0.9;
      entry.scores["sae:narrow"].test_accuracy = 0.6 + i / 10;
      entry.scores["pca_matched:wide"] = { ...entry.scores["sae:narrow"] };
    });
    expect([...coincidences(result, ["raw", "sae:narrow", "pca_matched:wide"])]).toEqual([["pca_matched:wide", "sae:narrow"]]);
    result.layers[2].scores["pca_matched:wide"].test_accuracy = 0.99;
    expect(coincidences(result, ["raw", "sae:narrow", "pca_matched:wide"]).size).toBe(0);
  });

  it("lists the shown curves' values at a layer, best first, with train beside test", () => {
    const result = sweepResult();
    const rows = layerValues(result, ["raw", "sae:wide"], 1);
    const entry = result.layers.find((e) => e.layer === 1)!;
    const tests = rows.map((row) => row.test!.value);
    expect(tests).toEqual([...tests].sort((a, b) => b - a));
    const raw = rows.find((row) => row.name === "raw")!;
    expect(raw.test!.value).toBe(entry.scores.raw.test_accuracy);
    expect(raw.train).toBe(entry.scores.raw.train_accuracy);
  });

  it("keeps the Neuronpedia column only for SAEs with Neuronpedia ids", () => {
    const result = sweepResult();
    result.layers.forEach((entry) => Object.values(entry.saes!).forEach((found) => { found.sae.neuronpedia_id = null; }));
    expect(hasNeuronpedia(result)).toBe(false);
    result.layers[0].saes!.wide.sae.neuronpedia_id = "gpt2-small/0-res-jb";
    expect(hasNeuronpedia(result)).toBe(true);
  });

  it("says when the pca_matched baseline is degenerate, from its flag or, before 2.4, from its cap", () => {
    const entry = singleSetResult().layers[0];
    const union = entry.saes!.sae.diagnostics.sparsity.n_active_union_train;
    entry.baselines = { pca_matched: { k: union, n_active_union_train: union, degenerate: false, capped_by: null } };
    expect(pcaChoice(entry, "sae")).toEqual({ k: union, degenerate: false, cappedBy: "the training rows or the width" });
    expect(detailRows(entry, "sae")).toContainEqual(["pca_matched k", String(union)]);
    entry.baselines = { pca_matched: { k: 5, n_active_union_train: 7, degenerate: true, capped_by: "the training rows" } };
    expect(detailRows(entry, "sae")).toContainEqual(["pca_matched k", "5, degenerate: capped by the training rows, so pca_matched is the raw states themselves"]);
    entry.baselines = { pca_matched: { k: union - 1 } };
    expect(pcaChoice(entry, "sae")?.degenerate).toBe(true);
  });
});
