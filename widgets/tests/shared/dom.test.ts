// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { h, replaceKeepingFocus } from "../../src/shared/dom";

/** A button per focus key, named by its key. */
const buttons = (...keys: string[]) => keys.map((key) => h("button", { type: "button", "data-focus-key": key }, key));

/** A container in the document holding buttons of `keys`, the one of `focused` focused. */
function containerWith(keys: string[], focused: string): HTMLElement {
  const container = document.body.appendChild(h("div", {}, ...buttons(...keys)));
  container.querySelector<HTMLElement>(`[data-focus-key='${focused}']`)!.focus();
  return container;
}

describe("replaceKeepingFocus", () => {
  it("puts the focus on the new element with the key of the focused one", () => {
    const container = containerWith(["a", "b"], "b");
    const fresh = buttons("a", "b");
    replaceKeepingFocus(container, fresh);
    expect(container.children[1]).toBe(fresh[1]);
    expect(document.activeElement).toBe(fresh[1]);
    container.remove();
  });

  it("puts it on the element of the key asked for, whatever the key's characters", () => {
    const container = containerWith(["a"], "a");
    const fresh = buttons("a", 'sort-firing_rate:say "hi"');
    replaceKeepingFocus(container, fresh, 'sort-firing_rate:say "hi"');
    expect(document.activeElement).toBe(fresh[1]);
    container.remove();
  });

  it("leaves a focus outside the container where it is, and drops one whose key is gone", () => {
    const outside = document.body.appendChild(h("button", { type: "button", "data-focus-key": "a" }));
    outside.focus();
    const container = containerWith(["a", "b"], "b");
    outside.focus();
    replaceKeepingFocus(container, buttons("a"));
    expect(document.activeElement).toBe(outside);
    container.querySelector<HTMLElement>("button")!.focus();
    replaceKeepingFocus(container, buttons("b"));
    expect(document.activeElement).toBe(document.body);
    outside.remove();
    container.remove();
  });
});
