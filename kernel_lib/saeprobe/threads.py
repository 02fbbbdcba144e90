"""One thread for the computations after the forward pass, so their results do not depend on the
machine's cores or on where a suite runs them.

Sums split over threads run in an order that depends on the thread count; a float32 SAE code or a
probe's last digits (an AUC between near-tied scores) would then differ between a laptop and a
server, or between the local engine and a Ray worker. SAE encoding and probe fits run on one
thread of torch and of the BLAS libraries; the forward pass keeps the machine's threads (the Ray
engine gives its extraction actors the driver's thread count).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch and the BLAS libraries (numpy's, scipy's) on one thread while the block runs."""
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(previous)
