// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { render, type WidgetModel } from "../src/render";
import { sweepResult } from "./fixture";

function fakeModel(values: Record<string, unknown>): WidgetModel & { saved: number } {
  const listeners = new Map<string, Set<() => void>>();
  const model = {
    saved: 0,
    get: (name: string) => values[name],
    set: (name: string, value: unknown) => {
      values[name] = value;
      listeners.get(`change:${name}`)?.forEach((cb) => cb());
    },
    save_changes: () => { model.saved += 1; },
    on: (event: string, cb: () => void) => { if (!listeners.has(event)) listeners.set(event, new Set()); listeners.get(event)!.add(cb); },
    off: (event: string, cb: () => void) => { listeners.get(event)?.delete(cb); },
  };
  return model;
}

describe("render", () => {
  it("draws layer buttons and the selected layer's details region", () => {
    const el = document.createElement("div");
    const model = fakeModel({ result: sweepResult(), selected_layer: 1, progress: {} });
    render({ model, el });
    const buttons = [...el.querySelectorAll("button[aria-label^='Layer ']")].map((b) => b.getAttribute("aria-label"));
    expect(buttons).toEqual(["Layer 0", "Layer 1", "Layer 2"]);
    expect(el.querySelector("[role=region]")!.getAttribute("aria-label")).toBe("Layer 1 details");
    (el.querySelector("button[aria-label='Layer 2']") as HTMLButtonElement).click();
    expect(model.get("selected_layer")).toBe(2);
    expect(model.saved).toBe(1);
    expect(el.querySelector("[role=region]")!.getAttribute("aria-label")).toBe("Layer 2 details");
    const diagnosis = el.querySelector(".sp-diagnosis[data-sae-set=sae]")!.textContent!;
    expect(diagnosis).toContain(sweepResult().layers[2].diagnosis!.sae.text);
  });

  it("steps with the arrow keys and sorts the feature table", () => {
    const el = document.createElement("div");
    const model = fakeModel({ result: sweepResult(), selected_layer: 0, progress: {} });
    render({ model, el });
    const root = el.querySelector(".saeprobe")!;
    root.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(model.get("selected_layer")).toBe(1);
    const firstFeature = () => Number(el.querySelector(".sp-features tbody tr td")!.textContent);
    const features = sweepResult().layers[1].diagnostics!.features;
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
    model.set("result", sweepResult());
    expect(el.querySelectorAll("button[aria-label^='Layer ']").length).toBe(3);
  });
});
