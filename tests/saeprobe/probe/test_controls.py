"""The controls: shuffled training labels, random raw directions, and the leakage check on them."""

import numpy as np
import pytest

from saeprobe import plugins
from saeprobe.probe import probe_layer
from saeprobe.probe._controls import (
    LEAK_P,
    leak_check,
    leak_warnings,
    random_directions,
    relabelled,
    shuffled_training_labels,
)


def test_shuffling_moves_only_training_labels_and_keeps_their_counts():
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1])
    train = np.arange(10) < 7
    shuffled = shuffled_training_labels(y, train, seed=0)
    assert (shuffled[~train] == y[~train]).all()
    assert np.bincount(shuffled[train]).tolist() == np.bincount(y[train]).tolist()
    assert (shuffled == shuffled_training_labels(y, train, seed=0)).all()
    many = np.arange(200) % 2
    assert not (shuffled_training_labels(many, np.ones(200, bool), 0) == many).all()


def test_random_directions_are_centred_on_the_training_rows_and_unit_length():
    rng = np.random.default_rng(0)
    states = rng.normal(size=(50, 8)) + 5
    train = np.arange(50) < 30
    projected = random_directions(states, 3, train, seed=1)
    assert projected.shape == (50, 3)
    assert np.allclose(projected[train].mean(axis=0), 0)
    # A projection of an unchanged vector along unit directions: the first row's length bounds it.
    centred = states - states[train].mean(axis=0)
    assert np.linalg.norm(projected[0]) <= np.linalg.norm(centred[0]) * np.sqrt(3) + 1e-9
    assert not np.allclose(projected, random_directions(states, 3, train, seed=2))


def test_relabellings_cycle_the_training_classes_and_an_equivariant_answer_averages_chance():
    y = np.array([0, 1, 2, 2, 1, 0, 2])
    train = np.arange(7) < 5
    cycled = relabelled(y, train, 3)
    assert [labels[:5].tolist() for labels in cycled] == [[0, 1, 2, 2, 1], [1, 2, 0, 0, 2], [2, 0, 1, 1, 0]]
    assert all((labels[5:] == y[5:]).all() for labels in cycled)
    # A probe whose answers follow its labels is right on each test row in exactly one relabelling.
    truth = np.array([0, 2, 1, 1])
    answers = [np.array([1, 1, 0, 2]) + shift for shift in range(3)]
    check = leak_check([(found % 3) == truth for found in answers], 3)
    assert check["relabelled_accuracy"] == pytest.approx(1 / 3) and check["chance"] == pytest.approx(1 / 3)
    assert check["p_value"] > 0.5 and leak_warnings({"raw_shuffled": check}) == []
    knew = leak_check([truth == truth] * 3, 3)
    assert knew["relabelled_accuracy"] == 1.0 and knew["p_value"] < LEAK_P
    assert leak_warnings({"raw_shuffled": knew})[0].startswith("raw_shuffled: the probe refitted on shuffled")


@pytest.fixture
def rule_probe():
    """The RuleProbe of tests/builders.py registered as the probe plugin ``rule``."""
    plugins.BUILTINS["probes"]["rule"] = "builders:RuleProbe"
    plugins.refresh()
    yield "rule"
    del plugins.BUILTINS["probes"]["rule"]
    plugins.refresh()


def signal(n=200, d=6, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    raw = rng.normal(size=(n, d))
    raw[:, 0] += 3 * (2 * y - 1)
    return raw, y, rng.random(n) < 0.6


def test_the_shuffled_label_control_catches_a_probe_that_knew_the_answers(rule_probe):
    raw, y, train = signal()
    entry = probe_layer(raw, y, train, probe=rule_probe, top_ks=(1,), Cs=(1.0,))
    assert entry.scores["raw_shuffled"].test_accuracy > 0.9
    assert entry.baselines["raw_shuffled"]["relabelled_accuracy"] > 0.9
    assert len(entry.warnings) == 1 and entry.warnings[0].startswith("raw_shuffled: the probe refitted on shuffled")
    assert "leakage" in entry.warnings[0] and "overfitting" in entry.warnings[0]


def test_an_honest_probe_on_shuffled_labels_sits_at_chance_and_raises_nothing():
    raw, y, train = signal()
    entries = [probe_layer(raw, y, train, top_ks=(1,), Cs=(0.1, 1.0), seed=seed) for seed in range(5)]
    assert all(entry.scores["raw"].test_accuracy > 0.95 for entry in entries)
    # One shuffle may land far from chance on so easy a concept; its relabellings average chance.
    checks = [entry.baselines["raw_shuffled"] for entry in entries]
    assert all(abs(check["relabelled_accuracy"] - 0.5) < 0.02 for check in checks)
    assert not any(entry.warnings for entry in entries)
    assert checks[0]["seed"] == 0 and checks[0]["chance"] == 0.5
