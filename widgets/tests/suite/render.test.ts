// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderView } from "../../src/suite/render";
import { gapColor, winsTiesLosses } from "../../src/suite/logic";
import { singleSetResult, suiteState, widgetModel } from "../fixture";

const MODEL = "/scratch/tiny-gpt2";
const key = (dataset: string) => `${MODEL}/${dataset}`;

const cell = (el: HTMLElement, name: string) => el.querySelector(`button.sp-cell[aria-label='${name}']`) as HTMLButtonElement;
const sweepRegion = (el: HTMLElement) => el.querySelector(".sp-suite-run")!;
const details = (el: HTMLElement) => sweepRegion(el).querySelector("[role=region]")!.getAttribute("aria-label");

describe("the suite view", () => {
  it("draws a heatmap of datasets × layers and the first run's sweep below it", () => {
    const el = document.createElement("div");
    render(el, { selected_run: key("movie_sentiment"), selected_layer: 0 });
    expect(el.querySelector("header")!.textContent).toBe("scratch/tiny-gpt2 · 3 datasets · SAE sets narrow, wide · local engine");
    const table = el.querySelector("table.sp-heatmap")!;
    expect(table.getAttribute("aria-label")).toBe("raw − sae:narrow test accuracy, scratch/tiny-gpt2");
    expect([...table.querySelectorAll("tbody th")].map((th) => th.textContent)).toEqual(["movie_sentiment", "larger_than", "topics"]);
    expect([...table.querySelectorAll("tbody tr")].map((tr) => tr.querySelectorAll("button.sp-cell").length)).toEqual([4, 4, 4]);
    // larger_than at layer 3: raw 10/14, sae:narrow 5/14.
    expect(cell(el, "larger_than, layer 3, gap 0.357").textContent).toBe("0.357");
    expect(cell(el, "larger_than, layer 3, gap 0.357").getAttribute("style")).toBe(`background:${gapColor(10 / 14 - 5 / 14, 0.4)};color:#fff`);
    expect(sweepRegion(el).getAttribute("aria-label")).toBe("Sweep of movie_sentiment (scratch/tiny-gpt2)");
    expect(details(el)).toBe("Layer 0 details");
    expect(el.querySelector("[aria-current=true]")!.getAttribute("aria-label")).toBe("movie_sentiment, layer 0, gap -0.143");
    expect([...el.querySelectorAll(".sp-gap-tick")].map((tick) => tick.textContent)).toEqual(["-0.400", "-0.200", "0.000", "0.200", "0.400"]);
  });

  it("opens the clicked cell's dataset at its layer, and follows the layers chosen in the sweep view", () => {
    const el = document.createElement("div");
    const model = render(el, { selected_run: key("movie_sentiment"), selected_layer: 0 });
    cell(el, "topics, layer 2, gap 0.000").click();
    expect([model.get("selected_run"), model.get("selected_layer")]).toEqual([key("topics"), 2]);
    expect(model.saved).toBe(1);
    expect(sweepRegion(el).getAttribute("aria-label")).toBe("Sweep of topics (scratch/tiny-gpt2)");
    expect(details(el)).toBe("Layer 2 details");
    const topics = suiteState().results[key("topics")].layers[2];
    expect(sweepRegion(el).querySelector(".sp-diagnosis[data-sae-set=wide]")!.textContent).toContain(topics.diagnosis!.wide.text);
    expect(sweepRegion(el).querySelector("header")!.textContent).toMatch(/^\/scratch\/tiny-gpt2 · topics · /);
    expect(cell(el, "topics, layer 2, gap 0.000").getAttribute("aria-current")).toBe("true");

    (sweepRegion(el).querySelector("button[aria-label='Layer 3']") as HTMLButtonElement).click();
    expect(model.get("selected_layer")).toBe(3);
    expect(details(el)).toBe("Layer 3 details");
    expect(el.querySelector("[aria-current=true]")!.getAttribute("aria-label")).toBe("topics, layer 3, gap 0.000");
    // One sweep view listens at a time: the one of the dataset shown.
    expect(model.listening("change:selected_layer")).toBe(2);
  });

  it("switches the heatmap between SAE sets with tabs, keeping the sweep view open", () => {
    const el = document.body.appendChild(document.createElement("div"));
    render(el, { selected_run: key("topics"), selected_layer: 2 });
    const tab = (set: string) => el.querySelector(`[role=tablist][aria-label='SAE set of the heatmaps'] [data-focus-key='set-tab-${set}']`) as HTMLButtonElement;
    tab("wide").click();
    expect(tab("wide").getAttribute("aria-selected")).toBe("true");
    expect(document.activeElement).toBe(tab("wide"));
    expect(el.querySelector("table.sp-heatmap")!.getAttribute("aria-label")).toBe("raw − sae:wide test accuracy, scratch/tiny-gpt2");
    // topics at layer 2: raw 0.1875, sae:wide 0.3125; the SAE code wins, a light cool colour.
    expect(cell(el, "topics, layer 2, gap -0.125").getAttribute("style")).toBe(`background:${gapColor(-0.125, 0.4)};color:#000`);
    expect(el.querySelector("[role=tabpanel][aria-label='Gaps of SAE set wide']")).not.toBeNull();
    expect(details(el)).toBe("Layer 2 details");
    el.remove();
  });

  it("moves between cells with the arrow keys and opens one with a click (Enter)", () => {
    const el = document.body.appendChild(document.createElement("div"));
    const model = render(el, { selected_run: key("larger_than"), selected_layer: 1 });
    const stops = () => [...el.querySelectorAll<HTMLElement>("button.sp-cell[tabindex='0']")].map((b) => b.getAttribute("aria-label"));
    expect(stops()).toEqual(["larger_than, layer 1, gap 0.286"]);
    const start = cell(el, "larger_than, layer 1, gap 0.286");
    start.focus();
    start.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    expect(document.activeElement!.getAttribute("aria-label")).toBe("topics, layer 1, gap -0.063");
    expect(stops()).toEqual(["topics, layer 1, gap -0.063"]);
    expect(model.get("selected_layer")).toBe(1);
    (document.activeElement as HTMLButtonElement).click();
    expect(model.get("selected_run")).toBe(key("topics"));
    expect(document.activeElement!.getAttribute("aria-label")).toBe("topics, layer 1, gap -0.063");
    el.remove();
  });

  it("draws the mean curves with a legend and the win/tie/loss counts per layer", () => {
    const el = document.createElement("div");
    const model = render(el, { selected_run: key("topics"), selected_layer: 2 });
    const means = el.querySelector("section[aria-label='Means over datasets']")!;
    expect([...means.querySelectorAll(".sp-legend li")].map((li) => li.textContent)).toEqual(["raw", "sae:narrow", "pca_matched:narrow", "sae:wide", "pca_matched:wide"]);
    // Solid and distinct: a dashed line means train accuracy on this page (the sweep view below).
    const lines = [...means.querySelectorAll(".sp-chart path.sp-line")];
    expect(lines.map((line) => line.classList.contains("sp-dashed"))).toEqual([false, false, false, false, false]);
    expect(new Set(lines.map((line) => line.getAttribute("stroke"))).size).toBe(5);
    expect(means.querySelector(".sp-chance")).toBeNull();
    expect(means.querySelector(".sp-selected-band")).not.toBeNull();
    const rows = [...means.querySelectorAll("table.sp-wins tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent));
    // The counts of the summary, per layer: on these 16-row test splits every interval holds zero.
    const counts = (rep: string) => [0, 1, 2, 3].map((layer) => {
      const found = winsTiesLosses(model.get("suite")!, MODEL, rep, layer)!;
      return `${found.wins} / ${found.ties} / ${found.losses}`;
    });
    expect(rows).toEqual([["sae:narrow", ...counts("sae:narrow")], ["sae:wide", ...counts("sae:wide")]]);
    expect(rows.flatMap((row) => row.slice(1))).toContain("0 / 3 / 0");
    expect(means.querySelector("table.sp-wins caption")!.textContent).toContain("(a win or a loss only where the gap's interval excludes zero)");
    means.querySelector(".sp-chart")!.dispatchEvent(new MouseEvent("mousemove", { bubbles: true }));
    expect(means.querySelector(".sp-tooltip")!.textContent).toMatch(/^Layer 0, mean over datasets/);
    means.querySelector(".sp-chart circle")!.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect([model.get("selected_run"), model.get("selected_layer")]).toEqual([key("topics"), 0]);
    expect(details(el)).toBe("Layer 0 details");
  });

  it("waits for a suite set later, and lets go of the model when closed", () => {
    const el = document.createElement("div");
    const model = widgetModel({ suite: null, selected_run: "", selected_layer: 0 });
    const close = renderView({ model, el });
    expect(el.textContent).toBe("No suite to show yet.");
    model.set("suite", suiteState());
    expect(el.querySelectorAll("button.sp-cell").length).toBe(12);
    expect(sweepRegion(el).textContent).toContain("Click a cell of the heatmap");
    model.set("selected_run", key("larger_than"));
    expect(details(el)).toBe("Layer 0 details");
    close();
    for (const event of ["change:suite", "change:selected_run", "change:selected_layer"]) expect(model.listening(event)).toBe(0);
  });

  it("shows the sweep view for a model with no suite trait", () => {
    const el = document.createElement("div");
    renderView({ model: widgetModel({ result: singleSetResult(), selected_layer: 1, progress: {} }), el });
    expect(el.querySelector(".sp-suite")).toBeNull();
    expect(el.querySelector("[role=region]")!.getAttribute("aria-label")).toBe("Layer 1 details");
  });
});

describe("the suite view of many datasets", () => {
  const names = (el: HTMLElement) => [...el.querySelectorAll("table.sp-heatmap tbody th")].map((th) => th.textContent);

  it("says each set's wins, ties and losses at the top", () => {
    const el = document.createElement("div");
    render(el, { selected_run: key("topics"), selected_layer: 0 });
    const verdicts = [...el.querySelectorAll(".sp-suite-verdicts li")].map((li) => li.textContent);
    expect(verdicts).toHaveLength(2);
    expect(verdicts[0]).toMatch(/^sae:narrow against raw over 3 datasets × 4 layers: beats it \d+ times, ties \d+, loses \d+ \(of 12\)/);
    expect(el.querySelector(".sp-suite-verdicts")!.compareDocumentPosition(el.querySelector("table.sp-heatmap")!)).toBe(
      Node.DOCUMENT_POSITION_FOLLOWING,
    );
  });

  it("filters the datasets as one types, keeping the caret, and orders them", () => {
    const el = document.body.appendChild(document.createElement("div"));
    render(el, { selected_run: key("topics"), selected_layer: 0 });
    const filter = el.querySelector("input.sp-filter") as HTMLInputElement;
    expect(filter.getAttribute("aria-label")).toBe("Filter datasets by name");
    filter.focus();
    filter.value = "t";
    filter.setSelectionRange(1, 1);
    filter.dispatchEvent(new Event("input"));
    expect(names(el)).toEqual(["movie_sentiment", "larger_than", "topics"]);
    const again = el.querySelector("input.sp-filter") as HTMLInputElement;
    again.value = "to";
    again.setSelectionRange(2, 2);
    again.dispatchEvent(new Event("input"));
    expect(names(el)).toEqual(["topics"]);
    const now = document.activeElement as HTMLInputElement;
    expect(now.classList.contains("sp-filter") && now.value === "to" && now.selectionStart === 2).toBe(true);
    expect(el.querySelector(".sp-row-controls .sp-hint")!.textContent).toBe("1 of 3 datasets");
    now.value = "";
    now.dispatchEvent(new Event("input"));
    const order = el.querySelector("select.sp-order") as HTMLSelectElement;
    expect(order.getAttribute("aria-label")).toBe("Order of the datasets");
    order.value = "name";
    order.dispatchEvent(new Event("change"));
    expect(names(el)).toEqual(["larger_than", "movie_sentiment", "topics"]);
    expect((document.activeElement as HTMLElement).classList.contains("sp-order")).toBe(true);
    el.remove();
  });
});

function render(el: HTMLElement, selection: { selected_run: string; selected_layer: number }) {
  const model = widgetModel({ suite: suiteState(), ...selection });
  renderView({ model, el });
  return model;
}
