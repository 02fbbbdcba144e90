// The widget view: accuracy curves, gap strips, layer navigation and the selected layer's details.
import { accuracyChart, colorFor, histogram, stripChart, type Series } from "./charts";
import { h } from "./dom";
import type { FeatureRow, LayerEntry, Progress, SweepResult } from "./schema";
import {
  accuracySeries, defaultVisible, detailRows, diagnosisLines, explain, featureClasses, headline, saeSource, findLayer, formatCount, formatValue, gapSeries, layerIds,
  representations, resolveLayer, sortFeatures, stepLayer, type SortDirection,
} from "./view";

/** The part of the anywidget model API the view uses; the offline report implements the same. */
export interface WidgetModel {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, callback: () => void): void;
  off(event: string, callback: () => void): void;
}

interface ViewState {
  visible: Set<string> | null;
  sortColumn: string;
  sortDirection: SortDirection;
  hover: string;
}

export function render({ model, el }: { model: WidgetModel; el: HTMLElement }): () => void {
  const state: ViewState = { visible: null, sortColumn: "separation", sortDirection: "desc", hover: "" };
  const root = h("div", { class: "saeprobe", tabindex: 0 });
  el.replaceChildren(root);

  const select = (layer: number) => {
    model.set("selected_layer", layer);
    model.save_changes();
  };
  const onKey = (event: KeyboardEvent) => {
    const result: SweepResult | null = model.get("result");
    if (!result || !["ArrowLeft", "ArrowRight"].includes(event.key)) return;
    if (event.target instanceof HTMLInputElement && event.target.type === "range") return;
    event.preventDefault();
    select(stepLayer(layerIds(result), model.get("selected_layer"), event.key === "ArrowLeft" ? -1 : 1));
  };
  const draw = () => {
    const focused = document.activeElement;
    const focusKey = focused instanceof HTMLElement && root.contains(focused) ? focused.dataset.focusKey : undefined;
    root.replaceChildren(...view(model, state, select, draw));
    const again = focusKey ? root.querySelector<HTMLElement>(`[data-focus-key="${focusKey}"]`) : null;
    (again ?? (root.contains(focused) ? root : null))?.focus();
  };
  root.addEventListener("keydown", onKey);
  for (const name of ["result", "selected_layer", "progress"]) model.on(`change:${name}`, draw);
  draw();
  return () => {
    root.removeEventListener("keydown", onKey);
    for (const name of ["result", "selected_layer", "progress"]) model.off(`change:${name}`, draw);
  };
}

function view(model: WidgetModel, state: ViewState, select: (layer: number) => void, redraw: () => void): HTMLElement[] {
  const result: SweepResult | null = model.get("result");
  const progress: Progress = model.get("progress") ?? {};
  const parts: HTMLElement[] = [header(result, progress)];
  const finding = result ? headline(result) : null;
  if (finding) parts.push(h("p", { class: "sp-headline" }, finding));
  if (!result || !result.layers.length) {
    parts.push(h("p", { class: "sp-empty" }, progress.total ? "Waiting for the first layer…" : "No layers in this result."));
    return parts;
  }
  const layers = layerIds(result);
  const selected = resolveLayer(layers, model.get("selected_layer") ?? layers[0]);
  const names = representations(result);
  state.visible ??= new Set(defaultVisible(names));
  const visible = state.visible;

  const toggles = h("fieldset", { class: "sp-toggles" }, h("legend", {}, "Representations"),
    ...names.map((name, i) => {
      const box = h("input", { type: "checkbox", checked: visible.has(name), "data-focus-key": `toggle-${name}` });
      box.addEventListener("change", () => {
        if (box.checked) visible.add(name); else visible.delete(name);
        redraw();
      });
      return h("label", { class: "sp-toggle", title: explain(name) }, box, h("span", { class: "sp-swatch", style: `background:${colorFor(i)}` }), name);
    }));

  const series: Series[] = names.flatMap((name, i) => visible.has(name)
    ? (["test", "train"] as const).map((split) => ({
      name: `${name} ${split}`, color: colorFor(i), dashed: split === "train", points: accuracySeries(result, name, split),
    }))
    : []);
  const readout = h("div", { class: "sp-readout", "aria-live": "polite" }, state.hover || "Hover a point for its value; click it to select the layer.");
  const chart = accuracyChart({
    layers, series, selected, onSelect: select, chance: 1 / result.classes.length,
    onHover: (text) => { state.hover = text; readout.textContent = text; },
  });

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

  const gaps = gapSeries(result);
  const strips = [
    { label: "gap (raw − sae test)", format: formatValue, points: gaps.flatMap((g) => (g.gap === null ? [] : [{ layer: g.layer, value: g.gap }])) },
    { label: "n_active_union", format: formatCount, points: gaps.flatMap((g) => (g.n_active_union === null ? [] : [{ layer: g.layer, value: g.n_active_union }])) },
    { label: "L0 mean", format: formatValue, points: gaps.flatMap((g) => (g.l0_mean === null ? [] : [{ layer: g.layer, value: g.l0_mean }])) },
  ].filter((strip) => strip.points.length);
  // A series that is the same at every layer (a TopK SAE's L0) is a sentence, not a chart.
  const constant = strips.filter((strip) => strip.points.every((p) => p.value === strip.points[0].value));
  const varying = strips.filter((strip) => !constant.includes(strip));

  parts.push(
    toggles,
    h("figure", { class: "sp-figure" }, chart,
      h("figcaption", {}, "Probe accuracy by layer — solid: test, dashed: train"), readout),
    h("div", { class: "sp-nav" }, buttons, slider, h("span", { class: "sp-hint" }, "← / → step through layers")),
  );
  if (strips.length) {
    parts.push(h("figure", { class: "sp-figure" }, varying.length ? stripChart(layers, varying, selected, select) : null,
      ...constant.map((strip) => h("p", { class: "sp-constant", title: explain(strip.label) },
        `${strip.label}: ${strip.format(strip.points[0].value)} at every layer`)),
      h("figcaption", {}, "Why the gap: SAE features active on this data, by layer")));
  }
  const entry = selected === undefined ? undefined : findLayer(result, selected);
  if (entry) parts.push(details(entry, result, state, redraw));
  return parts;
}

