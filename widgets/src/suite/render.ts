// The suite view: heatmaps of the raw − SAE test-accuracy gap (datasets × layers, one SAE set at a
// time), the mean curves over datasets with win/tie/loss counts, and below them the sweep view
// (render.ts) of the clicked dataset at the clicked layer.
import type { SuiteState, SweepResult } from "../schema";
import { accuracyChart, colorFor, PALETTE, type ChartHover, type Series } from "../shared/charts";
import { h, replaceKeepingFocus, type Redraw } from "../shared/dom";
import { formatValue } from "../shared/format";
import type { SuiteTraits, SweepTraits, ViewModel, WidgetTraits } from "../shared/model";
import { setPanel } from "../shared/tabs";
import { tooltip } from "../shared/tooltip";
import { render as renderSweep } from "../sweep/render";
import {
  arrangeRows, cellLabel, cellTooltip, findRun, gapColor, gapLimit, gapMatrix, gapTextColor, gridStep, legendTicks, meanRepresentations,
  meanSeries, overallCounts, overallSentence, ROW_ORDERS, suiteColorSlots, suiteModels, suiteSets, suiteTitle, summaryLayers, tieRule,
  winsTiesLosses, type GapCell, type GapMatrix, type GapRow, type RowOrder,
} from "./logic";
import { assignColors, explain, modelLabel, representationName } from "../sweep/logic";

interface SuiteViewState {
  /** The SAE set the heatmaps show; null: the first set. */
  set: string | null;
  /** The heatmaps' row order, and the text a dataset's name must hold to be shown. */
  order: RowOrder;
  filter: string;
}

/** The (run, layer) shown below the overview, and how to choose another. */
interface Selection {
  key: string;
  layer: number;
  select: (key: string, layer: number) => void;
  selectLayer: (layer: number) => void;
}

/** What the overview shows of a suite that no click changes: worked out once per suite. */
interface SuiteFigures {
  suite: SuiteState;
  title: string;
  models: string[];
  sets: string[];
  /** The heatmaps' colour-scale bound, one for every model and SAE set. */
  limit: number;
  /** How the win/tie/loss counts tell a tie, in words; null where no result says. */
  tieRule: string | null;
}

/** The figures of `suite`; null without a suite. */
function suiteFigures(suite: SuiteState | null): SuiteFigures | null {
  if (!suite) return null;
  return { suite, title: suiteTitle(suite), models: suiteModels(suite), sets: suiteSets(suite), limit: gapLimit(suite), tieRule: tieRule(suite) };
}

/** The view a model asks for: the suite view where the model has a `suite` trait (a SuiteWidget,
 * whose suite may still be null, or a suite report), else the sweep view. */
export function renderView({ model, el }: { model: ViewModel<WidgetTraits>; el: HTMLElement }): () => void {
  // Which widget's model this is shows in its traits; each view then reads the traits it has.
  return model.get("suite") !== undefined
    ? renderSuite({ model: model as ViewModel<SuiteTraits>, el })
    : renderSweep({ model: model as ViewModel<SweepTraits>, el });
}

/** Draw the suite view of `model` (a SuiteWidget's, or a stand-in with its traits) into `el`;
 * returns the clean-up. */
export function renderSuite({ model, el }: { model: ViewModel<SuiteTraits>; el: HTMLElement }): () => void {
  const state: SuiteViewState = { set: null, order: "suite", filter: "" };
  const overview = h("div", { class: "sp-suite-overview" });
  const runRegion = h("section", { class: "sp-suite-run", role: "region" });
  el.replaceChildren(h("div", { class: "saeprobe sp-suite" }, overview, runRegion));

  const selection = (): Selection => ({
    key: model.get("selected_run") ?? "",
    layer: model.get("selected_layer") ?? 0,
    select: (key, layer) => {
      model.set("selected_run", key);
      model.set("selected_layer", layer);
      model.save_changes();
    },
    selectLayer: (layer) => {
      model.set("selected_layer", layer);
      model.save_changes();
    },
  });
  let figures = suiteFigures(model.get("suite"));
  const drawOverview: Redraw = (focusKey) => replaceKeepingFocus(overview, overviewParts(figures, state, selection(), drawOverview), focusKey);
  let closeRun = () => {};
  const openRun = () => {
    closeRun();
    closeRun = showRun(model, runRegion);
  };
  const drawAll = () => {
    drawOverview();
    openRun();
  };
  const onSuite = () => {
    figures = suiteFigures(model.get("suite"));
    drawAll();
  };
  // The sweep view below follows selected_layer itself (its model forwards the events).
  const onLayer = () => drawOverview();
  model.on("change:suite", onSuite);
  model.on("change:selected_run", drawAll);
  model.on("change:selected_layer", onLayer);
  drawAll();
  return () => {
    model.off("change:suite", onSuite);
    model.off("change:selected_run", drawAll);
    model.off("change:selected_layer", onLayer);
    closeRun();
  };
}

