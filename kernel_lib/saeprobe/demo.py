"""``saeprobe demo``: the whole story offline — an embedded model, embedded data, SAEs trained here
on general text and on the task's own sentences, sweeps with diagnostics, offline reports.

Two settings: MiniLM-L6, an encoder whose mean-pooled tokens embed a sentence, and SmolLM2-135M,
a decoder read at the last token of a prompt around each review — the setting of the experiment
saeprobe was made for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from .errors import SaeprobeError
from .settings import SAETrainingSettings

if TYPE_CHECKING:
    from .result import SweepResult

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
        sae_settings=SAETrainingSettings(architecture="topk", width=1024, k=16, steps=300),
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
class DemoRun:
    """One sweep of the demo: which SAEs it used, what they saw, its result and report."""

    name: str
    sae_training_text: str
    result: SweepResult
    report: Path


@dataclass
class DemoResult:
    setting: DemoSetting
    runs: list[DemoRun] = field(default_factory=list)
    seconds: float = 0.0


def run_demo(
    out: str | Path = "demo.html",
    model: str = "minilm",
    layers: str | None = None,
    cache_dir: str | Path | None = None,
    device: str = "cpu",
    progress: bool = True,
) -> DemoResult:
    """Sweep an embedded ``model`` (``minilm`` or ``smollm2``) on the demo sentences twice: with
    SAEs trained on general prose and with SAEs trained on the task's training prompts; write one
    offline report per sweep (``out`` and ``<out stem>-general.html``). ``layers`` narrows the
    sweep (e.g. ``"0-29:3"``). SAEs, activations and results are cached, so reruns are quick.
    Raises :class:`SaeprobeError` for an unknown model name."""
    # Imported here: the CLI reads DEMO_SETTINGS for its help without loading torch.
    from .embedded import demo_dataset, general_sentences
    from .layer_sweep import sweep
    from .training import train_saes

    if model not in DEMO_SETTINGS:
        raise SaeprobeError(f"the demo has no model {model!r}; choose one of {sorted(DEMO_SETTINGS)}")
    setting = DEMO_SETTINGS[model]
    started = time.perf_counter()
    data = demo_dataset(template=setting.template)
    train, _ = data.train_test_masks(test_size=0.3, seed=0)
    task_prompts = [prompt for prompt, keep in zip(data.prompts, train) if keep]
    plans = [("task", task_prompts, f"the {len(task_prompts)} training sentences of the demo task (no labels)")]
    general = general_sentences()
    if general:
        plans.append(("general", general, f"{len(general)} prose sentences of Python's bundled documentation"))
    out = Path(out)
    result = DemoResult(setting)
    options: dict[str, Any] = {"layers": layers or setting.layers, "cache_dir": cache_dir, "device": device, "progress": progress}
    for name, texts, description in plans:
        trained = train_saes(setting.model, texts, settings=setting.sae_settings, **options)
        swept = sweep(setting.model, str(trained.directory), data, pooling=setting.pooling, top_ks=DEMO_TOP_KS, **options)
        report = out if name == "task" else out.with_name(f"{out.stem}-{name}{out.suffix or '.html'}")
        result.runs.append(DemoRun(name, description, swept, swept.to_html(report)))
    result.seconds = time.perf_counter() - started
    return result


def describe(demo: DemoResult) -> str:
    """The text ``saeprobe demo`` prints: what the SAEs saw, the per-layer tables, the reports."""
    import numpy as np

    lines = []
    for run in demo.runs:
        result = run.result
        lines += [
            f"SAEs trained on {run.sae_training_text}; {demo.setting.description}, "
            f"{result.n_train} train / {result.n_test} test sentences:",
            result.summary().round(3).to_string(),
            "",
            result.diagnosis_text(),
            "",
        ]
    if len(demo.runs) == 2:
        task, general = (run.result.table("test_accuracy")["sae"] for run in demo.runs)
        lines.append(
            f"Mean SAE test accuracy over layers: task-trained {np.mean(task):.3f}, general-text {np.mean(general):.3f}; "
            f"raw hidden states {np.mean(demo.runs[0].result.table('test_accuracy')['raw']):.3f}."
        )
    else:
        lines.append("No general text is available offline in this Python, so only task-trained SAEs were used.")
    lines += [f"report: {run.report.resolve()}" for run in demo.runs]
    lines.append(f"demo finished in {demo.seconds:.1f} s")
    return "\n".join(lines)
