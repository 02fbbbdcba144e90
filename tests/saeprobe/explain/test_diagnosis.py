"""The written diagnosis: each label on constructed figures, and the seed's situation on a real sweep."""

import pytest

from saeprobe.explain import LABELS, diagnose, with_diagnosis
from saeprobe.records import (
    Comparison,
    Diagnostics,
    EffectiveDimension,
    Fidelity,
    Histogram,
    LayerEntry,
    Metrics,
    SAEInfo,
    SAESetLayer,
    Sparsity,
)


def entry(
    raw=0.80,
    sae=0.79,
    topk=0.78,
    pca=0.79,
    reconstruction=0.79,
    error=0.80,
    l0=16.0,
    always_on=0,
    union=300,
    fvu=0.1,
    random=None,
    pca_choice=None,
) -> LayerEntry:
    accuracies = {
        "raw": raw,
        "sae": sae,
        "sae_topk_16": topk,
        "sae_topk_1": 0.5,
        "pca_matched": pca,
        "sae_reconstruction": reconstruction,
        "sae_error": error,
        **({"sae_random": random} if random is not None else {}),
    }
    sparsity = Sparsity(
        n_features=1024,
        l0_mean=l0,
        l0_median=l0,
        l0_histogram=Histogram([0, 1], [1]),
        n_active_union=union,
        n_active_union_train=union,
        n_active_union_by_class={},
        always_on_threshold=0.99,
        n_always_on=always_on,
        always_on_ids=list(range(always_on)),
    )
    return LayerEntry(
        layer=2,
        hook_name="blocks.2.hook_resid_post",
        scores={
            name: Metrics(train_accuracy=1.0, test_accuracy=value, test_auc=value) for name, value in accuracies.items()
        },
        baselines={"pca_matched": pca_choice if pca_choice is not None else {"k": union}},
        saes={
            "sae": SAESetLayer(
                sae=SAEInfo("saes/layer_2", "topk", 64, 1024),
                diagnostics=Diagnostics(
                    sparsity=sparsity,
                    effective_dimension={"raw": EffectiveDimension(10, 5.0)},
                    fidelity=Fidelity(fvu=fvu, cosine_mean=0.9, relative_error=0.3),
                ),
            )
        },
    )


def test_no_gap_within_the_margin():
    found = diagnose(entry(raw=0.80, sae=0.785))
    assert found.label == "no_gap"
    assert "0.79 against 0.80" in found.text and found.evidence["gap"] == pytest.approx(0.015)


def test_selection_when_the_full_code_keeps_it_and_the_top_k_does_not():
    found = diagnose(entry(raw=0.80, sae=0.80, topk=0.70))
    assert found.label == "selection"
    assert "16 best features alone reach only 0.70" in found.text and found.evidence["top_k"] == 16


def test_dimensionality_on_a_task_blind_code_as_in_the_seed():
    found = diagnose(
        entry(raw=0.79, sae=0.57, topk=0.55, pca=0.58, reconstruction=0.55, error=0.79, always_on=15, union=40)
    )
    assert found.label == "dimensionality"
    assert found.text == (
        "15 of the 16 features active per example fire on every example, so the code is close to a "
        "1-dimensional, task-blind projection; PCA of the raw states to as many dimensions as features "
        "fire (40 components) also drops to 0.58 (raw 0.79, SAE 0.57)."
    )


def test_dimensionality_on_a_small_union():
    found = diagnose(entry(raw=0.79, sae=0.60, topk=0.60, pca=0.62, always_on=0, union=40))
    assert found.label == "dimensionality" and found.text.startswith("Only 40 features fire on any training example")


def test_a_small_code_whose_pca_keeps_the_concept_is_not_dimensionality():
    found = diagnose(
        entry(raw=0.79, sae=0.60, topk=0.60, pca=0.78, reconstruction=0.61, error=0.79, always_on=12, union=40)
    )
    assert found.label == "fidelity"


def test_fidelity_when_the_error_term_keeps_what_the_reconstruction_loses():
    found = diagnose(entry(raw=0.85, sae=0.70, topk=0.69, pca=0.85, reconstruction=0.68, error=0.84, fvu=0.35))
    assert found.label == "fidelity"
    assert "reconstruction loses the concept (0.68, raw 0.85) while its error term" in found.text
    assert "shows no loss the test examples can confirm (0.84)" in found.text
    assert "FVU 0.35" in found.text


