// Offline report host: implements the model API the views use over an inline JSON state, no kernel
// (a sweep's, or a suite's with its `suite` key).
import type { WidgetModel } from "./render";
import { renderView } from "./suite";

function staticModel(initial: Record<string, unknown>): WidgetModel {
  const values = { ...initial };
  const listeners = new Map<string, Set<() => void>>();
  return {
    get: (name) => values[name],
    set: (name, value) => {
      values[name] = value;
      listeners.get(`change:${name}`)?.forEach((callback) => callback());
    },
    save_changes: () => undefined,
    on: (event, callback) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(callback);
    },
    off: (event, callback) => listeners.get(event)?.delete(callback),
  };
}

const stateBlock = document.getElementById("saeprobe-state");
const mount = document.getElementById("saeprobe-root");
if (stateBlock && mount) {
  renderView({ model: staticModel(JSON.parse(stateBlock.textContent ?? "{}")), el: mount });
}