/** Draw the sweep view of the selected run into `region` (a hint where there is none); returns
 * the view's clean-up. */
function showRun(model: ViewModel<SuiteTraits>, region: HTMLElement): () => void {
  const suite = model.get("suite");
  const key = model.get("selected_run") ?? "";
  const run = suite ? findRun(suite, key) : undefined;
  const result = suite && run ? suite.results[key] : undefined;
  if (!run || !result) {
    region.setAttribute("aria-label", "Sweep of a dataset");
    region.replaceChildren(...(suite?.runs.length ? [h("p", { class: "sp-empty" }, "Click a cell of the heatmap to see that dataset's sweep at that layer.")] : []));
    return () => undefined;
  }
  const mount = h("div");
  region.setAttribute("aria-label", `Sweep of ${run.dataset} (${modelLabel(run.model)})`);
  region.replaceChildren(mount);
  return renderSweep({ model: runModel(model, result), el: mount });
}

/** The model the embedded sweep view reads: `result` is the run's (fixed for the view's life: another
 * run gets a new view); `selected_layer` is the suite model's, read, written and listened to there.
 * The sweep view writes no other trait. */
function runModel(suiteModel: ViewModel<SuiteTraits>, result: SweepResult): ViewModel<SweepTraits> {
  const traits = (): SweepTraits => ({ result, selected_layer: suiteModel.get("selected_layer"), progress: {} });
  const forwarded = (event: unknown) => event === "change:selected_layer";
  return {
    get: (name) => traits()[name],
    set: (name, value) => {
      if (name === "selected_layer") suiteModel.set("selected_layer", value as number);
    },
    save_changes: () => suiteModel.save_changes(),
    on: (event: string, callback: (...args: never[]) => void) => {
      if (forwarded(event)) suiteModel.on("change:selected_layer", callback);
    },
    off: (event, callback) => {
      if (forwarded(event)) suiteModel.off("change:selected_layer", callback);
    },
  };
}

/** The title, the gap heatmaps and the mean curves. */
function overviewParts(figures: SuiteFigures | null, state: SuiteViewState, selection: Selection, redraw: Redraw): HTMLElement[] {
  if (!figures) return [h("p", { class: "sp-empty" }, "No suite to show yet.")];
  const header = h("header", { class: "sp-header" }, h("strong", {}, figures.title));
  if (!figures.suite.runs.length) return [header, h("p", { class: "sp-empty" }, "This suite has no runs.")];
  return [header, verdicts(figures),
    h("div", { class: "sp-suite-figures" }, heatmapSection(figures, state, selection, redraw), meanSection(figures, state, selection))];
}

/** At the top: each SAE set's wins, ties and losses against raw over every dataset and layer. */
function verdicts({ suite, models, sets, tieRule: rule }: SuiteFigures): HTMLElement {
  const lines = models.flatMap((model) => sets.map((set) => {
    const code = representationName("sae", set);
    const counts = overallCounts(suite, model, code);
    const prefix = models.length > 1 ? `${modelLabel(model)}: ` : "";
    return counts ? [h("li", {}, prefix + overallSentence(counts, code))] : [];
  }).flat());
  if (!lines.length) return h("div", { hidden: true });
  return h("section", { class: "sp-suite-verdicts", "aria-label": "Wins, ties and losses" },
    h("ul", {}, ...lines), rule === null ? null : h("p", { class: "sp-hint" }, `Counted with ${rule}.`));
}

