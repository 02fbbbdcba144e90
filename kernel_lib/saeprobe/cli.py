"""Command line: ``saeprobe sweep ...``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .demo import DEMO_SETTINGS
from .errors import DataError, SaeprobeError
from .pooling import POOLINGS
from .training import ARCHITECTURES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saeprobe", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("sweep", help="probe every layer on raw hidden states and on SAE codes")
    run.add_argument("--model", required=True, help="hub name or local Hugging Face model directory")
    run.add_argument("--saes", help="SAELens release or directory of SAELens SAEs (omit for raw probes only)")
    run.add_argument("--data", required=True, help="labelled .csv, .tsv or .jsonl file")
    run.add_argument("--text-column", default="text")
    run.add_argument("--label-column", default="label")
    run.add_argument("--split-column", help="column holding 'train'/'test' (default: stratified split)")
    run.add_argument("--template", help='prompt around each text, with {text}, e.g. \'Review: "{text}"\\nSentiment:\'')
    run.add_argument("--layers", default="all", help="all, a range like 0-5, or a list like 1,3,5")
    run.add_argument("--hook", default="resid_post", help="hook point per layer (blocks.N.hook_<hook>)")
    run.add_argument("--pooling", choices=POOLINGS, help="default: last for causal models, mean for encoders")
    run.add_argument("--test-size", type=float, default=0.3)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--batch-size", type=int, default=16)
    run.add_argument("--probe", default="logistic", help="probe plugin (see `saeprobe plugins`)")
    run.add_argument("--top-ks", default="1,2,5,16,64", help="sizes of the top-k feature and neuron baselines")
    run.add_argument("--always-on-threshold", type=float, default=0.99,
                     help="a feature firing on at least this share of examples counts as always on")
    run.add_argument("--train-sizes", default="", help="regime: refit on this many training rows, e.g. 16,64,256")
    run.add_argument("--label-noise", default="", help="regime: flip this share of training labels, e.g. 0.1,0.3")
    run.add_argument("--imbalance", default="", help="regime: last class makes up this share of training rows, e.g. 0.05")
    run.add_argument("--feature-table-size", type=int, default=200, help="features kept per layer in the JSON")
    run.add_argument("--revision", help="model revision on the hub")
    run.add_argument("--device", default="cpu")
    run.add_argument("--cache-dir", help="activation cache (default $SAEPROBE_CACHE_DIR or ~/.cache/saeprobe)")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the activation cache")
    run.add_argument("--out", required=True, help="where to write the result JSON")
    run.add_argument("--html", nargs="?", const="", default=None, metavar="PATH",
                     help="also write the offline HTML report (default: next to --out, .html)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")

    listing = commands.add_parser("plugins", help="list model, SAE, dataset and probe plugins and where they come from")
    listing.add_argument("--json", action="store_true", help="print JSON records")
    registry = commands.add_parser("saes", help="list SAELens's registered pretrained SAEs (bundled, no network)")
    registry.add_argument("--model", help="only SAEs of this model (registry name or hub name)")
    registry.add_argument("--json", action="store_true", help="print JSON records")

    demo = commands.add_parser("demo", help="the whole story offline: an embedded model and data, SAEs trained here")
    demo.add_argument("--model", default="minilm", choices=sorted(DEMO_SETTINGS),
                      help="minilm: encoder, mean-pooled; smollm2: decoder, last token of a prompt (the seed's setting)")
    demo.add_argument("--layers", help="layers to sweep (default all), e.g. 0-29:3 for every third layer")
    demo.add_argument("--out", default="demo.html", help="where to write the offline report")
    demo.add_argument("--cache-dir", help="cache for activations, SAEs and results")
    demo.add_argument("--device", default="cpu", help="torch device for the model and SAE training, e.g. cuda")
    demo.add_argument("--quiet", action="store_true", help="no progress bars")

    train = commands.add_parser("train-saes", help="train one SAELens SAE per layer on a model's token activations")
    train.add_argument("--model", required=True, help="hub name or local Hugging Face model directory")
    train.add_argument("--data", required=True, help=".csv, .tsv, .jsonl or .txt (one text per line)")
    train.add_argument("--text-column", default="text")
    train.add_argument("--template", help="prompt around each text, with {text}")
    train.add_argument("--layers", default="all")
    train.add_argument("--hook", default="resid_post")
    train.add_argument("--architecture", default="topk", choices=ARCHITECTURES)
    train.add_argument("--width", type=int, default=1536, help="number of SAE features")
    train.add_argument("--k", type=int, default=16, help="active features per token (topk)")
    train.add_argument("--l1", type=float, default=5.0, help="L1 coefficient (standard)")
    train.add_argument("--steps", type=int, default=600)
    train.add_argument("--batch-size", type=int, default=256)
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--max-tokens", type=int, default=50_000)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", required=True, help="directory to write layer_<N>/ SAELens SAEs into")
    train.add_argument("--cache-dir")
    train.add_argument("--device", default="cpu")
    train.add_argument("--quiet", action="store_true")
    return parser


def _number_list(text: str, option: str, kind: type = int) -> list:
    try:
        return [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise DataError(f"{option} takes {kind.__name__} values separated by commas, e.g. 1,2,5; got {text!r}") from None


def _int_list(text: str, option: str) -> list[int]:
    values = _number_list(text, option, int)
    if not values or min(values) < 1:
        raise DataError(f"{option} takes positive integers separated by commas, e.g. 1,2,5; got {text!r}")
    return values


def _run_sweep(args: argparse.Namespace) -> None:
    from .data import load_dataset
    from .layer_sweep import sweep

    data = load_dataset(
        args.data,
        text_column=args.text_column,
        label_column=args.label_column,
        split_column=args.split_column,
        template=args.template.replace("\\n", "\n") if args.template else None,
    )
    result = sweep(
        model=args.model,
        saes=args.saes,
        data=data,
        layers=args.layers,
        hook=args.hook,
        pooling=args.pooling,
        test_size=args.test_size,
        seed=args.seed,
        batch_size=args.batch_size,
        probe=args.probe,
        top_ks=_int_list(args.top_ks, "--top-ks"),
        always_on_threshold=args.always_on_threshold,
        feature_table_size=args.feature_table_size,
        train_sizes=_number_list(args.train_sizes, "--train-sizes", int),
        label_noise=_number_list(args.label_noise, "--label-noise", float),
        imbalance=_number_list(args.imbalance, "--imbalance", float),
        cache_dir=False if args.no_cache else args.cache_dir,
        revision=args.revision,
        device=args.device,
        progress=not args.quiet,
    )
    result.to_json(args.out)
    print(result.summary().round(3).to_string())
    print(f"wrote {args.out}")
    if args.html is not None:
        report = result.to_html(args.html or Path(args.out).with_suffix(".html"))
        print(f"wrote {report}")


def _run_demo(args: argparse.Namespace) -> None:
    from .demo import describe, run_demo

    demo = run_demo(args.out, model=args.model, layers=args.layers, cache_dir=args.cache_dir, device=args.device,
                    progress=not args.quiet)
    print(describe(demo))


def _run_train_saes(args: argparse.Namespace) -> None:
    from .data import load_texts
    from .training import SAETrainingSettings, train_saes

    settings = SAETrainingSettings(
        architecture=args.architecture, width=args.width, k=args.k, l1_coefficient=args.l1, steps=args.steps,
        batch_size=args.batch_size, lr=args.lr, max_tokens=args.max_tokens, seed=args.seed,
    )
    texts = load_texts(args.data, text_column=args.text_column,
                       template=args.template.replace("\\n", "\n") if args.template else None)
    trained = train_saes(args.model, texts, args.layers, args.hook, settings, out=args.out,
                         cache_dir=args.cache_dir, device=args.device, progress=not args.quiet)
    print(trained.report[["layer", "hook_name", "l0_mean", "fvu", "n_train_tokens"]].round(3).to_string(index=False))
    print(f"wrote {trained.directory}")


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
            from .plugins import available

            _print_table(available(), args.json)
        elif args.command == "saes":
            import pandas as pd

            from .registry import registry_entries

            _print_table(pd.DataFrame(registry_entries(args.model)), args.json)
        elif args.command == "demo":
            _run_demo(args)
        elif args.command == "train-saes":
            _run_train_saes(args)
    except SaeprobeError as exc:
        print(f"saeprobe: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
