"""Work side by side on threads, each on one thread of torch and BLAS."""

import threading

import pytest
import torch

from saeprobe._threads import fit_threads, one_thread, side_by_side


def test_outcomes_come_in_the_items_order_and_each_runs_on_one_thread():
    def work(item):
        return item * item, torch.get_num_threads()

    outcomes = list(side_by_side(work, [3, 1, 2, 5], threads=2))
    assert [value for value, _ in outcomes] == [9, 1, 4, 25]
    assert {threads for _, threads in outcomes} == {1}


def test_items_run_at_the_same_time():
    both = threading.Barrier(2, timeout=10)  # broken (an error) unless two items wait on it together

    def work(item):
        both.wait()
        return item

    assert list(side_by_side(work, ["a", "b"], threads=2)) == ["a", "b"]


def test_closing_early_runs_no_item_not_yet_started_and_waits_for_those_running():
    started, finished, release = set(), set(), threading.Event()

    def work(item):
        started.add(item)
        if item > 0:
            release.wait(timeout=10)
        finished.add(item)
        return item

    outcomes = side_by_side(work, list(range(6)), threads=2)
    assert next(outcomes) == 0  # item 1 is running, and perhaps item 2; 3, 4 and 5 wait
    threading.Timer(0.2, release.set).start()
    outcomes.close()
    assert {1} <= started <= {0, 1, 2} and finished == started


def test_zero_threads_means_one_per_core_and_the_thread_count_is_restored():
    assert fit_threads(3) == 3 and fit_threads(0) >= 1
    before = torch.get_num_threads()
    with one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_an_error_in_an_item_reaches_the_caller():
    def work(item):
        if item == 1:
            raise ValueError("item 1 failed")
        return item

    with pytest.raises(ValueError, match="item 1 failed"):
        list(side_by_side(work, [0, 1, 2], threads=2))
