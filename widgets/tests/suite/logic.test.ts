import { describe, expect, it } from "vitest";
import type { SuiteState } from "../../src/schema";
import {
  arrangeRows, cellLabel, cellTooltip, findRun, gapColor, gapLimit, gapMatrix, gapTextColor, gridStep, legendTicks, meanGap, meanRepresentations,
  meanSeries, overallCounts, overallSentence, runKey, suiteColorSlots, suiteDatasets, suiteModels, suiteSets, suiteTitle, summaryLayers, tieRule,
  winsTiesLosses,
} from "../../src/suite/logic";
import { colorSlots, representations } from "../../src/sweep/logic";
import { suiteState } from "../fixture";

const MODEL = "/scratch/tiny-gpt2";
const DATASETS = ["movie_sentiment", "larger_than", "topics"];

/** The test accuracy of `representation` in the fixture's result of `dataset` at `layer`. */
function accuracy(suite: SuiteState, dataset: string, layer: number, representation: string): number {
  const entry = suite.results[`${MODEL}/${dataset}`].layers.find((e) => e.layer === layer)!;
  return entry.scores[representation].test_accuracy!;
}

describe("a suite's runs", () => {
  it("names its models, datasets and SAE sets in the order of the runs", () => {
    const suite = suiteState();
    expect(suiteModels(suite)).toEqual([MODEL]);
    expect(suiteDatasets(suite)).toEqual(DATASETS);
    expect(suiteSets(suite)).toEqual(["narrow", "wide"]);
    expect(runKey(suite.runs[2])).toBe(`${MODEL}/topics`);
    expect(Object.keys(suite.results)).toContain(runKey(suite.runs[2]));
    expect(findRun(suite, `${MODEL}/topics`)!.dataset).toBe("topics");
    expect(findRun(suite, "nothing")).toBeUndefined();
  });

  it("titles the view with the models, the number of datasets, the SAE sets and the engine", () => {
    const suite = suiteState();
    expect(suiteTitle(suite)).toBe("scratch/tiny-gpt2 · 3 datasets · SAE sets narrow, wide · local engine");
    suite.runs = suite.runs.slice(0, 1);
    suite.engine = "ray";
    expect(suiteTitle(suite)).toBe("scratch/tiny-gpt2 · 1 dataset · SAE sets narrow, wide · ray engine");
  });
});

