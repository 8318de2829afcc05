"""Trust-region steps: vanilla, natural, conjugate gradient and TRPO's line search.

Conventions (``notebooks/MATH.md`` section 1):

- vanilla step: ``max g^T d s.t. d^T d <= eps`` gives ``d = sqrt(eps / g^T g) g``;
- natural step: ``max g^T d s.t. 1/2 d^T F d <= eps`` gives
  ``d = sqrt(2 eps / g^T F^-1 g) F^-1 g``.

Kakade & Brantley write ``d^T F d <= delta`` (no 1/2): the same rule with ``delta = 2 eps``.
Derived in ``notebooks/03_taylor_and_trust_regions.ipynb`` (vanilla),
``notebooks/05_natural_gradient.ipynb`` (natural) and ``notebooks/07_practical_npg.ipynb``
(conjugate gradient, Fisher-vector products, line search).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_array, check_in_range, check_int, check_positive

__all__ = [
    "vanilla_step",
    "natural_step",
    "natural_gradient",
    "conjugate_gradient",
    "CGInfo",
    "fisher_vector_product",
    "natural_step_cg",
    "backtracking_line_search",
    "LineSearchResult",
    "trust_region_boundary",
    "sigmoid_ascent_path",
    "quadratic_model_breakdown",
]


def _check_g(g) -> np.ndarray:
    g = as_array(g, "g")
    if g.ndim < 1:
        raise ValueError(f"g has shape {g.shape}; valid: a vector of shape (..., n)")
    if g.shape[-1] == 0:
        raise ValueError(f"g has shape {g.shape}; valid: a vector of shape (..., n) with n >= 1")
    if np.any(np.max(np.abs(g), axis=-1) == 0.0):
        raise ValueError(
            "g is the zero vector: no ascent direction exists (the point is stationary); "
            "valid: a nonzero gradient"
        )
    return g


def _unit_scale(g: np.ndarray) -> np.ndarray:
    """``g / max_i |g_i|`` per vector: both steps are unchanged by ``g -> c g`` (c > 0), and the
    scaling keeps ``g^T g`` and ``g^T F^-1 g`` from overflowing or underflowing to 0."""
    return g / np.max(np.abs(g), axis=-1, keepdims=True)


def _check_F(F, n: int, name: str = "F") -> np.ndarray:
    F = as_array(F, name)
    if F.ndim < 2 or F.shape[-2:] != (n, n):
        raise ValueError(f"{name} has shape {F.shape}; valid: shape (..., {n}, {n}) to match g")
    if not np.allclose(F, np.swapaxes(F, -1, -2), rtol=1e-10, atol=1e-12 * np.abs(F).max()):
        raise ValueError(f"{name} is not symmetric; valid: a symmetric positive definite matrix")
    return F


def _cholesky(F: np.ndarray, name: str, damping: float) -> np.ndarray:
    try:
        return np.linalg.cholesky(F)
    except np.linalg.LinAlgError as err:
        eigmin = float(np.min(np.linalg.eigvalsh(F)))
        raise ValueError(
            f"{name} is not positive definite (smallest eigenvalue {eigmin:.3g}, damping "
            f"{damping:g}); valid: a symmetric positive definite matrix. Add damping, e.g. "
            "damping=1e-3 (F + damping I), as practical NPG/TRPO codes do"
        ) from err


def _solve_spd(F: np.ndarray, g: np.ndarray, name: str, damping: float) -> np.ndarray:
    L = _cholesky(F, name, damping)
    y = np.linalg.solve(L, g[..., None])
    return np.linalg.solve(np.swapaxes(L, -1, -2), y)[..., 0]


def vanilla_step(g, eps) -> np.ndarray:
    """Gradient-ascent step on the Euclidean trust region: ``d = sqrt(eps / g^T g) g``.

    Solves ``max_d g^T d`` subject to ``d^T d <= eps``; the constraint is active, so
    ``||d||^2 = eps`` exactly.

    Parameters
    ----------
    g : array-like of shape (..., n)
        Gradient(s), nonzero.
    eps : float or array-like broadcastable to (...)
        Trust-region size, > 0.

    Returns
    -------
    ndarray of shape (..., n)

    Notes
    -----
    Derived in ``notebooks/03_taylor_and_trust_regions.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> d = vanilla_step(np.array([3.0, 4.0]), 0.25)
    >>> round(float(d @ d), 12)
    0.25
    """
    g = _unit_scale(_check_g(g))
    eps = check_positive(eps, "eps")
    alpha = np.sqrt(eps / np.sum(g * g, axis=-1))
    return alpha[..., None] * g


def natural_gradient(g, F, damping: float = 0.0) -> np.ndarray:
    """``(F + damping I)^-1 g``, by a Cholesky solve.

    Parameters
    ----------
    g : array-like of shape (..., n)
    F : array-like of shape (..., n, n)
        Symmetric positive (semi)definite; positive definite after damping.
    damping : float, default 0.0
        ``lambda >= 0`` added to the diagonal (MATH.md section 4: 1e-5 to 0.1 in practice).

    Returns
    -------
    ndarray of shape (..., n)
    """
    g = as_array(g, "g")
    damping = float(check_in_range(damping, "damping", 0.0))
    F = _check_F(F, g.shape[-1])
    F = F + damping * np.eye(g.shape[-1])
    return _solve_spd(F, g, "F", damping)


def natural_step(g, F, eps, damping: float = 0.0) -> np.ndarray:
    """Natural step on the KL trust region: ``d = sqrt(2 eps / g^T F^-1 g) F^-1 g``.

    Solves ``max_d g^T d`` subject to ``1/2 d^T F d <= eps`` (the second-order KL), so that
    ``1/2 d^T F d = eps`` exactly.

    Parameters
    ----------
    g : array-like of shape (..., n)
        Gradient, nonzero.
    F : array-like of shape (..., n, n)
        Fisher matrix, symmetric positive definite (after ``damping``).
    eps : float
        Trust-region size, > 0.
    damping : float, default 0.0

    Returns
    -------
    ndarray of shape (..., n)

    Notes
    -----
    Derived in ``notebooks/05_natural_gradient.ipynb``. Erratum 1 of MATH.md: seed 002 writes
    ``g^T F g`` in the step size; with it ``1/2 d^T F d`` misses eps by orders of magnitude.

    Examples
    --------
    >>> import numpy as np
    >>> F = np.diag([4.0, 1.0]); d = natural_step(np.array([1.0, 1.0]), F, 0.1)
    >>> round(float(0.5 * d @ F @ d), 12)
    0.1
    """
    g = _unit_scale(_check_g(g))
    eps = check_positive(eps, "eps")
    x = natural_gradient(g, F, damping)
    return np.sqrt(2.0 * eps / np.sum(g * x, axis=-1))[..., None] * x


@dataclass(frozen=True)
class CGInfo:
    """What :func:`conjugate_gradient` reports besides the solution.

    Attributes
    ----------
    iterations : int
        Iterations done.
    residual_norm : float
        ``||b - A x||`` as tracked by the recursion.
    xAx : float
        ``x^T A x = x^T (b - r)``: the step-size by-product (no extra matrix-vector product).
    converged : bool
        Whether ``r^T r`` fell below ``tol`` before ``iters`` ran out.
    """

    iterations: int
    residual_norm: float
    xAx: float
    converged: bool


def conjugate_gradient(matvec: Callable, b, iters: int = 10, tol: float = 1e-10):
    """Solve ``A x = b`` for symmetric positive definite ``A`` given only ``v -> A v``.

    The classic recursion (Hestenes & Stiefel) as in Spinning Up / rllab: it stops after
    ``iters`` iterations or when ``r^T r < tol``.

    Parameters
    ----------
    matvec : callable
        ``v -> A v`` for vectors of shape (n,).
    b : array-like of shape (n,)
    iters : int, default 10
        Maximum iterations, >= 1 (MATH.md section 4 default).
    tol : float, default 1e-10
        Threshold on the squared residual norm, > 0.

    Returns
    -------
    x : ndarray of shape (n,)
    info : CGInfo

    Notes
    -----
    Written out in ten lines in ``notebooks/07_practical_npg.ipynb``.
    """
    b = as_array(b, "b", ndim=1)
    iters = check_int(iters, "iters")
    tol = float(check_positive(tol, "tol"))
    x = np.zeros_like(b)
    r = b.copy()
    p = b.copy()
    rr = r @ r
    done = 0
    for done in range(1, iters + 1):  # iterations of the solver, not a loop over samples
        if rr < tol:
            done -= 1
            break
        Ap = np.asarray(matvec(p), dtype=float)
        pAp = p @ Ap
        if not np.isfinite(pAp) or pAp <= 0.0:
            raise ValueError(
                f"matvec is not positive definite along a search direction (p^T A p = {pAp:.3g});"
                " valid: a symmetric positive definite operator. Add damping to the Fisher"
                " product"
            )
        alpha = rr / pAp
        x += alpha * p
        r -= alpha * Ap
        rr_new = r @ r
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x, CGInfo(done, float(np.sqrt(rr)), float(x @ (b - r)), bool(rr < tol))


def fisher_vector_product(scores, v, damping: float = 0.0, weights=None) -> np.ndarray:
    """``F v`` for the sampled Fisher ``F = sum_i w_i psi_i psi_i^T``, without forming F.

    ``F v = scores^T (w * (scores v)) + damping v``: two matrix-vector products, cost
    ``O(N n)`` instead of ``O(N n^2)`` to form F and ``O(n^3)`` to solve with it.

    Parameters
    ----------
    scores : array-like of shape (N, n)
        Per-sample scores ``psi_i = grad log pi(a_i | s_i)``.
    v : array-like of shape (n,)
    damping : float, default 0.0
    weights : array-like of shape (N,), optional
        Sample weights (e.g. ``gamma^t / n_trajectories``); default ``1 / N`` each.

    Returns
    -------
    ndarray of shape (n,)
    """
    scores = as_array(scores, "scores", ndim=2)
    v = as_array(v, "v", shape=(scores.shape[1],))
    damping = float(check_in_range(damping, "damping", 0.0))
    if weights is None:
        return scores.T @ (scores @ v) / scores.shape[0] + damping * v
    weights = as_array(weights, "weights", shape=(scores.shape[0],))
    return scores.T @ (weights * (scores @ v)) + damping * v


def natural_step_cg(g, matvec: Callable, eps, iters: int = 10, tol: float = 1e-10):
    """Natural step with ``F^-1 g`` from conjugate gradient: ``d = sqrt(2 eps / x^T F x) x``.

    Parameters
    ----------
    g : array-like of shape (n,)
    matvec : callable
        ``v -> F v`` (e.g. a :func:`fisher_vector_product` closure, damped).
    eps : float
        > 0.
    iters, tol
        As :func:`conjugate_gradient`.

    Returns
    -------
    d : ndarray of shape (n,)
    info : CGInfo
    """
    g = _check_g(as_array(g, "g", ndim=1))
    eps = float(check_positive(eps, "eps"))
    x, info = conjugate_gradient(matvec, g, iters, tol)
    return np.sqrt(2.0 * eps / info.xAx) * x, info


@dataclass(frozen=True)
class LineSearchResult:
    """Outcome of :func:`backtracking_line_search`.

    Attributes
    ----------
    theta : ndarray
        Accepted parameters (the old ones if nothing was accepted).
    accepted : bool
    backtracks : int
        ``j`` of the accepted step ``c^j full_step`` (or the number of tries if none).
    step_fraction : float
        ``c^j`` (0.0 if nothing was accepted).
    kl : float
        KL at the accepted parameters (0.0 if none).
    improvement : float
        Surrogate improvement at the accepted parameters (0.0 if none).
    """

    theta: np.ndarray
    accepted: bool
    backtracks: int
    step_fraction: float
    kl: float
    improvement: float


def backtracking_line_search(
    theta,
    full_step,
    surrogate: Callable,
    kl: Callable,
    delta: float,
    backtrack_coeff: float = 0.8,
    max_backtracks: int = 10,
) -> LineSearchResult:
    """TRPO's rule: accept the first ``theta + c^j full_step`` with KL <= delta and no loss.

    Tries ``j = 0, ..., max_backtracks - 1``; accepts the first candidate with
    ``kl(theta_new) <= delta`` and ``surrogate(theta_new) - surrogate(theta) >= 0``; if none
    passes, keeps ``theta`` (MATH.md section 4).

    Parameters
    ----------
    theta : array-like
        Current parameters.
    full_step : array-like, same shape as theta
        Usually :func:`natural_step` or :func:`natural_step_cg` with ``eps = delta``.
    surrogate : callable
        ``theta_new -> Abar(theta_new)``.
    kl : callable
        ``theta_new -> KL(pi_theta || pi_theta_new)`` (same weighting as the constraint).
    delta : float
        KL limit, > 0.
    backtrack_coeff : float, default 0.8
        ``c`` in (0, 1): Spinning Up uses 0.8, OpenAI baselines 0.5.
    max_backtracks : int, default 10

    Returns
    -------
    LineSearchResult

    Notes
    -----
    Demonstrated in ``notebooks/07_practical_npg.ipynb``.
    """
    theta = as_array(theta, "theta")
    full_step = as_array(full_step, "full_step", shape=theta.shape)
    delta = float(check_positive(delta, "delta"))
    c = float(
        check_in_range(backtrack_coeff, "backtrack_coeff", 0.0, 1.0, low_open=True, high_open=True)
    )
    max_backtracks = check_int(max_backtracks, "max_backtracks")
    base = float(surrogate(theta))
    for j in range(max_backtracks):
        candidate = theta + c**j * full_step
        kl_j = float(kl(candidate))
        gain = float(surrogate(candidate)) - base
        if np.isfinite(kl_j) and kl_j <= delta and gain >= 0.0:
            return LineSearchResult(candidate, True, j, c**j, kl_j, gain)
    return LineSearchResult(theta.copy(), False, max_backtracks, 0.0, 0.0, 0.0)


# --- drawable trust regions and the sigmoid example (notebooks 03-05, trust-region widgets) ---


def trust_region_boundary(eps, F=None, n_points: int = 361) -> np.ndarray:
    """Points ``d`` on the boundary of a 2-D trust region, ready to draw around ``theta``.

    - ``F`` is None: the circle ``d^T d = eps`` (radius ``sqrt(eps)``, gradient ascent);
    - ``F`` given: the ellipse ``1/2 d^T F d = eps`` (the second-order KL ball, natural
      gradient). With ``F = V diag(lam) V^T`` the points are
      ``d = V diag(sqrt(2 eps / lam)) (cos t, sin t)``: short axes along the directions that
      change the policy most.

    Parameters
    ----------
    eps : float
        > 0.
    F : array-like of shape (2, 2), optional
        Symmetric positive definite.
    n_points : int, default 361
        >= 3; the first and last points coincide (a closed curve).

    Returns
    -------
    ndarray of shape (n_points, 2)
        Offsets ``d`` (add ``theta`` to draw them around ``theta``).

    Notes
    -----
    Drawn in ``notebooks/03_taylor_and_trust_regions.ipynb`` and
    ``notebooks/05_natural_gradient.ipynb`` (``course_utils.plotting.trust_region``).

    Examples
    --------
    >>> import numpy as np
    >>> d = trust_region_boundary(0.5, np.diag([4.0, 1.0]))
    >>> bool(np.allclose(0.5 * np.einsum("ni,ij,nj->n", d, np.diag([4.0, 1.0]), d), 0.5))
    True
    """
    eps = float(check_positive(eps, "eps"))
    n_points = check_int(n_points, "n_points", low=3)
    t = np.linspace(0.0, 2.0 * np.pi, n_points)
    unit = np.stack([np.cos(t), np.sin(t)], axis=1)
    if F is None:
        return np.sqrt(eps) * unit
    F = _check_F(F, 2)
    lam, V = np.linalg.eigh(F)
    if lam[0] <= 0.0:
        raise ValueError(
            f"F has eigenvalues {np.array2string(lam, precision=6)}; valid: a symmetric positive "
            "definite matrix (the ellipse of a singular F is unbounded)"
        )
    return (unit * np.sqrt(2.0 * eps / lam)) @ V.T


def sigmoid_ascent_path(theta0: float, eps: float, n_steps: int, natural: bool) -> np.ndarray:
    """Trust-region ascent on ``J(theta) = sigmoid(theta)`` (Kakade & Brantley's example).

    ``J`` is the probability of the rewarding outcome of ``Bernoulli(sigmoid(theta))``, so
    ``g = J'(theta) = e^theta / (1 + e^theta)^2``, which is also the Fisher information ``f``
    (:func:`course_utils.kl.bernoulli_fisher`). Hence:

    - vanilla, ``d^2 = eps``: ``d = sqrt(eps)``, a constant speed whatever ``theta``;
    - natural, ``1/2 f d^2 = eps``: ``d = sqrt(2 eps / f(theta))``, faster and faster as
      ``f -> 0`` (``theta -> inf``).

    Parameters
    ----------
    theta0 : float
    eps : float
        > 0.
    n_steps : int
        >= 1.
    natural : bool

    Returns
    -------
    ndarray of shape (n_steps + 1,)
        ``theta`` after 0, 1, ..., n_steps steps. The natural step grows like
        ``sqrt(2 eps) e^(theta / 2)``, so after a few steps from a large ``theta`` it
        overflows: the entries are then ``inf`` (``J = 1``), the slide's "infinitely fast".

    Notes
    -----
    Derived in ``notebooks/04_kl_and_fisher.ipynb``. Same steps as :func:`vanilla_step` and
    :func:`natural_step` with ``g = F = f(theta)``; the natural one is written as
    ``sqrt(2 eps) (1 + e) / sqrt(e)`` with ``e = e^-|theta|`` so that it never divides by an
    underflowed ``f = 0``.

    Examples
    --------
    >>> sigmoid_ascent_path(0.0, 0.04, 3, natural=False).round(6)
    array([0. , 0.2, 0.4, 0.6])
    """
    theta = np.empty(check_int(n_steps, "n_steps") + 1)
    theta[0] = float(as_array(theta0, "theta0", shape=()))
    eps = float(check_positive(eps, "eps"))
    for t in range(theta.size - 1):  # each iterate depends on the previous one
        if natural:
            # sqrt(2 eps / f) with f = e / (1 + e)^2, e = exp(-|theta|)
            with np.errstate(over="ignore"):
                e = np.exp(-abs(theta[t]))
                d = np.sqrt(2.0 * eps) * (1.0 + e) * np.exp(0.5 * abs(theta[t]))
        else:
            d = np.sqrt(eps)  # sqrt(eps / g^2) g with g > 0
        theta[t + 1] = theta[t] + d
    return theta


def quadratic_model_breakdown(eps, kl, tol: float = 0.1):
    """The smallest ``eps`` where the exact KL of a step of size ``eps`` leaves ``(1 +- tol) eps``.

    For the natural step the quadratic model says ``KL = 1/2 d^T F d = eps``; this finds where
    that stops being true to within ``tol`` (an infinite KL counts as broken).

    Parameters
    ----------
    eps : array-like of shape (n,)
        Increasing step sizes, > 0.
    kl : array-like of shape (n,)
        Exact KL of the step of each size, >= 0 (``inf`` allowed).
    tol : float, default 0.1
        Relative tolerance, > 0.

    Returns
    -------
    float or None
        The first ``eps`` with ``|kl / eps - 1| > tol``; None if the model holds on the whole
        range.

    Notes
    -----
    Derived in ``notebooks/04_kl_and_fisher.ipynb``.

    Examples
    --------
    >>> quadratic_model_breakdown([0.01, 0.1, 1.0], [0.0101, 0.105, 0.6])
    1.0
    """
    eps = check_positive(as_array(eps, "eps", ndim=1), "eps")
    if np.any(np.diff(eps) <= 0.0):
        raise ValueError("eps is not increasing; valid: increasing step sizes")
    kl = np.asarray(kl, dtype=float)
    if kl.shape != eps.shape or np.any(np.isnan(kl)) or np.any(kl < 0.0):
        raise ValueError(
            f"kl has shape {kl.shape} or NaN / negative entries; valid: shape {eps.shape}, "
            "values >= 0 (inf allowed)"
        )
    tol = float(check_positive(tol, "tol"))
    with np.errstate(invalid="ignore"):
        broken = ~(np.abs(kl / eps - 1.0) <= tol)
    return float(eps[np.argmax(broken)]) if np.any(broken) else None