/** The heatmaps' row controls: a filter on the datasets' names and their order. Typing filters at
 * once and keeps the caret where it was. */
function rowControls(state: SuiteViewState, shown: number, total: number, redraw: Redraw): HTMLElement {
  const filter = h("input", {
    type: "search", class: "sp-filter", value: state.filter, placeholder: "filter datasets", "aria-label": "Filter datasets by name",
    "data-focus-key": "suite-filter",
  }) as HTMLInputElement;
  filter.addEventListener("input", () => {
    const caret = filter.selectionStart ?? filter.value.length;
    const root = filter.getRootNode() as Document | ShadowRoot;
    state.filter = filter.value;
    redraw("suite-filter");
    const now = root.activeElement;
    if (now instanceof HTMLInputElement) now.setSelectionRange(caret, caret);
  });
  const order = h("select", { class: "sp-order", "aria-label": "Order of the datasets", "data-focus-key": "suite-order" },
    ...Object.entries(ROW_ORDERS).map(([value, label]) => h("option", { value, selected: value === state.order ? true : undefined }, label))) as HTMLSelectElement;
  order.addEventListener("change", () => {
    state.order = order.value as RowOrder;
    redraw("suite-order");
  });
  return h("div", { class: "sp-row-controls" }, filter, h("label", {}, "order ", order),
    h("span", { class: "sp-hint", "aria-live": "polite" }, shown === total ? `${total} datasets` : `${shown} of ${total} datasets`));
}

/** The heatmaps of the chosen SAE set (one per model) with the colour scale; tabs choose the set. */
function heatmapSection({ suite, models, sets, limit }: SuiteFigures, state: SuiteViewState, selection: Selection, redraw: Redraw): HTMLElement {
  const section = h("section", { class: "sp-suite-heatmaps", "aria-label": "Gap heatmaps" }, h("h3", {}, "raw − SAE test accuracy, by dataset and layer"));
  const set = state.set !== null && sets.includes(state.set) ? state.set : sets[0];
  if (set === undefined) {
    section.append(h("p", { class: "sp-empty" }, "No SAE set: no gap to show."));
    return section;
  }
  const matrices = models.map((model) => ({ model, matrix: gapMatrix(suite, model, set) }));
  const total = Math.max(...matrices.map(({ matrix }) => matrix.rows.length));
  const shown = Math.max(...matrices.map(({ matrix }) => arrangeRows(matrix.rows, state.order, state.filter).length));
  const body = [
    rowControls(state, shown, total, redraw),
    gapLegend(limit),
    ...matrices.map(({ model, matrix }) => heatmap({ ...matrix, rows: arrangeRows(matrix.rows, state.order, state.filter) }, model, set, limit,
      models.length > 1, selection)),
    h("p", { class: "sp-hint" }, "Click a cell (or move with the arrow keys and press Enter) to open that dataset's sweep at that layer below."),
  ];
  const choose = (chosen: string) => {
    state.set = chosen;
  };
  const panel = { "aria-label": `Gaps of SAE set ${set}` };
  section.append(...setPanel({ sets, chosen: set, choose, redraw, tabsLabel: "SAE set of the heatmaps", panel }, body));
  return section;
}

/** The colour scale: a bar from the SAE code's best gain to its worst loss, with its numbers. */
function gapLegend(limit: number): HTMLElement {
  const ticks = legendTicks(limit);
  const gradient = `linear-gradient(to right, ${gapColor(-limit, limit)}, ${gapColor(0, limit)}, ${gapColor(limit, limit)})`;
  return h("div", {
    class: "sp-gap-legend", role: "img",
    "aria-label": `Colour scale from ${formatValue(-limit)} (blue: the SAE code beats raw) through 0 (white) to ${formatValue(limit)} (red: the SAE code loses)`,
  },
  h("span", { class: "sp-gap-end" }, "SAE better"),
  h("span", { class: "sp-gap-scale" }, h("span", { class: "sp-gap-bar", style: `background:${gradient}` }),
    ...ticks.map((tick, i) => h("span", { class: "sp-gap-tick", style: `left:${(100 * i) / (ticks.length - 1)}%` }, formatValue(tick)))),
  h("span", { class: "sp-gap-end" }, "SAE worse"));
}

