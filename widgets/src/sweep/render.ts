// The widget view: accuracy curves, gap strips, layer navigation and the selected layer's details.
import type { FeatureRow, LayerEntry, Progress, SweepResult } from "../schema";
import {
  accuracyChart, colorFor, DEFAULT_WIDTH, formatPoint, histogram, PALETTE, stripChart, stripValue, type ChartHover, type Series, type Strip,
} from "../shared/charts";
import { h, replaceKeepingFocus, type Redraw } from "../shared/dom";
import { download, pngOf, standaloneSvg } from "../shared/export";
import { formatCount, formatValue } from "../shared/format";
import type { SweepTraits, ViewModel } from "../shared/model";
import { setPanel } from "../shared/tabs";
import { tooltip } from "../shared/tooltip";
import {
  accuracySeries, assignColors, coincidences, colorSlots, DEFAULT_SET, defaultVisible, detailRows, diagnosisLines, explain, featureClasses, findLayer,
  gapSeries, hasNeuronpedia, headlines, layerIds, layerValues, meanAccuracies, representationGroups, representationName, representations,
  resolveLayer, saeSets, setDescriptions, sortFeatures, type RepresentationGroup,
  splitRepresentation, stepLayer, sweepTitle, type SortDirection,
} from "./logic";

// The charts' width follows the view's, within these bounds (pixels).
const MIN_WIDTH = 360;
const MAX_WIDTH = 1400;
// A change of the view's width smaller than this does not redraw.
const WIDTH_STEP = 24;
const IDLE_READOUT = "Hover the chart for the values at a layer; click to select it.";

interface ViewState {
  visible: Set<string> | null;
  /** Colour slots by representation: shown curves never share one (see assignColors). */
  colors: Map<string, number>;
  sortColumn: string;
  sortDirection: SortDirection;
  /** The view's width in pixels, as last measured (0: not measured). */
  width: number;
  /** The SAE set whose figures the layer details show (kept across layers); null: the first set. */
  detailSet: string | null;
}

/** Draw the sweep view of `model` (a LayerSweepWidget's, or a stand-in with its traits) into `el`;
 * returns the clean-up. */
export function render({ model, el }: { model: ViewModel<SweepTraits>; el: HTMLElement }): () => void {
  const state: ViewState = { visible: null, colors: new Map(), sortColumn: "separation", sortDirection: "desc", width: 0, detailSet: null };
  const root = h("div", { class: "saeprobe", tabindex: 0 });
  el.replaceChildren(root);

  const select = (layer: number) => {
    model.set("selected_layer", layer);
    model.save_changes();
  };
  const onKey = (event: KeyboardEvent) => {
    const result = model.get("result");
    if (!result || !["ArrowLeft", "ArrowRight"].includes(event.key)) return;
    if (event.target instanceof HTMLInputElement && event.target.type === "range") return;
    event.preventDefault();
    select(stepLayer(layerIds(result), model.get("selected_layer"), event.key === "ArrowLeft" ? -1 : 1));
  };
  const draw: Redraw = (focusKey) => {
    state.width = root.clientWidth;
    replaceKeepingFocus(root, view(model, state, select, draw), focusKey);
  };
  const onChange = () => draw();
  root.addEventListener("keydown", onKey);
  for (const name of ["result", "selected_layer", "progress"]) model.on(`change:${name}`, onChange);
  // The charts use the width they have: redraw when the view grows or shrinks.
  const resized = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => {
    if (Math.abs(root.clientWidth - state.width) >= WIDTH_STEP) draw();
  });
  resized?.observe(root);
  draw();
  return () => {
    resized?.disconnect();
    root.removeEventListener("keydown", onKey);
    for (const name of ["result", "selected_layer", "progress"]) model.off(`change:${name}`, onChange);
  };
}

/** The charts' width for a view `width` pixels wide (its padding taken off); DEFAULT_WIDTH unmeasured. */
export function chartWidth(width: number): number {
  return width > 0 ? Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, width - 16)) : DEFAULT_WIDTH;
}

