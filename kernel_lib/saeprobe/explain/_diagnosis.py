"""A written diagnosis per layer and SAE set: why the probe on the SAE code does as well as the raw
hidden states, or why not, in a label, one or two sentences with the numbers, and the figures they
rest on. The rules and thresholds are those of ``docs/reference/diagnosis.md``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from ..records import (
    DEFAULT_SET,
    Comparison,
    Diagnosis,
    LayerEntry,
    Sparsity,
    representation_name,
    split_representation,
)
from ._evidence import examples_to_settle

LABELS = ("no_gap", "selection", "dimensionality", "fidelity", "undetermined", "inconclusive")
# A gap within this of zero counts as none (about one test example in 50).
MARGIN = 0.02
# A code is task-blind when at least this share of the features active per example fire on
# (nearly) every example.
ALWAYS_ON_SHARE = 0.5
# A code is small when no more than this many features fire on any training example.
SMALL_UNION = 64
# Beyond this many times the test rows, the examples that would settle a gap are not worth a number.
FAR_BEYOND = 100
# What the evidence says of a gap between two probes: the other loses, holds (no gap beyond the
# margin), or the data leaves it open.
LOSES, HOLDS, OPEN = "loses", "holds", "open"


def diagnose(entry: LayerEntry, set_name: str = DEFAULT_SET) -> Diagnosis | None:
    """The diagnosis of ``entry`` for the SAE set ``set_name`` (its representations ``sae``,
    ``sae_topk_K``, ``pca_matched``, ``sae_reconstruction``, ``sae_error``, named for the set), or
    ``None`` when the layer has no code of that set. Reads test accuracies, their paired
    comparisons (a gap counts only when its interval says so; without comparisons, as in results
    written before 0.4, the point estimates decide) and the set's diagnostics."""
    scores = entry.scores
    name = partial(representation_name, set_name=set_name)
    if name("sae") not in scores or "raw" not in scores or set_name not in entry.saes:
        return None
    accuracy = {rep: metrics.test_accuracy for rep, metrics in scores.items()}
    raw, sae = accuracy["raw"], accuracy[name("sae")]
    diagnostics = entry.saes[set_name].diagnostics
    sparsity = diagnostics.sparsity
    evidence: dict[str, Any] = {
        "metric": "test_accuracy",
        "margin": MARGIN,
        "raw": raw,
        "sae": sae,
        "gap": raw - sae,
        "l0_mean": sparsity.l0_mean,
        "n_always_on": sparsity.n_always_on,
        "n_active_union_train": sparsity.n_active_union_train,
        "fvu": diagnostics.fidelity.fvu,
    }
    gap = entry.comparison("raw", name("sae"))
    if gap is not None:
        evidence.update(
            gap_low=gap.low, gap_high=gap.high, p_value=gap.p_value, n_test=gap.n_test, confidence=gap.confidence
        )
    topk = _largest_top_k(accuracy, name)
    if topk is not None:
        evidence["top_k"], evidence["top_k_accuracy"] = topk
    if name("pca_matched") in accuracy:
        evidence["pca_matched"] = accuracy[name("pca_matched")]
        evidence.update(_pca_choice(entry.baselines.get(name("pca_matched"), {}), sparsity))
    for part in ("reconstruction", "error"):
        if name(f"sae_{part}") in accuracy:
            evidence[part] = accuracy[name(f"sae_{part}")]

    random = _against_random(entry, name)
    evidence.update(random)
    found = _label(entry, name, evidence, gap, topk, sparsity)
    if evidence.get("pca_degenerate"):
        found.text += _degenerate_text(evidence)
    if random:
        found.text += _random_text(evidence)
    return found


def _pca_choice(choice: dict[str, Any], sparsity: Sparsity) -> dict[str, Any]:
    """The ``pca_matched`` baseline's size and whether it is degenerate: capped at the training
    rows or the width, it keeps every direction of the raw states there and tests nothing. Results
    written before 0.5 lack the flag; there a cap below the training-row union tells it."""
    k = choice.get("k")
    degenerate = choice.get("degenerate")
    if degenerate is None:
        degenerate = k is not None and k < sparsity.n_active_union_train
    return {"pca_k": k, "pca_degenerate": bool(degenerate), "pca_capped_by": choice.get("capped_by")}


