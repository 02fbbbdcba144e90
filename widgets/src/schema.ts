// Types of the sweep result JSON: generated from its JSON Schema into schema.generated.ts (run
// `npm run build`), so the widget and the Python result share one description. The widget reads
// only these, its own progress trait, and a suite's view state (below).
import type { SweepResult } from "./schema.generated";

export type {
  Comparison,
  Diagnostics, EffectiveDimension, FeatureRow, Fidelity, LayerEntry, Metrics, Preparation, SaeInfo, Settings, Sparsity, SweepResult,
  TokenSparsity,
} from "./schema.generated";

export interface Progress {
  stage?: string;
  done?: number;
  total?: number;
  message?: string;
}

/** One finished unit of a suite (saeprobe.suites.SuiteRun): its model, dataset, result file
 * and what it cost. */
export interface SuiteRun {
  model: string;
  dataset: string;
  result: string;
  timings: Record<string, number>;
}

/** A row of a suite's summary across datasets (saeprobe.suites.summarize): wins, ties and losses
 * against raw at that layer, null for raw itself. */
export interface SummaryRow {
  model: string;
  layer: number;
  representation: string;
  metric: string;
  mean: number;
  median: number;
  n_datasets: number;
  wins: number | null;
  ties: number | null;
  losses: number | null;
}

/** What the suite view reads (SuiteResult.view_state()): suite.json's content, and every run's
 * sweep result by its key "MODEL/DATASET". */
export interface SuiteState {
  schema_version: string;
  saeprobe_version: string;
  engine: string;
  spec: Record<string, unknown>;
  seconds: number;
  runs: SuiteRun[];
  summary: SummaryRow[];
  results: Record<string, SweepResult>;
}