function view(model: ViewModel<SweepTraits>, state: ViewState, select: (layer: number) => void, redraw: Redraw): HTMLElement[] {
  const result = model.get("result");
  const progress = model.get("progress") ?? {};
  const parts: HTMLElement[] = [header(result, progress)];
  if (!result || !result.layers.length) {
    parts.push(h("p", { class: "sp-empty" }, progress.total ? "Waiting for the first layer…" : "No layers in this result."));
    return parts;
  }
  // One verdict per SAE set, in plain words, then the mean accuracies the CLI prints.
  parts.push(...headlines(result).map((finding) => h("p", { class: "sp-headline" }, finding)));
  const means = meanAccuracies(result);
  if (means.length > 1) {
    parts.push(h("p", { class: "sp-means" }, "Mean test accuracy over layers: ",
      ...means.flatMap(([name, value], i) => [i ? " · " : "", h("strong", {}, name), ` ${formatValue(value)}`])));
  }
  const layers = layerIds(result);
  const selected = resolveLayer(layers, model.get("selected_layer") ?? layers[0]);
  const sets = saeSets(result);
  const names = representations(result);
  state.visible ??= new Set(defaultVisible(names));
  const visible = state.visible;
  // Stable order for colours: raw and the sets' codes first, so they keep the first colours.
  const slotOrder = [...colorSlots(names).keys()];
  const shown = names.filter((name) => visible.has(name));
  state.colors = assignColors(state.colors, slotOrder.filter((name) => visible.has(name)), PALETTE.length);
  const color = (name: string) => colorFor(state.colors.get(name) ?? 0);
  const twins = coincidences(result, shown);
  const width = chartWidth(state.width);

  const series: Series[] = shown.flatMap((name) => (["test", "train"] as const).map((split) => ({
    name: `${name} ${split}`, color: color(name), dashed: split === "train", points: accuracySeries(result, name, split),
  })));
  const readout = h("div", { class: "sp-readout", "aria-live": "polite" }, IDLE_READOUT);
  const chartHost = h("div", { class: "sp-chart-host" });
  const tip = tooltip(chartHost, readout, IDLE_READOUT);
  const onHover = (hover: ChartHover | null) => {
    if (!hover) return tip.show(null);
    const rows = layerValues(result, shown, hover.layer);
    tip.show(hover, [
      h("div", { class: "sp-tooltip-title" }, `Layer ${hover.layer}`),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", {}, "test"), h("th", {}, "train"))),
        h("tbody", {}, ...rows.map((row) => h("tr", {},
          h("th", { scope: "row" }, h("span", { class: "sp-swatch", style: `background:${color(row.name)}` }), row.name),
          h("td", {}, row.test ? formatPoint(row.test) : "–"), h("td", {}, formatValue(row.train)))))),
    ], `Layer ${hover.layer}: ${rows.map((row) => `${row.name} ${row.test ? formatValue(row.test.value) : "–"}`).join(", ")}`);
  };
  const chartOptions = { layers, series, onSelect: select, chance: 1 / result.classes.length, onHover, width };
  chartHost.append(accuracyChart({ ...chartOptions, selected }), tip.box);
  // The file shows no selected layer: it is the chart for a slide or a paper.
  const exported = () => standaloneSvg(accuracyChart({ ...chartOptions, width: DEFAULT_WIDTH, selected: undefined }), shown.map((name) => ({ name, color: color(name) })));
  const exportButton = (format: "SVG" | "PNG", save: () => Promise<void> | void) => {
    const button = h("button", { type: "button", class: "sp-export-button", title: `Download the accuracy chart with its legend as ${format}`, "data-focus-key": `export-${format}` }, format);
    button.addEventListener("click", () => Promise.resolve(save()).catch((error: Error) => { readout.textContent = `${format} export failed: ${error.message}`; }));
    return button;
  };
  const exports = h("div", { class: "sp-export", role: "group", "aria-label": "Export the chart" },
    exportButton("SVG", () => download(new Blob([exported().text], { type: "image/svg+xml" }), "saeprobe-accuracy.svg")),
    exportButton("PNG", async () => download(await pngOf(exported()), "saeprobe-accuracy.png")));

  const slider = h("input", {
    type: "range", min: 0, max: layers.length - 1, step: 1, value: layers.indexOf(selected ?? layers[0]),
    "aria-label": "Selected layer", "aria-valuetext": `Layer ${selected}`, "data-focus-key": "slider",
  });
  slider.addEventListener("input", () => select(layers[Number(slider.value)]));
  const buttons = h("div", { class: "sp-layer-buttons", role: "group", "aria-label": "Layers" },
    ...layers.map((layer) => {
      const button = h("button", {
        type: "button", "aria-label": `Layer ${layer}`, "aria-pressed": layer === selected ? "true" : "false",
        class: layer === selected ? "sp-layer sp-layer-selected" : "sp-layer", "data-focus-key": `layer-${layer}`,
      }, String(layer));
      button.addEventListener("click", () => select(layer));
      return button;
    }));

  const strips = gapStrips(result, sets, color);
  // A series that is the same at every layer (a TopK SAE's L0) is a sentence, not a chart.
  const constant = strips.filter((strip) => strip.points.every((p) => p.value === strip.points[0].value));
  const varying = strips.filter((strip) => !constant.includes(strip));

  parts.push(
    toggles(names, sets, visible, state.colors, twins, color, redraw),
    h("figure", { class: "sp-figure" }, chartHost,
      h("figcaption", {}, "Probe accuracy by layer — solid: test, dashed: train; bands: 95% intervals"), h("div", { class: "sp-chart-foot" }, readout, exports)),
    h("div", { class: "sp-nav" }, buttons, slider, h("span", { class: "sp-hint" }, "← / → step through layers")),
  );
  if (strips.length) {
    const stripHost = h("div", { class: "sp-chart-host" });
    const stripReadout = h("div", { class: "sp-visually-hidden", "aria-live": "polite" });
    const stripTip = tooltip(stripHost, stripReadout, "");
    const onStripHover = (strip: Strip, hover: ChartHover | null) => {
      if (!hover) return stripTip.show(null);
      const text = `Layer ${hover.layer} · ${strip.label}: ${stripValue(strip, hover.layer)}`;
      stripTip.show(hover, [h("div", {}, text)], text);
    };
    if (varying.length) stripHost.append(stripChart({ layers, strips: varying, selected, onSelect: select, onHover: onStripHover, width }), stripTip.box);
    parts.push(h("figure", { class: "sp-figure" }, varying.length ? stripHost : null, stripReadout,
      ...constant.map((strip) => h("p", { class: "sp-constant", title: explain(strip.label) },
        `${strip.label}: ${strip.format(strip.points[0].value)} at every layer`)),
      h("figcaption", {}, "Why the gap: SAE features active on this data, by layer")));
  }
  const entry = selected === undefined ? undefined : findLayer(result, selected);
  if (entry) parts.push(details(entry, result, sets, state, redraw));
  return parts;
}

