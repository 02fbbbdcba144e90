// Types of the sweep result JSON (docs/result-schema.md, schema 1.x). The widget reads only this.

export interface Metrics {
  train_accuracy: number | null;
  test_accuracy: number | null;
  test_auc: number | null;
  cv_accuracy_mean?: number | null;
  cv_accuracy_std?: number | null;
  C?: number;
}

export interface Sparsity {
  n_features: number;
  l0_mean: number;
  l0_median: number;
  l0_histogram: { edges: number[]; counts: number[] };
  n_active_union: number;
  n_active_union_by_class: Record<string, number>;
  always_on_threshold: number;
  n_always_on: number;
  always_on_ids: number[];
}

export interface EffectiveDimension {
  rank: number;
  participation_ratio: number;
}

export interface FeatureRow {
  feature: number;
  separation: number;
  neuronpedia_url: string | null;
  [column: string]: number | string | null;
}

export interface Diagnostics {
  sparsity: Sparsity;
  effective_dimension: { raw: EffectiveDimension; sae: EffectiveDimension };
  fidelity: { fvu: number | null; cosine_mean: number | null; relative_error: number | null };
  features: FeatureRow[];
}

export interface LayerEntry {
  layer: number;
  hook_name: string;
  sae: { source: string; architecture: string; d_sae: number; neuronpedia_id?: string | null } | null;
  scores: Record<string, Metrics>;
  diagnostics?: Diagnostics;
}

export interface SweepResult {
  schema_version: string;
  model: { name: string; n_layers: number; d_model: number };
  dataset: { name: string; n_examples: number; n_truncated: number };
  settings: { hook: string; pooling: string };
  classes: (string | number)[];
  n_train: number;
  n_test: number;
  layers: LayerEntry[];
}

export interface Progress {
  stage?: string;
  done?: number;
  total?: number;
  message?: string;
}
