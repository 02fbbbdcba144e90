// Tiny DOM helpers: elements with attributes and children, HTML and SVG; redrawing a view without
// losing the keyboard focus.

type Child = Node | string | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | undefined | null>;

/** Draw a view again; focus goes to the element of `focusKey`, else back to the focused one's. */
export type Redraw = (focusKey?: string) => void;

const SVG_NS = "http://www.w3.org/2000/svg";

function fill<E extends Element>(node: E, attrs: Attrs, children: Child[]): E {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attrs, children);
}

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Replace the children of `container` by `children`, keeping the keyboard focus: it goes to the new
 * element whose data-focus-key is `focusKey`, else that of the element focused in `container` before. */
export function replaceKeepingFocus(container: HTMLElement, children: Node[], focusKey?: string): void {
  const focused = document.activeElement;
  const key = focusKey ?? (focused instanceof HTMLElement && container.contains(focused) ? focused.dataset.focusKey : undefined);
  container.replaceChildren(...children);
  if (key) [...container.querySelectorAll<HTMLElement>("[data-focus-key]")].find((node) => node.dataset.focusKey === key)?.focus();
}
