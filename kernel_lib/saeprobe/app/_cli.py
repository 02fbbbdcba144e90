"""Command line: ``saeprobe sweep | suite | demo | train-saes | plugins | saes | job``.

The flags of settings come from their declarations (:mod:`saeprobe.config`); errors are printed
in the command line's own terms (flags, not Python names) and exit with status 2. Heavy modules
are imported only by the command that needs them, so ``saeprobe --help`` loads no torch.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ..config import DataOptions, SAETrainingSettings, SweepSettings, add_arguments, flags, from_arguments
from ..errors import SaeprobeError
from ..suites import BUILTIN_SUITE_NAMES
from ._demo import DEMO_SETTINGS

# Flags that are no settings, for errors that name them.
SOURCE_FLAGS = {
    "model": "--model",
    "saes": "--saes",
    "data": "--data",
    "test_data": "--test-data",
    "out": "--out",
    "html": "--html",
    "cache_dir": "--cache-dir",
    "spec": "the suite file",
    "datasets": "--datasets",
    "first": "--first",
}


class _Parser(argparse.ArgumentParser):
    """argparse with the nearest flag named for one it does not know (``--polling`` → did you mean
    ``--pooling``?), as Python 3.12's ``suggest_on_error`` does for choices."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            known = [flag for parser in self._parsers() for flag in parser._option_string_actions]
            hints = []
            for given in message.split(":", 1)[1].split():
                close = difflib.get_close_matches(given.split("=")[0], known, n=1, cutoff=0.6)
                if given.startswith("-") and close:
                    hints.append(f"{given.split('=')[0]}: did you mean {close[0]}?")
            message = "; ".join([message, *hints])
        super().error(message)

    def _parsers(self) -> list[argparse.ArgumentParser]:
        """This parser and its sub-commands' parsers, at every depth."""
        found: list[argparse.ArgumentParser] = [self]
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in dict.fromkeys(action.choices.values()):
                    found += sub._parsers() if isinstance(sub, _Parser) else [sub]
        return found


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="saeprobe", description="Layer-by-layer probes on hidden states and SAE codes.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("sweep", help="probe every layer on raw hidden states and on SAE codes")
    run.add_argument(
        "--model", required=True, help="hub name, local Hugging Face directory, .gguf file, or minilm / smollm2"
    )
    run.add_argument(
        "--saes",
        action="append",
        metavar="[NAME=]SPEC",
        help="SAELens release or directory of SAELens SAEs (omit for raw probes only); repeat as "
        "NAME=SPEC to compare named SAE sets in one sweep",
    )
    run.add_argument("--data", required=True, help="labelled .csv, .tsv, .jsonl or .json file, or a dataset name")
    run.add_argument(
        "--test-data",
        help="also test the probes on every row of this dataset (covariate shift; read like --data), e.g. "
        "sae-probes-ood:87_glue_cola",
    )
    add_arguments(run, DataOptions)
    add_arguments(run, SweepSettings)
    run.add_argument(
        "--cache-dir", help="activation and result cache (default $SAEPROBE_CACHE_DIR or ~/.cache/saeprobe)"
    )
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the caches")
    run.add_argument("--out", required=True, help="where to write the result JSON")
    run.add_argument(
        "--html",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help="also write the offline HTML report (default: next to --out, .html)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bars")

    listing = commands.add_parser("plugins", help="list model, SAE, dataset and probe plugins and where they come from")
    listing.add_argument("--json", action="store_true", help="print JSON records")
    registry = commands.add_parser("saes", help="list SAELens's registered pretrained SAEs (bundled, no network)")
    registry.add_argument("--model", help="only SAEs of this model (registry name or hub name)")
    registry.add_argument("--json", action="store_true", help="print JSON records")

    collections = commands.add_parser("datasets", help="list the datasets of a benchmark saeprobe reads offline")
    collections.add_argument(
        "collection",
        choices=["sae-probes"],
        help="sae-probes: its 113 binary datasets from the installed package (sweep them as sae-probes:NAME)",
    )
    collections.add_argument("--json", action="store_true", help="print JSON records")

    demo = commands.add_parser("demo", help="the whole story offline: an embedded model and data, SAEs trained here")
    demo.add_argument(
        "--model",
        default="minilm",
        choices=sorted(DEMO_SETTINGS),
        help="minilm: encoder, mean-pooled; smollm2: decoder, last token of a prompt (the seed's setting)",
    )
    demo.add_argument("--layers", help="layers to sweep (default all), e.g. 0-29:3 for every third layer")
    demo.add_argument("--out", default="demo.html", help="where to write the offline report")
    demo.add_argument("--cache-dir", help="cache for activations, SAEs and results")
    demo.add_argument("--device", default="cpu", help="torch device for the model and SAE training, e.g. cuda")
    demo.add_argument("--quiet", action="store_true", help="no progress bars")

    suite = commands.add_parser(
        "suite", help="sweep every dataset of a suite with every model and SAE set, here or on Ray"
    )
    suite.add_argument("spec", nargs="?", help="suite YAML file (models, saes, datasets, layers, settings)")
    suite.add_argument(
        "--builtin", choices=sorted(BUILTIN_SUITE_NAMES), help="a suite shipped with saeprobe instead of a file"
    )
    suite.add_argument("--out", required=True, help="folder for suite.json, suite.html and runs/<model>/<dataset>.json")
    suite.add_argument(
        "--datasets",
        help="run only these of the suite's datasets, e.g. 113_movie_sent,hist_fig_ismale (comma-separated)",
    )
    suite.add_argument("--first", type=int, metavar="N", help="run only the first N of the suite's datasets")
    suite.add_argument(
        "--engine", default="local", choices=["local", "ray"], help="run units here, or on a Ray cluster"
    )
    suite.add_argument("--workers", type=int, default=1, help="local engine: processes fitting a unit's layers at once")
    suite.add_argument("--ray-address", help="Ray cluster to join: auto, ray://HOST:PORT (default: a new local one)")
    suite.add_argument(
        "--gpus-per-worker", type=float, help="GPUs per extraction actor (default: 1 where the cluster has GPUs)"
    )
    suite.add_argument(
        "--ray-results",
        default="auto",
        choices=["auto", "cache", "object_store"],
        help="how results travel: through a cache folder every node sees, or Ray's object store",
    )
    suite.add_argument(
        "--cache-dir", help="cache shared by every unit (default $SAEPROBE_CACHE_DIR or ~/.cache/saeprobe)"
    )
    suite.add_argument("--quiet", action="store_true", help="no progress bars")

    train = commands.add_parser("train-saes", help="train one SAELens SAE per layer on a model's token activations")
    train.add_argument(
        "--model", required=True, help="hub name, local Hugging Face directory, .gguf file, or minilm / smollm2"
    )
    train.add_argument("--data", required=True, help=".csv, .tsv, .jsonl or .txt (one text per line)")
    add_arguments(train, DataOptions, only=("text_column", "template"))
    add_arguments(train, SweepSettings, only=("layers", "hook", "revision", "device"))
    add_arguments(train, SAETrainingSettings)
    train.add_argument("--out", required=True, help="directory to write layer_<N>/ SAELens SAEs into")
    train.add_argument("--cache-dir", help="cache for activations and trained SAEs")
    train.add_argument("--quiet", action="store_true", help="no progress bars")

    cache = commands.add_parser("cache", help="what the cache holds, by kind, and clearing it")
    cache_commands = cache.add_subparsers(dest="cache_command", required=True)
    info = cache_commands.add_parser("info", help="entries and sizes by kind, the size limit")
    info.add_argument("--cache-dir", help="the cache (default: $SAEPROBE_CACHE_DIR or ~/.cache/saeprobe)")
    info.add_argument("--json", action="store_true", help="print JSON records")
    clear = cache_commands.add_parser("clear", help="remove cache entries (all, or of some kinds, or old ones)")
    clear.add_argument("--cache-dir", help="the cache (default: $SAEPROBE_CACHE_DIR or ~/.cache/saeprobe)")
    clear.add_argument(
        "--kind",
        action="append",
        help="only entries of this kind (repeatable): activations, tokens, results, saes, models, dequantised",
    )
    clear.add_argument("--older-than", type=float, metavar="DAYS", help="only entries last used more than DAYS ago")

    job = commands.add_parser(
        "job",
        help="run the sweep job of a folder (params.json) and write its status, result "
        "and report there, as the Jupyter server extension does",
    )
    job.add_argument("folder", help="the job's folder, holding params.json")
    return parser


