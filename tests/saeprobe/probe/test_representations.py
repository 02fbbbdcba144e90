import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.decomposition import PCA

from saeprobe.probe import LogisticProbe, build_representations, evaluate_probe, top_k_columns
from saeprobe.sae import LayerCodes


@pytest.fixture
def layer():
    rng = np.random.default_rng(0)
    n = 90
    y = rng.integers(0, 2, n)
    raw = rng.normal(size=(n, 20))
    raw[:, 6] += 2.0 * y  # the neuron that carries the concept
    codes = sp.csr_matrix(np.maximum(raw @ rng.normal(size=(20, 50)) - 3.0, 0))
    reconstruction = raw + rng.normal(scale=0.1, size=raw.shape)
    train = np.zeros(n, dtype=bool)
    train[rng.permutation(n)[:60]] = True
    return raw, codes, reconstruction, y, train


def test_top_k_ranks_by_class_mean_difference_on_the_scale_the_probe_sees():
    # Column 2 has the largest raw gap (3) but also the largest spread; in standard deviations
    # column 0 separates best (gap 1, std 0.5) — the probe standardises, so it ranks it first.
    X = np.array([[0, 5, 1.0], [0, 1, 0.0], [1, 5, 4.0], [1, 1, 5.0]])
    y = np.array([0, 0, 1, 1])
    assert top_k_columns(X, y, 2, 2).tolist() == [0, 2]
    gaps = np.abs(X[y == 1].mean(0) - X[y == 0].mean(0)) / X.std(0).clip(1e-12)
    assert top_k_columns(X, y, 2, 3).tolist() == np.lexsort((np.arange(3), -gaps)).tolist()
    # Sparse codes are compared relative to their largest value, as max-abs scaling sees them.
    codes = sp.csr_matrix(np.array([[0, 8.0], [0, 0.0], [1, 10.0], [1, 2.0]]))
    assert top_k_columns(codes, y, 2, 1).tolist() == [0]


def test_all_representations_and_their_recorded_choices(layer):
    raw, codes, reconstruction, y, train = layer
    built = build_representations(raw, y, train, 2, {"sae": LayerCodes(codes, reconstruction)}, top_ks=(1, 5, 64))
    assert set(built.matrices) == {
        "raw",
        "sae",
        "pca_matched",
        "raw_topk_1",
        "raw_topk_5",
        "sae_topk_1",
        "sae_topk_5",
        "sae_reconstruction",
        "sae_error",
    }
    assert built.choices["raw_topk_1"] == {"columns": [6]}
    n_active = int(((codes[train] != 0).sum(axis=0) > 0).sum())
    k = min(n_active, 20)
    # 50 features fire, the states are 20 wide: PCA keeps them all, so the baseline says so.
    assert built.choices["pca_matched"] == {
        "k": k,
        "n_active_union_train": n_active,
        "degenerate": True,
        "capped_by": "the width",
    }
    pca = PCA(n_components=k, random_state=0).fit(raw[train])
    expected = pca.transform(raw) / np.sqrt(pca.explained_variance_.mean())
    np.testing.assert_allclose(built.matrices["pca_matched"], expected, atol=1e-8)
    assert built.scaling == {"pca_matched": "center"}
    np.testing.assert_allclose(built.matrices["sae_error"], raw - reconstruction)
    assert sp.issparse(built.matrices["sae_topk_5"]) and built.matrices["sae_topk_5"].shape == (90, 5)


def test_each_named_set_gets_its_own_representations(layer):
    raw, codes, reconstruction, y, train = layer
    built = build_representations(
        raw,
        y,
        train,
        2,
        {"task": LayerCodes(codes, reconstruction), "wide": LayerCodes(codes[:, :10], reconstruction)},
        top_ks=(5,),
    )
    assert set(built.matrices) == {
        "raw",
        "raw_topk_5",
        "sae:task",
        "pca_matched:task",
        "sae_topk_5:task",
        "sae_reconstruction:task",
        "sae_error:task",
        "sae:wide",
        "pca_matched:wide",
        "sae_topk_5:wide",
        "sae_reconstruction:wide",
        "sae_error:wide",
    }
    assert built.scaling == {"pca_matched:task": "center", "pca_matched:wide": "center"}
    assert built.matrices["sae:wide"].shape == (90, 10)


def test_raw_only_without_sae(layer):
    raw, _, _, y, train = layer
    assert set(build_representations(raw, y, train, 2).matrices) == {"raw", *(f"raw_topk_{k}" for k in (1, 2, 5, 16))}


@pytest.mark.parametrize(
    "baselines, expected",
    [
        ((), {"raw", "sae"}),
        (("sae_topk",), {"raw", "sae", "sae_topk_1", "sae_topk_5"}),
        (("pca_matched", "reconstruction"), {"raw", "sae", "pca_matched", "sae_reconstruction", "sae_error"}),
    ],
)
def test_only_the_baselines_asked_for_are_built(layer, baselines, expected):
    raw, codes, reconstruction, y, train = layer
    sets = {"sae": LayerCodes(codes, reconstruction)}
    built = build_representations(raw, y, train, 2, sets, top_ks=(1, 5), baselines=baselines)
    assert set(built.matrices) == expected


def test_no_choice_sees_the_test_labels(layer):
    raw, codes, reconstruction, y, train = layer
    shuffled = y.copy()
    rng = np.random.default_rng(5)
    shuffled[~train] = rng.permutation(y[~train])
    shuffled[~train] = 1 - shuffled[~train]
    assert not np.array_equal(shuffled, y)
    first = build_representations(raw, y, train, 2, {"sae": LayerCodes(codes, reconstruction)})
    second = build_representations(raw, shuffled, train, 2, {"sae": LayerCodes(codes, reconstruction)})
    assert first.choices == second.choices
    for name, matrix in first.matrices.items():
        a = evaluate_probe(LogisticProbe(), matrix, y, train, ~train)
        b = evaluate_probe(LogisticProbe(), second.matrices[name], shuffled, train, ~train)
        assert (a.C, a.train_accuracy, a.cv_accuracy_mean) == (b.C, b.train_accuracy, b.cv_accuracy_mean)


@pytest.mark.parametrize(
    "n_active, degenerate, capped_by",
    [(5, False, None), (28, True, "the training rows")],
)
def test_pca_matched_is_degenerate_only_at_its_cap(n_active, degenerate, capped_by):
    """Fewer features than training rows and width: a real reduction. More: PCA keeps every
    direction the 24 training rows span, the raw states themselves."""
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(40, 30))
    y = np.arange(40) % 2
    train = np.arange(40) < 24
    codes = np.zeros((40, 64))
    codes[:, :n_active] = rng.random((40, n_active)) + 0.1
    built = build_representations(raw, y, train, 2, {"sae": LayerCodes(sp.csr_matrix(codes), raw)}, top_ks=())
    assert built.choices["pca_matched"] == {
        "k": min(n_active, 24),
        "n_active_union_train": n_active,
        "degenerate": degenerate,
        "capped_by": capped_by,
    }
