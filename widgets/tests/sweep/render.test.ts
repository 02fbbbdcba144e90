// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { chartWidth, render } from "../../src/sweep/render";
import { fakeModel, singleSetResult, sweepResult } from "../fixture";

describe("render", () => {
  it("draws layer buttons and the selected layer's details region", () => {
    const el = document.createElement("div");
    const model = fakeModel({ result: singleSetResult(), selected_layer: 1, progress: {} });
    render({ model, el });
    const buttons = [...el.querySelectorAll("button[aria-label^='Layer ']")].map((b) => b.getAttribute("aria-label"));
    expect(buttons).toEqual(["Layer 0", "Layer 1", "Layer 2"]);
    expect(el.querySelector("[role=region]")!.getAttribute("aria-label")).toBe("Layer 1 details");
    (el.querySelector("button[aria-label='Layer 2']") as HTMLButtonElement).click();
    expect(model.get("selected_layer")).toBe(2);
    expect(model.saved).toBe(1);
    expect(el.querySelector("[role=region]")!.getAttribute("aria-label")).toBe("Layer 2 details");
    const diagnosis = el.querySelector(".sp-diagnosis[data-sae-set=sae]")!.textContent!;
    expect(diagnosis).toContain(singleSetResult().layers[2].diagnosis!.sae.text);
    expect(diagnosis.startsWith("Diagnosis: ")).toBe(true);
    expect(el.querySelector("[role=tablist]")).toBeNull();
    const groups = [...el.querySelectorAll(".sp-toggle-group")].map((g) => g.getAttribute("aria-label"));
    expect(groups).toEqual(["Raw states", "SAE set sae", "Controls"]);
    expect(el.querySelector(".sp-warning")).toBeNull();
    // The set's line says where its SAEs came from; no SAE set here has Neuronpedia ids.
    expect(el.querySelector("header .sp-sets")!.textContent).toMatch(/^SAEsSAEs from /);
    expect([...el.querySelectorAll(".sp-features th")].map((th) => th.textContent)).not.toContain("Neuronpedia");
  });

  it("shades each test curve's interval and each gap strip's, and leaves them out where there are none", () => {
    const el = document.createElement("div");
    const result = singleSetResult();
    result.layers[1].scores.sae.test_accuracy = 0.1;  // a gap that varies is drawn as a strip
    render({ model: fakeModel({ result, selected_layer: 0, progress: {} }), el });
    const chart = el.querySelector("svg.sp-chart")!;
    const tests = [...chart.querySelectorAll("path.sp-line:not(.sp-dashed)")].length;
    expect(chart.querySelectorAll("path.sp-band").length).toBe(tests);
    expect(el.querySelectorAll(".sp-strips path.sp-strip-band").length).toBe(1);  // the gap strip
    const bare = singleSetResult();
    bare.layers.forEach((entry) => {
      entry.comparisons = [];
      Object.values(entry.scores).forEach((m) => { m.test_accuracy_low = null; m.test_accuracy_high = null; });
    });
    const plain = document.createElement("div");
    render({ model: fakeModel({ result: bare, selected_layer: 0, progress: {} }), el: plain });
    expect(plain.querySelectorAll("path.sp-band").length).toBe(0);
  });

  it("steps with the arrow keys and sorts the feature table", () => {
    const el = document.createElement("div");
    const model = fakeModel({ result: singleSetResult(), selected_layer: 0, progress: {} });
    render({ model, el });
    const root = el.querySelector(".saeprobe")!;
    root.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(model.get("selected_layer")).toBe(1);
    const firstFeature = () => Number(el.querySelector(".sp-features tbody tr td")!.textContent);
    const features = singleSetResult().layers[1].saes!.sae.diagnostics.features;
    const most = Math.max(...features.map((f) => f.separation));
    const least = Math.min(...features.map((f) => f.separation));
    expect(firstFeature()).toBe(Math.min(...features.filter((f) => f.separation === most).map((f) => f.feature)));
    const sortButton = [...el.querySelectorAll(".sp-sort")].find((b) => b.textContent!.startsWith("separation")) as HTMLButtonElement;
    sortButton.click();
    expect(firstFeature()).toBe(Math.min(...features.filter((f) => f.separation === least).map((f) => f.feature)));
  });

  it("shows progress and waits for the first layer", () => {
    const el = document.createElement("div");
    const model = fakeModel({ result: null, selected_layer: 0, progress: { stage: "forward pass", done: 3, total: 10 } });
    render({ model, el });
    expect(el.querySelector("progress")!.getAttribute("value")).toBe("3");
    expect(el.textContent).toContain("Waiting for the first layer");
    model.set("result", singleSetResult());
    expect(el.querySelectorAll("button[aria-label^='Layer ']").length).toBe(3);
  });
});

