import pytest
import torch

from saeprobe.activations import pool


@pytest.fixture
def batch():
    torch.manual_seed(0)
    hidden = torch.randn(2, 5, 3)
    right = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    return hidden, right


def test_last_token_under_right_and_left_padding(batch):
    hidden, right = batch
    out = pool(hidden, right, "last", torch.tensor([False, False]))
    assert torch.equal(out[0], hidden[0, 2]) and torch.equal(out[1], hidden[1, 4])
    left = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    out = pool(hidden, left, "last", torch.tensor([False, False]))
    assert torch.equal(out[0], hidden[0, 4])


def test_mean_and_max_skip_padding_and_optionally_the_first_token(batch):
    hidden, right = batch
    skip = torch.tensor([True, False])
    mean = pool(hidden, right, "mean", skip)
    torch.testing.assert_close(mean[0], hidden[0, 1:3].mean(0))
    torch.testing.assert_close(mean[1], hidden[1].mean(0))
    biggest = pool(hidden, right, "max", skip)
    torch.testing.assert_close(biggest[0], hidden[0, 1:3].max(0).values)
    left = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    torch.testing.assert_close(pool(hidden, left, "mean", skip)[0], hidden[0, 3:5].mean(0))


def test_single_token_rows_keep_their_only_token(batch):
    hidden, _ = batch
    mask = torch.tensor([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0]])
    out = pool(hidden, mask, "mean", torch.tensor([True, True]))
    torch.testing.assert_close(out[0], hidden[0, 0])
    torch.testing.assert_close(out[1], hidden[1, 1])


def test_unknown_method(batch):
    hidden, right = batch
    with pytest.raises(ValueError, match="unknown pooling"):
        pool(hidden, right, "median", torch.tensor([False, False]))