/** One model's heatmap of the SAE set `set` (its rows as filtered and ordered): a row per dataset, a column per layer, each cell a
 * button that opens that run at that layer. Arrow keys move between the cells (one tab stop). */
function heatmap(matrix: GapMatrix, model: string, set: string, limit: number, named: boolean, selection: Selection): HTMLElement {
  const at = (row: GapRow, cell: GapCell) => row.key === selection.key && cell.layer === selection.layer;
  const selectedRow = matrix.rows.findIndex((row) => row.cells.some((cell) => at(row, cell)));
  // The tab stop: the selected cell when this model's heatmap has it, else the first cell.
  const stop = selectedRow >= 0 ? [selectedRow, matrix.layers.indexOf(selection.layer)] : [0, 0];
  const cellButton = (row: GapRow, cell: GapCell, r: number, c: number) => {
    const style = cell.gap === null ? undefined : `background:${gapColor(cell.gap, limit)};color:${gapTextColor(cell.gap, limit)}`;
    const button = h("button", {
      type: "button", class: at(row, cell) ? "sp-cell sp-cell-selected" : "sp-cell", style, "aria-label": cellLabel(row.dataset, cell),
      title: cellTooltip(row.dataset, cell, set), "aria-current": at(row, cell) ? "true" : undefined, tabindex: r === stop[0] && c === stop[1] ? 0 : -1,
      "data-row": r, "data-col": c, "data-focus-key": `cell-${row.key}-${cell.layer}`,
    }, cell.gap === null ? "–" : formatValue(cell.gap));
    button.addEventListener("click", () => selection.select(row.key, cell.layer));
    return button;
  };
  const name = `raw − ${representationName("sae", set)} test accuracy, ${modelLabel(model)}`;
  const table = h("table", { class: "sp-heatmap", "aria-label": name },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "sp-corner" }, "dataset \\ layer"),
      ...matrix.layers.map((layer) => h("th", { scope: "col", class: layer === selection.layer && selectedRow >= 0 ? "sp-current" : undefined }, String(layer))))),
    h("tbody", {}, ...matrix.rows.map((row, r) => h("tr", {},
      h("th", { scope: "row", class: r === selectedRow ? "sp-current" : undefined }, row.dataset),
      ...row.cells.map((cell, c) => h("td", {}, cellButton(row, cell, r, c)))))));
  table.addEventListener("keydown", (event) => {
    const from = event.target;
    if (!(from instanceof HTMLElement) || from.dataset.row === undefined) return;
    const next = gridStep(matrix.rows.length, matrix.layers.length, Number(from.dataset.row), Number(from.dataset.col), event.key);
    if (!next) return;
    // These keys move between the cells here, not between the layers of the sweep view.
    event.preventDefault();
    event.stopPropagation();
    const to = table.querySelector<HTMLElement>(`[data-row="${next[0]}"][data-col="${next[1]}"]`)!;
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  });
  return h("div", { class: "sp-heatmap-block" }, named ? h("h4", {}, modelLabel(model)) : null, h("div", { class: "sp-scroll" }, table));
}

/** Per model, the mean test accuracy over datasets of raw and each SAE set's codes, and the win /
 * tie / loss counts of each set's SAE code against raw; the values under the pointer in a tooltip. */
function meanSection(figures: SuiteFigures, state: SuiteViewState, selection: Selection): HTMLElement {
  const { suite, models } = figures;
  const selectedModel = findRun(suite, selection.key)?.model;
  const readout = h("div", { class: "sp-readout", "aria-live": "polite" }, IDLE_READOUT);
  return h("section", { class: "sp-suite-means", "aria-label": "Means over datasets" }, h("h3", {}, "Mean test accuracy over datasets"),
    ...models.map((model) => h("div", { class: "sp-suite-model" }, models.length > 1 ? h("h4", {}, modelLabel(model)) : null,
      meanChart(suite, model, model === selectedModel ? selection.layer : undefined, selection.selectLayer, readout),
      winsTable(figures, model))),
    readout);
}