/** The legend of the accuracy chart: a colour swatch and a toggle per representation; with several
 * SAE sets or controls, one row per group (the raw states, each set with a toggle for all of its
 * curves, the controls), its members wrapping under one another, never under the group's name. A
 * hidden curve's swatch is empty; a curve that coincides with an earlier one says "= raw". */
function toggles(
  names: string[], sets: string[], visible: Set<string>, colors: Map<string, number>, twins: Map<string, string>,
  color: (name: string) => string, redraw: Redraw,
): HTMLElement {
  const toggle = (name: string, text: string) => {
    const box = h("input", { type: "checkbox", checked: visible.has(name), "aria-label": name, "data-focus-key": `toggle-${name}` });
    box.addEventListener("change", () => {
      if (box.checked) visible.add(name); else visible.delete(name);
      redraw();
    });
    const shown = visible.has(name) && colors.has(name);
    const swatch = h("span", { class: shown ? "sp-swatch" : "sp-swatch sp-swatch-hidden", style: shown ? `background:${color(name)}` : undefined });
    const twin = twins.get(name);
    const title = [explain(name), twin ? `Its test accuracies equal ${twin}'s at every layer: the one line hides the other.` : ""].filter(Boolean).join(" ");
    return h("label", { class: "sp-toggle", title: title || undefined }, box, swatch, text, twin ? h("span", { class: "sp-twin" }, ` = ${twin}`) : null);
  };
  const legend = h("legend", {}, "Representations");
  const groups = representationGroups(names);
  if (sets.length <= 1 && !groups.some((group) => group.controls)) {
    return h("fieldset", { class: "sp-toggles" }, legend, h("div", { class: "sp-toggle-items" }, ...names.map((name) => toggle(name, name))));
  }
  const groupToggle = (label: string, key: string, text: string, members: string[]) => {
    const on = members.filter((name) => visible.has(name)).length;
    const box = h("input", { type: "checkbox", checked: on === members.length, "aria-label": label, "data-focus-key": key });
    box.indeterminate = on > 0 && on < members.length;
    box.addEventListener("change", () => {
      for (const name of members) if (box.checked) visible.add(name); else visible.delete(name);
      redraw();
    });
    return h("label", { class: "sp-toggle sp-group-name" }, box, text);
  };
  const head = ({ set, controls, names: members }: RepresentationGroup) => {
    if (controls) return groupToggle("All controls", "set-toggle-controls", "controls", members);
    if (set === null) return h("span", { class: "sp-group-name" }, "raw states");
    return sets.length > 1 ? groupToggle(`All curves of SAE set ${set}`, `set-toggle-${set}`, set, members) : h("span", { class: "sp-group-name" }, "SAE");
  };
  // Names inside a group drop what the group says: the set's suffix, unless controls of several sets share it.
  const label = (name: string, controls: boolean) => (controls && sets.length > 1 ? name : splitRepresentation(name)[0]);
  return h("fieldset", { class: "sp-toggles" }, legend,
    ...groups.map((group) => h("div", {
      class: "sp-toggle-group", role: "group",
      "aria-label": group.controls ? "Controls" : group.set === null ? "Raw states" : `SAE set ${group.set}`,
    }, head(group), h("div", { class: "sp-toggle-items" }, ...group.names.map((name) => toggle(name, label(name, group.controls)))))));
}

