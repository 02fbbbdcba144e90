// The values under the pointer, in a box beside it; the same words go to a live region, for
// screen readers and for the keyboard user's readout line.
import type { ChartHover } from "./charts";
import { h } from "./dom";

export interface Tooltip {
  /** The box; place it inside `host` (positioned relative). */
  box: HTMLElement;
  /** Show `content` beside the pointer, or hide the box for null. */
  show: (hover: ChartHover | null, content?: Node[], text?: string) => void;
}

// Pixels between the pointer and the box.
const OFFSET = 14;

/** A tooltip inside `host`; `readout` (a live region) gets the shown text, or `idle` once hidden. */
export function tooltip(host: HTMLElement, readout: HTMLElement, idle: string): Tooltip {
  const box = h("div", { class: "sp-tooltip", role: "tooltip", hidden: true });
  const show = (hover: ChartHover | null, content: Node[] = [], text = "") => {
    if (!hover) {
      box.hidden = true;
      readout.textContent = idle;
      return;
    }
    box.replaceChildren(...content);
    box.hidden = false;
    readout.textContent = text;
    const area = host.getBoundingClientRect();
    const left = hover.clientX - area.left + OFFSET;
    const top = hover.clientY - area.top + OFFSET;
    // Past the host's middle the box opens to the left of the pointer, so it never leaves the view.
    const flip = area.width > 0 && left > area.width / 2;
    box.style.left = flip ? "" : `${left}px`;
    box.style.right = flip ? `${area.width - left + 2 * OFFSET}px` : "";
    box.style.top = `${top}px`;
  };
  return { box, show };
}