const IDLE_READOUT = "Hover the chart for the values at a layer; click to select it.";

/** The mean curves of one model, each in a colour of its own (all solid: on a page where the
 * sweep view draws train accuracy dashed, a dash means nothing else), with a legend; no chance
 * line (the datasets' numbers of classes differ). */
function meanChart(suite: SuiteState, model: string, selected: number | undefined, onSelect: (layer: number) => void, readout: HTMLElement): HTMLElement {
  const names = meanRepresentations(suite, model);
  const order = [...suiteColorSlots(suite, model).keys()].filter((name) => names.includes(name));
  const slots = assignColors(new Map(), order, PALETTE.length);
  const lines = names.map((name) => ({ name, color: colorFor(slots.get(name) ?? 0), dashed: false }));
  const series: Series[] = lines.map((line) => ({ ...line, points: meanSeries(suite, model, line.name) }));
  const legend = h("ul", { class: "sp-legend", "aria-label": "Curves" }, ...lines.map(({ name, color }) => h("li", { title: explain(name) },
    h("span", { class: "sp-swatch", style: `background:${color}` }), name)));
  const host = h("div", { class: "sp-chart-host" });
  const tip = tooltip(host, readout, IDLE_READOUT);
  const onHover = (hover: ChartHover | null) => {
    if (!hover) return tip.show(null);
    const rows = series.map((line) => ({ line, point: line.points.find((p) => p.layer === hover.layer) }))
      .sort((a, b) => (b.point?.value ?? -1) - (a.point?.value ?? -1));
    tip.show(hover, [
      h("div", { class: "sp-tooltip-title" }, `Layer ${hover.layer}, mean over datasets`),
      h("table", {}, h("tbody", {}, ...rows.map(({ line, point }) => h("tr", {},
        h("th", { scope: "row" }, h("span", { class: "sp-swatch", style: `background:${line.color}` }), line.name),
        h("td", {}, point ? formatValue(point.value) : "–"))))),
    ], `Layer ${hover.layer}: ${rows.map(({ line, point }) => `${line.name} ${point ? formatValue(point.value) : "–"}`).join(", ")}`);
  };
  host.append(accuracyChart({
    layers: summaryLayers(suite, model), series, selected, onSelect, onHover, label: `Mean test accuracy over datasets by layer, ${modelLabel(model)}`,
  }), tip.box);
  return h("figure", { class: "sp-figure" }, legend, host,
    h("figcaption", {}, "Mean test accuracy over datasets: raw, each SAE code and its pca_matched baseline (a dense code of the same size)"));
}

/** Per layer, how many datasets each SAE set's code beats, ties and loses against raw. */
function winsTable({ suite, sets, tieRule: rule }: SuiteFigures, model: string): HTMLElement {
  const layers = summaryLayers(suite, model);
  const codes = sets.map((set) => representationName("sae", set));
  const cell = (code: string, layer: number) => {
    const counts = winsTiesLosses(suite, model, code, layer);
    if (!counts) return h("td", {}, "–");
    const { wins, ties, losses, n_datasets: n } = counts;
    return h("td", { title: `${code} at layer ${layer}: beats raw on ${wins}, ties on ${ties}, loses on ${losses} of ${n} datasets` },
      `${wins} / ${ties} / ${losses}`);
  };
  return h("div", { class: "sp-scroll" }, h("table", { class: "sp-wins" },
    h("caption", {}, `Datasets where the SAE code beats / ties / loses to raw on test accuracy${rule === null ? "" : ` (${rule})`}`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "layer"), ...layers.map((layer) => h("th", { scope: "col" }, String(layer))))),
    h("tbody", {}, ...codes.map((code) => h("tr", {}, h("th", { scope: "row", title: explain(code) }, code), ...layers.map((layer) => cell(code, layer)))))));
}