def _template(args: argparse.Namespace) -> None:
    # A shell cannot easily pass a new line: "\n" in a template means one.
    if getattr(args, "template", None):
        args.template = args.template.replace("\\n", "\n")


def _check_output(path: str, option: str = "out") -> None:
    """Refuse an output path whose folder does not exist or cannot be written, before any work starts."""
    folder = Path(path).expanduser().resolve().parent
    if not folder.is_dir():
        raise SaeprobeError(
            f"{{option}} {path!r}: the folder {str(folder)!r} does not exist; create it first", option=option
        )
    if not os.access(folder, os.W_OK):
        raise SaeprobeError(
            f"{{option}} {path!r}: the folder {str(folder)!r} cannot be written; choose another", option=option
        )


def _run_sweep(args: argparse.Namespace) -> None:
    from ..data import load_dataset
    from ..sae import sets_from_options
    from ..sweeps import sweep

    _template(args)
    data_options = from_arguments(DataOptions, args)
    settings = from_arguments(SweepSettings, args)
    _check_output(args.out)
    if args.html:
        _check_output(args.html, "html")
    data = load_dataset(args.data, options=data_options)
    test_data = load_dataset(args.test_data, options=data_options) if args.test_data else None
    result = sweep(
        model=args.model,
        saes=sets_from_options(args.saes),
        data=data,
        settings=settings,
        cache_dir=False if args.no_cache else args.cache_dir,
        progress=not args.quiet,
        test_data=test_data,
    )
    result.to_json(args.out)
    print(result.summary().round(3).to_string())
    if result.settings.probes:
        print(f"\nprobes compared (test AUC):\n{result.probes().round(3).to_string()}")
    if not result.diagnoses.empty:
        print(f"\n{result.diagnosis_text()}\n")
    print(f"wrote {args.out}")
    if args.html is not None:
        report = result.to_html(args.html or Path(args.out).with_suffix(".html"))
        print(f"wrote {report}")