def test_undetermined_when_nothing_explains_the_loss():
    found = diagnose(entry(raw=0.85, sae=0.70, topk=0.69, pca=0.84, reconstruction=0.83, error=0.84))
    assert found.label == "undetermined" and "PCA to the same size scores 0.84" in found.text


def test_no_sae_no_diagnosis_and_old_results_get_one():
    raw_only = LayerEntry(
        layer=0,
        hook_name="blocks.0.hook_resid_post",
        scores={"raw": Metrics(train_accuracy=1.0, test_accuracy=0.8, test_auc=0.8)},
    )
    assert diagnose(raw_only) is None and with_diagnosis(raw_only).diagnosis == {}
    old = entry(raw=0.80, sae=0.70, pca=0.80, reconstruction=0.79, error=0.80)
    assert with_diagnosis(old).diagnosis["sae"].label in LABELS


def test_a_named_set_is_read_from_its_own_representations():
    """The set 'task' reads sae:task, pca_matched:task, ...; the default set's figures do not leak in."""
    plain = entry(raw=0.79, sae=0.57, topk=0.55, pca=0.58, reconstruction=0.55, error=0.79, always_on=15, union=20)
    named = LayerEntry(
        layer=2,
        hook_name=plain.hook_name,
        scores={
            "raw": plain.scores["raw"],
            **{f"{name}:task": metrics for name, metrics in plain.scores.items() if name != "raw"},
        },
        baselines={"pca_matched:task": {"k": 20}},
        saes={"task": plain.saes["sae"]},
    )
    assert diagnose(named, "sae") is None
    found = diagnose(named, "task")
    assert found.label == "dimensionality" and found.evidence["pca_k"] == 20 and found.evidence["top_k"] == 16
    assert with_diagnosis(named).diagnosis == {"task": found}


@pytest.mark.integration
def test_every_layer_of_a_sweep_carries_its_diagnosis_through_json(tiny_result):
    from saeprobe import SweepResult

    for layer in tiny_result.layers:
        assert layer.diagnosis["sae"].label in LABELS and layer.diagnosis["sae"].text
    again = SweepResult.from_json(tiny_result.to_json())
    assert [layer.diagnosis["sae"] for layer in again.layers] == [
        layer.diagnosis["sae"] for layer in tiny_result.layers
    ]


def with_intervals(found: LayerEntry, half_width: float, n_test: int = 106) -> LayerEntry:
    """``found`` with a paired comparison of raw (and of the code) against every representation,
    each gap's interval ``half_width`` on either side of it."""
    accuracy = {name: metrics.test_accuracy for name, metrics in found.scores.items()}
    pairs = [("raw", name) for name in accuracy if name != "raw"]
    pairs += [("sae", name) for name in accuracy if name not in ("raw", "sae")]
    for reference, other in pairs:
        gap = accuracy[reference] - accuracy[other]
        found.comparisons.append(
            Comparison(reference, other, gap, gap - half_width, gap + half_width, half_width / 1.96, 0.2, n_test)
        )
    return found


@pytest.mark.parametrize(
    "figures, half_width, label",
    [
        ({"raw": 0.80, "sae": 0.79}, 0.005, "no_gap"),  # the interval lies inside ±0.02
        ({"raw": 0.80, "sae": 0.79}, 0.05, "inconclusive"),  # too wide to tell
        ({"raw": 0.80, "sae": 0.95, "topk": 0.95}, 0.05, "no_gap"),  # wholly below -0.02: the SAE does better
        ({"raw": 0.80, "sae": 0.81}, 0.03, "no_gap"),  # wholly below +0.02: no loss, perhaps a gain
        ({"raw": 0.90, "sae": 0.70, "pca": 0.70, "always_on": 12}, 0.05, "dimensionality"),
        ({"raw": 0.90, "sae": 0.70, "pca": 0.88, "always_on": 12}, 0.05, "undetermined"),  # PCA's gap is open
        ({"raw": 0.90, "sae": 0.70, "reconstruction": 0.70, "error": 0.90}, 0.01, "fidelity"),
        ({"raw": 0.90, "sae": 0.70, "reconstruction": 0.70, "error": 0.88}, 0.05, "fidelity"),  # error's is open
        ({"raw": 0.90, "sae": 0.70, "reconstruction": 0.70, "error": 0.80}, 0.05, "undetermined"),  # error loses too
        ({"raw": 0.90, "sae": 0.70, "reconstruction": 0.86, "error": 0.90}, 0.05, "undetermined"),  # open loss
        ({"raw": 0.80, "sae": 0.80, "topk": 0.60}, 0.01, "selection"),
    ],
)
def test_a_gap_counts_only_when_its_interval_says_so(figures, half_width, label):
    found = diagnose(with_intervals(entry(**figures), half_width))
    assert found.label == label
    assert f"interval {found.evidence['gap_low']:.2f} to {found.evidence['gap_high']:.2f}" in found.text


