// SVG charts: accuracy curves across layers, small multiples for the gap, the L0 histogram.
import { h, s } from "./dom";
import { accuracyRange, extent, formatValue, type Point } from "./format";

export interface Series {
  name: string;
  color: string;
  dashed: boolean;
  points: Point[];
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

// Twenty-four distinct colours: three SAE sets with every baseline and two top-k sizes make 21 representations.
const PALETTE = [
  "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
  "#7f7f7f", "#bcbd22", "#393b79", "#ad494a", "#637939", "#7b4173", "#e7969c", "#6b6ecf",
  "#8c6d31", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#bd9e39", "#a55194",
];

// The horizontal frame every chart over layers shares, so the strips line up with the accuracy chart.
export const LAYER_AXIS = { width: 560, left: 52, right: 12 };

export function colorFor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

function xScale(layers: number[], frame: Frame): (layer: number) => number {
  const span = frame.width - frame.left - frame.right;
  const step = layers.length > 1 ? span / (layers.length - 1) : 0;
  return (layer: number) => frame.left + (layers.length > 1 ? layers.indexOf(layer) * step : span / 2);
}

function yScale(range: [number, number], frame: Frame): (v: number) => number {
  const span = frame.height - frame.top - frame.bottom;
  return (v: number) => frame.top + span * (1 - (v - range[0]) / (range[1] - range[0] || 1));
}

function path(points: Point[], x: (l: number) => number, y: (v: number) => number): string {
  return points.map((p, i) => `${i ? "L" : "M"}${x(p.layer).toFixed(1)},${y(p.value).toFixed(1)}`).join("");
}

/** A point's value as a readout says it, with its interval where it has one. */
function formatPoint(point: Point): string {
  return `${formatValue(point.value)}${intervalText(point, formatValue)}`;
}

function intervalText(point: Point, format: (value: number) => string): string {
  return typeof point.low === "number" && typeof point.high === "number" ? ` [${format(point.low)}, ${format(point.high)}]` : "";
}

/** The band between the points' interval ends (low along the layers, then high back), or null when
 * fewer than two points have an interval. */
function band(points: Point[], x: (l: number) => number, y: (v: number) => number): string | null {
  const ends = points.filter((p) => typeof p.low === "number" && typeof p.high === "number");
  if (ends.length < 2) return null;
  const lower = ends.map((p, i) => `${i ? "L" : "M"}${x(p.layer).toFixed(1)},${y(p.low as number).toFixed(1)}`);
  const upper = [...ends].reverse().map((p) => `L${x(p.layer).toFixed(1)},${y(p.high as number).toFixed(1)}`);
  return `${lower.join("")}${upper.join("")}Z`;
}

export interface AccuracyChartOptions {
  layers: number[];
  series: Series[];
  selected: number | undefined;
  onSelect: (layer: number) => void;
  onHover: (text: string) => void;
  /** Accuracy of guessing one class (1 / number of classes), drawn as a labelled line. */
  chance?: number;
  /** The chart's accessible name; "Probe accuracy by layer" if absent. */
  label?: string;
}

/** Accuracy per layer: one line per representation and split, points clickable, selection marked,
 * with axis titles and a chance line. */
export function accuracyChart(options: AccuracyChartOptions): SVGSVGElement {
  const frame: Frame = { ...LAYER_AXIS, height: 272, top: 10, bottom: 40 };
  const { layers, series, selected, chance } = options;
  const x = xScale(layers, frame);
  const values = series.flatMap((line) => extent(line.points));
  const range = accuracyRange(chance === undefined ? values : [...values, chance]);
  const y = yScale(range, frame);
  const svg = s("svg", { viewBox: `0 0 ${frame.width} ${frame.height}`, class: "sp-chart", role: "img", "aria-label": options.label ?? "Probe accuracy by layer" });
  for (let tenth = Math.ceil(range[0] * 10 - 1e-9); tenth <= Math.floor(range[1] * 10 + 1e-9); tenth += 1) {
    const v = tenth / 10;
    svg.append(s("line", { x1: frame.left, x2: frame.width - frame.right, y1: y(v), y2: y(v), class: "sp-grid" }));
    svg.append(s("text", { x: frame.left - 6, y: y(v) + 4, class: "sp-tick", "text-anchor": "end" }, v.toFixed(1)));
  }
  for (const layer of layers) {
    svg.append(s("text", { x: x(layer), y: frame.height - 22, class: "sp-tick", "text-anchor": "middle" }, String(layer)));
  }
  const middle = frame.top + (frame.height - frame.top - frame.bottom) / 2;
  svg.append(s("text", { x: frame.left + (frame.width - frame.left - frame.right) / 2, y: frame.height - 4, class: "sp-axis-title", "text-anchor": "middle" }, "layer"));
  svg.append(s("text", { x: 12, y: middle, class: "sp-axis-title", "text-anchor": "middle", transform: `rotate(-90 12 ${middle})` }, "accuracy"));
  if (chance !== undefined) {
    svg.append(s("line", { x1: frame.left, x2: frame.width - frame.right, y1: y(chance), y2: y(chance), class: "sp-chance" }));
    svg.append(s("text", { x: frame.width - frame.right - 2, y: y(chance) - 3, class: "sp-tick", "text-anchor": "end" }, `chance ${formatValue(chance)}`));
  }
  if (selected !== undefined && layers.includes(selected)) {
    svg.append(s("rect", { x: x(selected) - 9, y: frame.top, width: 18, height: frame.height - frame.top - frame.bottom, class: "sp-selected-band" }));
  }
  for (const line of series) {
    const shade = band(line.points, x, y);
    if (shade) svg.append(s("path", { d: shade, fill: line.color, class: "sp-band", "aria-hidden": "true" }));
  }
  for (const line of series) {
    svg.append(s("path", { d: path(line.points, x, y), stroke: line.color, class: line.dashed ? "sp-line sp-dashed" : "sp-line", fill: "none" }));
    for (const point of line.points) {
      const label = `Layer ${point.layer} · ${line.name} · ${formatPoint(point)}`;
      const dot = s("circle", {
        cx: x(point.layer), cy: y(point.value), r: point.layer === selected ? 5 : 3.5,
        fill: line.dashed ? "var(--sp-bg)" : line.color, stroke: line.color, class: "sp-point", "aria-hidden": "true",
      }, s("title", {}, label));
      dot.addEventListener("click", () => options.onSelect(point.layer));
      dot.addEventListener("mouseenter", () => options.onHover(label));
      svg.append(dot);
    }
  }
  return svg;
}

export interface Strip {
  label: string;
  points: Point[];
  format: (value: number) => string;
  /** Line colour (an SAE set's when strips of several sets stand together); the accent if absent. */
  color?: string;
}

/** Small multiples on the accuracy chart's layer axis: each strip has its own scale, written at its
 * left edge (lowest and highest value), and its name above it. */
export function stripChart(layers: number[], strips: Strip[], selected: number | undefined, onSelect: (layer: number) => void): HTMLElement {
  const frame: Frame = { ...LAYER_AXIS, height: 58, top: 18, bottom: 6 };
  const x = xScale(layers, frame);
  const rows = strips.map((strip) => {
    const values = extent(strip.points);
    const low = Math.min(0, ...values);
    const high = Math.max(...values, low + 1e-9);
    const y = yScale([low, high], frame);
    const svg = s("svg", { viewBox: `0 0 ${frame.width} ${frame.height}`, class: "sp-strip", role: "img", "aria-label": `${strip.label} by layer` });
    svg.append(s("text", { x: frame.left, y: 11, class: "sp-strip-label" }, strip.label));
    svg.append(s("line", { x1: frame.left, x2: frame.left, y1: y(high), y2: y(low), class: "sp-grid" }));
    svg.append(s("text", { x: frame.left - 6, y: y(high) + 4, class: "sp-tick", "text-anchor": "end" }, strip.format(high)));
    svg.append(s("text", { x: frame.left - 6, y: y(low), class: "sp-tick", "text-anchor": "end" }, strip.format(low)));
    if (selected !== undefined && layers.includes(selected)) {
      svg.append(s("rect", { x: x(selected) - 9, y: frame.top, width: 18, height: frame.height - frame.top, class: "sp-selected-band" }));
    }
    const shade = band(strip.points, x, y);
    if (shade) svg.append(s("path", { d: shade, class: "sp-band sp-strip-band", "aria-hidden": "true", style: strip.color && `fill:${strip.color}` }));
    svg.append(s("path", { d: path(strip.points, x, y), class: "sp-line sp-strip-line", fill: "none", style: strip.color && `stroke:${strip.color}` }));
    for (const point of strip.points) {
      const dot = s("circle", {
        cx: x(point.layer), cy: y(point.value), r: 3, class: "sp-point sp-strip-point", "aria-hidden": "true", style: strip.color && `fill:${strip.color}`,
      },
        s("title", {}, `Layer ${point.layer} · ${strip.label} · ${strip.format(point.value)}${intervalText(point, strip.format)}`));
      dot.addEventListener("click", () => onSelect(point.layer));
      svg.append(dot);
    }
    return svg;
  });
  return h("div", { class: "sp-strips" }, ...rows);
}

/** Bars of the L0 histogram (examples per number of active features). */
export function histogram(edges: number[], counts: number[]): SVGSVGElement {
  const frame: Frame = { width: 280, height: 120, left: 30, right: 6, top: 6, bottom: 22 };
  const svg = s("svg", { viewBox: `0 0 ${frame.width} ${frame.height}`, class: "sp-histogram", role: "img", "aria-label": "L0 histogram" });
  const most = Math.max(1, ...counts);
  const span = frame.width - frame.left - frame.right;
  const barWidth = span / Math.max(1, counts.length);
  const y = yScale([0, most], frame);
  counts.forEach((count, i) => {
    const top = y(count);
    const bin = edges[i + 1] - edges[i] === 1 ? `L0 = ${edges[i]}` : `L0 ${edges[i]}–${edges[i + 1] - 1}`;
    svg.append(s("rect", { x: frame.left + i * barWidth + 1, y: top, width: Math.max(1, barWidth - 2), height: frame.height - frame.bottom - top, class: "sp-bar" },
      s("title", {}, `${bin}: ${count} examples`)));
  });
  svg.append(s("text", { x: frame.left, y: frame.height - 6, class: "sp-tick" }, String(edges[0])));
  svg.append(s("text", { x: frame.width - frame.right, y: frame.height - 6, class: "sp-tick", "text-anchor": "end" }, String(edges[edges.length - 1] - 1)));
  svg.append(s("text", { x: frame.left - 4, y: frame.top + 8, class: "sp-tick", "text-anchor": "end" }, String(most)));
  return svg;
}