function header(result: SweepResult | null, progress: Progress): HTMLElement {
  const saes = result ? saeSource(result) : null;
  const title = result
    ? `${result.model.name.split("/").slice(-2).join("/")} · ${result.dataset.name}${saes ? ` · SAEs ${saes}` : ""} · ${result.settings.hook}, ${result.settings.pooling} pooling · ${result.n_train} train / ${result.n_test} test`
    : "saeprobe sweep";
  const bar = progress.total
    ? h("div", { class: "sp-progress" },
      h("progress", { max: progress.total, value: progress.done ?? 0, "aria-label": "Sweep progress" }),
      h("span", {}, `${progress.stage ?? ""} ${progress.done ?? 0}/${progress.total}${progress.message ? ` — ${progress.message}` : ""}`))
    : null;
  return h("header", { class: "sp-header" }, h("strong", {}, title), bar);
}

function details(entry: LayerEntry, result: SweepResult, state: ViewState, redraw: () => void): HTMLElement {
  const name = `Layer ${entry.layer} details`;
  const facts = h("dl", { class: "sp-facts" }, ...detailRows(entry).flatMap(([label, value]) => [
    h("dt", { title: explain(label) }, label), h("dd", {}, value)]));
  const region = h("section", { class: "sp-details", role: "region", "aria-label": name }, h("h3", {}, name),
    ...diagnosisLines(entry).map(({ set, label, text }) =>
      h("p", { class: "sp-diagnosis", "data-sae-set": set }, h("strong", {}, `Diagnosis: ${label}. `), text)),
    facts);
  const d = entry.diagnostics;
  if (d) {
    region.append(h("figure", { class: "sp-figure sp-small" }, histogram(d.sparsity.l0_histogram.edges, d.sparsity.l0_histogram.counts),
      h("figcaption", {}, "Active features per example (L0)")));
    region.append(featureTable(d.features, featureClasses(result), state, redraw));
  } else {
    region.append(h("p", { class: "sp-empty" }, "No SAE at this layer: raw probes only."));
  }
  return region;
}

function featureTable(rows: FeatureRow[], classes: string[], state: ViewState, redraw: () => void): HTMLElement {
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
  }), h("th", { scope: "col" }, "Neuronpedia"));
  const body = sortFeatures(rows, state.sortColumn, state.sortDirection).map((row) => h("tr", {},
    ...columns.map(([key]) => {
      const value = row[key];
      if (key.startsWith("firing_rate:") && typeof value === "number") {
        return h("td", { class: "sp-rate" }, h("span", { class: "sp-rate-bar", style: `width:${Math.round(value * 100)}%` }), h("span", { class: "sp-rate-text" }, formatValue(value)));
      }
      if (key === "feature") return h("td", {}, formatCount(value as number));
      return h("td", {}, typeof value === "number" ? formatValue(value) : String(value ?? "–"));
    }),
    h("td", {}, row.neuronpedia_url ? h("a", { href: row.neuronpedia_url, target: "_blank", rel: "noopener" }, "open") : "–")));
  return h("div", { class: "sp-table-wrap" },
    h("table", { class: "sp-features", "aria-label": "Features sorted by class separation" }, h("thead", {}, head), h("tbody", {}, ...body)),
    rows.length ? null : h("p", { class: "sp-empty" }, "No SAE feature fires on this data."));
}
