"""Damping and TRPO's line search laid out as tables (notebook 07, sections 3 and 4).

:func:`damping_sweep`: what ``F + lambda I`` does to conjugate gradient and to the natural
direction; :func:`line_search_candidates`: TRPO's candidates ``theta + c^j d`` with each test
spelled out.

Derived in ``notebooks/07_practical_npg.ipynb``, sections 3 and 4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._validation import as_array, check_in_range, check_int, check_positive
from ..natural import (
    conjugate_gradient,
)

# --- damping and the line search, laid out for notebook 07, sections 3 and 4 -------------------


@dataclass(frozen=True)
class DampingSweep:
    """Result of :func:`damping_sweep`: one entry per damping ``lambda``.

    Attributes
    ----------
    damping : ndarray of shape (L,)
    condition : ndarray of shape (L,)
        ``(mu_max + lambda) / (mu_min + lambda)``; for ``lambda = 0`` the condition number of
        the nonzero part of ``F`` (the part conjugate gradient started at 0 works in).
    residual : ndarray of shape (L,)
        ``||g - (F + lambda I) x|| / ||g||`` after ``cg_iters`` CG iterations.
    cos_undamped : ndarray of shape (L,)
        Cosine between the exact damped solution ``(F + lambda I)^-1 g`` (``F^+ g`` at
        ``lambda = 0``) and the minimum-norm undamped one ``F^+ g``.
    cos_gradient : ndarray of shape (L,)
        Cosine between the exact damped solution and ``g`` (the vanilla direction).
    n_zero : int
        Number of zero eigenvalues of ``F`` (below ``1e-12`` times the largest).
    """

    damping: np.ndarray
    condition: np.ndarray
    residual: np.ndarray
    cos_undamped: np.ndarray
    cos_gradient: np.ndarray
    n_zero: int


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def damping_sweep(F, g, damping, cg_iters: int = 10, fvp: Callable | None = None) -> DampingSweep:
    """What damping ``F + lambda I`` does to conjugate gradient and to the natural direction.

    For each ``lambda``: the condition number ``kappa = (mu_max + lambda) / (mu_min + lambda)``
    of the damped matrix (eigenvalues ``mu`` of ``F``), the relative residual of
    ``cg_iters`` CG iterations on ``(F + lambda I) x = g``, and the cosines of the exact
    solution ``x_lambda = (F + lambda I)^-1 g`` to the undamped ``F^+ g`` and to ``g``. As
    ``lambda -> 0``, ``x_lambda -> F^+ g`` (for ``g`` in the range of ``F``); as
    ``lambda -> inf``, ``x_lambda -> g / lambda``, the vanilla direction.

    Parameters
    ----------
    F : array-like of shape (n, n)
        Symmetric positive semi-definite, e.g. the sampled Fisher ``F_hat``.
    g : array-like of shape (n,)
        The gradient (estimate), nonzero.
    damping : array-like of shape (L,)
        Values of ``lambda``, each >= 0.
    cg_iters : int, default 10
        CG iterations (MATH.md section 4), >= 1.
    fvp : callable, optional
        ``v -> F v`` used by CG (e.g. ``batch.fvp``, two passes over the samples); default
        ``F @ v``. The condition numbers and exact solutions always use the dense ``F``.

    Returns
    -------
    DampingSweep

    Notes
    -----
    CG's error after ``k`` iterations is at most ``2 ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^k``
    of the start. Derived in ``notebooks/07_practical_npg.ipynb``, section 3.

    Examples
    --------
    A singular ``F``: at ``lambda = 0`` the nonzero part counts (``1 / 0.1``), a damping of 0.1
    lifts the zero eigenvalue to 0.1 (``1.1 / 0.1``) and bends ``x`` towards ``g``.

    >>> out = damping_sweep(np.diag([0.0, 0.1, 1.0]), np.array([0.0, 1.0, 1.0]), [0.0, 0.1])
    >>> out.n_zero, np.round(out.condition, 4).tolist(), np.round(out.cos_gradient, 4).tolist()
    (1, [10.0, 11.0], [0.774, 0.8222])
    """
    F = as_array(F, "F", ndim=2)
    n = F.shape[0]
    if F.shape != (n, n) or not np.allclose(F, F.T, atol=1e-12 * max(1.0, np.abs(F).max())):
        raise ValueError(f"F has shape {F.shape} or is not symmetric; valid: symmetric (n, n)")
    g = as_array(g, "g", shape=(n,))
    if not np.any(g != 0.0):
        raise ValueError("g is zero everywhere; valid: a nonzero gradient")
    damping = check_in_range(damping, "damping", 0.0)
    if damping.ndim != 1 or damping.size == 0:
        raise ValueError(f"damping has shape {damping.shape}; valid: a 1-D array, >= 1 value")
    cg_iters = check_int(cg_iters, "cg_iters")
    product = fvp if fvp is not None else (lambda v: F @ v)
    mu = np.linalg.eigvalsh(F)
    nonzero = mu[mu > 1e-12 * mu[-1]]
    x_pinv = np.linalg.pinv(F, rcond=1e-12) @ g
    rows = []
    for lam in damping:
        x_cg, info = conjugate_gradient(lambda v, lam=lam: product(v) + lam * v, g, cg_iters)
        # lambda = 0: CG started at 0 stays in the range of F, where the nonzero part counts
        kappa = (mu[-1] + lam) / (mu[0] + lam) if lam > 0 else nonzero[-1] / nonzero[0]
        x = x_pinv if lam == 0 else np.linalg.solve(F + lam * np.eye(n), g)
        rows.append(
            (kappa, info.residual_norm / np.linalg.norm(g), _cosine(x, x_pinv), _cosine(x, g))
        )
    condition, residual, cos_undamped, cos_gradient = np.array(rows).T
    return DampingSweep(damping, condition, residual, cos_undamped, cos_gradient, n - nonzero.size)


@dataclass(frozen=True)
class LineSearchCandidates:
    """Result of :func:`line_search_candidates`: one entry per candidate ``theta + c^j d``.

    Attributes
    ----------
    fraction : ndarray of shape (J,)
        ``c^j``.
    kl : ndarray of shape (J,)
        The true KL ``kl(theta + c^j d)``.
    quadratic : ndarray of shape (J,)
        Its quadratic model ``1/2 (c^j d)^T F (c^j d)``.
    predicted : ndarray of shape (J,)
        Surrogate gain ``surrogate(theta + c^j d) - surrogate(theta)``.
    true : ndarray of shape (J,)
        True gain ``evaluate(theta + c^j d) - evaluate(theta)``.
    accepted : ndarray of shape (J,), bool
        TRPO's test: ``kl <= delta`` and ``predicted >= 0``.
    """

    fraction: np.ndarray
    kl: np.ndarray
    quadratic: np.ndarray
    predicted: np.ndarray
    true: np.ndarray
    accepted: np.ndarray


def line_search_candidates(
    theta,
    full_step,
    surrogate: Callable,
    kl: Callable,
    evaluate: Callable,
    F,
    delta: float,
    n_tries: int = 4,
    backtrack_coeff: float = 0.8,
) -> LineSearchCandidates:
    """TRPO's first ``n_tries`` candidates ``theta + c^j d``, each with its KL check spelled out.

    What :func:`course_utils.natural.backtracking_line_search` tests, candidate by candidate,
    beside the quadratic model of the KL that chose the step and the true gain: the table of a
    line search. The line search itself accepts the first candidate with ``accepted`` True.

    Parameters
    ----------
    theta : array-like of shape (n,)
    full_step : array-like of shape (n,)
        ``d``, e.g. ``natural_step(g, F, delta)``.
    surrogate, kl, evaluate : callable
        ``theta_new -> float``: the surrogate ``Abar``, the KL to ``pi_theta``, the true ``J``.
    F : array-like of shape (n, n)
        The Fisher of the quadratic KL model.
    delta : float
        KL limit, > 0.
    n_tries : int, default 4
        Candidates ``j = 0, ..., n_tries - 1``, >= 1.
    backtrack_coeff : float, default 0.8
        ``c`` in (0, 1).

    Returns
    -------
    LineSearchCandidates

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``, section 4.
    """
    theta = as_array(theta, "theta", ndim=1)
    d = as_array(full_step, "full_step", shape=theta.shape)
    F = as_array(F, "F", shape=(theta.size, theta.size))
    delta = float(check_positive(delta, "delta"))
    n_tries = check_int(n_tries, "n_tries")
    c = float(
        check_in_range(backtrack_coeff, "backtrack_coeff", 0.0, 1.0, low_open=True, high_open=True)
    )
    fraction = c ** np.arange(n_tries)
    base_surrogate, base_return = float(surrogate(theta)), float(evaluate(theta))
    rows = []
    for f in fraction:
        candidate = theta + f * d
        kl_f = float(kl(candidate))
        predicted = float(surrogate(candidate)) - base_surrogate
        rows.append(
            (kl_f, 0.5 * f**2 * d @ F @ d, predicted, float(evaluate(candidate)) - base_return)
        )
    kl_, quadratic, predicted, true = np.array(rows).T
    accepted = (kl_ <= delta) & (predicted >= 0.0)
    return LineSearchCandidates(fraction, kl_, quadratic, predicted, true, accepted)