def test_no_loss_says_whether_the_code_may_do_better():
    inside = diagnose(with_intervals(entry(raw=0.80, sae=0.79), 0.005)).text
    below = diagnose(with_intervals(entry(raw=0.80, sae=0.81), 0.03)).text
    better = diagnose(with_intervals(entry(raw=0.80, sae=0.95, topk=0.95), 0.05)).text
    assert "the interval lies within the 0.02 margin" in inside
    assert "it loses no more than that, and it may do better" in below
    assert "keeps the concept and more" in better


def test_an_inconclusive_gap_says_how_many_test_examples_would_settle_it():
    found = diagnose(with_intervals(entry(raw=0.80, sae=0.76), 0.05))
    assert found.label == "inconclusive"
    needed = found.evidence["examples_to_settle"]
    assert needed > 106 and f"about {needed:,} test examples would settle it" in found.text
    assert "McNemar p = 0.2" in found.text
    near = diagnose(with_intervals(entry(raw=0.80, sae=0.7805), 0.05))
    assert "only a test split over 100 times this one could settle it" in near.text
    on_the_margin = diagnose(with_intervals(entry(raw=0.80, sae=0.78), 0.05))
    assert on_the_margin.label == "inconclusive" and on_the_margin.evidence["examples_to_settle"] is None
    assert "no number of test examples is sure to settle it" in on_the_margin.text


def test_without_comparisons_the_point_estimates_decide_as_before():
    assert diagnose(entry(raw=0.80, sae=0.79)).label == "no_gap"
    assert "inconclusive" not in {diagnose(entry(raw=0.9, sae=s)).label for s in (0.5, 0.7, 0.85, 0.89)}
    assert "interval" not in diagnose(entry(raw=0.80, sae=0.79)).text


def test_the_diagnosis_says_whether_training_beat_a_random_sae_of_the_same_shape():
    loses_to_raw = {"raw": 0.90, "sae": 0.70, "pca": 0.70, "always_on": 12}
    no_better = diagnose(with_intervals(entry(**loses_to_raw, random=0.69), 0.03))
    assert no_better.label == "dimensionality" and no_better.evidence["beats_random"] is False
    assert "is not shown to beat a random one of its architecture, width and norms, which scores 0.69" in no_better.text
    assert "trained − random 0.01, 95% interval -0.02 to 0.04" in no_better.text
    better = diagnose(with_intervals(entry(**loses_to_raw, random=0.55), 0.03))
    assert better.evidence["beats_random"] is True and "Training pays: a random SAE of the same shape scores 0.55" in (
        better.text
    )
    assert "random" not in diagnose(entry(**loses_to_raw)).evidence
    worse = diagnose(with_intervals(entry(**loses_to_raw, random=0.85), 0.03))
    assert "A random SAE of the same architecture, width and norms does better, 0.85" in worse.text


def test_a_degenerate_pca_baseline_is_said_and_decides_no_label():
    """The demo's case: 500 features fire on 246 training rows, so PCA keeps all 246 directions and
    scores as raw does; without it, a task-blind code that loses is no `dimensionality`."""
    degenerate = {"k": 246, "n_active_union_train": 500, "degenerate": True, "capped_by": "the training rows"}
    found = diagnose(entry(sae=0.60, pca=0.60, l0=16.0, always_on=12, union=500, pca_choice=degenerate))
    assert found.label != "dimensionality" and found.evidence["pca_degenerate"] is True
    assert found.text.endswith(
        "PCA baseline degenerate: its 246 components (the SAE's 500 features on the training rows, capped by the "
        "training rows) keep every direction of the raw states there, so pca_matched is the raw states themselves "
        "and decides no label."
    )
    # Results written before the flag: a cap below the training-row union tells.
    old = diagnose(entry(sae=0.60, pca=0.60, l0=16.0, always_on=12, union=500, pca_choice={"k": 246}))
    assert old.label != "dimensionality" and "capped by the training rows or the width" in old.text
    # The same figures with a real reduction are the seed's finding.
    reduced = {"k": 40, "degenerate": False}
    real = diagnose(entry(sae=0.60, pca=0.60, l0=16.0, always_on=12, union=40, pca_choice=reduced))
    assert real.label == "dimensionality" and "degenerate" not in real.text
