"""One thread for the computations after the forward pass, so their results do not depend on the
machine's cores or on where a suite runs them.

Sums split over threads run in an order that depends on the thread count; a float32 SAE code or a
probe's last digits (an AUC between near-tied scores) would then differ between a laptop and a
server, or between the local engine and a Ray worker. SAE encoding and probe fits run on one
thread of torch and of the BLAS libraries each; the forward pass keeps the machine's threads (the
Ray engine gives its extraction actors the driver's thread count). Several fits may run side by
side (:func:`fit_threads`), each still on one thread, so their results stay the same.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")

_found: dict[str, Any] = {}


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch and the BLAS libraries (numpy's, scipy's) on one thread while the block runs."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with _blas_libraries().limit(limits=1):
            yield
    finally:
        torch.set_num_threads(previous)


def side_by_side(
    work: Callable[[Item], Outcome], items: Sequence[Item], threads: int
) -> Generator[Outcome, None, None]:
    """``work(item)`` for every item, up to ``threads`` at once (0: one per core, see
    :func:`fit_threads`), each on one thread (:func:`one_thread`); yields the outcomes in the
    items' order. Closing the iterator early (an error, Ctrl-C) cancels the items not yet started
    and waits for those running, so work they save is kept whole."""
    workers = min(fit_threads(threads), len(items))
    with one_thread():
        if workers <= 1:
            for item in items:
                yield work(item)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="saeprobe-fit") as pool:
            futures = [pool.submit(work, item) for item in items]
            try:
                for future in futures:
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()


def fit_threads(requested: int) -> int:
    """How many fits run side by side: ``requested``, or with 0 one per CPU core this process
    may use."""
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _blas_libraries() -> Any:
    """The process's BLAS and OpenMP libraries, looked for again only after new modules were
    imported (one may have loaded another library); looking reads every loaded library, which
    takes milliseconds."""
    from threadpoolctl import ThreadpoolController

    if _found.get("modules") != len(sys.modules):
        _found["controller"] = ThreadpoolController()
        _found["modules"] = len(sys.modules)
    return _found["controller"]