describe("render, several SAE sets", () => {
  const facts = (el: HTMLElement) => Object.fromEntries([...el.querySelectorAll(".sp-facts dt")].map((dt) => [dt.textContent, dt.nextElementSibling!.textContent]));

  it("names every set in the title and the diagnoses, and groups the legend by set", () => {
    const el = document.createElement("div");
    render({ model: fakeModel({ result: sweepResult(), selected_layer: 1, progress: {} }), el });
    const described = [...el.querySelectorAll("header .sp-sets dt")].map((dt) => `${dt.textContent}: ${dt.nextElementSibling!.textContent}`);
    expect(described).toEqual([expect.stringMatching(/^narrow: SAEs from .+\/narrow$/), expect.stringMatching(/^wide: SAEs from .+\/wide$/)]);
    expect(el.querySelector(".sp-means")!.textContent).toMatch(/^Mean test accuracy over layers: raw 0\.\d{3} · narrow 0\.\d{3} · wide 0\.\d{3}$/);
    const { narrow, wide } = sweepResult().layers[1].diagnosis!;
    expect([...el.querySelectorAll(".sp-diagnosis strong")].map((s) => s.textContent)).toEqual([
      `Diagnosis (narrow): ${narrow.label.replace("_", " ")}. `, `Diagnosis (wide): ${wide.label.replace("_", " ")}. `,
    ]);
    const groups = [...el.querySelectorAll(".sp-toggle-group")].map((g) => g.getAttribute("aria-label"));
    expect(groups).toEqual(["Raw states", "SAE set narrow", "SAE set wide", "Controls"]);
    const swatch = (name: string) => el.querySelector(`input[aria-label='${name}']`)!.nextElementSibling!.getAttribute("style");
    expect(new Set([swatch("raw"), swatch("sae:narrow"), swatch("sae:wide")]).size).toBe(3);
    const strokes = [...el.querySelectorAll(".sp-chart path.sp-line")].map((p) => p.getAttribute("stroke"));
    expect(strokes.length).toBe(2 * 5);
  });

  it("writes what the controls caught in the layer's details, and toggles the controls together", () => {
    const el = document.body.appendChild(document.createElement("div"));
    const result = singleSetResult();
    result.layers[1].warnings = ["raw_shuffled: the probe refitted on shuffled training labels averages 0.97"];
    render({ model: fakeModel({ result, selected_layer: 1, progress: {} }), el });
    expect(el.querySelector(".sp-warning")!.textContent).toBe(`Control warning: ${result.layers[1].warnings[0]}`);
    const controls = el.querySelector("input[aria-label='All controls']") as HTMLInputElement;
    expect(controls.checked).toBe(false);
    const lines = el.querySelectorAll(".sp-chart path.sp-line").length;
    controls.click();
    expect(el.querySelectorAll(".sp-chart path.sp-line").length).toBe(lines + 2 * 4);
    el.remove();
  });

  it("hides and shows all of a set's curves with its own toggle", () => {
    // A checkbox reports a click with a change event only when it is in the document.
    const el = document.body.appendChild(document.createElement("div"));
    render({ model: fakeModel({ result: sweepResult(), selected_layer: 0, progress: {} }), el });
    const setBox = () => el.querySelector("input[aria-label='All curves of SAE set wide']") as HTMLInputElement;
    expect(setBox().checked).toBe(false);
    expect(setBox().indeterminate).toBe(true);
    setBox().click();
    expect(el.querySelectorAll(".sp-chart path.sp-line").length).toBe(2 * 9);
    expect(setBox().checked).toBe(true);
    setBox().click();
    expect(el.querySelectorAll(".sp-chart path.sp-line").length).toBe(2 * 3);
    el.remove();
  });

  it("switches the details between sets with tabs, and keeps the choice across layers", () => {
    const el = document.body.appendChild(document.createElement("div"));
    const result = sweepResult();
    const model = fakeModel({ result, selected_layer: 1, progress: {} });
    render({ model, el });
    const tab = (set: string) => el.querySelector(`[role=tab][data-focus-key='set-tab-${set}']`) as HTMLButtonElement;
    expect([...el.querySelectorAll("[role=tab]")].map((t) => [t.textContent, t.getAttribute("aria-selected")])).toEqual([["narrow", "true"], ["wide", "false"]]);
    expect(facts(el)["sae:narrow test accuracy"]).toBeDefined();
    expect(facts(el)["n_active_union"]).toBe(String(result.layers[1].saes!.narrow.diagnostics.sparsity.n_active_union));
    tab("wide").click();
    expect(tab("wide").getAttribute("aria-selected")).toBe("true");
    expect(document.activeElement).toBe(tab("wide"));
    expect(el.querySelector("[role=tabpanel]")!.getAttribute("aria-label")).toBe("SAE set wide");
    expect(facts(el)["n_active_union"]).toBe(String(result.layers[1].saes!.wide.diagnostics.sparsity.n_active_union));
    expect(facts(el)["sae:narrow test accuracy"]).toBeUndefined();
    (el.querySelector("button[aria-label='Layer 2']") as HTMLButtonElement).click();
    expect(facts(el)["n_active_union"]).toBe(String(result.layers[2].saes!.wide.diagnostics.sparsity.n_active_union));
    tab("wide").dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(model.get("selected_layer")).toBe(2);
    expect(tab("narrow").getAttribute("aria-selected")).toBe("true");
    expect(document.activeElement).toBe(tab("narrow"));
    el.remove();
  });

  it("draws one gap strip, n_active_union and L0 per set", () => {
    const result = sweepResult();
    result.layers.forEach((entry, i) => { entry.scores["sae:wide"].test_accuracy = 0.5 + 0.05 * i; });
    const el = document.createElement("div");
    render({ model: fakeModel({ result, selected_layer: 0, progress: {} }), el });
    const strips = [...el.querySelectorAll(".sp-strip")].map((svg) => svg.getAttribute("aria-label"));
    expect(strips).toEqual([
      "gap (raw − sae:wide test) by layer",
      "n_active_union · narrow by layer", "n_active_union · wide by layer",
      "L0 mean · narrow by layer", "L0 mean · wide by layer",
    ]);
    expect([...el.querySelectorAll(".sp-constant")].map((p) => p.textContent)).toEqual(["gap (raw − sae:narrow test): 0.000 at every layer"]);
  });
});