/** The strips under the chart: per SAE set, its raw − sae gap, n_active_union and L0 mean (each
 * metric's strips together; named and coloured by set when there are several). Empty series left out. */
function gapStrips(result: SweepResult, sets: string[], color: (name: string) => string): Strip[] {
  const several = sets.length > 1;
  const perSet = sets.map((set) => ({ set, gaps: gapSeries(result, set), color: several ? color(representationName("sae", set)) : undefined }));
  const named = (label: string, set: string) => (several ? `${label} · ${set}` : label);
  return [
    ...perSet.map(({ set, gaps, color: line }) => ({
      label: `gap (raw − ${representationName("sae", set)} test)`, format: formatValue, color: line,
      points: gaps.flatMap((g) => (g.gap === null ? [] : [{ layer: g.layer, value: g.gap, low: g.low, high: g.high }])),
    })),
    ...perSet.map(({ set, gaps, color: line }) => ({
      label: named("n_active_union", set), format: formatCount, color: line,
      points: gaps.flatMap((g) => (g.n_active_union === null ? [] : [{ layer: g.layer, value: g.n_active_union }])),
    })),
    ...perSet.map(({ set, gaps, color: line }) => ({
      label: named("L0 mean", set), format: formatValue, color: line,
      points: gaps.flatMap((g) => (g.l0_mean === null ? [] : [{ layer: g.layer, value: g.l0_mean }])),
    })),
  ].filter((strip) => strip.points.length);
}

/** The title (model, dataset, hook and pooling, split sizes), a line per SAE set saying what it
 * is, and the progress while a sweep runs. */
function header(result: SweepResult | null, progress: Progress): HTMLElement {
  const title = result ? sweepTitle(result) : "saeprobe sweep";
  const bar = progress.total
    ? h("div", { class: "sp-progress" },
      h("progress", { max: progress.total, value: progress.done ?? 0, "aria-label": "Sweep progress" }),
      h("span", {}, `${progress.stage ?? ""} ${progress.done ?? 0}/${progress.total}${progress.message ? ` — ${progress.message}` : ""}`))
    : null;
  const described = result ? setDescriptions(result).filter(([, text]) => text) : [];
  const sets = described.length
    ? h("dl", { class: "sp-sets" }, ...described.flatMap(([set, text]) => [h("dt", {}, set === DEFAULT_SET ? "SAEs" : set), h("dd", {}, text)]))
    : null;
  return h("header", { class: "sp-header" }, h("div", { class: "sp-title-row" }, h("strong", {}, title), bar), sets);
}

/** The selected layer's details: every SAE set's diagnosis, then one set's facts, L0 histogram and
 * feature table; with several sets, tabs choose the set (the choice holds across layers). */
