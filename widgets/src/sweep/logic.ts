// Pure data-to-view logic: everything here is unit-tested and touches no DOM.
import type { Comparison, FeatureRow, LayerEntry, Preparation, SweepResult } from "../schema";
import { formatCount, formatValue, formatWithInterval, type Point } from "../shared/format";

export type Split = "train" | "test";

/** The name of a sweep's one unnamed SAE set: its representations carry no suffix. */
export const DEFAULT_SET = "sae";

// The representations every SAE set has, in display order; its top-k codes follow all sets.
const SET_KINDS = ["sae", "pca_matched", "sae_reconstruction", "sae_error"];

/** The controls, built to do worse than what they control for: probes refitted on shuffled
 * training labels, a random SAE of each set's shape, random raw directions as many as its features. */
export const CONTROL_KINDS = ["raw_shuffled", "sae_shuffled", "sae_random", "raw_random_k"];

/** Whether `name` is a control's representation. */
export const isControl = (name: string): boolean => CONTROL_KINDS.includes(splitRepresentation(name)[0]);

/** SAE set names in order of first appearance in the layers' `saes`. */
export function saeSets(result: SweepResult): string[] {
  const sets = new Set<string>();
  for (const entry of result.layers) Object.keys(entry.saes ?? {}).forEach((set) => sets.add(set));
  return [...sets];
}

/** The representation `kind` (sae, sae_topk_5, pca_matched, ...) of the SAE set `set`: the plain
 * kind for the set named "sae", else `kind:set`. */
export function representationName(kind: string, set: string): string {
  return set === DEFAULT_SET ? kind : `${kind}:${set}`;
}

/** [kind, SAE set] of a representation name; the set is null for the raw states' representations
 * (raw, raw_topk_K). */
export function splitRepresentation(name: string): [string, string | null] {
  const colon = name.indexOf(":");
  if (colon >= 0) return [name.slice(0, colon), name.slice(colon + 1)];
  return [name, name === "pca_matched" || name === "raw_random_k" || name.startsWith("sae") ? DEFAULT_SET : null];
}

/** [representation, probe] of a score's name: `raw@knn` is the raw states read by the knn probe,
 * `sae@best:task` the task set's code read by the best probe; the probe is null for the sweep's own. */
export function probeOf(name: string): [string, string | null] {
  const [kind, set] = splitRepresentation(name);
  const at = kind.indexOf("@");
  if (at < 0) return [name, null];
  const base = kind.slice(0, at);
  return [set !== null && name.includes(":") ? `${base}:${set}` : base, kind.slice(at + 1)];
}

/** Representation names present in the result in a stable order: raw; each SAE set's sae,
 * pca_matched, reconstruction and error; the sets' top-k codes; the raw top-k sets; the controls;
 * the rest. */
export function representations(result: SweepResult): string[] {
  const names = new Set<string>();
  for (const entry of result.layers) Object.keys(entry.scores).forEach((n) => names.add(n));
  return orderRepresentations([...names], saeSets(result));
}

/** Representation names in the display order of {@link representations}, the SAE sets in the order
 * of `sets`. */
export function orderRepresentations(names: string[], sets: string[]): string[] {
  const rank = (name: string): [number, number, string, number] => {
    const [kind, set] = splitRepresentation(probeOf(name)[0]);
    const known = set === null ? 0 : sets.indexOf(set);
    const setRank: [number, string] = [known >= 0 ? known : sets.length, set ?? ""];
    if (kind === "raw" && set === null) return [0, 0, "", 0];
    if (set !== null && SET_KINDS.includes(kind)) return [1, ...setRank, SET_KINDS.indexOf(kind)];
    const topk = /^(sae|raw)_topk_(\d+)$/.exec(kind);
    if (topk) return [topk[1] === "sae" ? 2 : 3, ...setRank, Number(topk[2])];
    if (CONTROL_KINDS.includes(kind)) return [4, CONTROL_KINDS.indexOf(kind), set ?? "", setRank[0]];
    return [5, 0, "", 0];
  };
  return [...new Set(names)].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    const probes = (probeOf(a)[1] ?? "").localeCompare(probeOf(b)[1] ?? "");
    return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]) || x[3] - y[3] || probes || a.localeCompare(b);
  });
}

