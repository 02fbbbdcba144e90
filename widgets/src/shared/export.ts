// The accuracy chart as a file for slides and papers: a standalone SVG with its legend, or a PNG of it.
import { LAYER_AXIS } from "./charts";
import { h, s } from "./dom";

export interface LegendEntry {
  name: string;
  color: string;
}

export interface StandaloneSvg {
  text: string;
  width: number;
  height: number;
}

// The light theme's colours, written into the file: an exported chart needs no style sheet.
const INK = "#1f2328";
const MUTED = "#59636e";
const GRID = "#d0d7de";
const PAPER = "#ffffff";
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

// What the widget's style sheet gives each chart class, as presentation attributes (later classes win).
const CLASS_ATTRIBUTES: Record<string, Record<string, string>> = {
  "sp-grid": { stroke: GRID, "stroke-width": "0.5" },
  "sp-tick": { fill: MUTED, "font-size": "11" },
  "sp-axis-title": { fill: MUTED, "font-size": "11" },
  "sp-chance": { stroke: MUTED, "stroke-dasharray": "2 3" },
  "sp-line": { "stroke-width": "2" },
  "sp-dashed": { "stroke-dasharray": "5 4", "stroke-width": "1.5" },
};

const LEGEND_ROW = 16;
const LEGEND_SAMPLE = 18;
// About the advance of one character at 11px, to size legend columns without measuring text.
const CHAR_WIDTH = 6.5;

/** Where each legend entry sits below a chart `width` wide (its plot starting at `left`): columns
 * as wide as the longest name needs, filled row by row; `height` is the space the rows take. */
export function legendLayout(names: string[], width: number, left: number): { places: { x: number; row: number }[]; rows: number; height: number } {
  const column = LEGEND_SAMPLE + 6 + CHAR_WIDTH * Math.max(0, ...names.map((n) => n.length)) + 16;
  const columns = Math.max(1, Math.floor((width - left) / column));
  const places = names.map((_, i) => ({ x: left + (i % columns) * column, row: Math.floor(i / columns) }));
  const rows = Math.ceil(names.length / columns);
  return { places, rows, height: (rows + 1) * LEGEND_ROW + 8 };
}

/** The accuracy chart `chart` (as accuracyChart draws it) as a standalone SVG file: a white
 * background, the style sheet's looks as attributes, and a legend of `entries` drawn below it. */
export function standaloneSvg(chart: SVGSVGElement, entries: LegendEntry[]): StandaloneSvg {
  const svg = chart.cloneNode(true) as SVGSVGElement;
  const [, , width, plotHeight] = (svg.getAttribute("viewBox") ?? "").split(" ").map(Number);
  const { left } = LAYER_AXIS;
  for (const node of [svg, ...svg.querySelectorAll("*")]) {
    for (const name of node.classList) Object.entries(CLASS_ATTRIBUTES[name] ?? {}).forEach(([key, value]) => node.setAttribute(key, value));
    node.removeAttribute("class");
    // Train points are hollow: filled with the page's background, a theme variable in the widget.
    if (node.getAttribute("fill")?.startsWith("var(")) node.setAttribute("fill", PAPER);
  }

  const { places, rows, height: legendHeight } = legendLayout(entries.map((e) => e.name), width, left);
  const top = plotHeight + 4;
  const legend = s("g", { "font-size": "11" });
  entries.forEach(({ name, color }, i) => {
    const { x, row } = places[i];
    const y = top + row * LEGEND_ROW + LEGEND_ROW / 2;
    legend.append(s("line", { x1: x, x2: x + LEGEND_SAMPLE, y1: y, y2: y, stroke: color, "stroke-width": 2 }));
    legend.append(s("text", { x: x + LEGEND_SAMPLE + 6, y: y + 4, fill: INK }, name));
  });
  legend.append(s("text", { x: left, y: top + rows * LEGEND_ROW + LEGEND_ROW / 2 + 4, fill: MUTED }, "solid: test, dashed: train"));

  const height = plotHeight + legendHeight;
  svg.prepend(s("rect", { x: 0, y: 0, width, height, fill: PAPER }));
  svg.append(legend);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("font-family", FONT);
  // The serializer writes the SVG namespace on the root: the text is a file of its own.
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}\n`, width, height };
}

/** Save `blob` as a file named `filename`, through a link the browser downloads. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download reads the URL after this task ends; free it well after that.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A PNG of `svg` at `scale` times its size, drawn through a canvas; rejects when the browser
 * cannot draw it. */
export function pngOf(svg: StandaloneSvg, scale = 2): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = h("canvas", { width: Math.round(svg.width * scale), height: Math.round(svg.height * scale) });
      canvas.getContext("2d")?.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the canvas gave no PNG"))), "image/png");
    };
    image.onerror = () => reject(new Error("the browser could not draw the SVG"));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.text)}`;
  });
}
