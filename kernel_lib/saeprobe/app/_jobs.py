"""Background sweep jobs, one folder each: ``params.json`` (the sweep's parameters),
``status.json`` (state, progress, error), then ``result.json`` and ``report.html``.

``saeprobe job JOB_DIR`` runs one; the Jupyter server extension starts it in a process of its own
(``python -m saeprobe job JOB_DIR``), so torch never runs in the server. The parameters are a flat
mapping: ``model``, ``data`` and ``saes`` (one specification, or ``{set name: specification}`` to
compare named SAE sets), the :class:`~saeprobe.DataOptions` fields and the
:class:`~saeprobe.SweepSettings` fields; :func:`validate_params` checks them without torch.
"""

from __future__ import annotations

import os
import shlex
import time
from pathlib import Path
from typing import Any

from ..config import DataOptions, SweepSettings, check_names, flags
from ..errors import SAEError, SettingsError
from ..sae import check_set_name
from ..store import read_json, write_json

STATUS_FILE = "status.json"
PARAMS_FILE = "params.json"
# name: required; the rest of a job's parameters are DataOptions and SweepSettings fields.
SOURCES = {"model": True, "data": True, "saes": False}


def validate_params(body: Any) -> dict[str, Any]:
    """The checked, normalised parameters of a job request (a flat JSON object). Raises
    :class:`SettingsError` naming the field for a missing source, an unknown name (with the nearest
    valid one) or a value its option cannot take."""
    if not isinstance(body, dict):
        raise SettingsError("the body must be a JSON object of sweep parameters")
    for name, required in SOURCES.items():
        if required and name not in body:
            raise SettingsError(f"parameter {name!r} is required", option=name)
        if name == "saes" and isinstance(body.get(name), dict):
            _check_sets(body[name])
        elif name in body and (not isinstance(body[name], str) or not body[name].strip()):
            raise SettingsError(f"parameter {name!r} must be a non-empty string", option=name)
    options = {name: value for name, value in body.items() if name not in SOURCES}
    check_names([*SOURCES, *DataOptions.names(), *SweepSettings.names()], options, "a sweep job")
    data_options = DataOptions.from_dict({k: v for k, v in options.items() if k in DataOptions.names()})
    settings = SweepSettings.from_dict({k: v for k, v in options.items() if k in SweepSettings.names()})
    given = set(options)
    return {
        **{name: body[name] for name in SOURCES if name in body},
        **{k: v for k, v in data_options.to_dict().items() if k in given},
        **{k: v for k, v in settings.to_dict().items() if k in given},
    }


def cli_line(params: dict[str, Any]) -> str:
    """The ``saeprobe sweep`` command that reproduces a job from its parameters: the sources, then
    each DataOptions and SweepSettings field by name as its own flag (``--no-`` for a false switch, lists
    joined by commas), writing the result and its report; other keys (the server's) are left out."""
    named = {"model": "--model", "data": "--data", **flags(DataOptions, SweepSettings)}
    parts = ["saeprobe", "sweep"]
    # The sources first, as a reader writes the command; then the rest by name.
    order = [*SOURCES, *sorted(name for name in params if name not in SOURCES)]
    for name in order:
        value = params.get(name)
        if value is None:
            continue
        if name == "saes":
            specs = value.items() if isinstance(value, dict) else [(None, value)]
            for set_name, spec in specs:
                parts += ["--saes", shlex.quote(f"{set_name}={spec}" if set_name else str(spec))]
            continue
        if name not in named:
            continue
        flag = named[name]
        if isinstance(value, bool):
            parts.append(flag if value else f"--no-{flag[2:]}")
            continue
        text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        parts += [flag, shlex.quote(text.replace("\n", "\\n"))]  # the CLI reads \n in a template as a new line
    return " ".join([*parts, "--out", "sweep.json", "--html"])


def _check_sets(sets: dict[str, Any]) -> None:
    """Named SAE sets: at least one, each a usable name with a non-empty specification."""
    if not sets:
        raise SettingsError("parameter 'saes' names no SAE set; give {name: specification} or one specification")
    for name, spec in sets.items():
        try:
            check_set_name(name)
        except SAEError as exc:
            raise SettingsError(f"parameter 'saes': {exc}") from None
        if not isinstance(spec, str) or not spec.strip():
            raise SettingsError(f"parameter 'saes': set {name!r} must be a non-empty string")