/** Whether `name` is one of the curves drawn before the user toggles anything: raw, and each set's
 * sae and pca_matched. */
export const isMainCurve = (name: string): boolean => ["raw", "sae", "pca_matched"].includes(splitRepresentation(name)[0]);

/** Representations shown before the user toggles anything: raw and each set's sae and pca_matched. */
export function defaultVisible(names: string[]): string[] {
  const wanted = names.filter(isMainCurve);
  return wanted.length ? wanted : names.slice(0, 1);
}

/** A group of the legend: the raw states' representations (`set` null), one SAE set's, or the
 * controls of every set (`controls` true). */
export interface RepresentationGroup {
  set: string | null;
  controls: boolean;
  names: string[];
}

/** Representations grouped for the legend, keeping the order of `names`: the raw states' first,
 * then one group per SAE set, then the controls. */
export function representationGroups(names: string[]): RepresentationGroup[] {
  const groups = new Map<string | null, string[]>([[null, []]]);
  const controls: string[] = [];
  for (const name of names) {
    if (isControl(name)) {
      controls.push(name);
      continue;
    }
    const set = splitRepresentation(name)[1];
    groups.set(set, [...(groups.get(set) ?? []), name]);
  }
  const found = [...groups].filter(([, members]) => members.length).map(([set, members]) => ({ set, controls: false, names: members }));
  return controls.length ? [...found, { set: null, controls: true, names: controls }] : found;
}

/** Palette slots by representation: raw, then each SAE set's sae code, then the rest in the order
 * of `names`; so the sets' codes get the most distinct colours and one set keeps `names`' order. */
export function colorSlots(names: string[]): Map<string, number> {
  const first = names.filter((n) => n === "raw" || splitRepresentation(n)[0] === "sae");
  return new Map([...first, ...names.filter((n) => !first.includes(n))].map((name, slot) => [name, slot]));
}

/** Colour slots (of a palette of `size`) for the curves `shown`, so no two shown curves share one
 * while there are enough: a curve keeps the slot it held (`previous`) unless a curve shown before
 * it in `shown` holds it too; a curve without one takes the first slot no shown curve holds,
 * preferring one no curve has held. Hidden curves keep theirs for when they come back. */
export function assignColors(previous: Map<string, number>, shown: string[], size: number): Map<string, number> {
  const colors = new Map(previous);
  const taken = new Set<number>();
  const free = () => {
    const slots = [...Array(size).keys()].filter((slot) => !taken.has(slot));
    const held = new Set(colors.values());
    return slots.find((slot) => !held.has(slot)) ?? slots[0] ?? taken.size % size;
  };
  for (const name of shown) {
    const mine = colors.get(name);
    const slot = mine !== undefined && !taken.has(mine) ? mine : free();
    colors.set(name, slot);
    taken.add(slot);
  }
  return colors;
}

/** For each shown curve whose test accuracies equal an earlier shown curve's at every layer, that
 * curve's name: the legend says "= raw", since one line hides the other. */
export function coincidences(result: SweepResult, shown: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const series = shown.map((name) => [name, accuracySeries(result, name, "test")] as const);
  const same = (a: Point[], b: Point[]) => a.length > 0 && a.length === b.length
    && a.every((p, i) => p.layer === b[i].layer && Math.abs(p.value - b[i].value) < 1e-9);
  series.forEach(([name, points], i) => {
    const twin = series.slice(0, i).find(([other, theirs]) => !found.has(other) && same(points, theirs));
    if (twin) found.set(name, twin[0]);
  });
  return found;
}

/** One row of the chart's tooltip: a representation's test accuracy (with its interval) and train
 * accuracy at a layer. */
export interface LayerValue {
  name: string;
  test: Point | null;
  train: number | null;
}