describe("reading the charts at a glance", () => {
  it("shows the values at the pointer's layer in a tooltip beside it, and hides it on leaving", () => {
    const el = document.body.appendChild(document.createElement("div"));
    render({ model: fakeModel({ result: sweepResult(), selected_layer: 0, progress: {} }), el });
    const chart = el.querySelector("svg.sp-chart")!;
    const tip = el.querySelector(".sp-chart-host .sp-tooltip") as HTMLElement;
    expect(tip.hidden).toBe(true);
    chart.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, clientX: 30, clientY: 40 }));
    expect(tip.hidden).toBe(false);
    expect(tip.querySelector(".sp-tooltip-title")!.textContent).toBe("Layer 0");
    const names = [...tip.querySelectorAll("tbody th")].map((th) => th.textContent);
    expect(names).toEqual(expect.arrayContaining(["raw", "sae:narrow", "sae:wide"]));
    expect(tip.style.left).toBe("44px");
    expect(el.querySelector(".sp-readout")!.textContent).toMatch(/^Layer 0: /);
    chart.dispatchEvent(new MouseEvent("mouseleave"));
    expect(tip.hidden).toBe(true);
    el.remove();
  });

  it("draws strips with a zero line and three ticks written alike", () => {
    const result = sweepResult();
    result.layers.forEach((entry, i) => { entry.scores["sae:wide"].test_accuracy = 0.5 + 0.05 * i; });
    const el = document.createElement("div");
    render({ model: fakeModel({ result, selected_layer: 0, progress: {} }), el });
    for (const strip of el.querySelectorAll(".sp-strip")) {
      expect(strip.querySelectorAll("line.sp-zero").length).toBe(1);
      const ticks = [...strip.querySelectorAll("text.sp-tick")].map((text) => text.textContent!);
      expect(ticks.length).toBe(3);
      expect(new Set(ticks.map((tick) => tick.split(".")[1]?.length ?? 0)).size).toBe(1);
    }
  });

  it("keeps shown curves apart in colour, empties hidden ones' swatches and says which coincide", () => {
    const el = document.body.appendChild(document.createElement("div"));
    const result = sweepResult();
    result.layers.forEach((entry) => { entry.scores["pca_matched:narrow"] = { ...entry.scores.raw }; });
    render({ model: fakeModel({ result, selected_layer: 0, progress: {} }), el });
    const label = (name: string) => el.querySelector(`input[aria-label='${name}']`)!.parentElement!;
    expect(label("pca_matched:narrow").textContent).toBe("pca_matched = raw");
    expect(label("raw_topk_1").querySelector(".sp-swatch-hidden")).not.toBeNull();
    (el.querySelector("input[aria-label='raw_topk_1']") as HTMLInputElement).click();
    const strokes = [...el.querySelectorAll(".sp-chart path.sp-line:not(.sp-dashed)")].map((path) => path.getAttribute("stroke"));
    expect(new Set(strokes).size).toBe(strokes.length);
    // Members of a group wrap inside their own box, beside the group's name.
    for (const group of el.querySelectorAll(".sp-toggle-group")) expect(group.children[1].className).toBe("sp-toggle-items");
    el.remove();
  });

  it("sizes the charts to the view's width within bounds", () => {
    expect([chartWidth(0), chartWidth(300), chartWidth(1016), chartWidth(5000)]).toEqual([640, 360, 1000, 1400]);
  });
});