def _label(
    entry: LayerEntry,
    name: Callable[[str], str],
    evidence: dict[str, Any],
    gap: Comparison | None,
    topk: tuple[int, float] | None,
    sparsity: Sparsity,
) -> Diagnosis:
    """The label and its text, by the rules of ``docs/reference/diagnosis.md`` in order."""

    def verdict(reference: str, other: str) -> str:
        return _verdict(entry, reference, other)

    found = verdict("raw", name("sae"))
    if found == OPEN:
        assert gap is not None  # without comparisons every verdict is settled
        evidence["examples_to_settle"] = examples_to_settle(gap, MARGIN)
        return Diagnosis("inconclusive", _inconclusive_text(evidence), evidence)
    if found == HOLDS:
        if topk is not None and verdict(name("sae"), name(f"sae_topk_{topk[0]}")) == LOSES:
            return Diagnosis("selection", _selection_text(evidence), evidence)
        return Diagnosis("no_gap", _no_gap_text(evidence), evidence)
    blind = sparsity.l0_mean > 0 and sparsity.n_always_on >= ALWAYS_ON_SHARE * sparsity.l0_mean
    small = sparsity.n_active_union_train <= SMALL_UNION
    usable_pca = "pca_matched" in evidence and not evidence["pca_degenerate"]
    if (blind or small) and usable_pca and verdict("raw", name("pca_matched")) == LOSES:
        return Diagnosis("dimensionality", _dimensionality_text(evidence, blind), evidence)
    if (
        "reconstruction" in evidence
        and "error" in evidence
        and verdict("raw", name("sae_reconstruction")) == LOSES
        and verdict("raw", name("sae_error")) != LOSES
    ):
        return Diagnosis("fidelity", _fidelity_text(evidence), evidence)
    return Diagnosis("undetermined", _undetermined_text(evidence), evidence)


def _against_random(entry: LayerEntry, name: Callable[[str], str]) -> dict[str, Any]:
    """The evidence of the ``sae_random`` control: the random SAE's accuracy and whether the
    trained code beats it (its gap over the random code's lies wholly above the margin); empty
    without the control."""
    random = name("sae_random")
    if random not in entry.scores:
        return {}
    evidence: dict[str, Any] = {
        "random": entry.scores[random].test_accuracy,
        "beats_random": _verdict(entry, name("sae"), random) == LOSES,
    }
    compared = entry.comparison(name("sae"), random)
    if compared is not None:
        evidence.update(random_gap=compared.gap, random_gap_low=compared.low, random_gap_high=compared.high)
    return evidence


def _random_text(e: dict[str, Any]) -> str:
    """A closing sentence saying whether training beat a random SAE of the same shape."""
    if "random_gap_low" in e:
        spread = (
            f"trained − random {e['random_gap']:.2f}, {e['confidence']:.0%} interval {e['random_gap_low']:.2f} to "
            f"{e['random_gap_high']:.2f}"
        )
    else:
        spread = f"trained − random {e['sae'] - e['random']:.2f}"
    if e["beats_random"]:
        return f" Training pays: a random SAE of the same shape scores {e['random']:.2f} ({spread})."
    if e.get("random_gap_high", 0.0) < -e["margin"]:
        return (
            f" A random SAE of the same architecture, width and norms does better, {e['random']:.2f} ({spread}): "
            "training made this code worse for the probe."
        )
    return (
        f" The trained SAE is not shown to beat a random one of its architecture, width and norms, which scores "
        f"{e['random']:.2f} ({spread}): what its probe reads, a random dictionary may read as well."
    )


def with_diagnosis(entry: LayerEntry) -> LayerEntry:
    """``entry`` with a diagnosis for each of its SAE sets that has none (results written before
    schema 1.4)."""
    for set_name in entry.saes:
        if set_name not in entry.diagnosis:
            found = diagnose(entry, set_name)
            if found is not None:
                entry.diagnosis[set_name] = found
    return entry


def _verdict(entry: LayerEntry, reference: str, other: str) -> str:
    """What the evidence says of ``other`` against ``reference``: :data:`LOSES` when the gap's
    interval lies wholly above the margin, :data:`HOLDS` when it lies wholly below it (``other``
    loses no more than the margin: the gap is inside ±margin, or ``other`` may do better),
    :data:`OPEN` when it reaches both sides. Without a comparison (results written before 0.4, or
    ``bootstrap=0``) the point estimate decides, as it did then."""
    compared = entry.comparison(reference, other)
    if compared is None:
        gap = entry.scores[reference].test_accuracy - entry.scores[other].test_accuracy
        return LOSES if gap > MARGIN + 1e-9 else HOLDS
    if compared.low > MARGIN + 1e-9:
        return LOSES
    if compared.high <= MARGIN + 1e-9:
        return HOLDS
    return OPEN


def _largest_top_k(accuracy: dict[str, float], name: Callable[[str], str]) -> tuple[int, float] | None:
    """The largest top-k size of the set whose names ``name`` makes, with its accuracy."""
    sizes = []
    for rep in accuracy:
        kind, _ = split_representation(rep)
        if kind.startswith("sae_topk_") and name(kind) == rep:
            sizes.append(int(kind.rsplit("_", 1)[1]))
    return (max(sizes), accuracy[name(f"sae_topk_{max(sizes)}")]) if sizes else None


def _interval(e: dict[str, Any]) -> str:
    """The gap and its interval in words, as a parenthesis after what precedes it; empty without
    an interval."""
    if "gap_low" not in e:
        return ""
    return (
        f" (gap {e['gap']:.2f}, {e['confidence']:.0%} interval {e['gap_low']:.2f} to {e['gap_high']:.2f} over "
        f"{e['n_test']} test examples)"
    )


