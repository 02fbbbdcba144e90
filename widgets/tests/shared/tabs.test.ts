// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { h } from "../../src/shared/dom";
import { setPanel, type SetPanel } from "../../src/shared/tabs";

/** The panel of `sets` with `chosen` selected, and what it was asked to choose and redraw. */
function panelOf(sets: string[], chosen: string, content: Node[]) {
  const choices: string[] = [];
  const redraws: (string | undefined)[] = [];
  const options: SetPanel = {
    sets, chosen, choose: (set) => choices.push(set), redraw: (key) => redraws.push(key),
    tabsLabel: "SAE set", panel: { "aria-label": `SAE set ${chosen}`, "data-sae-set": chosen },
  };
  return { nodes: setPanel(options, content) as HTMLElement[], choices, redraws };
}

describe("setPanel", () => {
  it("gives the content alone for one SAE set or none", () => {
    const content = [h("p", {}, "figures")];
    expect(panelOf(["sae"], "sae", content).nodes).toEqual(content);
    expect(panelOf([], "sae", content).nodes).toEqual(content);
  });

  it("puts tabs naming the sets over a panel holding the content", () => {
    const [tabs, panel] = panelOf(["narrow", "wide"], "wide", [h("p", {}, "figures")]).nodes;
    expect([tabs.getAttribute("role"), tabs.getAttribute("aria-label")]).toEqual(["tablist", "SAE set"]);
    expect([...tabs.querySelectorAll("[role=tab]")].map((tab) => [tab.textContent, tab.getAttribute("aria-selected"), tab.getAttribute("tabindex")]))
      .toEqual([["narrow", "false", "-1"], ["wide", "true", "0"]]);
    expect([panel.className, panel.getAttribute("role"), panel.getAttribute("aria-label"), panel.dataset.saeSet, panel.textContent])
      .toEqual(["sp-tabpanel", "tabpanel", "SAE set wide", "wide", "figures"]);
  });

  it("chooses a set by click or key, then redraws with the focus on its tab", () => {
    const { nodes: [tabs], choices, redraws } = panelOf(["a", "b", "c"], "a", []);
    const tab = (set: string) => tabs.querySelector<HTMLElement>(`[data-focus-key='set-tab-${set}']`)!;
    tab("b").click();
    for (const [set, key] of [["a", "ArrowLeft"], ["a", "End"], ["c", "ArrowRight"], ["b", "Home"], ["b", "Enter"]]) {
      tab(set).dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
    expect(choices).toEqual(["b", "c", "c", "a", "a"]);
    expect(redraws).toEqual(["set-tab-b", "set-tab-c", "set-tab-c", "set-tab-a", "set-tab-a"]);
  });
});
