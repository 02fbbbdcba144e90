"""Controls: representations built to do worse than what they control for, so a result can fail.

- ``shuffled_labels``: the raw and SAE probes refitted on the training labels in a random order
  (``raw_shuffled``, ``sae_shuffled``). One shuffle keeps a chance correlation with the true
  labels, which an easy concept turns into a test accuracy far from chance in either direction;
  so the shuffle is refitted once more per class with its classes cycled, and a probe that learns
  only from its labels averages exactly chance over those refits. A probe that does not (test
  labels reaching the fit, choices tuned on the test rows) averages above it, and the layer gets
  a warning.
- ``sae_random``: the codes of a random SAE of each set's shape (see :mod:`saeprobe.sae`).
- ``raw_random_k``: the states the set's SAE read, projected on as many random directions as the
  set's features fire on the training rows: a dense code of the SAE's size that knows nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# A shuffled-label control warns when its relabelled refits average more than LEAK_MARGIN above
# chance with a binomial p-value below LEAK_P: strict, since a sweep makes many such checks, and a
# probe that learns only from its labels averages chance exactly, or nearly (its cross-validation
# folds may differ between relabellings).
LEAK_P = 0.001
LEAK_MARGIN = 0.02
# Seeds of the controls' random draws, offset from the sweep's seed so each draw is its own.
SHUFFLE_SEED, DIRECTIONS_SEED = 1, 2


def shuffled_training_labels(y: np.ndarray, train: np.ndarray, seed: int) -> np.ndarray:
    """``y`` with the training rows' labels in a random order (from ``seed``); the test rows keep
    theirs, so a probe fitted on it is scored against the true test labels."""
    shuffled = np.array(y, copy=True)
    shuffled[train] = np.random.default_rng([seed, SHUFFLE_SEED]).permutation(y[train])
    return shuffled


def random_directions(states: np.ndarray, k: int, train: np.ndarray, seed: int) -> np.ndarray:
    """``states`` (centred on the training rows) projected on ``k`` random unit directions (from
    ``seed``), ``[n_examples, k]``."""
    generator = np.random.default_rng([seed, DIRECTIONS_SEED])
    directions = generator.standard_normal((states.shape[1], k))
    directions /= np.linalg.norm(directions, axis=0, keepdims=True)
    return (states - states[train].mean(axis=0)) @ directions


def relabelled(y: np.ndarray, train: np.ndarray, n_classes: int) -> list[np.ndarray]:
    """``y`` with its training labels' classes cycled by 0, 1, ..., ``n_classes − 1`` (class ``c``
    becomes ``c + j`` mod ``n_classes``); the test rows keep theirs. A probe that learns only from
    its training labels moves its answers with them, so over the ``n_classes`` refits each test
    row is answered right exactly once (see :func:`leak_check`)."""
    found = []
    for shift in range(n_classes):
        labels = np.array(y, copy=True)
        labels[train] = (y[train] + shift) % n_classes
        found.append(labels)
    return found


def leak_check(correct: Sequence[np.ndarray], n_classes: int) -> dict[str, float]:
    """What the refits on a shuffle's relabellings (see :func:`relabelled`; ``correct`` holds each
    refit's right answers on the test rows) say of leakage: their mean test accuracy, the
    ``1 / n_classes`` it equals for a probe that learns only from its training labels, and the
    one-sided binomial p-value of the pooled right answers against it."""
    from scipy.stats import binom

    hits = int(sum(int(np.sum(found)) for found in correct))
    trials = int(sum(len(found) for found in correct))
    chance = 1 / n_classes
    return {
        "relabelled_accuracy": hits / trials if trials else float("nan"),
        "chance": chance,
        "p_value": float(binom.sf(hits - 1, trials, chance)) if trials else 1.0,
    }


def leak_warnings(checks: dict[str, dict[str, float]], margin: float = LEAK_MARGIN) -> list[str]:
    """A warning for each shuffled-label control whose :func:`leak_check` (by representation name)
    lies above chance: by more than ``margin`` and with a p-value below :data:`LEAK_P`."""
    found = []
    for name, check in checks.items():
        accuracy, chance, p = check["relabelled_accuracy"], check["chance"], check["p_value"]
        if p < LEAK_P and accuracy > chance + margin:
            found.append(
                f"{name}: the probe refitted on shuffled training labels, and on the same labels with their classes "
                f"cycled, averages {accuracy:.2f} on the test rows, above the {chance:.2f} a probe that learns only "
                f"from its labels averages (binomial p = {p:.1g}). Its answers do not come from the training labels "
                "alone: test labels reach the fit (leakage), or something was chosen on the test rows (overfitting "
                "to them). Check the split and the probe before reading this layer's scores."
            )
    return found