/** The shown representations' values at `layer`, highest test accuracy first. */
export function layerValues(result: SweepResult, shown: string[], layer: number): LayerValue[] {
  const at = (name: string, split: Split) => accuracySeries(result, name, split).find((p) => p.layer === layer) ?? null;
  return shown.map((name) => ({ name, test: at(name, "test"), train: at(name, "train")?.value ?? null }))
    .filter((row) => row.test !== null || row.train !== null)
    .sort((a, b) => (b.test?.value ?? -1) - (a.test?.value ?? -1));
}

/** Whether any SAE set of the result has Neuronpedia ids (else the feature table drops the column). */
export function hasNeuronpedia(result: SweepResult): boolean {
  return result.layers.some((entry) => Object.values(entry.saes ?? {}).some((found) => found.sae.neuronpedia_id));
}

/** Accuracy of one representation across layers, skipping layers where it is undefined. */
export function accuracySeries(result: SweepResult, representation: string, split: Split): Point[] {
  const key = split === "train" ? "train_accuracy" : "test_accuracy";
  const points: Point[] = [];
  for (const entry of sortedLayers(result)) {
    const metrics = entry.scores[representation];
    const value = metrics?.[key];
    if (typeof value !== "number") continue;
    const [low, high] = split === "test" ? [metrics.test_accuracy_low, metrics.test_accuracy_high] : [null, null];
    points.push(typeof low === "number" && typeof high === "number" ? { layer: entry.layer, value, low, high } : { layer: entry.layer, value });
  }
  return points;
}

/** The paired comparison of `reference` with `other` at a layer (test accuracy of the first minus
 * the second, its interval and McNemar's p), where the sweep made one. */
export function comparison(entry: LayerEntry | undefined, reference: string, other: string): Comparison | undefined {
  return entry?.comparisons?.find((c) => c.reference === reference && c.other === other);
}

export function sortedLayers(result: SweepResult): LayerEntry[] {
  return [...result.layers].sort((a, b) => a.layer - b.layer);
}

export function layerIds(result: SweepResult): number[] {
  return sortedLayers(result).map((e) => e.layer);
}

export function findLayer(result: SweepResult, layer: number): LayerEntry | undefined {
  return result.layers.find((e) => e.layer === layer);
}

/** The layer reached from `current` by `step` (clamped to the ends); the first layer if unknown. */
export function stepLayer(layers: number[], current: number, step: number): number {
  if (!layers.length) return current;
  const index = layers.indexOf(current);
  if (index < 0) return layers[0];
  return layers[Math.min(layers.length - 1, Math.max(0, index + step))];
}

/** The layer to show: the requested one when present, else the nearest present one. */
export function resolveLayer(layers: number[], requested: number): number | undefined {
  if (!layers.length) return undefined;
  return layers.reduce((best, l) => (Math.abs(l - requested) < Math.abs(best - requested) ? l : best));
}

/** The raw and SAE test accuracies at a layer and their difference, the gap (null where either is undefined). */
export interface LayerGap {
  raw: number | null;
  sae: number | null;
  gap: number | null;
  /** The ends of the gap's paired interval, where the sweep made one. */
  low?: number;
  high?: number;
}

/** raw − sae test accuracy of the SAE set `set` at the layer `entry`, beside the two accuracies (all
 * null without the layer). */
export function layerGap(entry: LayerEntry | undefined, set: string): LayerGap {
  const raw = entry?.scores.raw?.test_accuracy ?? null;
  const code = representationName("sae", set);
  const sae = entry?.scores[code]?.test_accuracy ?? null;
  const found = comparison(entry, "raw", code);
  const ends = found && typeof found.low === "number" && typeof found.high === "number" ? { low: found.low, high: found.high } : {};
  return { raw, sae, gap: raw !== null && sae !== null ? raw - sae : null, ...ends };
}

/** Per layer: raw − sae test accuracy of the SAE set `set` beside its n_active_union and l0_mean
 * (the reason for the gap). */
export function gapSeries(
  result: SweepResult, set: string,
): { layer: number; gap: number | null; low?: number; high?: number; n_active_union: number | null; l0_mean: number | null }[] {
  return sortedLayers(result).map((entry) => {
    const sparsity = entry.saes?.[set]?.diagnostics.sparsity;
    const { gap, low, high } = layerGap(entry, set);
    return {
      layer: entry.layer,
      gap,
      ...(low !== undefined && high !== undefined ? { low, high } : {}),
      n_active_union: sparsity ? sparsity.n_active_union : null,
      l0_mean: sparsity ? sparsity.l0_mean : null,
    };
  });
}

