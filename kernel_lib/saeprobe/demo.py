"""``saeprobe demo``: the whole story offline — an embedded encoder, embedded data, SAEs trained
here on general text and on the task's own sentences, sweeps with diagnostics, offline reports."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .embedded import demo_dataset, general_sentences, minilm_directory
from .result import SweepResult
from .layer_sweep import sweep
from .training import SAETrainingSettings, train_saes

# Small enough that a first run fits in a few minutes on two CPU cores.
DEMO_SAE_SETTINGS = SAETrainingSettings(architecture="topk", width=1024, k=16, steps=300)
DEMO_TOP_KS = (1, 5, 16)


@dataclass
class DemoRun:
    """One sweep of the demo: which SAEs it used, what they saw, its result and report."""

    name: str
    sae_training_text: str
    result: SweepResult
    report: Path


@dataclass
class DemoResult:
    runs: list[DemoRun] = field(default_factory=list)
    seconds: float = 0.0


def run_demo(out: str | Path = "demo.html", cache_dir: str | Path | None = None, progress: bool = True) -> DemoResult:
    """Sweep MiniLM-L6 on the demo sentences twice: with SAEs trained on general prose and with
    SAEs trained on the task's training sentences; write one offline report per sweep
    (``out`` and ``<out stem>-general.html``). SAEs and results are cached, so reruns are quick."""
    started = time.perf_counter()
    model = str(minilm_directory())
    data = demo_dataset()
    train, _ = data.train_test_masks(test_size=0.3, seed=0)
    task_texts = [text for text, keep in zip(data.texts, train) if keep]
    plans = [("task", task_texts, f"the {len(task_texts)} training sentences of the demo task (no labels)")]
    general = general_sentences()
    if general:
        plans.append(("general", general, f"{len(general)} prose sentences of Python's bundled documentation"))
    out = Path(out)
    result = DemoResult()
    for name, texts, description in plans:
        trained = train_saes(model, texts, settings=DEMO_SAE_SETTINGS, cache_dir=cache_dir, progress=progress)
        swept = sweep(model, str(trained.directory), data, top_ks=DEMO_TOP_KS, cache_dir=cache_dir, progress=progress)
        report = out if name == "task" else out.with_name(f"{out.stem}-{name}{out.suffix or '.html'}")
        result.runs.append(DemoRun(name, description, swept, swept.to_html(report)))
    result.seconds = time.perf_counter() - started
    return result


def describe(demo: DemoResult) -> str:
    """The text ``saeprobe demo`` prints: what the SAEs saw, the per-layer tables, the reports."""
    lines = []
    for run in demo.runs:
        result = run.result
        lines += [
            f"SAEs trained on {run.sae_training_text}; MiniLM-L6 mean-pooled, "
            f"{result.n_train} train / {result.n_test} test sentences:",
            result.summary().round(3).to_string(),
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
