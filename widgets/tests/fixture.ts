// The result of a real sweep, dumped by tools/dump_widget_fixture.py (the tests' tiny GPT-2 and
// two SAE sets, `narrow` and `wide`, layers 0-2). Each call returns a fresh copy that a test may change.
import type { SuiteState, SweepResult } from "../src/schema";
import { StaticModel, type SweepTraits, type WidgetTraits } from "../src/shared/model";
import dumped from "./fixture.json";
import suiteDumped from "./suite-fixture.json";

export function sweepResult(): SweepResult {
  return structuredClone(dumped) as SweepResult;
}

/** The fixture as a sweep of one unnamed SAE set, as results were before sets had names: the set
 * `narrow` renamed `sae` (so its representations lose the `:narrow` suffix), the set `wide` left out. */
export function singleSetResult(): SweepResult {
  const plain = <T>(byName: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(byName)
    .filter(([name]) => !name.endsWith(":wide") && name !== "wide")
    .map(([name, value]) => [name === "narrow" ? "sae" : name.replace(/:narrow$/, ""), value]));
  const result = sweepResult();
  for (const entry of result.layers) {
    entry.scores = plain(entry.scores);
    entry.baselines = plain(entry.baselines ?? {});
    entry.saes = plain(entry.saes ?? {});
    entry.diagnosis = plain(entry.diagnosis ?? {});
    const rename = (name: string) => name.replace(/:narrow$/, "");
    entry.comparisons = (entry.comparisons ?? [])
      .filter((c) => !c.reference.endsWith(":wide") && !c.other.endsWith(":wide"))
      .map((c) => ({ ...c, reference: rename(c.reference), other: rename(c.other) }));
  }
  return result;
}

/** The view state of a real suite of the same model and SAE sets, dumped by the same tool: datasets
 * movie_sentiment, larger_than and topics, layers 0-3. A fresh copy per call. */
export function suiteState(): SuiteState {
  return structuredClone(suiteDumped) as unknown as SuiteState;
}

/** A LayerSweepWidget's model over `values`, counting its saves and its listeners. */
export function fakeModel(values: SweepTraits): StaticModel<SweepTraits> {
  return new StaticModel(values);
}

/** A model as the entry point receives it (either widget's), over `values`. */
export function widgetModel(values: WidgetTraits): StaticModel<WidgetTraits> {
  return new StaticModel(values);
}
