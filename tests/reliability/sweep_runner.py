"""Run one sweep in this process and write its JSON; optionally die (SIGKILL) at a chosen point.

    python sweep_runner.py MODEL SAES DATA CACHE OUT [--kill STAGE:N] [--file-limit BYTES]

STAGE is ``forward`` (the N-th forward batch), ``probe`` (the N-th probe fit) or ``write`` (half way
through the N-th cache file written). ``--file-limit`` caps the size of every file the sweep
writes (RLIMIT_FSIZE), so writes beyond it fail as on a full disk.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import signal
import sys
from pathlib import Path


def die_at(module, name: str, n: int, half_write: bool = False) -> None:
    """Replace ``module.name`` so that its ``n``-th call kills this process. With ``half_write``
    (for ``atomic_write(path, write)``) half of the file's bytes first land at ``path`` itself, as
    a writer without atomic renames would leave them."""
    real = getattr(module, name)
    calls = {"n": 0}

    def patched(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            if half_write:
                path, write = args[0], args[1]
                buffer = io.BytesIO()
                write(buffer)
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                Path(path).write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(module, name, patched)


def sweep_file(model: str, saes: str, data: str, cache: str | Path | bool):
    """The sweep every fault-injection test runs (and compares), on the file ``data``. Without the
    controls: they are refits of the same kinds, and what these tests exercise is the cache."""
    import saeprobe

    dataset = saeprobe.load_dataset(data, template="Review: {text}\nSentiment:")
    return saeprobe.sweep(
        model,
        saes,
        dataset,
        pooling="mean",
        top_ks=(1, 5),
        controls=(),
        batch_size=4,
        cache_dir=cache,
        progress=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("model", "saes", "data", "cache", "out"):
        parser.add_argument(name)
    parser.add_argument("--kill")
    parser.add_argument("--file-limit", type=int)
    args = parser.parse_args()
    unlimited = resource.getrlimit(resource.RLIMIT_FSIZE)
    if args.file_limit:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (args.file_limit, unlimited[1]))

    from saeprobe.activations._hooks import HookReader
    from saeprobe.probe import _layer
    from saeprobe.store import _jsonio

    if args.kill:
        stage, n = args.kill.split(":")
        if stage == "forward":
            die_at(HookReader, "run", int(n))
        elif stage == "probe":
            die_at(_layer, "fit_and_score", int(n))
        elif stage == "write":
            die_at(_jsonio, "atomic_write", int(n), half_write=True)
    result = sweep_file(args.model, args.saes, args.data, False if args.cache == "none" else args.cache)
    resource.setrlimit(resource.RLIMIT_FSIZE, unlimited)  # the disk is "full" for the cache only
    result.to_json(args.out)


if __name__ == "__main__":
    sys.exit(main())
