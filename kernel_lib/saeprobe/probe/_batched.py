"""Logistic-regression probes solved all at once: for one representation, every (fold × C) problem
of the cross-validation and every refit on the whole training split, in one batched L-BFGS in torch
(CPU or CUDA).

The problems are those scikit-learn's pipeline solves (the scaler fitted on each problem's own
rows, then ``LogisticRegression`` with an L2 penalty on the weights and a free intercept: binomial
for two classes, multinomial for more), rewritten so that they share one matrix: with
``W = σ ⊙ V`` and ``b = c + μ·V`` every problem's logits are ``X V + c`` on the raw columns, so
one matrix product serves them all. Sparse codes lose only their all-zero columns, which is exact
under an L2 penalty (their weights are zero), and are never densified at full width.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..config import DEFAULT_CS

HISTORY = 10
ARMIJO = 1e-4
BACKTRACKS = 20
VALUE_NOISE = 1e-6  # relative resolution of a float32 objective summed over examples


class BatchedLogisticProbe:
    """The default probe: L2 logistic regression, C by stratified k-fold CV, all folds and Cs at once.

    Every (fold × C) problem and the refits are solved together in torch (see the module's text).

    Parameters as :class:`~saeprobe.probe.LogisticProbe`: ``Cs``, ``cv_folds``, ``seed``,
    ``scaling`` (``standard``, ``maxabs`` or ``center``; default ``maxabs`` for sparse input,
    else ``standard``), and ``device`` (a torch device). ``tol`` bounds the largest gradient
    entry of each problem relative to ``C × n`` (scikit-learn's own default is ``1e-4``; the
    reference plugin solves to ``1e-6``). After :meth:`fit`: ``C_``, ``cv_accuracy_mean_``, ``cv_accuracy_std_``,
    ``classes_`` and ``n_iter_`` (iterations of the batched solver).
    """

    def __init__(
        self,
        Cs: Sequence[float] = DEFAULT_CS,
        cv_folds: int = 5,
        seed: int = 0,
        scaling: str | None = None,
        device: str = "cpu",
        tol: float = 2e-5,
        max_iter: int = 500,
    ):
        self.Cs = Cs
        self.cv_folds = cv_folds
        self.seed = seed
        self.scaling = scaling
        self.device = device
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X: np.ndarray | sp.csr_matrix, y: np.ndarray) -> BatchedLogisticProbe:
        """Choose C by CV on ``(X, y)`` and refit on all of it. Raises :class:`DataError` if a
        class has fewer than two training examples."""
        import torch

        from ._sklearn import cv_folds_for, default_scaling

        folds = cv_folds_for(y, self.cv_folds, self.seed)
        self.classes_, y_index = np.unique(np.asarray(y), return_inverse=True)
        scaling = self.scaling or default_scaling(X)
        self.columns_, dense = _used_columns(X)
        splits = list(folds.split(np.zeros(len(y_index)), y_index))
        rows = np.zeros((len(splits) + 1, len(y_index)), dtype=bool)
        for number, (train, _) in enumerate(splits):
            rows[number, train] = True
        rows[-1] = True  # the refit on every training row
        device = torch.device(self.device)
        x = torch.as_tensor(dense, dtype=torch.float64, device=device)
        solution = _solve(
            x,
            torch.as_tensor(y_index, device=device),
            torch.as_tensor(rows, device=device),
            torch.as_tensor(np.asarray(self.Cs, dtype=np.float64), device=device),
            len(self.classes_),
            scaling,
            self.tol,
            self.max_iter,
        )
        self.n_iter_ = solution.n_iter
        accuracy = np.zeros((len(splits), len(self.Cs)))
        with torch.no_grad():
            for number, (_, held_out) in enumerate(splits):
                logits = solution.logits(x[held_out], number)  # [n_held_out, n_Cs, K']
                predicted = _predict(logits, len(self.classes_)).cpu().numpy()
                accuracy[number] = (predicted == y_index[held_out][:, None]).mean(axis=0)
        means = accuracy.mean(axis=0)
        best = int(np.argmax(means))  # the first of equals, as GridSearchCV picks
        self.C_ = float(self.Cs[best])
        self.cv_accuracy_mean_ = float(means[best])
        self.cv_accuracy_std_ = float(accuracy[:, best].std())
        self.weights_, self.intercepts_ = solution.raw_parameters(len(splits), best)
        return self

    def decision(self, X: np.ndarray | sp.csr_matrix) -> np.ndarray:
        """The refitted model's logits ``[n, K']`` on raw columns."""
        if sp.issparse(X):
            codes = sp.csr_matrix(X)
            dense = (codes[:, self.columns_] if self.columns_ is not None else codes).toarray()
        else:
            dense = np.asarray(X, dtype=np.float64)
        return dense @ self.weights_ + self.intercepts_

    def predict_proba(self, X: np.ndarray | sp.csr_matrix) -> np.ndarray:
        logits = self.decision(X)
        if logits.shape[1] == 1:
            positive = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray | sp.csr_matrix) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _used_columns(X: np.ndarray | sp.csr_matrix) -> tuple[np.ndarray | None, np.ndarray]:
    """Sparse input: the columns that are non-zero somewhere, as a dense matrix of only those."""
    if not sp.issparse(X):
        return None, np.asarray(X, dtype=np.float64)
    X = sp.csr_matrix(X)
    used = np.flatnonzero(np.bincount(X.indices[X.data != 0], minlength=X.shape[1]))
    return used, X[:, used].toarray().astype(np.float64)


def _predict(logits: Any, n_classes: int) -> Any:
    if n_classes == 2:
        return (logits[..., 0] > 0).long()
    return logits.argmax(dim=-1)


class _Solution:
    """Solved problems: weights on scaled columns ``W`` ``[S, nC, d, K']`` and intercepts ``b``
    ``[S, nC, K']``, with each row set's scaler ``mu``, ``sigma`` ``[S, d]``."""

    def __init__(self, W, b, mu, sigma, n_iter: int):
        self.W, self.b, self.mu, self.sigma, self.n_iter = W, b, mu, sigma, n_iter

    def raw(self, row_set: int):
        """Raw-column weights ``V`` ``[nC, d, K']`` and intercepts ``c`` ``[nC, K']`` of one row set."""
        V = self.W[row_set] / self.sigma[row_set][None, :, None]
        c = self.b[row_set] - self.mu[row_set] @ V
        return V, c

    def logits(self, x, row_set: int):
        V, c = self.raw(row_set)
        return (x @ V).permute(1, 0, 2) + c[None]

    def raw_parameters(self, row_set: int, best: int) -> tuple[np.ndarray, np.ndarray]:
        V, c = self.raw(row_set)
        return V[best].cpu().numpy(), c[best].cpu().numpy()


def _scalers(x, rows, scaling: str):
    """Each row set's scaler, as scikit-learn's: ``mu`` and ``sigma`` ``[S, d]`` (a zero scale
    becomes 1). Rows fall into a few groups by the sets that hold them (under k-fold CV, by their
    held-out fold), so sums per group give every set's figures from one pass over ``x``."""
    import torch

    # Each row's sets as the bits of one integer (at most 51 sets: 50 folds and the refit), so a
    # one-dimensional unique finds the groups.
    bits = torch.arange(rows.shape[0], device=rows.device)
    codes, group = torch.unique((rows.T.long() << bits).sum(dim=1), return_inverse=True)  # [G], [n]
    patterns = ((codes[:, None] >> bits) & 1).bool()  # [G, S]
    members = patterns.T.to(x.dtype)  # [S, G]
    counts = rows.sum(dim=1, keepdim=True).to(x.dtype)
    if scaling == "maxabs":
        group_max = torch.zeros((len(patterns), x.shape[1]), dtype=x.dtype, device=x.device)
        group_max.scatter_reduce_(0, group[:, None].expand_as(x), x.abs(), "amax")
        sigma = torch.stack([group_max[held].amax(dim=0) for held in patterns.T])
        return torch.zeros_like(sigma), torch.where(sigma > 0, sigma, torch.ones_like(sigma))
    if scaling not in ("standard", "center"):
        raise ValueError(f"unknown scaling {scaling!r}; use standard, maxabs or center")
    # Sums around the mean of all rows: the squares of raw values far from zero would cancel
    # catastrophically in E[x²] - E[x]².
    centre = x.mean(dim=0)
    shifted = x - centre
    sums = torch.zeros((len(patterns), x.shape[1]), dtype=x.dtype, device=x.device).index_add_(0, group, shifted)
    first = members @ sums / counts  # each set's mean, minus the centre
    if scaling == "center":
        return first + centre, torch.ones_like(first)
    squares = torch.zeros_like(sums).index_add_(0, group, shifted * shifted)
    variance = (members @ squares / counts - first * first).clamp(min=0)
    mean = first + centre
    # scikit-learn's test for a constant column: a variance within rounding error of zero.
    eps = torch.finfo(x.dtype).eps
    constant = variance <= counts * eps * variance + (counts * mean * eps) ** 2
    return mean, torch.where(constant, torch.ones_like(variance), variance.sqrt())


def _solve(x, y, rows, Cs, n_classes: int, scaling: str, tol: float, max_iter: int) -> _Solution:
    """Minimise, for every row set ``s`` and every ``C``,
    ``C Σ_{i∈s} loss(x̃_i W + b, y_i) + ½‖W‖²`` (``x̃`` scaled as set ``s``'s scaler says) by one
    batched, preconditioned L-BFGS.

    The weights are kept in the principal axes of the scaled training rows (``W = R A``, ``R``
    orthogonal, so the L2 penalty is the same): there a logistic loss's Hessian is close to
    diagonal (its curvature is at most 1/4 per example) and a diagonal preconditioner models it
    well. Every problem's logits come from the one raw matrix (``x V + c`` with ``V = R A / σ``),
    so an iteration streams ``x`` twice, whatever the number of folds and Cs."""
    import torch

    n_sets, n = rows.shape
    n_cs, d = len(Cs), x.shape[1]
    problems = n_sets * n_cs
    width = 1 if n_classes == 2 else n_classes
    mu, sigma = _scalers(x, rows, scaling)
    C = Cs.to(x.dtype)
    sizes = rows.sum(1).to(x.dtype)  # [S]
    scaled = (x[rows[-1]] - mu[-1]) / sigma[-1]
    eigenvalues, rotation = torch.linalg.eigh(scaled.T @ scaled)
    curvature = 0.25 * C[None, :, None] * (eigenvalues.clamp(min=0) / len(scaled))[None, None, :] * sizes[:, None, None]
    h_inverse = torch.cat(
        [
            (1.0 / (1.0 + curvature))[..., None].expand(n_sets, n_cs, d, width).reshape(n_sets, n_cs, -1),
            (1.0 / (0.25 * C[None, :] * sizes[:, None]))[..., None].expand(n_sets, n_cs, width),
        ],
        dim=2,
    ).reshape(problems, -1)
    # The iterations run in float32 on columns standardised as the whole training split is (exact:
    # each set's scaler is re-expressed on them), so no column is large enough to lose digits.
    compute = torch.float32
    centre, spread = (mu[-1:], sigma[-1:]) if scaling == "standard" else _scalers(x, rows[-1:], "standard")
    xc = ((x - centre) / spread).to(compute)
    set_mu, set_sigma = (mu - centre) / spread, sigma / spread
    Rc, h_inverse = rotation.to(compute), h_inverse.to(compute)
    inverse_sigma = (1.0 / set_sigma).to(compute).repeat_interleave(n_cs, dim=0)  # [P, d]
    shift = (set_mu / set_sigma).to(compute).repeat_interleave(n_cs, dim=0)  # [P, d]: μ/σ
    target = torch.nn.functional.one_hot(y, n_classes).to(compute)
    signs = 2 * target[:, 1] - 1
    weight = (rows.to(x.dtype).T[:, :, None] * C[None, None, :]).reshape(n, problems).to(compute)  # [n, P]

    def objective(theta, chosen):
        """Values and gradients of the problems ``chosen`` (indices) at their ``theta``."""
        count = len(chosen)
        A = theta.reshape(count, d + 1, width)
        columns = A[:, :d].permute(1, 0, 2).reshape(d, -1)  # [d, P·K']: one product rotates them all
        W = (Rc @ columns).reshape(d, count, width).permute(1, 0, 2)  # on each set's scaled columns
        V = W * inverse_sigma[chosen][:, :, None]  # on raw columns
        shifts = shift[chosen]
        c = A[:, d] - torch.einsum("pd,pdk->pk", shifts, W)
        logits = (xc @ V.permute(1, 0, 2).reshape(d, -1)).reshape(n, count, width) + c[None]
        if width == 1:
            margin = signs[:, None] * logits[..., 0]
            loss = torch.nn.functional.softplus(-margin)
            residual = (-signs[:, None] * torch.sigmoid(-margin))[..., None]
        else:
            loss = torch.logsumexp(logits, dim=-1) - (logits * target[:, None, :]).sum(-1)
            residual = torch.softmax(logits, dim=-1) - target[:, None, :]
        weights = weight[:, chosen]
        residual = residual * weights[..., None]  # [n, P, K']
        value = (weights * loss).sum(0) + 0.5 * (A[:, :d] ** 2).sum(dim=(1, 2))
        grad_c = residual.sum(0)  # [P, K']
        grad_V = (xc.T @ residual.reshape(n, -1)).reshape(d, count, width).permute(1, 0, 2)
        grad_W = grad_V * inverse_sigma[chosen][:, :, None] - shifts[:, :, None] * grad_c[:, None, :]
        grad_A = (Rc.T @ grad_W.permute(1, 0, 2).reshape(d, -1)).reshape(d, count, width).permute(1, 0, 2) + A[:, :d]
        return value, torch.cat([grad_A, grad_c[:, None, :]], dim=1).reshape(count, -1)

    limit = (tol * C[None, :] * sizes[:, None]).reshape(-1).to(compute)
    # Every (row set × C) problem starts from zero and all are solved together. Warm starts along
    # the C path (each C from the next smaller C's solutions, one C after another) were measured:
    # 10.5 s instead of 6.1 s for a 6-layer sweep's fits, as every C then pays its own iterations.
    theta = torch.zeros((problems, (d + 1) * width), dtype=compute, device=x.device)
    theta, iterations = _lbfgs(objective, h_inverse, limit, max_iter, theta)
    A = theta.to(x.dtype).reshape(n_sets, n_cs, d + 1, width)
    W = torch.einsum("ij,scjk->scik", rotation, A[:, :, :d])
    return _Solution(W, A[:, :, d], mu, sigma, iterations)


def _lbfgs(objective, h_inverse, limit, max_iter: int, theta):
    """Batched L-BFGS from ``theta`` for problems ``[P, m]`` with per-problem Armijo backtracking;
    a problem stops when its largest gradient entry is at most its ``limit``. Each iteration
    evaluates only the problems still running, so the cost falls as they finish."""
    import torch

    problems = theta.shape[0]
    value, grad = objective(theta, torch.arange(problems, device=theta.device))
    memory_s, memory_y = torch.zeros((2, problems, HISTORY, theta.shape[1]), dtype=theta.dtype, device=theta.device)
    active = grad.abs().amax(dim=1) > limit
    iteration = 0
    while bool(active.any()) and iteration < max_iter:
        chosen = active.nonzero()[:, 0]
        recent = min(iteration, HISTORY)
        slots = torch.tensor(
            [(iteration - recent + k) % HISTORY for k in range(recent)], dtype=torch.long, device=theta.device
        )
        pairs = chosen[:, None], slots[None, :]  # the oldest pair first
        iteration += 1
        x0, v0, g0, h0 = theta[chosen], value[chosen], grad[chosen], h_inverse[chosen]
        direction = -_inverse_hessian_times(g0, memory_s[pairs], memory_y[pairs], h0)
        slope = (g0 * direction).sum(1)
        uphill = slope >= 0
        if bool(uphill.any()):  # a stale memory: fall back to the preconditioned gradient
            direction[uphill] = -(h0 * g0)[uphill]
            slope = (g0 * direction).sum(1)
        step = torch.ones_like(v0)
        for _ in range(BACKTRACKS):
            trial = x0 + step[:, None] * direction
            trial_value, trial_grad = objective(trial, chosen)
            enough = trial_value <= v0 + ARMIJO * step * slope
            # Near the optimum a decrease falls below float32's resolution of the objective; there
            # the trapezoid rule over the directional derivatives (exact for a quadratic) tells it.
            unresolved = (trial_value - v0).abs() <= VALUE_NOISE * v0.abs()
            estimated = 0.5 * step * (slope + (trial_grad * direction).sum(1)) <= ARMIJO * step * slope
            failed = ~(enough | (unresolved & estimated))
            if not bool(failed.any()):
                break
            step = torch.where(failed, step * 0.5, step)
        # A problem that finds no decrease along its direction is as solved as the precision of
        # its objective allows: it stops where it is.
        trial = torch.where(failed[:, None], x0, trial)
        trial_value = torch.where(failed, v0, trial_value)
        trial_grad = torch.where(failed[:, None], g0, trial_grad)
        s, change = trial - x0, trial_grad - g0
        # A pair without positive curvature is stored as zeros, which the product ignores.
        useful = ((s * change).sum(1) > 1e-12 * (change * change).sum(1).clamp(min=1e-300))[:, None]
        slot = (iteration - 1) % HISTORY
        memory_s[chosen, slot] = torch.where(useful, s, torch.zeros_like(s))
        memory_y[chosen, slot] = torch.where(useful, change, torch.zeros_like(change))
        theta[chosen], value[chosen], grad[chosen] = trial, trial_value, trial_grad
        active[chosen] = ~failed & (trial_grad.abs().amax(dim=1) > limit[chosen])
    return theta, iteration


def _inverse_hessian_times(grad, S, Y, h_inverse):
    """The L-BFGS inverse Hessian times ``grad`` for every problem at once, in the compact form of
    Byrd, Nocedal and Schnabel (1994): a few batched products instead of the two-loop recursion's
    many small steps. ``S``, ``Y`` ``[P, k, m]`` hold the pairs, the oldest first (all-zero pairs
    are left out by construction); the initial inverse Hessian is the diagonal preconditioner
    scaled by the newest pair's curvature."""
    import torch

    if S.shape[1] == 0:
        return h_inverse * grad
    s, y = S[:, -1], Y[:, -1]
    yhy = (y * h_inverse * y).sum(1)
    gamma = torch.where(yhy > 0, (s * y).sum(1) / yhy.clamp(min=1e-300), torch.ones_like(yhy))
    h0 = gamma[:, None] * h_inverse  # [P, m]
    HY = Y * h0[:, None, :]
    SY = S @ Y.transpose(1, 2)  # [P, k, k]
    curvature = torch.diagonal(SY, dim1=1, dim2=2)
    empty = curvature <= 0  # a pair stored as zeros: a unit pivot keeps the triangle invertible
    R = torch.triu(SY) + torch.diag_embed(empty.to(SY.dtype))
    a = S @ grad[:, :, None]  # [P, k, 1]
    b = HY @ grad[:, :, None]
    p2 = torch.linalg.solve_triangular(R, a, upper=True)
    c = curvature[:, :, None] * p2 + (Y @ HY.transpose(1, 2)) @ p2 - b
    p1 = torch.linalg.solve_triangular(R.transpose(1, 2), c, upper=False)
    return h0 * grad + (S.transpose(1, 2) @ p1 - HY.transpose(1, 2) @ p2)[:, :, 0]