def _run_demo(args: argparse.Namespace) -> None:
    from ._demo import describe, run_demo

    demo = run_demo(
        args.out,
        model=args.model,
        layers=args.layers,
        cache_dir=args.cache_dir,
        device=args.device,
        progress=not args.quiet,
    )
    print(describe(demo))


def _run_suite(args: argparse.Namespace) -> int:
    from ..suites import describe_suite, suite

    if bool(args.spec) == bool(args.builtin):
        raise SaeprobeError("give a suite file or --builtin NAME (one of them)", option="spec")
    result = suite(
        args.builtin or args.spec,
        args.out,
        engine=args.engine,
        ray_address=args.ray_address,
        gpus_per_worker=args.gpus_per_worker,
        results_via=args.ray_results,
        workers=args.workers,
        cache_dir=args.cache_dir,
        progress=not args.quiet,
        datasets=args.datasets.split(",") if args.datasets is not None else None,
        first=args.first,
    )
    print(describe_suite(result))
    if result.failed:
        print(f"saeprobe: {len(result.failed)} of the suite's {len(result.runs)} units failed", file=sys.stderr)
        return 1
    return 0


def _run_train_saes(args: argparse.Namespace) -> None:
    from ..data import load_texts
    from ..sae import train_saes

    _template(args)
    settings = from_arguments(SAETrainingSettings, args)
    target = from_arguments(SweepSettings, args)
    texts = load_texts(args.data, text_column=args.text_column or "text", template=args.template)
    trained = train_saes(
        args.model,
        texts,
        target.layers,
        target.hook,
        settings,
        out=args.out,
        cache_dir=args.cache_dir,
        revision=target.revision,
        device=target.device,
        progress=not args.quiet,
    )
    print(trained.report[["layer", "hook_name", "l0_mean", "fvu", "n_train_tokens"]].round(3).to_string(index=False))
    print(f"wrote {trained.directory}")


