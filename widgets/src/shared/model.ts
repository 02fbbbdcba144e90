// The widgets' traits, and the part of anywidget's model API the views use: a LayerSweepWidget's
// or SuiteWidget's model in a notebook, or a model over plain values (the offline report's).
import type { AnyModel } from "@anywidget/types";
import type { Progress, SuiteState, SweepResult } from "../schema";

/** The traits of `saeprobe.LayerSweepWidget`. */
export type SweepTraits = {
  result: SweepResult | null;
  selected_layer: number;
  progress: Progress;
};

/** The traits of `saeprobe.SuiteWidget`: `selected_run` is "MODEL/DATASET". */
export type SuiteTraits = {
  suite: SuiteState | null;
  selected_run: string;
  selected_layer: number;
};

/** A model as the entry point receives it: either widget's. */
export type WidgetTraits = Partial<SweepTraits> & Partial<SuiteTraits>;

/** What the views call on a model: typed reads and writes of its traits, change events, saves. */
export type ViewModel<T extends Record<string, unknown>> = Pick<AnyModel<T>, "get" | "set" | "on" | "off" | "save_changes">;

/** A model over plain trait values, with no kernel behind it: writes notify the listeners of
 * `change:NAME` at once, and saves are counted. */
export class StaticModel<T extends Record<string, unknown>> implements ViewModel<T> {
  /** How many times the view saved its changes. */
  saved = 0;
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(private readonly values: T) {}

  get<K extends keyof T>(name: K): T[K] {
    return this.values[name];
  }

  set<K extends keyof T>(name: K, value: T[K]): void {
    this.values[name] = value;
    this.listeners.get(`change:${String(name)}`)?.forEach((callback) => callback());
  }

  save_changes(): void {
    this.saved += 1;
  }

  // A change event calls its listeners with no arguments; the callback type admits any listener.
  on(event: string, callback: (...args: never[]) => void): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(callback);
  }

  off(event?: string | null, callback?: ((...args: never[]) => void) | null): void {
    if (event && callback) this.listeners.get(event)?.delete(callback);
  }

  /** How many callbacks listen to `event`. */
  listening(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