def process_start(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, from ``/proc``), or ``None`` when it
    does not exist, has ended and waits to be reaped (a zombie), or this system has no ``/proc``. A
    recorded PID with another start time belongs to another process: the job's own has ended and
    its number was reused."""
    try:
        stat = Path(f"/proc/{int(pid)}/stat").read_text()
    except (OSError, ValueError):
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):  # ended: only its exit status is left, for a parent that may never read it
        return None
    return int(fields[19])


def read_status(job_dir: Path) -> dict[str, Any]:
    """The job's status record (``{"state": "queued"}`` before it has one)."""
    status = read_json(Path(job_dir) / STATUS_FILE)
    return status if isinstance(status, dict) else {"state": "queued"}


def confine_paths(params: dict[str, Any], root: str | Path) -> dict[str, Any]:
    """``params`` with every source (``model``, ``data``, each SAE set) that names something under
    ``root`` resolved again now, as the job opens it: symlinks followed, inside folders too. The
    server checked them when the job was queued; a file swapped since for a link out of the root is
    caught here. Raises :class:`SettingsError` naming the source and where it now leads."""
    root = Path(root).resolve()

    def confined(name: str, value: str) -> str:
        candidate = Path(value) if Path(value).is_absolute() else root / value
        if not os.path.lexists(candidate):
            return value  # a plugin's name: a hub model, a SAELens release, a built-in dataset
        try:
            found = [candidate.resolve()]
            if found[0].is_dir():
                found += [inner.resolve() for inner in found[0].rglob("*")]
        except (OSError, RuntimeError) as exc:  # a link loop
            raise SettingsError(f"{name} {value!r} cannot be resolved ({type(exc).__name__}); the job stops") from None
        for path in found:
            if path != root and root not in path.parents:
                raise SettingsError(
                    f"{name} {value!r} now leads to {str(path)!r}, outside the server's root {str(root)!r}; it changed "
                    "after the job was queued, and a job reads nothing outside the root"
                )
        return str(found[0])

    checked = dict(params)
    for name in SOURCES:
        value = checked.get(name)
        if isinstance(value, dict):
            checked[name] = {key: confined(f"{name}.{key}", spec) for key, spec in value.items()}
        elif isinstance(value, str):
            checked[name] = confined(name, value)
    return checked


def update_status(job_dir: Path, **fields: Any) -> None:
    """Merge ``fields`` into the status record, atomically."""
    write_json(Path(job_dir) / STATUS_FILE, {**read_status(job_dir), **fields, "updated": time.time()})


def run_job(job_dir: str | Path) -> int:
    """Run the sweep described by ``params.json``; returns the process exit status."""
    from ..data import load_dataset
    from ..sweeps import sweep

    job_dir = Path(job_dir)
    params = read_json(job_dir / PARAMS_FILE) or {}
    update_status(
        job_dir,
        state="running",
        pid=os.getpid(),
        pid_start=process_start(os.getpid()),
        started=time.time(),
        progress={},
        error=None,
        resumable=None,
    )
    try:
        cache_dir = params.pop("cache_dir", None)
        root = params.pop("allowed_root", None)
        checked = validate_params(params)
        if root is not None:
            checked = confine_paths(checked, root)
        data_options = DataOptions.from_dict({k: v for k, v in checked.items() if k in DataOptions.names()})
        settings = SweepSettings.from_dict({k: v for k, v in checked.items() if k in SweepSettings.names()})
        data = load_dataset(checked["data"], options=data_options)
        result = sweep(
            model=checked["model"],
            saes=checked.get("saes"),
            data=data,
            settings=settings,
            cache_dir=cache_dir,
            progress=False,
            on_progress=lambda stage, done, total: update_status(
                job_dir, progress={"stage": stage, "done": done, "total": total}
            ),
        )
        result.to_json(job_dir / "result.json")
        result.to_html(job_dir / "report.html")
    except Exception as exc:  # the job's owner reads the reason from its status
        update_status(job_dir, state="failed", error=f"{type(exc).__name__}: {exc}", finished=time.time())
        return 1
    update_status(job_dir, state="done", finished=time.time())
    return 0