def _run_cache(args: argparse.Namespace) -> None:
    import pandas as pd

    from ..store import LIMIT_ENV, cache_usage, clear_cache, default_cache_dir, size_limit

    root = Path(args.cache_dir).expanduser() if args.cache_dir else default_cache_dir()
    if args.cache_command == "clear":
        count, freed = clear_cache(root, args.kind, args.older_than)
        print(f"removed {count} entries ({freed / 1024**2:,.1f} MB) from {root}")
        return
    table = pd.DataFrame(cache_usage(root))
    if args.json:
        print(table.to_json(orient="records"))
        return
    limit = size_limit()
    table["size"] = [f"{size / 1024**2:,.1f} MB" for size in table["bytes"]]
    table["last_used"] = [
        "" if pd.isna(when) else pd.Timestamp(when, unit="s").strftime("%Y-%m-%d %H:%M") for when in table["last_used"]
    ]
    print(table[["kind", "entries", "size", "last_used"]].to_string(index=False))
    total = table["bytes"].sum() / 1024**3
    cap = "no limit" if limit is None else f"limit {limit / 1024**3:g} GB (${LIMIT_ENV})"
    print(f"{root}: {total:,.2f} GB in all; {cap}; tokens and activations used least recently go first")


def _run_saes(args: argparse.Namespace) -> None:
    import pandas as pd

    from ..sae import registry_entries, registry_models

    found = pd.DataFrame(registry_entries(args.model))
    if not found.empty or not args.model or args.json:  # JSON stays a list, empty or not, for the server
        _print_table(found, args.json)
        return
    known = registry_models()
    close = difflib.get_close_matches(args.model.split("/")[-1], known, n=5, cutoff=0.4)
    near = f"registry models near it: {', '.join(close)}" if close else f"its models are: {', '.join(known)}"
    print(f"no SAELens release lists SAEs of {args.model!r}; {near}")


def _print_table(table, as_json: bool) -> None:
    if as_json:
        print(table.to_json(orient="records"))
    else:
        print(table.fillna("").to_string(index=False))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``saeprobe`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "sweep":
            _run_sweep(args)
        elif args.command == "plugins":
            from ..plugins import available

            _print_table(available(), args.json)
        elif args.command == "saes":
            _run_saes(args)
        elif args.command == "datasets":
            from ..data import benchmark_table

            _print_table(benchmark_table(), args.json)
        elif args.command == "demo":
            _run_demo(args)
        elif args.command == "train-saes":
            _run_train_saes(args)
        elif args.command == "suite":
            return _run_suite(args)
        elif args.command == "cache":
            _run_cache(args)
        elif args.command == "job":
            from ._jobs import run_job

            return run_job(args.folder)
    except KeyboardInterrupt:
        print(
            f"saeprobe: interrupted; what {args.command} finished is kept (finished chunks, layers and units in the "
            "cache, finished units in --out): run the same command again to resume",
            file=sys.stderr,
        )
        return 130
    except SaeprobeError as exc:
        names = {**flags(DataOptions, SweepSettings, SAETrainingSettings), **SOURCE_FLAGS}
        print(f"saeprobe: error: {exc.render(names.get(exc.option or '', exc.option))}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file that cannot be read or written: the disk's answer is the message
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"saeprobe: error: {exc.strerror or exc}{where}; free space or choose another location", file=sys.stderr)
        return 2
    return 0
