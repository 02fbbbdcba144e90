import type { LayerEntry, SweepResult } from "../src/schema";

export function layerEntry(layer: number, raw: number, sae: number, nActive: number): LayerEntry {
  return {
    layer,
    hook_name: `blocks.${layer}.hook_resid_post`,
    sae: { source: "dir", architecture: "standard", d_sae: 64 },
    scores: {
      raw: { train_accuracy: raw + 0.05, test_accuracy: raw, test_auc: raw + 0.02 },
      sae: { train_accuracy: sae + 0.05, test_accuracy: sae, test_auc: null },
      sae_topk_16: { train_accuracy: 0.6, test_accuracy: 0.55, test_auc: 0.6 },
      sae_topk_2: { train_accuracy: 0.6, test_accuracy: 0.5, test_auc: 0.6 },
      raw_topk_1: { train_accuracy: 0.6, test_accuracy: 0.52, test_auc: 0.6 },
      pca_matched: { train_accuracy: 0.7, test_accuracy: 0.65, test_auc: 0.7 },
    },
    diagnostics: {
      sparsity: {
        n_features: 64, l0_mean: nActive / 2, l0_median: 2, l0_histogram: { edges: [0, 1, 2, 3], counts: [1, 4, 2] },
        n_active_union: nActive, n_active_union_by_class: { neg: nActive, pos: nActive }, always_on_threshold: 0.99,
        n_always_on: 2, always_on_ids: [3, 17],
      },
      effective_dimension: { raw: { rank: 32, participation_ratio: 5.5 }, sae: { rank: 2, participation_ratio: 1.2 } },
      fidelity: { fvu: 0.25, cosine_mean: 0.9, relative_error: 0.4 },
      features: [
        { feature: 3, separation: 0.2, neuronpedia_url: null, "firing_rate:neg": 1, "firing_rate:pos": 1 },
        { feature: 9, separation: 0.5, neuronpedia_url: "https://www.neuronpedia.org/m/1/9", "firing_rate:neg": 0.1, "firing_rate:pos": 0.7 },
        { feature: 1, separation: 0.2, neuronpedia_url: null, "firing_rate:neg": 0.3, "firing_rate:pos": 0.4 },
      ],
    },
  };
}

export function sweepResult(): SweepResult {
  return {
    schema_version: "1.1",
    model: { name: "/models/tiny", n_layers: 3, d_model: 32 },
    dataset: { name: "sst2", n_examples: 100, n_truncated: 0 },
    settings: { hook: "resid_post", pooling: "last" },
    classes: ["neg", "pos"],
    n_train: 70,
    n_test: 30,
    layers: [layerEntry(2, 0.8, 0.75, 120), layerEntry(0, 0.7, 0.55, 4), layerEntry(1, 0.75, 0.6, 30)],
  };
}