/** The label/value pairs of a layer's details for the SAE set `set`, in display order: the raw
 * states' figures, then the set's (its model processing only where it differs from the raw states'). */
export function detailRows(entry: LayerEntry, set: string): [string, string][] {
  const rows: [string, string][] = [["hook", entry.hook_name]];
  for (const rep of ["raw", representationName("sae", set)]) {
    const metrics = entry.scores[rep];
    if (!metrics) continue;
    rows.push([`${rep} test accuracy`, formatWithInterval(metrics.test_accuracy, metrics.test_accuracy_low, metrics.test_accuracy_high)]);
    rows.push([`${rep} train accuracy`, formatValue(metrics.train_accuracy)]);
    rows.push([`${rep} test AUC`, formatWithInterval(metrics.test_auc, metrics.test_auc_low, metrics.test_auc_high)]);
    const seeds = entry.split_seeds ?? [];
    if (seeds.length && typeof metrics.split_accuracy_mean === "number") {
      rows.push([`${rep} test accuracy over ${seeds.length} splits`, `${formatValue(metrics.split_accuracy_mean)} ± ${formatValue(metrics.split_accuracy_std ?? null)} (mean ± sd)`]);
    }
  }
  const gap = comparison(entry, "raw", representationName("sae", set));
  if (gap) {
    rows.push([`gap (raw − ${representationName("sae", set)})`, formatWithInterval(gap.gap, gap.low, gap.high)]);
    rows.push(["McNemar p", formatValue(gap.p_value)]);
  }
  const raw = entry.preparation ? describePreparation(entry.preparation) : null;
  if (raw) rows.push(["model processing", raw]);
  const found = entry.saes?.[set];
  const own = found?.preparation ? describePreparation(found.preparation) : null;
  if (own && own !== raw) rows.push([`model processing for ${set}`, own]);
  if (typeof found?.n_beyond_context === "number") rows.push(["texts beyond the SAE's context", formatCount(found.n_beyond_context)]);
  if (found?.sae.hook_name_out) {
    rows.push(["codes read at", found.sae.hook_name ?? entry.hook_name]);
    rows.push(["reconstruction measured against", found.sae.hook_name_out]);
  }
  (found?.sae.notes ?? []).forEach((note, i) => rows.push([i ? `note ${i + 1}` : "note", note]));
  const d = found?.diagnostics;
  if (d) {
    rows.push(["L0 mean", formatValue(d.sparsity.l0_mean)]);
    rows.push(["L0 median", formatValue(d.sparsity.l0_median)]);
    rows.push(["n_active_union", formatCount(d.sparsity.n_active_union)]);
    rows.push(["n_always_on", formatCount(d.sparsity.n_always_on)]);
    rows.push(["always-on ids", d.sparsity.always_on_ids.length ? d.sparsity.always_on_ids.join(", ") : "none"]);
    rows.push(["SAE width", formatCount(d.sparsity.n_features)]);
    const pca = pcaChoice(entry, set);
    if (pca) rows.push(["pca_matched k", pca.degenerate ? `${pca.k}, degenerate: capped by ${pca.cappedBy}, so pca_matched is the raw states themselves` : String(pca.k)]);
    rows.push(["FVU", formatValue(d.fidelity.fvu)]);
    rows.push(["cosine", formatValue(d.fidelity.cosine_mean)]);
    rows.push(["relative error", formatValue(d.fidelity.relative_error)]);
    rows.push(["rank (SAE / raw)", `${d.effective_dimension.sae.rank} / ${d.effective_dimension.raw.rank}`]);
    if (d.token_sparsity) {
      rows.push(["tokens encoded", formatCount(d.token_sparsity.n_tokens)]);
      rows.push(["L0 per token", formatValue(d.token_sparsity.l0_mean)]);
      rows.push(["features active on tokens", formatCount(d.token_sparsity.n_active_union)]);
    }
    if (d.token_fidelity) rows.push(["FVU on tokens", formatValue(d.token_fidelity.fvu)]);
  }
  const random = entry.scores[representationName("sae_random", set)];
  const trained = comparison(entry, representationName("sae", set), representationName("sae_random", set));
  if (random) rows.push(["random SAE test accuracy", formatWithInterval(random.test_accuracy, random.test_accuracy_low, random.test_accuracy_high)]);
  if (trained) rows.push(["gap (trained − random SAE)", formatWithInterval(trained.gap, trained.low, trained.high)]);
  const r = found?.random_diagnostics;
  if (r) {
    rows.push(["random SAE L0 mean", formatValue(r.sparsity.l0_mean)]);
    rows.push(["random SAE n_active_union", formatCount(r.sparsity.n_active_union)]);
    rows.push(["random SAE FVU", formatValue(r.fidelity.fvu)]);
  }
  return rows;
}