describe("the gap heatmap", () => {
  it("has a row per dataset and a column per layer, each cell raw − sae:SET test accuracy", () => {
    const suite = suiteState();
    const matrix = gapMatrix(suite, MODEL, "wide");
    expect(matrix.layers).toEqual([0, 1, 2, 3]);
    expect(matrix.rows.map((row) => [row.dataset, row.key])).toEqual(DATASETS.map((d) => [d, `${MODEL}/${d}`]));
    // Read off the fixture: topics at layer 2 scores raw 0.1875 and sae:wide 0.3125.
    expect(matrix.rows[2].cells[2]).toMatchObject({ layer: 2, raw: 0.1875, sae: 0.3125, gap: -0.125 });
    const paired = suite.results[`${MODEL}/topics`].layers[2].comparisons!.find((c) => c.reference === "raw" && c.other === "sae:wide")!;
    expect([matrix.rows[2].cells[2].low, matrix.rows[2].cells[2].high]).toEqual([paired.low, paired.high]);
    // larger_than at layer 3: raw 10/14, sae:narrow 5/14.
    expect(gapMatrix(suite, MODEL, "narrow").rows[1].cells[3].gap).toBeCloseTo(10 / 14 - 5 / 14, 12);
    for (const [r, dataset] of DATASETS.entries()) {
      for (const layer of matrix.layers) {
        expect(matrix.rows[r].cells[layer].gap).toBeCloseTo(accuracy(suite, dataset, layer, "raw") - accuracy(suite, dataset, layer, "sae:wide"), 12);
      }
    }
  });

  it("leaves a cell empty where a run lacks the layer or the SAE score", () => {
    const suite = suiteState();
    const topics = suite.results[`${MODEL}/topics`];
    topics.layers = topics.layers.filter((entry) => entry.layer !== 1);
    topics.layers[0].scores["sae:wide"].test_accuracy = null;
    const matrix = gapMatrix(suite, MODEL, "wide");
    expect(matrix.layers).toEqual([0, 1, 2, 3]);
    expect(matrix.rows[2].cells.map((cell) => cell.gap === null)).toEqual([true, true, false, false]);
    expect(matrix.rows[2].cells[1]).toEqual({ layer: 1, raw: null, sae: null, gap: null });
    expect(gapMatrix(suite, "other model", "wide")).toEqual({ layers: [], rows: [] });
  });

  it("bounds the colour scale by the largest gap of any set, rounded up to 0.05", () => {
    const suite = suiteState();
    // The largest: larger_than at layer 3, 10/14 − 5/14 = 0.357 (both sets).
    expect(gapLimit(suite)).toBe(0.4);
    for (const result of Object.values(suite.results)) {
      for (const entry of result.layers) for (const set of ["narrow", "wide"]) entry.scores[`sae:${set}`].test_accuracy = entry.scores.raw.test_accuracy;
    }
    expect(gapLimit(suite)).toBe(0.05);
  });

  it("colours a gap on a diverging scale: white at 0, warm where the SAE code loses, cool where it wins", () => {
    expect(gapColor(0, 0.4)).toBe("rgb(255, 255, 255)");
    expect(gapColor(0.4, 0.4)).toBe("rgb(178, 24, 43)");
    expect(gapColor(-0.4, 0.4)).toBe("rgb(33, 102, 172)");
    expect(gapColor(0.2, 0.4)).toBe("rgb(217, 140, 149)");
    expect(gapColor(-1, 0.4)).toBe(gapColor(-0.4, 0.4));
    expect(gapTextColor(0, 0.4)).toBe("#000");
    expect(gapTextColor(0.2, 0.4)).toBe("#000");
    expect(gapTextColor(0.4, 0.4)).toBe("#fff");
    expect(gapTextColor(-0.4, 0.4)).toBe("#fff");
    expect(legendTicks(0.4)).toEqual([-0.4, -0.2, 0, 0.2, 0.4]);
  });

  it("names a cell by dataset, layer and gap, and writes both accuracies in its tooltip", () => {
    const cell = { layer: 2, raw: 0.1875, sae: 0.3125, gap: -0.125 };
    expect(cellLabel("topics", cell)).toBe("topics, layer 2, gap -0.125");
    expect(cellTooltip("topics", cell, "wide")).toBe("topics, layer 2: raw 0.188 − sae:wide 0.313 = gap -0.125 (test accuracy)");
    expect(cellTooltip("topics", cell, "sae")).toContain("− sae 0.313");
    expect(cellLabel("topics", { layer: 1, raw: null, sae: null, gap: null })).toBe("topics, layer 1, not measured");
  });

  it("moves between cells with the arrow keys, Home and End, stopping at the edges", () => {
    expect(gridStep(3, 4, 1, 1, "ArrowUp")).toEqual([0, 1]);
    expect(gridStep(3, 4, 1, 1, "ArrowDown")).toEqual([2, 1]);
    expect(gridStep(3, 4, 1, 1, "ArrowRight")).toEqual([1, 2]);
    expect(gridStep(3, 4, 0, 0, "ArrowLeft")).toEqual([0, 0]);
    expect(gridStep(3, 4, 2, 3, "ArrowDown")).toEqual([2, 3]);
    expect(gridStep(3, 4, 1, 2, "Home")).toEqual([1, 0]);
    expect(gridStep(3, 4, 1, 0, "End")).toEqual([1, 3]);
    expect(gridStep(3, 4, 1, 1, "Enter")).toBeNull();
  });
});

