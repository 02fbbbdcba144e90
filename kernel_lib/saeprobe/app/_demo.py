"""``saeprobe demo``: the whole story offline — an embedded model, embedded data, SAEs trained here
on the task's own sentences and on general text, one sweep comparing both SAE sets with diagnostics,
one offline report.

Two settings: MiniLM-L6, an encoder whose mean-pooled tokens embed a sentence, and SmolLM2-135M,
a decoder read at the last token of a prompt around each review — the setting of the experiment
saeprobe was made for.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import SAETrainingSettings
from ..errors import SaeprobeError, SaeprobeWarning
from ..explain import FAR_BEYOND

if TYPE_CHECKING:
    from ..sweeps import SweepResult

DEMO_TOP_KS = (1, 5, 16)


@dataclass(frozen=True)
class DemoSetting:
    """How the demo reads one embedded model: the prompt around each text, the pooling, the
    layers swept unless the user picks others, and the SAEs trained for it."""

    model: str
    description: str
    template: str | None
    pooling: str
    sae_settings: SAETrainingSettings
    layers: str = "all"


# Small enough that a first run fits in minutes on two CPU cores.
DEMO_SETTINGS = {
    "minilm": DemoSetting(
        model="minilm",
        description="MiniLM-L6 (encoder) mean-pooled",
        template=None,
        pooling="mean",
        sae_settings=SAETrainingSettings(architecture="topk", width=512, k=16, steps=300),
    ),
    "smollm2": DemoSetting(
        model="smollm2",
        description="SmolLM2-135M (decoder) at the last prompt token",
        template="Review: {text}\nSentiment:",
        pooling="last",
        sae_settings=SAETrainingSettings(architecture="topk", width=1536, k=16, steps=300),
    ),
}


@dataclass
class DemoResult:
    """The demo's sweep: the setting, each SAE set's description by set name (what it was trained
    on and how, as the report's header says it), the result comparing them and its offline report."""

    setting: DemoSetting
    sae_training_texts: dict[str, str]
    result: SweepResult
    report: Path
    seconds: float = 0.0


def run_demo(
    out: str | Path = "demo.html",
    model: str = "minilm",
    layers: str | None = None,
    cache_dir: str | Path | None = None,
    device: str = "cpu",
    progress: bool = True,
) -> DemoResult:
    """Sweep an embedded ``model`` (``minilm`` or ``smollm2``) on the demo sentences with two SAE
    sets, one trained on the task's training prompts (``task``) and one on general prose
    (``general``), in one sweep, and write one offline report comparing them (``out``). ``layers``
    narrows the sweep (e.g. ``"0-29:3"``). SAEs, activations and results are cached, so reruns are
    quick. Raises :class:`SaeprobeError` for an unknown model name."""
    # Imported here: the CLI reads DEMO_SETTINGS for its help without loading torch.
    from ..data import demo_dataset, general_sentences
    from ..sae import train_saes
    from ..sweeps import sweep

    if model not in DEMO_SETTINGS:
        raise SaeprobeError(f"the demo has no model {model!r}; choose one of {sorted(DEMO_SETTINGS)}")
    setting = DEMO_SETTINGS[model]
    started = time.perf_counter()
    data = demo_dataset(template=setting.template)
    train, _ = data.train_test_masks(test_size=0.3, seed=0)
    task_prompts = [prompt for prompt, keep in zip(data.prompts, train, strict=True) if keep]
    plans = {"task": (task_prompts, f"the {len(task_prompts)} training sentences of the demo task (no labels)")}
    general = general_sentences()
    if general:
        plans["general"] = (general, f"{len(general)} prose sentences of Python's bundled documentation")
    options: dict[str, Any] = {
        "layers": layers or setting.layers,
        "cache_dir": cache_dir,
        "device": device,
        "progress": progress,
    }
    with warnings.catch_warnings():
        # The task's few sentences are passed over many times on purpose (a demo that runs in a
        # minute); each set's description below says how many, so the warning would only alarm.
        warnings.filterwarnings(
            "ignore", message="SAE training: .* passes over the same tokens", category=SaeprobeWarning
        )
        directories = {
            name: str(train_saes(setting.model, texts, settings=setting.sae_settings, **options).directory)
            for name, (texts, _) in plans.items()
        }
    swept = sweep(setting.model, directories, data, pooling=setting.pooling, top_ks=DEMO_TOP_KS, **options)
    # The header and the CLI name each set by what it saw, then how it was trained.
    swept.sae_sets = {name: f"SAEs trained on {text}; {swept.sae_sets[name]}" for name, (_, text) in plans.items()}
    report = swept.to_html(Path(out))
    return DemoResult(setting, dict(swept.sae_sets), swept, report, time.perf_counter() - started)


def describe(demo: DemoResult) -> str:
    """The text ``saeprobe demo`` prints: what each SAE set saw, the per-layer table, the
    diagnoses, the mean accuracies and the report."""
    import numpy as np

    result = demo.result
    lines = [f"{demo.setting.description}, {result.n_train} train / {result.n_test} test sentences."]
    for name, text in demo.sae_training_texts.items():
        lines += [f"SAE set {name!r}: {text}", result.summary(sae_set=name).round(3).to_string(), ""]
    lines += [result.diagnosis_text(), _conclusive_line(result), ""]
    accuracy = result.table("test_accuracy")
    means = ", ".join(f"{name} {np.mean(accuracy[f'sae:{name}']):.3f}" for name in demo.sae_training_texts)
    lines.append(f"Mean test accuracy over layers: SAE sets {means}; raw hidden states {np.mean(accuracy['raw']):.3f}.")
    if "general" not in demo.sae_training_texts:
        lines.append("No general text is available offline in this Python, so only task-trained SAEs were used.")
    lines.append(f"report: {demo.report.resolve()}")
    lines.append(f"demo finished in {demo.seconds:.1f} s")
    return "\n".join(lines)


def _conclusive_line(result: SweepResult) -> str:
    """How many of the diagnoses the test split settles, and how many test examples would settle
    the rest."""
    found = [diagnosis for entry in result.layers for diagnosis in entry.diagnosis.values()]
    open_ = [d for d in found if d.label == "inconclusive"]
    line = f"At {result.n_test} test examples, {len(found) - len(open_)} of {len(found)} findings are conclusive"
    limit = FAR_BEYOND * result.n_test
    needed = sorted(
        d.evidence["examples_to_settle"] for d in open_ if 0 < (d.evidence.get("examples_to_settle") or 0) <= limit
    )
    if not open_:
        return line + "."
    if not needed:
        return line + f"; {len(open_)} are inconclusive."
    span = f"{needed[0]:,}" if needed[0] == needed[-1] else f"{needed[0]:,} to {needed[-1]:,}"
    rest = len(open_) - len(needed)
    beyond = f" ({rest} lie too near the margin to settle)" if rest else ""
    settle = f"settling {len(needed)} of the {len(open_)} inconclusive ones would take about {span} test examples"
    return f"{line}; {settle}{beyond}."