/** The size of the `pca_matched` baseline of the SAE set `set` at a layer, and whether it is
 * degenerate (capped at the training rows or the width, so it keeps every direction of the raw
 * states); results written before 2.4 lack the flag, where a cap below the training-row union tells. */
export function pcaChoice(entry: LayerEntry, set: string): { k: number; degenerate: boolean; cappedBy: string } | null {
  const choice = entry.baselines?.[representationName("pca_matched", set)];
  if (!choice || typeof choice.k !== "number") return null;
  const union = entry.saes?.[set]?.diagnostics.sparsity.n_active_union_train;
  const degenerate = typeof choice.degenerate === "boolean" ? choice.degenerate : typeof union === "number" && choice.k < union;
  const cappedBy = typeof choice.capped_by === "string" ? choice.capped_by : "the training rows or the width";
  return { k: choice.k, degenerate, cappedBy };
}

/** The written diagnoses of a layer, one line per SAE set: "label: text" (none without an SAE). */
export function diagnosisLines(entry: LayerEntry): { set: string; label: string; text: string }[] {
  return Object.entries(entry.diagnosis ?? {}).map(([set, found]) => ({ set, label: found.label.replace("_", " "), text: found.text }));
}

/** The processing steps applied to the model, or "none"; and the BOS rule when an SAE set one. */
export function describePreparation(preparation: Preparation): string {
  const steps = (["fold_ln", "center_writing_weights", "center_unembed", "fold_value_biases", "refactor_factored_attn_matrices"] as const)
    .filter((step) => preparation[step]);
  const bos = preparation.prepend_bos === null ? "" : `; prepend_bos=${preparation.prepend_bos}`;
  return (steps.length ? steps.join(", ") : "none (raw stream)") + bos;
}

export type SortDirection = "asc" | "desc";

/** Feature rows sorted by a column; missing values last, ties by feature id. */
export function sortFeatures(rows: FeatureRow[], column: string, direction: SortDirection): FeatureRow[] {
  const sign = direction === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const [x, y] = [a[column], b[column]];
    if (x === y) return a.feature - b.feature;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return sign * order || a.feature - b.feature;
  });
}

/** Class names that have per-class columns (`firing_rate:<class>`) in the feature rows. */
export function featureClasses(result: SweepResult): string[] {
  return result.classes.map(String);
}

