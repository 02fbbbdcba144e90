// Pure logic of the suite view: a suite's models, datasets and SAE sets, the gap heatmap's cells
// and colour scale, the mean curves and win/tie/loss counts of the summary. Touches no DOM.
import type { SuiteRun, SuiteState, SummaryRow } from "../schema";
import { formatValue, type Point } from "../shared/format";
import {
  colorSlots, findLayer, isMainCurve, layerGap, layerIds, modelLabel, orderRepresentations, representationName, saeSets,
  type LayerGap,
} from "../sweep/logic";

/** The key of a run in the suite's `results` and in the `selected_run` trait: "MODEL/DATASET". */
export function runKey(run: Pick<SuiteRun, "model" | "dataset">): string {
  return `${run.model}/${run.dataset}`;
}

/** The run whose key is `key`, if the suite has it. */
export function findRun(suite: SuiteState, key: string): SuiteRun | undefined {
  return suite.runs.find((run) => runKey(run) === key);
}

/** The suite's models in the order of their first run. */
export function suiteModels(suite: SuiteState): string[] {
  return [...new Set(suite.runs.map((run) => run.model))];
}

/** The suite's datasets (over all models) in the order of their first run. */
export function suiteDatasets(suite: SuiteState): string[] {
  return [...new Set(suite.runs.map((run) => run.dataset))];
}

/** The SAE set names of all runs' results, in order of first appearance. */
export function suiteSets(suite: SuiteState): string[] {
  const results = suite.runs.map((run) => suite.results[runKey(run)]).filter((result) => result !== undefined);
  return [...new Set(results.flatMap(saeSets))];
}

/** The view's title: the models, how many datasets, the SAE sets, the engine that ran the suite. */
export function suiteTitle(suite: SuiteState): string {
  const sets = suiteSets(suite);
  const datasets = suiteDatasets(suite).length;
  return [
    suiteModels(suite).map(modelLabel).join(", "),
    `${datasets} dataset${datasets === 1 ? "" : "s"}`,
    sets.length ? `SAE set${sets.length === 1 ? "" : "s"} ${sets.join(", ")}` : "no SAE set",
    `${suite.engine} engine`,
  ].join(" · ");
}

/** One cell of the heatmap: the raw and SAE test accuracies at a layer and their difference
 * (null where either is undefined, or the run has no such layer). */
export interface GapCell extends LayerGap {
  layer: number;
}

/** One dataset's row of the heatmap, with the key of its run. */
export interface GapRow {
  key: string;
  dataset: string;
  cells: GapCell[];
}

export interface GapMatrix {
  layers: number[];
  rows: GapRow[];
}

/** The heatmap of one model and SAE set: a row per dataset (in run order), a column per layer that
 * any of the model's runs has, each cell raw − `sae:SET` test accuracy of that run at that layer. */
export function gapMatrix(suite: SuiteState, model: string, set: string): GapMatrix {
  const runs = suite.runs.filter((run) => run.model === model && suite.results[runKey(run)]);
  const layers = [...new Set(runs.flatMap((run) => layerIds(suite.results[runKey(run)])))].sort((a, b) => a - b);
  const rows = runs.map((run) => {
    const result = suite.results[runKey(run)];
    const cells = layers.map((layer) => ({ layer, ...layerGap(findLayer(result, layer), set) }));
    return { key: runKey(run), dataset: run.dataset, cells };
  });
  return { layers, rows };
}

/** The colour scale's bound, shared by every model and SAE set so that a colour means one gap
 * everywhere: the largest |gap| rounded up to a multiple of 0.05 (at least 0.05). */
export function gapLimit(suite: SuiteState): number {
  const sets = suiteSets(suite);
  const gaps = suiteModels(suite).flatMap((model) => sets.flatMap((set) =>
    gapMatrix(suite, model, set).rows.flatMap((row) => row.cells.flatMap((cell) => (cell.gap === null ? [] : [Math.abs(cell.gap)])))));
  return Math.max(1, Math.ceil(Math.max(0, ...gaps) * 20 - 1e-9)) / 20;
}

type Rgb = [number, number, number];

const WHITE: Rgb = [255, 255, 255];
// The ends of ColorBrewer's RdBu: the SAE code loses (warm) or beats the raw states (cool).
const WARM: Rgb = [178, 24, 43];
const COOL: Rgb = [33, 102, 172];

