"""probe_layer: the sweep's probes and diagnostics for activations from anywhere."""

import numpy as np
import pytest

from saeprobe import extract, probe_layer
from saeprobe.errors import DataError
from saeprobe.sae import resolve_saes

pytestmark = pytest.mark.integration


def test_own_activations_get_the_sweeps_entry(tiny_result, tiny_model_dir, sae_dir, tmp_path):
    import saeprobe
    from builders import CORPUS

    texts = [f"{a} and {b}" for a in CORPUS for b in CORPUS[:6]]
    labels = ["pos" if ("charming" in t or "loved" in t or "brilliant" in t) else "neg" for t in texts]
    data = saeprobe.load_dataset(texts, labels, template="Review: {text}\nSentiment:")
    # Prepared as the SAEs' metadata asks, as the sweep prepared it.
    acts = extract(str(tiny_model_dir), data, saes=str(sae_dir), layers=[2], cache_dir=tmp_path, progress=False)
    sae = resolve_saes(str(sae_dir), [2], {2: "blocks.2.hook_resid_post"}, 32)[2].sae  # a plain SAELens SAE
    train, _ = data.train_test_masks(0.3, 0)
    entry = probe_layer(
        acts[2],
        data.y,
        train,
        sae=sae,
        classes=data.classes,
        layer=2,
        hook_name="blocks.2.hook_resid_post",
        settings=tiny_result.settings,
    )
    swept = tiny_result.layer(2)
    assert entry.scores == swept.scores and entry.baselines == swept.baselines
    assert entry.diagnostics.sparsity == swept.diagnostics.sparsity
    assert entry.diagnostics.features == swept.diagnostics.features


def test_raw_only_and_shape_errors():
    rng = np.random.default_rng(0)
    y = np.array([0, 1] * 20)
    raw = rng.normal(size=(40, 6)) + 2 * y[:, None]
    train = np.arange(40) < 28
    entry = probe_layer(raw, y, train, top_ks=(1,), Cs=(1.0,))
    assert set(entry.scores) == {"raw", "raw_topk_1", "raw_shuffled"} and entry.diagnostics is None
    assert set(probe_layer(raw, y, train, top_ks=(1,), Cs=(1.0,), controls=()).scores) == {"raw", "raw_topk_1"}
    assert entry.scores["raw"].test_accuracy > 0.8
    with pytest.raises(DataError, match="raw \\[n, d\\], y \\[n\\] and train \\[n\\]"):
        probe_layer(raw, y[:10], train)