/** What each metric and representation name means, for tooltips wherever a name is shown. */
export const GLOSSARY: Record<string, string> = {
  raw: "Logistic-regression probe on the model's hidden states at this layer.",
  sae: "Probe on the SAE's code of the same hidden states (its feature activations).",
  pca_matched: "Probe on the hidden states projected onto as many principal components as SAE features fire on the training rows: a dense code of the same size.",
  sae_reconstruction: "Probe on the SAE's reconstruction of the hidden states.",
  sae_error: "Probe on what the SAE leaves out: hidden states minus their reconstruction.",
  sae_topk: "Probe on only the K SAE features whose class means differ most on the training rows (k-sparse probing).",
  raw_topk: "Probe on only the K hidden-state dimensions whose class means differ most on the training rows.",
  raw_shuffled: "Control: the raw probe refitted on the training labels in a random order. Over the shuffle and its relabellings it must average chance; if not, the layer warns of leakage.",
  sae_shuffled: "Control: the SAE probe refitted on the training labels in a random order. Over the shuffle and its relabellings it must average chance; if not, the layer warns of leakage.",
  sae_random: "Control: probe on the code of a random SAE with this SAE's architecture, width, k or threshold, biases and norms. A trained SAE should beat it.",
  raw_random_k: "Control: probe on the hidden states projected onto random directions, as many as SAE features fire on the training rows.",
  separation: "How far apart the classes' mean activations of a feature are, in units of its spread, on the training rows.",
  L0: "How many SAE features are active (non-zero) per example.",
  n_active_union: "How many distinct SAE features are active on at least one example of this data.",
  n_always_on: "How many SAE features fire on at least 99% of examples: they carry no information about the class.",
  FVU: "Fraction of variance unexplained by the SAE's reconstruction: 0 is perfect; above 1 the reconstruction is further from the states than their mean is.",
  gap: "Raw test accuracy minus SAE test accuracy: how much of the concept the SAE code loses.",
  chance: "The accuracy of always guessing one class, for balanced classes: 1 / number of classes.",
};

/** What each of the field's probes is, for names read by a probe other than the sweep's own (`raw@knn`). */
export const PROBES: Record<string, string> = {
  logistic: "L2 logistic regression, C chosen by cross-validation",
  diffmean: "the difference of the class means (AxBench's DiffMean), calibrated",
  pca: "logistic regression on the first principal components, their number chosen by cross-validation",
  knn: "k nearest neighbours, k chosen by cross-validation",
  mlp: "a one-hidden-layer perceptron, its penalty chosen by cross-validation",
  xgboost: "gradient-boosted trees, their depth chosen by cross-validation",
  best: "the probe with the highest AUC on a validation fifth of the training rows (sae-probes' quiver of arrows)",
};

/** The glossary entry for a name shown in the view: top-k names share one entry, and an SAE
 * set's suffix (`sae_topk_5:task`) is read past. */
export function explain(name: string): string | undefined {
  const [base, probe] = probeOf(name);
  if (probe !== null) {
    const what = explain(base);
    return `${what ? `${what} ` : ""}Read by the ${probe} probe: ${PROBES[probe] ?? "a probe plugin"}.`;
  }
  const plain = name.replace(/:[A-Za-z][A-Za-z0-9_.-]*/g, "");
  const topk = /^(sae|raw)_topk_\d+$/.exec(plain);
  if (topk) return GLOSSARY[`${topk[1]}_topk`];
  const key = Object.keys(GLOSSARY).find((k) => plain === k || plain.startsWith(`${k} `) || plain.endsWith(` ${k}`));
  return key ? GLOSSARY[key] : undefined;
}

/** Layers as a reader would write them: "layer 3", "layers 0–12" for a run of swept layers. */
function layerRuns(runs: number[][]): string {
  return runs.map((run) => (run.length === 1 ? `layer ${run[0]}` : `layers ${run[0]}–${run[run.length - 1]}`)).join(", ");
}

/** A gap as a headline writes it: two decimals, no sign. */
const amount = (value: number) => Math.abs(value).toFixed(2);

/** What an SAE set is called in a sentence: "the SAE" for a sweep's one unnamed set, else "the task SAE". */
export function setPhrase(set: string): string {
  return set === DEFAULT_SET ? "the SAE" : `the ${set} SAE`;
}

/** The verdict of the SAE set `set` in plain words, from its raw − SAE test-accuracy gap per layer:
 * "The task SAE loses 0.02 on average and up to 0.10 at layer 2.", "… gains 0.01 on average, but
 * loses up to 0.06 at layer 4." or "… matches or beats the raw states at every layer (by up to
 * 0.04 at layer 5)."; then each diagnosis label with the runs of layers it holds. Null where the
 * set has no diagnosis. */