def _gap_sentence(e: dict[str, Any]) -> str:
    """A closing sentence stating the gap to raw and its interval; empty without an interval."""
    if "gap_low" not in e:
        return ""
    return (
        f" The gap to raw is {e['gap']:.2f} ({e['confidence']:.0%} interval {e['gap_low']:.2f} to "
        f"{e['gap_high']:.2f} over {e['n_test']} test examples)."
    )


def _no_gap_text(e: dict[str, Any]) -> str:
    scores = f"its probe scores {e['sae']:.2f} against {e['raw']:.2f} on the raw states{_interval(e)}"
    if "gap_low" not in e:
        return f"The SAE code keeps the concept: {scores}; it lies within the {e['margin']:.2f} margin."
    if e["gap_high"] < -e["margin"]:
        return f"The SAE code keeps the concept and more: {scores}."
    if e["gap_low"] < -e["margin"]:
        return (
            f"The SAE code keeps the concept: {scores}; the interval lies below the {e['margin']:.2f} margin, so "
            "it loses no more than that, and it may do better."
        )
    return f"The SAE code keeps the concept: {scores}; the interval lies within the {e['margin']:.2f} margin."


def _inconclusive_text(e: dict[str, Any]) -> str:
    needed = e["examples_to_settle"]
    if needed is None:
        more = "the gap sits on the margin, so no number of test examples is sure to settle it"
    elif needed > FAR_BEYOND * e["n_test"]:
        more = (
            f"the gap lies so near the margin that only a test split over {FAR_BEYOND} times this one could settle it"
        )
    else:
        more = f"about {needed:,} test examples would settle it if the gap and its spread stay as observed"
    return (
        f"The SAE probe scores {e['sae']:.2f} against {e['raw']:.2f}{_interval(e)}: the interval reaches both "
        f"inside and beyond the {e['margin']:.2f} margin, so these test examples cannot tell a loss from none "
        f"(McNemar p = {e['p_value']:.2g}); {more}."
    )


def _selection_text(e: dict[str, Any]) -> str:
    return (
        f"The full code keeps the concept ({e['sae']:.2f}, raw {e['raw']:.2f}), but the {e['top_k']} best "
        f"features alone reach only {e['top_k_accuracy']:.2f}: the concept is spread over more features than a "
        "few."
    ) + _gap_sentence(e)


def _dimensionality_text(e: dict[str, Any], blind: bool) -> str:
    size = f" ({e['pca_k']} components)" if e.get("pca_k") is not None else ""
    pca = (
        f"PCA of the raw states to as many dimensions as features fire{size} also drops to "
        f"{e['pca_matched']:.2f} (raw {e['raw']:.2f}, SAE {e['sae']:.2f})."
    )
    if blind:
        per_example = round(e["l0_mean"])
        varying = max(per_example - e["n_always_on"], 0)
        return (
            f"{e['n_always_on']} of the {per_example} features active per example fire on every example, so the "
            f"code is close to a {max(varying, 1)}-dimensional, task-blind projection; {pca}"
        ) + _gap_sentence(e)
    return (
        f"Only {e['n_active_union_train']} features fire on any training example, so the code spans at most "
        f"{e['n_active_union_train']} dimensions; {pca}"
    ) + _gap_sentence(e)


def _fidelity_text(e: dict[str, Any]) -> str:
    return (
        f"The SAE's reconstruction loses the concept ({e['reconstruction']:.2f}, raw {e['raw']:.2f}) while its "
        f"error term, what the SAE leaves out, shows no loss the test examples can confirm ({e['error']:.2f}): the "
        f"SAE drops what the probe needs (FVU {e['fvu']:.2f} on these vectors)."
    ) + _gap_sentence(e)


def _degenerate_text(e: dict[str, Any]) -> str:
    """A sentence saying the PCA baseline is degenerate, and why."""
    cap = e.get("pca_capped_by") or "the training rows or the width"
    return (
        f" PCA baseline degenerate: its {e['pca_k']} components (the SAE's {e['n_active_union_train']} features on "
        f"the training rows, capped by {cap}) keep every direction of the raw states there, so pca_matched is the "
        "raw states themselves and decides no label."
    )


def _undetermined_text(e: dict[str, Any]) -> str:
    kept = []
    if "pca_matched" in e and not e["pca_degenerate"]:
        kept.append(f"PCA to the same size scores {e['pca_matched']:.2f}")
    if "reconstruction" in e:
        kept.append(f"the reconstruction {e['reconstruction']:.2f}")
    detail = f" ({', '.join(kept)})" if kept else ""
    return (
        f"The SAE probe loses: it scores {e['sae']:.2f} against {e['raw']:.2f}{_interval(e)}, but neither a small, "
        f"task-blind code nor the reconstruction explains it with confidence{detail}."
    )
