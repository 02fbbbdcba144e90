// The SAE-set tabs of the sweep view's details and of the suite's heatmaps: a tab per set over the
// chosen set's panel.
import { h, type Attrs, type Redraw } from "./dom";

/** The data-focus-key of the tab of `set`: the redraw after a choice puts the focus back on it. */
const tabKey = (set: string) => `set-tab-${set}`;

export interface SetPanel {
  sets: string[];
  chosen: string;
  /** Keep `set` as the chosen one; the view is then redrawn with the focus on its tab. */
  choose: (set: string) => void;
  redraw: Redraw;
  /** The tab list's accessible name. */
  tabsLabel: string;
  /** The panel's attributes beside its class and role: its aria-label at least. */
  panel: Attrs;
}

/** With several SAE sets, tabs naming them over a panel holding `content` (the chosen set's
 * figures); with one set or none, `content` alone. */
export function setPanel({ sets, chosen, choose, redraw, tabsLabel, panel }: SetPanel, content: Node[]): Node[] {
  if (sets.length <= 1) return content;
  const pick = (set: string) => {
    choose(set);
    redraw(tabKey(set));
  };
  return [setTabs(sets, chosen, pick, tabsLabel), h("div", { class: "sp-tabpanel", role: "tabpanel", ...panel }, ...content)];
}

/** Tabs naming the SAE sets, `chosen` selected; ← / → (Home / End) move between them. `label`
 * names the tab list. */
function setTabs(sets: string[], chosen: string, choose: (set: string) => void, label: string): HTMLElement {
  return h("div", { class: "sp-tabs", role: "tablist", "aria-label": label }, ...sets.map((set, i) => {
    const selected = set === chosen;
    const tab = h("button", {
      type: "button", role: "tab", class: selected ? "sp-tab sp-tab-selected" : "sp-tab", "aria-selected": selected ? "true" : "false",
      tabindex: selected ? 0 : -1, "data-focus-key": tabKey(set),
    }, set);
    tab.addEventListener("click", () => choose(set));
    tab.addEventListener("keydown", (event) => {
      const moves: Record<string, number> = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: sets.length - 1 };
      if (!(event.key in moves)) return;
      // These keys move between the tabs here, not between layers.
      event.preventDefault();
      event.stopPropagation();
      choose(sets[(moves[event.key] + sets.length) % sets.length]);
    });
    return tab;
  }));
}
