// Types of the sweep result JSON: generated from its JSON Schema into schema.generated.ts (run
// `npm run build`), so the widget and the Python result share one description. The widget reads
// only these, plus its own progress trait.
export type {
  Diagnostics, EffectiveDimension, FeatureRow, Fidelity, LayerEntry, Metrics, Preparation, SaeInfo, Settings, Sparsity, SweepResult,
  TokenSparsity,
} from "./schema.generated";

export interface Progress {
  stage?: string;
  done?: number;
  total?: number;
  message?: string;
}