/** The diverging scale: white at 0, towards WARM for gap > 0 and COOL for gap < 0, full at ±`limit`. */
function gapRgb(gap: number, limit: number): Rgb {
  const t = Math.min(1, Math.abs(gap) / limit);
  const end = gap > 0 ? WARM : COOL;
  return WHITE.map((white, i) => Math.round(white + (end[i] - white) * t)) as Rgb;
}

/** The CSS colour of a cell whose gap is `gap` on the scale bounded by ±`limit`. */
export function gapColor(gap: number, limit: number): string {
  return `rgb(${gapRgb(gap, limit).join(", ")})`;
}

/** Black or white, whichever contrasts more with the cell colour of `gap` (WCAG relative luminance). */
export function gapTextColor(gap: number, limit: number): "#000" | "#fff" {
  const linear = gapRgb(gap, limit).map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "#000" : "#fff";
}

/** The values the legend writes under the scale: both ends, their halves and 0. */
export function legendTicks(limit: number): number[] {
  return [-limit, -limit / 2, 0, limit / 2, limit];
}

/** A cell's accessible name: "movie_sentiment, layer 2, gap 0.123". */
export function cellLabel(dataset: string, cell: GapCell): string {
  return cell.gap === null ? `${dataset}, layer ${cell.layer}, not measured` : `${dataset}, layer ${cell.layer}, gap ${formatValue(cell.gap)}`;
}

/** A cell's tooltip: the two accuracies the gap is the difference of. */
export function cellTooltip(dataset: string, cell: GapCell, set: string): string {
  return `${dataset}, layer ${cell.layer}: raw ${formatValue(cell.raw)} − ${representationName("sae", set)} ${formatValue(cell.sae)}`
    + ` = gap ${formatValue(cell.gap)} (test accuracy)`;
}

/** The cell reached from (`row`, `col`) of a `rows` × `cols` grid by an arrow key, Home or End
 * (clamped at the edges); null for any other key. */
export function gridStep(rows: number, cols: number, row: number, col: number, key: string): [number, number] | null {
  const moves: Record<string, [number, number]> = {
    ArrowUp: [row - 1, col], ArrowDown: [row + 1, col], ArrowLeft: [row, col - 1], ArrowRight: [row, col + 1], Home: [row, 0], End: [row, cols - 1],
  };
  if (!(key in moves)) return null;
  const [r, c] = moves[key];
  return [Math.min(rows - 1, Math.max(0, r)), Math.min(cols - 1, Math.max(0, c))];
}

/** The summary rows of `model` and `metric`. */
function summaryRows(suite: SuiteState, model: string, metric: string): SummaryRow[] {
  return suite.summary.filter((row) => row.model === model && row.metric === metric);
}

/** The mean of `metric` over datasets of one representation of `model`, by layer. */
export function meanSeries(suite: SuiteState, model: string, representation: string, metric = "test_accuracy"): Point[] {
  return summaryRows(suite, model, metric).filter((row) => row.representation === representation)
    .sort((a, b) => a.layer - b.layer).map((row) => ({ layer: row.layer, value: row.mean }));
}

/** The layers of `model`'s summary, in order. */
export function summaryLayers(suite: SuiteState, model: string): number[] {
  return [...new Set(suite.summary.filter((row) => row.model === model).map((row) => row.layer))].sort((a, b) => a - b);
}

/** The representations of `model`'s summary in the sweep view's order. */
function summaryRepresentations(suite: SuiteState, model: string): string[] {
  return orderRepresentations(suite.summary.filter((row) => row.model === model).map((row) => row.representation), suiteSets(suite));
}

/** The mean curves drawn for `model`: raw, then each SAE set's sae and pca_matched codes. */
export function meanRepresentations(suite: SuiteState, model: string): string[] {
  return summaryRepresentations(suite, model).filter(isMainCurve);
}

/** Palette slots of `model`'s representations, the same the sweep view gives them. */
export function suiteColorSlots(suite: SuiteState, model: string): Map<string, number> {
  return colorSlots(summaryRepresentations(suite, model));
}

export interface WinsTiesLosses {
  wins: number;
  ties: number;
  losses: number;
  n_datasets: number;
}

