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

// Twelve colours told apart at a glance: each curve on a chart holds one that no other shown curve
// holds (see assignColors in the sweep's logic); Tableau's ten, then near-black and mustard.
export const PALETTE = [
  "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
  "#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#1b1b1b", "#e6ab02",
];

// The horizontal frame every chart over layers shares, so the strips line up with the accuracy
// chart; the width is the space the view has (DEFAULT_WIDTH where it cannot be measured).
export const LAYER_AXIS = { left: 52, right: 12 };
export const DEFAULT_WIDTH = 640;

export function colorFor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** Where the pointer is over a chart: the nearest layer, and the pointer in page coordinates. */
export interface ChartHover {
  layer: number;
  clientX: number;
  clientY: number;
}

/** The layer of `layers` nearest to the pointer's horizontal position over `svg`. */
function layerAt(svg: SVGSVGElement, layers: number[], frame: Frame, clientX: number): number {
  const box = svg.getBoundingClientRect();
  const x = box.width > 0 ? ((clientX - box.left) / box.width) * frame.width : frame.left;
  const at = xScale(layers, frame);
  return layers.reduce((best, layer) => (Math.abs(at(layer) - x) < Math.abs(at(best) - x) ? layer : best), layers[0]);
}

/** Pointer handling shared by the charts over layers: hovering anywhere names the nearest layer,
 * leaving says null, a click selects the nearest layer. */
function followPointer(svg: SVGSVGElement, layers: number[], frame: Frame, onHover: (hover: ChartHover | null) => void, onSelect: (layer: number) => void): void {
  if (!layers.length) return;
  svg.addEventListener("mousemove", (event) => onHover({ layer: layerAt(svg, layers, frame, event.clientX), clientX: event.clientX, clientY: event.clientY }));
  svg.addEventListener("mouseleave", () => onHover(null));
  svg.addEventListener("click", (event) => onSelect(layerAt(svg, layers, frame, event.clientX)));
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

/** A point's value as a tooltip says it, with its interval where it has one. */
export function formatPoint(point: Point): string {
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
  /** Hears the layer under the pointer as it moves (null when it leaves): the view shows a tooltip. */
  onHover: (hover: ChartHover | null) => void;
  /** The chart's width in pixels (text keeps its size); DEFAULT_WIDTH if absent. */
  width?: number;
  /** Accuracy of guessing one class (1 / number of classes), drawn as a labelled line. */
  chance?: number;
  /** The chart's accessible name; "Probe accuracy by layer" if absent. */
  label?: string;
}

/** Accuracy per layer: one line per representation and split, points clickable, selection marked,
 * with axis titles and a chance line. */
export function accuracyChart(options: AccuracyChartOptions): SVGSVGElement {
  const width = options.width ?? DEFAULT_WIDTH;
  // Taller as it widens, so a wide chart does not flatten its curves.
  const frame: Frame = { ...LAYER_AXIS, width, height: Math.round(Math.min(400, Math.max(272, width / 3))), top: 10, bottom: 40 };
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
      svg.append(s("circle", {
        cx: x(point.layer), cy: y(point.value), r: point.layer === selected ? 5 : 3.5,
        fill: line.dashed ? "var(--sp-bg)" : line.color, stroke: line.color, class: "sp-point", "aria-hidden": "true",
      }));
    }
  }
  followPointer(svg, layers, frame, options.onHover, options.onSelect);
  return svg;
}

export interface Strip {
  label: string;
  points: Point[];
  format: (value: number) => string;
  /** Line colour (an SAE set's when strips of several sets stand together); the accent if absent. */
  color?: string;
}

/** Three ticks for a strip's range: its ends and their middle. */
export function stripTicks(low: number, high: number): number[] {
  return [low, (low + high) / 2, high];
}

/** Decimals that tell a strip's ticks apart and write them all alike: none from a span of 10 up,
 * one from 1, else two (three for spans under 0.1). */
export function tickDecimals(low: number, high: number): number {
  const span = Math.abs(high - low);
  return span >= 10 ? 0 : span >= 1 ? 1 : span >= 0.1 ? 2 : 3;
}

export interface StripChartOptions {
  layers: number[];
  strips: Strip[];
  selected: number | undefined;
  onSelect: (layer: number) => void;
  /** Hears the strip and layer under the pointer (null when it leaves). */
  onHover: (strip: Strip, hover: ChartHover | null) => void;
  width?: number;
}

/** Small multiples on the accuracy chart's layer axis: each strip has its own scale, from zero or
 * below to its highest value, with a zero line and three ticks written alike, and its name above. */
export function stripChart(options: StripChartOptions): HTMLElement {
  const { layers, strips, selected } = options;
  const frame: Frame = { ...LAYER_AXIS, width: options.width ?? DEFAULT_WIDTH, height: 82, top: 22, bottom: 8 };
  const x = xScale(layers, frame);
  const rows = strips.map((strip) => {
    const values = extent(strip.points);
    const low = Math.min(0, ...values);
    const high = Math.max(...values, low + 1e-9);
    const y = yScale([low, high], frame);
    const decimals = tickDecimals(low, high);
    const svg = s("svg", { viewBox: `0 0 ${frame.width} ${frame.height}`, class: "sp-strip", role: "img", "aria-label": `${strip.label} by layer` });
    svg.append(s("text", { x: frame.left, y: 12, class: "sp-strip-label" }, strip.label));
    svg.append(s("line", { x1: frame.left, x2: frame.left, y1: y(high), y2: y(low), class: "sp-grid" }));
    svg.append(s("line", { x1: frame.left, x2: frame.width - frame.right, y1: y(0), y2: y(0), class: "sp-zero" }));
    for (const tick of stripTicks(low, high)) {
      svg.append(s("line", { x1: frame.left - 3, x2: frame.left, y1: y(tick), y2: y(tick), class: "sp-grid" }));
      svg.append(s("text", { x: frame.left - 6, y: y(tick) + 4, class: "sp-tick", "text-anchor": "end" }, tick.toFixed(decimals)));
    }
    if (selected !== undefined && layers.includes(selected)) {
      svg.append(s("rect", { x: x(selected) - 9, y: frame.top, width: 18, height: frame.height - frame.top, class: "sp-selected-band" }));
    }
    const shade = band(strip.points, x, y);
    if (shade) svg.append(s("path", { d: shade, class: "sp-band sp-strip-band", "aria-hidden": "true", style: strip.color && `fill:${strip.color}` }));
    svg.append(s("path", { d: path(strip.points, x, y), class: "sp-line sp-strip-line", fill: "none", style: strip.color && `stroke:${strip.color}` }));
    for (const point of strip.points) {
      svg.append(s("circle", {
        cx: x(point.layer), cy: y(point.value), r: 3, class: "sp-point sp-strip-point", "aria-hidden": "true", style: strip.color && `fill:${strip.color}`,
      }));
    }
    followPointer(svg, layers, frame, (hover) => options.onHover(strip, hover), options.onSelect);
    return svg;
  });
  return h("div", { class: "sp-strips" }, ...rows);
}

/** A strip's value at a layer as a tooltip says it, with its interval where it has one. */
export function stripValue(strip: Strip, layer: number): string {
  const point = strip.points.find((p) => p.layer === layer);
  return point ? `${strip.format(point.value)}${intervalText(point, strip.format)}` : "–";
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