function details(entry: LayerEntry, result: SweepResult, sets: string[], state: ViewState, redraw: Redraw): HTMLElement {
  const name = `Layer ${entry.layer} details`;
  const several = sets.length > 1;
  const region = h("section", { class: "sp-details", role: "region", "aria-label": name }, h("h3", {}, name),
    ...(entry.warnings ?? []).map((text) => h("p", { class: "sp-warning", role: "note" }, h("strong", {}, "Control warning: "), text)),
    ...diagnosisLines(entry).map(({ set, label, text }) =>
      h("p", { class: "sp-diagnosis", "data-sae-set": set }, h("strong", {}, several ? `Diagnosis (${set}): ${label}. ` : `Diagnosis: ${label}. `), text)));
  const set = state.detailSet !== null && sets.includes(state.detailSet) ? state.detailSet : sets[0] ?? DEFAULT_SET;
  const choose = (chosen: string) => {
    state.detailSet = chosen;
  };
  const panel = { "aria-label": `SAE set ${set}`, "data-sae-set": set };
  region.append(...setPanel({ sets, chosen: set, choose, redraw, tabsLabel: "SAE set", panel }, setFigures(entry, set, several, result, state, redraw)));
  return region;
}

/** The facts, L0 histogram and feature table of the SAE set `set` at the layer of `entry`. */
function setFigures(entry: LayerEntry, set: string, several: boolean, result: SweepResult, state: ViewState, redraw: Redraw): HTMLElement[] {
  const facts = h("dl", { class: "sp-facts" }, ...detailRows(entry, set).flatMap(([label, value]) => [
    h("dt", { title: explain(label) }, label), h("dd", {}, value)]));
  const d = entry.saes?.[set]?.diagnostics;
  if (!d) return [facts, h("p", { class: "sp-empty" }, several ? `No SAE of the set ${set} at this layer: raw probes only.` : "No SAE at this layer: raw probes only.")];
  return [
    facts,
    h("figure", { class: "sp-figure sp-small" }, histogram(d.sparsity.l0_histogram.edges, d.sparsity.l0_histogram.counts),
      h("figcaption", {}, "Active features per example (L0)")),
    featureTable(d.features, featureClasses(result), hasNeuronpedia(result), state, redraw),
  ];
}

function featureTable(rows: FeatureRow[], classes: string[], neuronpedia: boolean, state: ViewState, redraw: () => void): HTMLElement {
  const columns: [string, string][] = [
    ["feature", "feature"], ["separation", "separation"],
    ...classes.map((c): [string, string] => [`firing_rate:${c}`, `firing ${c}`]),
    ...classes.map((c): [string, string] => [`mean_activation:${c}`, `mean act. ${c}`]),
  ];
  const head = h("tr", {}, ...columns.map(([key, label]) => {
    const active = state.sortColumn === key;
    const button = h("button", { type: "button", class: "sp-sort", "data-focus-key": `sort-${key}` }, label, active ? (state.sortDirection === "asc" ? " ▲" : " ▼") : "");
    button.addEventListener("click", () => {
      state.sortDirection = active && state.sortDirection === "desc" ? "asc" : "desc";
      state.sortColumn = key;
      redraw();
    });
    return h("th", { "aria-sort": active ? (state.sortDirection === "asc" ? "ascending" : "descending") : "none", scope: "col" }, button);
  }), neuronpedia ? h("th", { scope: "col" }, "Neuronpedia") : null);
  const body = sortFeatures(rows, state.sortColumn, state.sortDirection).map((row) => h("tr", {},
    ...columns.map(([key]) => {
      const value = row[key];
      if (key.startsWith("firing_rate:") && typeof value === "number") {
        // The digits first, the bar in a track of its own beside them: the bar never crosses a digit.
        return h("td", { class: "sp-rate" }, h("span", { class: "sp-rate-text" }, formatValue(value)),
          h("span", { class: "sp-rate-track", "aria-hidden": "true" }, h("span", { class: "sp-rate-bar", style: `width:${Math.round(value * 100)}%` })));
      }
      if (key === "feature") return h("td", {}, formatCount(value as number));
      return h("td", {}, typeof value === "number" ? formatValue(value) : String(value ?? "–"));
    }),
    neuronpedia ? h("td", {}, row.neuronpedia_url ? h("a", { href: row.neuronpedia_url, target: "_blank", rel: "noopener" }, "open") : "–") : null));
  return h("div", { class: "sp-table-wrap" },
    h("table", { class: "sp-features", "aria-label": "Features sorted by class separation" }, h("thead", {}, head), h("tbody", {}, ...body)),
    rows.length ? null : h("p", { class: "sp-empty" }, "No SAE feature fires on this data."));
}
