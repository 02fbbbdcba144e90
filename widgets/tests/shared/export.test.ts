// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { accuracyChart, colorFor } from "../../src/shared/charts";
import { legendLayout, standaloneSvg } from "../../src/shared/export";
import { accuracySeries, defaultVisible, representations } from "../../src/sweep/logic";
import { sweepResult } from "../fixture";

function exported() {
  const result = sweepResult();
  const names = defaultVisible(representations(result));
  const series = names.flatMap((name, i) => (["test", "train"] as const).map((split) => ({
    name: `${name} ${split}`, color: colorFor(i), dashed: split === "train", points: accuracySeries(result, name, split),
  })));
  const chart = accuracyChart({ layers: [0, 1, 2], series, selected: undefined, chance: 0.5, onSelect: () => undefined, onHover: () => undefined });
  return { names, svg: standaloneSvg(chart, names.map((name, i) => ({ name, color: colorFor(i) }))) };
}

describe("standalone SVG", () => {
  it("parses as an SVG document of its own, with the legend drawn in it", () => {
    const { names, svg } = exported();
    expect(svg.text.startsWith("<?xml")).toBe(true);
    const doc = new DOMParser().parseFromString(svg.text, "image/svg+xml");
    expect(doc.querySelector("parsererror")).toBeNull();
    const root = doc.documentElement;
    expect(root.namespaceURI).toBe("http://www.w3.org/2000/svg");
    expect(root.getAttribute("viewBox")).toBe(`0 0 ${svg.width} ${svg.height}`);
    expect(svg.height).toBeGreaterThan(272);
    const texts = [...root.querySelectorAll("text")].map((t) => t.textContent);
    for (const name of names) expect(texts).toContain(name);
    expect(texts).toContain("solid: test, dashed: train");
    expect(texts).toContain("layer");
    expect(texts).toContain("chance 0.500");
  });

  it("needs no style sheet: no classes, no theme variables, the looks as attributes", () => {
    const { svg } = exported();
    expect(svg.text).not.toContain("class=");
    expect(svg.text).not.toContain("var(");
    const root = new DOMParser().parseFromString(svg.text, "image/svg+xml").documentElement;
    expect(root.getAttribute("font-family")).toContain("sans-serif");
    expect(root.firstElementChild!.getAttribute("fill")).toBe("#ffffff");
    const dashed = [...root.querySelectorAll("path")].filter((p) => p.getAttribute("stroke-dasharray") === "5 4");
    expect(dashed.length).toBe(5);
    expect([...root.querySelectorAll("line")].some((line) => line.getAttribute("stroke-dasharray") === "2 3")).toBe(true);
  });

  it("lays the legend out in as many columns as the longest name allows", () => {
    const short = legendLayout(["raw", "sae", "pca", "x"], 560, 52);
    expect(short.places.map((p) => p.row)).toEqual([0, 0, 0, 0]);
    expect(short.height).toBe(2 * 16 + 8);
    const long = legendLayout(["sae_reconstruction:narrow", "sae_reconstruction:wide", "raw"], 560, 52);
    expect(long.places.map((p) => p.row)).toEqual([0, 0, 1]);
    expect(long.places[1].x).toBeGreaterThan(long.places[0].x);
    expect(legendLayout([], 560, 52).height).toBe(16 + 8);
  });
});