describe("the means over datasets", () => {
  it("draws the summary's mean test accuracy of raw and each set's sae and pca_matched codes", () => {
    const suite = suiteState();
    expect(summaryLayers(suite, MODEL)).toEqual([0, 1, 2, 3]);
    expect(meanRepresentations(suite, MODEL)).toEqual(["raw", "sae:narrow", "pca_matched:narrow", "sae:wide", "pca_matched:wide"]);
    for (const name of meanRepresentations(suite, MODEL)) {
      const series = meanSeries(suite, MODEL, name);
      expect(series.map((p) => p.layer)).toEqual([0, 1, 2, 3]);
      series.forEach(({ layer, value }) => {
        expect(value).toBeCloseTo(DATASETS.reduce((sum, d) => sum + accuracy(suite, d, layer, name), 0) / DATASETS.length, 12);
      });
    }
    expect(meanSeries(suite, MODEL, "raw", "test_auc")[0].value).toBe(suite.summary.find((r) => r.representation === "raw" && r.metric === "test_auc" && r.layer === 0)!.mean);
  });

  it("gives each representation the colour the sweep view gives it", () => {
    const suite = suiteState();
    const sweep = colorSlots(representations(suite.results[`${MODEL}/topics`]));
    const slots = suiteColorSlots(suite, MODEL);
    for (const name of meanRepresentations(suite, MODEL)) expect(slots.get(name)).toBe(sweep.get(name));
  });

  it("counts the datasets each SAE code beats, ties and loses against raw, where the gap's interval excludes zero", () => {
    const suite = suiteState();
    expect(tieRule(suite)).toBe("a win or a loss only where the gap's interval excludes zero");
    for (const set of ["narrow", "wide"]) {
      for (const layer of [0, 1, 2, 3]) {
        const gaps = DATASETS.map((d) => suite.results[`${MODEL}/${d}`].layers.find((e) => e.layer === layer)!.comparisons!
          .find((c) => c.reference === "raw" && c.other === `sae:${set}`)!);
        const wins = gaps.filter((gap) => gap.high! < 0).length;
        const losses = gaps.filter((gap) => gap.low! > 0).length;
        expect(winsTiesLosses(suite, MODEL, `sae:${set}`, layer)).toEqual({ wins, ties: 3 - wins - losses, losses, n_datasets: 3 });
      }
    }
    const withoutIntervals = suiteState();
    Object.values(withoutIntervals.results).forEach((result) => result.layers.forEach((entry) => delete entry.comparisons));
    expect(tieRule(withoutIntervals)).toBe("a tie: within 0.02");
    expect(winsTiesLosses(suite, MODEL, "raw", 1)).toBeNull();
    expect(winsTiesLosses(suite, MODEL, "sae:narrow", 9)).toBeNull();
  });

  it("has no tie rule without intervals or a diagnosis", () => {
    const suite = suiteState();
    for (const result of Object.values(suite.results)) {
      result.layers.forEach((entry) => {
        delete entry.diagnosis;
        delete entry.comparisons;
      });
    }
    expect(tieRule(suite)).toBeNull();
  });
});

describe("a suite of many datasets", () => {
  it("filters the heatmap's rows by name and orders them by name or by their mean loss", () => {
    const rows = gapMatrix(suiteState(), MODEL, "narrow").rows;
    expect(arrangeRows(rows, "suite", "").map((row) => row.dataset)).toEqual(DATASETS);
    expect(arrangeRows(rows, "name", "").map((row) => row.dataset)).toEqual(["larger_than", "movie_sentiment", "topics"]);
    expect(arrangeRows(rows, "suite", " TOP").map((row) => row.dataset)).toEqual(["topics"]);
    expect(arrangeRows(rows, "suite", "nothing")).toEqual([]);
    const byLoss = arrangeRows(rows, "gap", "");
    const means = byLoss.map((row) => meanGap(row)!);
    expect(means).toEqual([...means].sort((a, b) => b - a));
    const row = rows[0];
    const gaps = row.cells.map((cell) => cell.gap!);
    expect(meanGap(row)).toBeCloseTo(gaps.reduce((a, b) => a + b, 0) / gaps.length, 12);
    expect(meanGap({ ...row, cells: row.cells.map((cell) => ({ ...cell, gap: null })) })).toBeNull();
  });

  it("numbers names as numbers, so 5_x comes before 41_y", () => {
    const rows = ["41_truthqa_tf", "113_movie_sent", "5_hist_fig_ismale"].map((dataset) => ({ key: dataset, dataset, cells: [] }));
    expect(arrangeRows(rows, "name", "").map((row) => row.dataset)).toEqual(["5_hist_fig_ismale", "41_truthqa_tf", "113_movie_sent"]);
  });

  it("sums each set's wins, ties and losses over the layers and names its best layer", () => {
    const suite = suiteState();
    for (const set of ["narrow", "wide"]) {
      const code = `sae:${set}`;
      const perLayer = summaryLayers(suite, MODEL).map((layer) => ({ layer, counts: winsTiesLosses(suite, MODEL, code, layer)! }));
      const total = overallCounts(suite, MODEL, code)!;
      expect(total.wins).toBe(perLayer.reduce((sum, item) => sum + item.counts.wins, 0));
      expect(total.losses).toBe(perLayer.reduce((sum, item) => sum + item.counts.losses, 0));
      expect(total.wins + total.ties + total.losses).toBe(3 * perLayer.length);
      const best = perLayer.find((item) => item.layer === total.bestLayer)!.counts;
      expect(perLayer.every((item) => item.counts.losses - item.counts.wins >= best.losses - best.wins)).toBe(true);
      expect(overallSentence(total, code)).toBe(
        `${code} against raw over 3 datasets × ${perLayer.length} layers: beats it ${total.wins} times, ties ${total.ties}, ` +
        `loses ${total.losses} (of ${3 * perLayer.length}); it does best at layer ${total.bestLayer}.`,
      );
    }
    expect(overallCounts(suite, MODEL, "raw")).toBeNull();
  });
});