function setFinding(result: SweepResult, set: string): string | null {
  const entries = sortedLayers(result).filter((e) => e.diagnosis?.[set]);
  if (!entries.length) return null;
  const gaps = entries.map((e) => ({ layer: e.layer, gap: Number(e.diagnosis![set].evidence.gap) }));
  const mean = gaps.reduce((sum, g) => sum + g.gap, 0) / gaps.length;
  const worst = gaps.reduce((a, b) => (b.gap > a.gap ? b : a));
  const best = gaps.reduce((a, b) => (b.gap < a.gap ? b : a));
  const who = setPhrase(set).replace(/^t/, "T");
  const verdict = worst.gap <= 0
    ? `${who} matches or beats the raw states at every layer${best.gap < 0 ? ` (by up to ${amount(best.gap)} at layer ${best.layer})` : ""}.`
    : mean > 0
      ? `${who} loses ${amount(mean)} on average and up to ${amount(worst.gap)} at layer ${worst.layer}.`
      : `${who} gains ${amount(mean)} on average, but loses up to ${amount(worst.gap)} at layer ${worst.layer}.`;
  const byLabel = new Map<string, number[][]>();
  entries.forEach((entry, i) => {
    const label = entry.diagnosis![set].label;
    const previous = i > 0 ? entries[i - 1].diagnosis![set].label : undefined;
    const runs = byLabel.get(label) ?? [];
    if (previous === label) runs[runs.length - 1].push(entry.layer); else runs.push([entry.layer]);
    byLabel.set(label, runs);
  });
  const labels = [...byLabel].map(([label, runs]) => `${label.replace("_", " ")} at ${layerRuns(runs)}`).join("; ");
  return `${verdict} Diagnosis: ${labels}.`;
}

/** The findings of the sweep from the diagnoses, one per SAE set. Empty without diagnoses. */
export function headlines(result: SweepResult): string[] {
  return saeSets(result).flatMap((set) => {
    const finding = setFinding(result, set);
    return finding ? [finding] : [];
  });
}

/** Mean test accuracy over the layers, of the raw states and of each SAE set's code, as the CLI
 * prints it: [name, mean] pairs, raw first; layers where a code is missing are left out of its mean. */
export function meanAccuracies(result: SweepResult): [string, number][] {
  const mean = (name: string) => {
    const points = accuracySeries(result, name, "test");
    return points.length ? points.reduce((sum, p) => sum + p.value, 0) / points.length : null;
  };
  const names: [string, string][] = [["raw", "raw"], ...saeSets(result).map((set): [string, string] => [set, representationName("sae", set)])];
  return names.flatMap(([label, name]) => {
    const value = mean(name);
    return value === null ? [] : [[label, value] as [string, number]];
  });
}

/** Each SAE set with what it is, for the header: the result's own words (`sae_sets`), else the
 * folder its SAEs came from, else nothing. */
export function setDescriptions(result: SweepResult): [string, string | null][] {
  return saeSets(result).map((set) => [set, result.sae_sets?.[set] ?? (saeSource(result, set) ? `SAEs from ${saeSource(result, set)}` : null)]);
}

/** Where the SAE set `set` came from, shortened for a title: the folder holding its per-layer SAEs. */
export function saeSource(result: SweepResult, set: string): string | null {
  const source = result.layers.find((e) => e.saes?.[set])?.saes?.[set].sae.source;
  if (!source) return null;
  const parts = source.replace(/[\\/]+layer_\d+[\\/]*$/, "").split(/[\\/]/).filter(Boolean);
  return parts.slice(-2).join("/");
}

/** A model's name as titles show it: its last two path parts ("org/name" of a Hub id). */
export function modelLabel(name: string): string {
  return name.split("/").filter(Boolean).slice(-2).join("/");
}

/** The view's title: the model (as the result labels it), dataset, hook and pooling, split sizes;
 * the SAE sets have lines of their own (setDescriptions). */
export function sweepTitle(result: SweepResult): string {
  const model = result.model.label ?? modelLabel(result.model.name);
  return `${model} · ${result.dataset.name} · ${result.settings.hook}, ${result.settings.pooling} pooling · `
    + `${result.n_train} train / ${result.n_test} test`;
}
