"""Each diagnostic against a brute-force computation on small matrices."""

import numpy as np
import pytest
import scipy.sparse as sp

from saeprobe.explain import effective_dimension, feature_table, fidelity, l0_histogram, sparsity


@pytest.fixture
def codes():
    rng = np.random.default_rng(0)
    dense = np.maximum(rng.normal(size=(40, 12)) - 0.8, 0)
    dense[:, 3] = rng.uniform(0.5, 1.0, 40)  # fires on every example
    dense[:, 7] = 1.0
    dense[39, 7] = 0.0  # fires on 39 of 40 (97.5%)
    dense[:, 10] = 0.0  # never fires
    y = np.array([0, 1] * 20)
    return dense, y


def test_sparsity_matches_brute_force(codes):
    dense, y = codes
    train = np.arange(40) < 30
    got = sparsity(sp.csr_matrix(dense), y, ["neg", "pos"], train, always_on_threshold=0.99)
    l0 = (dense != 0).sum(axis=1)
    assert got.l0_mean == pytest.approx(l0.mean()) and got.l0_median == np.median(l0)
    assert got.n_active_union == int(((dense != 0).sum(axis=0) > 0).sum()) == 11
    assert got.n_active_union_train == int(((dense[train] != 0).sum(axis=0) > 0).sum()) and got.rows == "all"
    for cls, name in enumerate(["neg", "pos"]):
        assert got.n_active_union_by_class[name] == int(((dense[y == cls] != 0).sum(axis=0) > 0).sum())
    assert got.always_on_ids == [3] and got.n_always_on == 1 and got.n_features == 12
    assert sparsity(sp.csr_matrix(dense), y, ["neg", "pos"], train, always_on_threshold=0.95).always_on_ids == [3, 7]
    assert sum(got.l0_histogram.counts) == 40


def test_explicit_zeros_are_not_counted_as_firing():
    matrix = sp.csr_matrix((np.array([0.0, 2.0]), np.array([0, 1]), np.array([0, 2])), shape=(1, 3))
    assert sparsity(matrix, np.array([0]), [0, 1], np.array([True])).l0_mean == 1.0


def test_l0_histogram_bins_are_integer_aligned():
    hist = l0_histogram(np.array([0, 1, 1, 2, 5]))
    assert hist.edges == [0, 1, 2, 3, 4, 5, 6] and hist.counts == [1, 2, 1, 0, 0, 1]
    wide = l0_histogram(np.arange(100))
    assert len(wide.counts) <= 30 and sum(wide.counts) == 100


def test_effective_dimension_matches_numpy(codes):
    dense, _ = codes
    got = effective_dimension(sp.csr_matrix(dense))
    centred = dense - dense.mean(axis=0)
    assert got.rank == np.linalg.matrix_rank(centred)
    eigen = np.linalg.eigvalsh(np.cov(centred, rowvar=False))
    assert got.participation_ratio == pytest.approx(eigen.sum() ** 2 / (eigen**2).sum())
    dense_got = effective_dimension(dense)
    assert (dense_got.rank, dense_got.participation_ratio) == (got.rank, pytest.approx(got.participation_ratio))


def test_two_always_on_features_give_a_two_dimensional_code():
    rng = np.random.default_rng(1)
    dense = np.zeros((50, 100))
    dense[:, [4, 9]] = rng.uniform(1, 2, size=(50, 2))
    assert effective_dimension(sp.csr_matrix(dense)).rank == 2


def test_fidelity_matches_brute_force():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(30, 8)) + 3
    x_hat = x + rng.normal(scale=0.3, size=x.shape)
    got = fidelity(x, x_hat)
    assert got.fvu == pytest.approx(((x - x_hat) ** 2).sum() / ((x - x.mean(0)) ** 2).sum())
    cos = [a @ b / np.linalg.norm(a) / np.linalg.norm(b) for a, b in zip(x, x_hat, strict=True)]
    assert got.cosine_mean == pytest.approx(np.mean(cos))
    rel = [np.linalg.norm(a - b) / np.linalg.norm(a) for a, b in zip(x, x_hat, strict=True)]
    assert got.relative_error == pytest.approx(np.mean(rel))
    same = fidelity(x, x)
    assert (same.fvu, same.cosine_mean, same.relative_error) == (0.0, pytest.approx(1.0), 0.0)


def test_feature_table_matches_brute_force(codes):
    dense, y = codes
    table = feature_table(sp.csr_matrix(dense), y, ["neg", "pos"], neuronpedia_id="model/3-res", top_n=5)
    assert len(table) == 5 and table["separation"].is_monotonic_decreasing
    top = int(table["feature"].iloc[0])
    means = [dense[y == c, top].mean() for c in (0, 1)]
    assert table["separation"].iloc[0] == pytest.approx(abs(means[1] - means[0]))
    assert table["mean_activation:pos"].iloc[0] == pytest.approx(means[1])
    assert table["firing_rate:neg"].iloc[0] == pytest.approx((dense[y == 0, top] != 0).mean())
    assert table["neuronpedia_url"].iloc[0] == f"https://www.neuronpedia.org/model/3-res/{top}"
    full = feature_table(sp.csr_matrix(dense), y, ["neg", "pos"])
    assert len(full) == 11 and 10 not in set(full["feature"]) and full["neuronpedia_url"].isna().all()


def test_fifty_classes_build_the_feature_table_without_a_pandas_warning():
    import warnings

    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(50), 4)
    codes = sp.csr_matrix(rng.random((200, 30)) * (rng.random((200, 30)) > 0.7))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = feature_table(codes, y, [f"c{i}" for i in range(50)])
    assert list(table.columns[:3]) == ["feature", "separation", "firing_rate:c0"]
    assert table.shape[1] == 2 + 50 + 50 + 1
