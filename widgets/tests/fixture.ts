// The result of a real sweep, dumped by tools/dump_widget_fixture.py (the tests' tiny GPT-2 and
// its SAEs, layers 0-2). Each call returns a fresh copy that a test may change.
import type { SweepResult } from "../src/schema";
import dumped from "./fixture.json";

export function sweepResult(): SweepResult {
  return structuredClone(dumped) as SweepResult;
}