/** How many datasets `representation` beats, ties and loses against raw on `metric` at `layer` of
 * `model`; null where the summary has no such count (raw itself, or a layer it lacks). */
export function winsTiesLosses(suite: SuiteState, model: string, representation: string, layer: number, metric = "test_accuracy"): WinsTiesLosses | null {
  const row = summaryRows(suite, model, metric).find((r) => r.representation === representation && r.layer === layer);
  if (!row || row.wins === null || row.ties === null || row.losses === null) return null;
  return { wins: row.wins, ties: row.ties, losses: row.losses, n_datasets: row.n_datasets };
}

/** How the summary tells a win or a loss from a tie, in words: by the paired interval of the gap
 * where the results carry intervals, else by the margin their diagnoses record; null where neither
 * no result has a diagnosis. */
export function tieRule(suite: SuiteState): string | null {
  const entries = Object.values(suite.results).flatMap((result) => result.layers);
  if (entries.some((entry) => entry.comparisons?.length)) return "a win or a loss only where the gap's interval excludes zero";
  for (const entry of entries) {
    const margin = Object.values(entry.diagnosis ?? {}).map((found) => found.evidence.margin).find((m) => typeof m === "number");
    if (typeof margin === "number") return `a tie: within ${margin}`;
  }
  return null;
}

/** How the heatmap's rows are ordered: as the suite lists its datasets, by name, or by the mean
 * gap over layers (the largest loss first; rows without a gap last). */
export type RowOrder = "suite" | "name" | "gap";

export const ROW_ORDERS: Record<RowOrder, string> = { suite: "suite order", name: "name", gap: "largest mean loss first" };

/** The mean raw − SAE gap of a heatmap row over the layers that have one; null where none does. */
export function meanGap(row: GapRow): number | null {
  const gaps = row.cells.map((cell) => cell.gap).filter((gap): gap is number => gap !== null);
  return gaps.length ? gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length : null;
}

/** The rows whose dataset name holds `filter` (any case; every row for an empty filter), in `order`. */
export function arrangeRows(rows: GapRow[], order: RowOrder, filter: string): GapRow[] {
  const wanted = filter.trim().toLowerCase();
  const kept = rows.filter((row) => row.dataset.toLowerCase().includes(wanted));
  if (order === "name") return [...kept].sort((a, b) => a.dataset.localeCompare(b.dataset, undefined, { numeric: true }));
  if (order === "gap") {
    const gap = (row: GapRow) => meanGap(row) ?? Number.NEGATIVE_INFINITY;
    return [...kept].sort((a, b) => gap(b) - gap(a));
  }
  return kept;
}

/** Wins, ties and losses of `representation` against raw summed over every layer of `model`
 * (each dataset counts once per layer), with the layer where it loses least often; null where
 * the summary has no counts for it. */
export interface OverallCounts extends WinsTiesLosses {
  layers: number;
  bestLayer: number;
}

export function overallCounts(suite: SuiteState, model: string, representation: string, metric = "test_accuracy"): OverallCounts | null {
  const found = summaryLayers(suite, model)
    .map((layer) => ({ layer, counts: winsTiesLosses(suite, model, representation, layer, metric) }))
    .filter((item): item is { layer: number; counts: WinsTiesLosses } => item.counts !== null);
  if (!found.length) return null;
  const sum = (key: "wins" | "ties" | "losses") => found.reduce((total, item) => total + item.counts[key], 0);
  const best = found.reduce((a, b) => (b.counts.losses - b.counts.wins < a.counts.losses - a.counts.wins ? b : a));
  return {
    wins: sum("wins"), ties: sum("ties"), losses: sum("losses"), n_datasets: Math.max(...found.map((item) => item.counts.n_datasets)),
    layers: found.length, bestLayer: best.layer,
  };
}

/** The suite's verdict on one SAE set in a sentence: its wins, ties and losses against raw over
 * every dataset and layer, and its best layer. */
export function overallSentence(counts: OverallCounts, code: string): string {
  const cells = counts.wins + counts.ties + counts.losses;
  return `${code} against raw over ${counts.n_datasets} datasets × ${counts.layers} layers: beats it ${counts.wins} times, ` +
    `ties ${counts.ties}, loses ${counts.losses} (of ${cells}); it does best at layer ${counts.bestLayer}.`;
}
