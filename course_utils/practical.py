"""Practical natural policy gradients: sampled batches, the four update rules, PPO, the plateau.

Everything ``notebooks/07_practical_npg.ipynb`` runs, in four groups (``notebooks/MATH.md``
sections 1, 2 and 4; seed 001's practical notes):

- **first-order alternatives** to the trust region: the KL-penalised surrogate and PPO's clipped
  surrogate, with their gradients (:func:`ppo_clip_objective`, :func:`ppo_clip_coefficients`,
  :func:`tabular_first_order_objective`, :func:`gradient_ascent`);
- **sampled batches** (:class:`PolicyBatch`): the gradient estimate, a Fisher-vector product,
  the sampled surrogate and the sampled KL of one batch of rollouts, for the tabular softmax
  (:func:`tabular_batch`) and for the k / sigma Gaussian (:func:`lqr_batch`);
- **the update rules and a driver**: vanilla (``||d||^2 = eps``), natural with an exact Fisher,
  natural with conjugate gradient on sampled Fisher-vector products, and TRPO (the CG step plus
  the backtracking line search), run for ``n_iter`` iterations at a fixed number of rollouts per
  iteration (:func:`policy_update`, :func:`run_policy_optimisation`, :func:`learning_curves`,
  :func:`curve_band`). They take callables, so any policy with a batch sampler can use them;
- **Kakade's two-state plateau** in closed form (:func:`plateau_average_reward`,
  :func:`plateau_gradient`, :func:`plateau_fisher`, :func:`plateau_visitation`), iterated
  exactly (:func:`plateau_ascent`) or integrated as a gradient flow (:func:`plateau_flow`).

Derived in ``notebooks/07_practical_npg.ipynb``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.integrate import solve_ivp
from scipy.special import expit

from . import mdp as _mdp
from ._validation import as_array, check_in_range, check_int, check_positive, check_rng
from .gaussian import LinearGaussianLQR, gaussian_score
from .natural import (
    backtracking_line_search,
    conjugate_gradient,
    natural_step,
    vanilla_step,
)

__all__ = [
    "ppo_clip_objective",
    "ppo_clip_coefficients",
    "kl_penalty_objective",
    "tabular_first_order_objective",
    "gradient_ascent",
    "linear_softmax_policy",
    "linear_softmax_scores",
    "linear_softmax_fvp",
    "PolicyBatch",
    "tabular_batch",
    "lqr_batch",
    "UpdateSettings",
    "METHODS",
    "StepInfo",
    "policy_update",
    "OptimisationRun",
    "run_policy_optimisation",
    "learning_curves",
    "step_size_sweep",
    "CurveBand",
    "curve_band",
    "plateau_visitation",
    "plateau_average_reward",
    "plateau_gradient",
    "plateau_fisher",
    "plateau_natural_gradient",
    "PlateauPath",
    "plateau_ascent",
    "plateau_flow",
]


# --- first-order alternatives: KL penalty and PPO's clipped surrogate ----------------------


def _check_ratio_advantages(ratio, advantages, weights):
    ratio = as_array(ratio, "ratio")
    if np.any(ratio < 0):
        raise ValueError(
            f"ratio has negative entries (min {ratio.min():.3g}); valid: pi_new / pi_old >= 0"
        )
    advantages = as_array(advantages, "advantages", shape=ratio.shape)
    if weights is None:
        weights = np.full(ratio.shape, 1.0 / ratio.size)
    else:
        weights = check_in_range(weights, "weights", 0.0)
        if weights.shape != ratio.shape:
            raise ValueError(f"weights has shape {weights.shape}; valid: shape {ratio.shape}")
    return ratio, advantages, weights


def ppo_clip_objective(ratio, advantages, clip: float = 0.2, weights=None) -> float:
    """PPO's clipped surrogate ``sum_i w_i min(r_i A_i, clip(r_i, 1 - c, 1 + c) A_i)``.

    ``r_i = pi_new(a_i | s_i) / pi_old(a_i | s_i)``. Where the ratio has moved past ``1 + c``
    on a positive advantage (or below ``1 - c`` on a negative one) the term is constant, so its
    gradient vanishes: the objective stops rewarding moves away from the old policy, a
    first-order stand-in for the KL trust region (Schulman et al. 2017).

    Parameters
    ----------
    ratio : array-like of shape (N,) (any shape)
        Importance ratios, >= 0.
    advantages : array-like of the same shape
        Advantage estimates ``A_i``.
    clip : float, default 0.2
        ``c`` in (0, 1).
    weights : array-like of the same shape, optional
        Sample weights ``w_i >= 0``; default ``1 / N`` each (a mean). For an exact tabular
        expectation use ``rho_old(s) pi_old(a | s)``.

    Returns
    -------
    float
        Equal to the unclipped surrogate ``sum_i w_i r_i A_i`` while every ``r_i`` is within
        ``[1 - c, 1 + c]``.

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb`` (seed 001: "check out Proximal Policy
    Optimization").

    Examples
    --------
    >>> round(ppo_clip_objective([1.5, 0.5], [1.0, -1.0], clip=0.2), 6)  # (1.2 - 0.8) / 2
    0.2
    """
    ratio, advantages, weights = _check_ratio_advantages(ratio, advantages, weights)
    c = float(check_in_range(clip, "clip", 0.0, 1.0, low_open=True, high_open=True))
    clipped = np.clip(ratio, 1.0 - c, 1.0 + c)
    return float(np.sum(weights * np.minimum(ratio * advantages, clipped * advantages)))


def ppo_clip_coefficients(ratio, advantages, clip: float = 0.2) -> np.ndarray:
    """Coefficients ``c_i`` with ``grad L_clip = sum_i w_i c_i grad log pi_new(a_i | s_i)``.

    ``c_i = r_i A_i`` where the unclipped branch is active (``A_i >= 0`` and ``r_i < 1 + c``,
    or ``A_i < 0`` and ``r_i > 1 - c``) and 0 where the clipped constant wins, because
    ``grad r_i = r_i grad log pi_new(a_i | s_i)``.

    Parameters
    ----------
    ratio, advantages : array-like of the same shape (N,)
    clip : float, default 0.2

    Returns
    -------
    ndarray of shape (N,)

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``.
    """
    ratio, advantages, _ = _check_ratio_advantages(ratio, advantages, None)
    c = float(check_in_range(clip, "clip", 0.0, 1.0, low_open=True, high_open=True))
    active = np.where(advantages >= 0.0, ratio < 1.0 + c, ratio > 1.0 - c)
    return np.where(active, ratio * advantages, 0.0)


def kl_penalty_objective(surrogate_value, kl_value, beta: float) -> float:
    """The KL-penalised surrogate ``Abar(theta') - beta KL(pi_theta || pi_theta')``.

    The Lagrangian of the trust-region problem with a fixed multiplier ``beta`` (seed 001:
    "a heuristic selection of the Lagrange multiplier"); PPO's penalty variant adapts ``beta``.

    Parameters
    ----------
    surrogate_value, kl_value : float
        ``kl_value >= 0``.
    beta : float
        Penalty weight, >= 0.

    Returns
    -------
    float
    """
    surrogate_value = float(as_array(surrogate_value, "surrogate_value"))
    kl_value = float(check_in_range(kl_value, "kl_value", 0.0))
    beta = float(check_in_range(beta, "beta", 0.0))
    return surrogate_value - beta * kl_value


def tabular_first_order_objective(
    mdp: _mdp.TabularMDP,
    theta_old,
    theta_new,
    kind: str = "clip",
    clip: float = 0.2,
    beta: float = 1.0,
):
    """Exact value and gradient in ``theta_new`` of a first-order trust-region objective.

    All three use the old policy's data exactly (weights ``rho_old(s) pi_old(a|s)``, ratios
    ``pi_new / pi_old``, advantages ``A_old``):

    - ``"surrogate"``: ``Abar(theta_new)`` (:func:`course_utils.mdp.surrogate`), no constraint;
    - ``"clip"``: PPO's clipped surrogate (:func:`ppo_clip_objective`);
    - ``"penalty"``: ``Abar - beta sum_s rho_old(s) KL(pi_old(.|s) || pi_new(.|s))``, whose
      penalty gradient is ``beta rho_old(s) (pi_new(s, .) - pi_old(s, .))``.

    Parameters
    ----------
    mdp : TabularMDP
    theta_old, theta_new : array-like of shape (S, A)
    kind : {"surrogate", "clip", "penalty"}
    clip : float, default 0.2
    beta : float, default 1.0

    Returns
    -------
    value : float
    gradient : ndarray of shape (S, A)

    Notes
    -----
    With ``grad r(s, a) = r(s, a) (e_a - pi_new(s, .))`` in row ``s``, a per-pair coefficient
    ``c(s, a)`` gives the gradient ``w c - pi_new sum_a w c`` row by row. Derived in
    ``notebooks/07_practical_npg.ipynb``.
    """
    if kind not in ("surrogate", "clip", "penalty"):
        raise ValueError(f"kind={kind!r} is invalid; valid: 'surrogate', 'clip' or 'penalty'")
    theta_old = _mdp._check_theta(mdp, theta_old, "theta_old")
    theta_new = _mdp._check_theta(mdp, theta_new, "theta_new")
    pi_old = _mdp.softmax_policy(theta_old)
    pi_new = _mdp.softmax_policy(theta_new)
    _, _, A = _mdp.policy_evaluation(mdp, pi_old)
    rho = _mdp.discounted_visitation(mdp, pi_old)
    w = rho[:, None] * pi_old
    ratio = pi_new / pi_old
    if kind == "clip":
        value = ppo_clip_objective(ratio, A, clip, weights=w)
        coef = ppo_clip_coefficients(ratio, A, clip)
    else:
        value = float(np.sum(w * ratio * A))
        coef = ratio * A
    wc = w * coef
    grad = wc - pi_new * wc.sum(axis=1, keepdims=True)
    if kind == "penalty":
        beta = float(check_in_range(beta, "beta", 0.0))
        value -= beta * _mdp.visitation_kl(mdp, theta_old, theta_new)
        grad = grad - beta * rho[:, None] * (pi_new - pi_old)
    return value, grad


def gradient_ascent(value_and_grad: Callable, theta0, lr: float, n_steps: int):
    """Plain gradient ascent ``theta <- theta + lr grad`` on a fixed objective.

    What PPO does with one batch (several epochs on the same data), here with full-batch
    gradients so the effect of the objective is not hidden by noise.

    Parameters
    ----------
    value_and_grad : callable
        ``theta -> (value, gradient)`` with gradient of theta's shape.
    theta0 : array-like
    lr : float
        Step size, > 0.
    n_steps : int
        >= 1.

    Returns
    -------
    thetas : ndarray of shape (n_steps + 1, *theta0.shape)
    values : ndarray of shape (n_steps + 1,)
    """
    theta = as_array(theta0, "theta0").copy()
    lr = float(check_positive(lr, "lr"))
    n_steps = check_int(n_steps, "n_steps")
    thetas = np.empty((n_steps + 1,) + theta.shape)
    values = np.empty(n_steps + 1)
    for t in range(n_steps + 1):  # iterations of the optimiser
        value, grad = value_and_grad(theta)
        thetas[t], values[t] = theta, value
        if t < n_steps:
            theta = theta + lr * np.asarray(grad, dtype=float)
    return thetas, values


# --- linear softmax: scores and Fisher-vector products without the score matrix --------------


def _check_linear_softmax(theta, X, actions):
    X = as_array(X, "X", ndim=2)
    theta = as_array(theta, "theta", ndim=2)
    if theta.shape[0] != X.shape[1]:
        raise ValueError(
            f"theta has shape {theta.shape}; valid: shape ({X.shape[1]}, A) to match X's "
            f"{X.shape[1]} features"
        )
    actions = np.asarray(actions)
    if actions.shape != (X.shape[0],) or actions.dtype.kind not in "iu":
        raise ValueError(
            f"actions has shape {actions.shape} and dtype {actions.dtype}; valid: integers of "
            f"shape ({X.shape[0]},)"
        )
    if actions.size and (actions.min() < 0 or actions.max() >= theta.shape[1]):
        raise ValueError(
            f"actions has values in [{actions.min()}, {actions.max()}]; valid range: "
            f"[0, {theta.shape[1] - 1}]"
        )
    return theta, X, actions


def linear_softmax_policy(theta, X) -> np.ndarray:
    """``pi(a | x) = softmax(x^T theta)_a`` for every row ``x`` of ``X``.

    Parameters
    ----------
    theta : array-like of shape (d, A)
        Weights: one column of logit weights per action.
    X : array-like of shape (N, d)
        Features of N states.

    Returns
    -------
    ndarray of shape (N, A)
    """
    X = as_array(X, "X", ndim=2)
    theta = as_array(theta, "theta", ndim=2)
    if theta.shape[0] != X.shape[1]:
        raise ValueError(f"theta has shape {theta.shape}; valid: ({X.shape[1]}, A)")
    return _mdp.softmax_policy(X @ theta)


def linear_softmax_scores(theta, X, actions) -> np.ndarray:
    """The score matrix: row i is ``psi_i = vec(x_i (e_{a_i} - pi(.|x_i))^T)``.

    ``d log pi(a|x) / d theta[j, b] = x_j (1[b = a] - pi(b|x))``. This is the ``(N, d A)``
    matrix that :func:`course_utils.natural.fisher_vector_product` multiplies and that forming
    ``F = Psi^T W Psi`` needs; :func:`linear_softmax_fvp` never builds it.

    Parameters
    ----------
    theta : array-like of shape (d, A)
    X : array-like of shape (N, d)
    actions : int array of shape (N,)

    Returns
    -------
    ndarray of shape (N, d * A)
        Flattened like ``theta.ravel()``.
    """
    theta, X, actions = _check_linear_softmax(theta, X, actions)
    E = np.eye(theta.shape[1])[actions] - linear_softmax_policy(theta, X)
    return (X[:, :, None] * E[:, None, :]).reshape(X.shape[0], -1)


def linear_softmax_fvp(theta, X, actions, weights=None, damping: float = 0.0) -> Callable:
    """The operator ``v -> F v`` of a linear softmax's sampled Fisher, without the score matrix.

    With ``V = v.reshape(d, A)``: ``psi_i . v = (X V)[i, a_i] - pi_i . (X V)[i]`` (a
    Jacobian-vector product), then ``F v = X^T (w c (e_a - pi))`` (a vector-Jacobian product):
    two ``(N, d) x (d, A)`` products, ``O(N d A)`` time and no ``(N, d A)`` array. This is what
    automatic differentiation does for a neural-network policy. Inputs are checked and ``pi``
    is computed once, when the operator is built, not at every product.

    Parameters
    ----------
    theta : array-like of shape (d, A)
    X : array-like of shape (N, d)
    actions : int array of shape (N,)
    weights : array-like of shape (N,), optional
        Default ``1 / N`` each.
    damping : float, default 0.0
        The operator returns ``F v + damping v``.

    Returns
    -------
    callable
        ``v -> F v`` for ``v`` of shape ``(d * A,)``; the same numbers as
        ``fisher_vector_product(linear_softmax_scores(theta, X, actions), v, damping, weights)``.

    Notes
    -----
    Timed against forming ``F`` in ``benchmarks/natural_direction.py``.
    """
    theta, X, actions = _check_linear_softmax(theta, X, actions)
    d, A = theta.shape
    damping = float(check_in_range(damping, "damping", 0.0))
    if weights is None:
        weights = np.full(X.shape[0], 1.0 / X.shape[0])
    else:
        weights = check_in_range(weights, "weights", 0.0)
        if weights.shape != (X.shape[0],):
            raise ValueError(f"weights has shape {weights.shape}; valid: ({X.shape[0]},)")
    pi = linear_softmax_policy(theta, X)
    rows = np.arange(X.shape[0])

    def fvp(v):
        v = np.asarray(v, dtype=float)
        if v.shape != (d * A,):
            raise ValueError(f"v has shape {v.shape}; valid: shape ({d * A},)")
        U = X @ v.reshape(d, A)  # logit changes along v, (N, A)
        c = weights * (U[rows, actions] - np.einsum("ia,ia->i", pi, U))  # w_i psi_i . v
        E = -c[:, None] * pi
        E[rows, actions] += c
        return (E.T @ X).T.ravel() + damping * v  # X^T E; (E^T X)^T is the faster BLAS call

    return fvp


# --- sampled batches -------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyBatch:
    """One batch of on-policy rollouts, reduced to what the update rules need.

    Attributes
    ----------
    theta : ndarray of shape (n,)
        Flat parameters the batch was sampled at.
    g : ndarray of shape (n,)
        Policy-gradient estimate ``sum_i w_i psi_i A_i``.
    fvp : callable
        ``v -> F_hat v`` with the sampled Fisher ``F_hat = sum_i w_i psi_i psi_i^T`` (undamped),
        never formed.
    surrogate : callable
        ``theta_new -> sum_i w_i [pi_new(a_i|s_i) / pi(a_i|s_i)] A_i``, the importance-sampled
        surrogate on this batch.
    kl : callable
        ``theta_new -> sum_i w_i KL(pi(.|s_i) || pi_new(.|s_i))`` on the batch's states
        (``inf`` where ``theta_new`` is outside the policy's domain).
    n_samples : int
        Number of state-action samples ``N`` (rollouts times horizon).
    scores : ndarray of shape (N, n) or None
        The per-sample scores ``psi_i`` behind ``fvp`` and ``g``, when they exist as an array
        (for checks; large policies never build it).
    weights : ndarray of shape (N,) or None
        The sample weights ``w_i``.
    advantages : ndarray of shape (N,) or None
        The advantage estimates ``A_i``.
    """

    theta: np.ndarray
    g: np.ndarray
    fvp: Callable
    surrogate: Callable
    kl: Callable
    n_samples: int
    scores: np.ndarray | None = None
    weights: np.ndarray | None = None
    advantages: np.ndarray | None = None


def _discount_weights(gamma: float, n: int, horizon: int) -> np.ndarray:
    """``w_{i,t} = gamma^t / n``, flattened trajectory-major: the weights of the estimators."""
    return np.broadcast_to(gamma ** np.arange(horizon) / n, (n, horizon)).ravel()


def tabular_batch(
    mdp: _mdp.TabularMDP, theta, n_trajectories: int, horizon: int, rng: np.random.Generator
) -> PolicyBatch:
    """Sample ``n_trajectories`` rollouts of the tabular softmax and build a :class:`PolicyBatch`.

    Weights ``w = gamma^t / n_trajectories``, advantages ``A_hat = G_t - V(s_t)`` (reward to go
    minus the exact value, the baseline of :func:`course_utils.mdp.estimate_policy_gradient`),
    scores from :func:`course_utils.mdp.score_softmax`. The sampled Fisher and the gradient
    carry the same weights as :func:`course_utils.mdp.fisher_information` and
    :func:`course_utils.mdp.policy_gradient` (unnormalised visitation).

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A) or (S*A,)
    n_trajectories, horizon : int
        >= 1.
    rng : numpy.random.Generator

    Returns
    -------
    PolicyBatch
        Its callables take flat parameters of shape (S*A,).

    Notes
    -----
    Used in ``notebooks/07_practical_npg.ipynb``.
    """
    if not isinstance(mdp, _mdp.TabularMDP):
        raise ValueError(f"mdp={mdp!r} is not a TabularMDP; valid: a TabularMDP")
    S, A = mdp.n_states, mdp.n_actions
    theta = as_array(theta, "theta")
    theta = _mdp._check_theta(mdp, theta.reshape(S, A) if theta.shape == (S * A,) else theta)
    traj = _mdp.sample_trajectories(mdp, theta, n_trajectories, horizon, rng)
    pi = _mdp.softmax_policy(theta)
    V, _, _ = _mdp.policy_evaluation(mdp, pi)
    s = traj.states.ravel()
    a = traj.actions.ravel()
    adv = (traj.rewards_to_go() - V[traj.states]).ravel()
    w = _discount_weights(mdp.gamma, n_trajectories, horizon)
    scores = _mdp.score_softmax(theta, s, a).reshape(s.size, S * A)
    log_pi_old = np.log(pi[s, a])

    def surrogate(theta_new):
        log_pi_new = _mdp._log_softmax(np.reshape(theta_new, (S, A)))
        return float(np.sum(w * np.exp(log_pi_new[s, a] - log_pi_old) * adv))

    def kl(theta_new):
        log_new = _mdp._log_softmax(np.reshape(theta_new, (S, A)))
        kl_s = np.sum(pi * (np.log(pi) - log_new), axis=1)  # per state, exact over actions
        return float(np.sum(w * kl_s[s]))

    return PolicyBatch(
        theta=theta.ravel().copy(),
        g=scores.T @ (w * adv),
        fvp=lambda v: scores.T @ (w * (scores @ v)),
        surrogate=surrogate,
        kl=kl,
        n_samples=int(s.size),
        scores=scores,
        weights=w,
        advantages=adv,
    )


def lqr_batch(
    lqr: LinearGaussianLQR, theta, n_trajectories: int, horizon: int, rng: np.random.Generator
) -> PolicyBatch:
    """Sample rollouts of ``a ~ N(k s, sigma^2)``; build a :class:`PolicyBatch` on ``(k, sigma)``.

    Scores from :func:`course_utils.gaussian.gaussian_score`, weights ``gamma^t / n``,
    advantages ``G_t - V(s_t)`` with the exact value function as baseline (as
    :meth:`LinearGaussianLQR.estimate_gradient`). The KL of the batch is the Gaussian KL at the
    sampled states, ``inf`` when ``sigma_new <= 0`` or ``k_new`` is unstable.

    Parameters
    ----------
    lqr : LinearGaussianLQR
    theta : array-like of shape (2,)
        ``(k, sigma)``: stable ``k``, ``sigma > 0``.
    n_trajectories, horizon : int
    rng : numpy.random.Generator

    Returns
    -------
    PolicyBatch

    Notes
    -----
    Used in ``notebooks/07_practical_npg.ipynb``.
    """
    if not isinstance(lqr, LinearGaussianLQR):
        raise ValueError(f"lqr={lqr!r} is not a LinearGaussianLQR; valid: a LinearGaussianLQR")
    k, sigma = as_array(theta, "theta", shape=(2,))
    traj = lqr.sample_trajectories(k, sigma, n_trajectories, horizon, rng)
    s = traj.states.ravel()
    a = traj.actions.ravel()
    adv = (traj.rewards_to_go() - lqr.value_function(traj.states, k, sigma)).ravel()
    w = _discount_weights(lqr.gamma, n_trajectories, horizon)
    scores = gaussian_score(k, sigma, s, a)
    u2_old = (a - k * s) ** 2

    def valid(theta_new) -> bool:
        return bool(theta_new[1] > 0.0 and lqr.is_stable(theta_new[0]))

    def surrogate(theta_new):
        if not valid(theta_new):
            return -np.inf
        k_new, sigma_new = theta_new
        log_ratio = (
            np.log(sigma / sigma_new)
            - (a - k_new * s) ** 2 / (2.0 * sigma_new**2)
            + u2_old / (2.0 * sigma**2)
        )
        return float(np.sum(w * np.exp(log_ratio) * adv))

    def kl(theta_new):
        if not valid(theta_new):
            return np.inf
        k_new, sigma_new = theta_new
        kl_i = (
            np.log(sigma_new / sigma)
            + (sigma**2 + ((k - k_new) * s) ** 2) / (2.0 * sigma_new**2)
            - 0.5
        )
        return float(np.sum(w * kl_i))

    return PolicyBatch(
        theta=np.array([k, sigma]),
        g=scores.T @ (w * adv),
        fvp=lambda v: scores.T @ (w * (scores @ v)),
        surrogate=surrogate,
        kl=kl,
        n_samples=int(s.size),
        scores=scores,
        weights=w,
        advantages=adv,
    )


# --- update rules and the driver -------------------------------------------------------------

#: the four update rules compared in notebooks 07 and 08
METHODS = ("vanilla", "natural", "natural_cg", "trpo")


@dataclass(frozen=True)
class UpdateSettings:
    """Step sizes and solver settings of the four update rules (MATH.md section 4 defaults).

    Attributes
    ----------
    eps : float
        Vanilla trust region, ``||d||^2 = eps``.
    delta : float
        Natural trust region, ``1/2 d^T F d = delta``; TRPO's KL limit.
    damping : float
        ``lambda`` in ``F + lambda I`` for both natural rules and TRPO (MATH.md: 1e-5 to 0.1).
    cg_iters : int
        Conjugate-gradient iterations (10).
    backtrack_coeff : float
        TRPO's ``c`` (Spinning Up 0.8).
    max_backtracks : int
        TRPO's tries (10).
    """

    eps: float = 0.01
    delta: float = 0.01
    damping: float = 1e-3
    cg_iters: int = 10
    backtrack_coeff: float = 0.8
    max_backtracks: int = 10

    def __post_init__(self):
        check_positive(self.eps, "eps")
        check_positive(self.delta, "delta")
        check_in_range(self.damping, "damping", 0.0)
        check_int(self.cg_iters, "cg_iters")
        check_in_range(
            self.backtrack_coeff, "backtrack_coeff", 0.0, 1.0, low_open=True, high_open=True
        )
        check_int(self.max_backtracks, "max_backtracks")


@dataclass(frozen=True)
class StepInfo:
    """What one update did.

    Attributes
    ----------
    accepted : bool
        False if TRPO's line search rejected every candidate, the gradient estimate was zero
        or below conjugate gradient's tolerance (``g^T g < 1e-10``: nothing left to do), or
        no halving of the step stayed inside the domain.
    kl : float
        Sampled KL of the step on its own batch (0.0 if not accepted).
    step_fraction : float
        Fraction of the full step taken (TRPO's ``c^j``, or ``1/2^m`` after domain halvings).
    """

    accepted: bool
    kl: float
    step_fraction: float


def _natural_cg_direction(batch: PolicyBatch, settings: UpdateSettings, delta: float):
    def matvec(v):
        return batch.fvp(v) + settings.damping * v

    x, info = conjugate_gradient(matvec, batch.g, settings.cg_iters)
    if info.xAx <= 0.0:  # g below CG's tolerance: no usable direction
        return None
    return np.sqrt(2.0 * delta / info.xAx) * x


def policy_update(
    method: str,
    batch: PolicyBatch,
    settings: UpdateSettings,
    exact_fisher: Callable | None = None,
    valid: Callable | None = None,
):
    """One update of ``batch.theta`` by one of the four rules of :data:`METHODS`.

    - ``"vanilla"``: ``d = sqrt(eps / g^T g) g`` (:func:`course_utils.natural.vanilla_step`);
    - ``"natural"``: ``d = sqrt(2 delta / g^T x) x``, ``x = (F + lambda I)^-1 g`` with the exact
      Fisher ``exact_fisher(theta)`` (:func:`course_utils.natural.natural_step`);
    - ``"natural_cg"``: the same with ``x`` from 10 CG iterations on sampled Fisher-vector
      products and ``x^T F x`` from CG's by-product; the full step is taken unchecked;
    - ``"trpo"``: the CG step, then :func:`course_utils.natural.backtracking_line_search` with
      the batch's surrogate and KL (accept ``KL <= delta`` and improvement ``>= 0``).

    ``g`` is always the batch estimate. A step that leaves the policy's domain
    (``valid(theta) is False``) is halved until it does not (at most 30 times), except TRPO's,
    whose KL check already rejects such candidates.

    Parameters
    ----------
    method : {"vanilla", "natural", "natural_cg", "trpo"}
    batch : PolicyBatch
    settings : UpdateSettings
    exact_fisher : callable, optional
        ``theta -> F`` of shape (n, n); required for ``"natural"``.
    valid : callable, optional
        ``theta -> bool``; default: every theta is valid.

    Returns
    -------
    theta_new : ndarray of shape (n,)
    info : StepInfo

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``.
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} is invalid; valid: one of {METHODS}")
    theta = batch.theta
    if not np.any(batch.g != 0.0):
        return theta.copy(), StepInfo(False, 0.0, 0.0)
    if method == "trpo":
        full = _natural_cg_direction(batch, settings, settings.delta)
        if full is None:
            return theta.copy(), StepInfo(False, 0.0, 0.0)
        result = backtracking_line_search(
            theta,
            full,
            batch.surrogate,
            batch.kl,
            settings.delta,
            settings.backtrack_coeff,
            settings.max_backtracks,
        )
        return result.theta, StepInfo(result.accepted, result.kl, result.step_fraction)
    if method == "vanilla":
        d = vanilla_step(batch.g, settings.eps)
    elif method == "natural":
        if exact_fisher is None:
            raise ValueError("exact_fisher=None; valid: a callable theta -> F for 'natural'")
        d = natural_step(batch.g, exact_fisher(theta), settings.delta, settings.damping)
    else:
        d = _natural_cg_direction(batch, settings, settings.delta)
        if d is None:
            return theta.copy(), StepInfo(False, 0.0, 0.0)
    fraction = 1.0
    for _ in range(30):  # halvings of a step that left the domain
        if valid is None or valid(theta + fraction * d):
            theta_new = theta + fraction * d
            return theta_new, StepInfo(True, float(batch.kl(theta_new)), fraction)
        fraction *= 0.5
    return theta.copy(), StepInfo(False, 0.0, 0.0)


@dataclass(frozen=True)
class OptimisationRun:
    """Iterates of one run of :func:`run_policy_optimisation`.

    Attributes
    ----------
    theta : ndarray of shape (n_iter + 1, n)
    returns : ndarray of shape (n_iter + 1,)
        ``evaluate(theta)`` at every iterate (exact evaluation, not counted as samples).
    kl : ndarray of shape (n_iter,)
        Sampled KL of each step on its batch.
    accepted : ndarray of shape (n_iter,), bool
    step_fraction : ndarray of shape (n_iter,)
        Fraction of the full step taken (TRPO's ``c^j``; 1.0 for an unchecked step).
    n_samples : int
        State-action samples used in total: the sample budget.
    """

    theta: np.ndarray
    returns: np.ndarray
    kl: np.ndarray
    accepted: np.ndarray
    step_fraction: np.ndarray
    n_samples: int


def run_policy_optimisation(
    theta0,
    sample: Callable,
    method: str,
    n_iter: int,
    rng: np.random.Generator,
    settings: UpdateSettings,
    evaluate: Callable,
    exact_fisher: Callable | None = None,
    valid: Callable | None = None,
) -> OptimisationRun:
    """Run one update rule for ``n_iter`` iterations, one fresh batch per iteration.

    Parameters
    ----------
    theta0 : array-like of shape (n,)
    sample : callable
        ``(theta, rng) -> PolicyBatch`` (e.g. a closure over :func:`tabular_batch`); the same
        number of rollouts per call for every method gives the equal sample budget.
    method : str
        One of :data:`METHODS`.
    n_iter : int
        >= 1.
    rng : numpy.random.Generator
    settings : UpdateSettings
    evaluate : callable
        ``theta -> float``, the return to record (e.g. the exact ``J``).
    exact_fisher, valid : callable, optional
        As :func:`policy_update`.

    Returns
    -------
    OptimisationRun

    Notes
    -----
    Used in ``notebooks/07_practical_npg.ipynb`` and ``notebooks/08_npg_on_cartpole.ipynb``.
    """
    theta = as_array(theta0, "theta0", ndim=1).copy()
    n_iter = check_int(n_iter, "n_iter")
    rng = check_rng(rng)
    thetas = np.empty((n_iter + 1, theta.size))
    returns = np.empty(n_iter + 1)
    kls = np.zeros(n_iter)
    accepted = np.zeros(n_iter, dtype=bool)
    fractions = np.zeros(n_iter)
    thetas[0], returns[0] = theta, evaluate(theta)
    n_samples = 0
    for t in range(n_iter):  # iterations of the algorithm
        batch = sample(theta, rng)
        n_samples += batch.n_samples
        theta, info = policy_update(method, batch, settings, exact_fisher, valid)
        kls[t], accepted[t], fractions[t] = info.kl, info.accepted, info.step_fraction
        thetas[t + 1], returns[t + 1] = theta, evaluate(theta)
    return OptimisationRun(thetas, returns, kls, accepted, fractions, n_samples)


def learning_curves(
    theta0,
    sample: Callable,
    methods: Sequence[str],
    n_seeds: int,
    n_iter: int,
    rng: np.random.Generator,
    settings: UpdateSettings | dict,
    evaluate: Callable,
    exact_fisher: Callable | None = None,
    valid: Callable | None = None,
) -> dict:
    """Run every method from ``theta0`` on ``n_seeds`` independent streams of ``rng``.

    The seeds are ``rng.spawn(n_seeds)``; seed ``i`` spawns one child stream per method, so
    all runs are independent and the whole table is fixed by the one top generator.

    Parameters
    ----------
    theta0, sample, n_iter, evaluate, exact_fisher, valid
        As :func:`run_policy_optimisation`.
    methods : sequence of str
        Subset of :data:`METHODS`.
    n_seeds : int
        >= 1.
    rng : numpy.random.Generator
    settings : UpdateSettings or dict
        One for all methods, or ``{method: UpdateSettings}``.

    Returns
    -------
    dict
        ``{method: list of n_seeds OptimisationRun}``.
    """
    rng = check_rng(rng)
    n_seeds = check_int(n_seeds, "n_seeds")
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"methods contains {m!r}; valid: names from {METHODS}")
    runs = {m: [] for m in methods}
    for seed_rng in rng.spawn(n_seeds):
        for m, method_rng in zip(methods, seed_rng.spawn(len(methods)), strict=True):
            s = settings[m] if isinstance(settings, dict) else settings
            runs[m].append(
                run_policy_optimisation(
                    theta0, sample, m, n_iter, method_rng, s, evaluate, exact_fisher, valid
                )
            )
    return runs


def step_size_sweep(
    theta0,
    sample: Callable,
    method: str,
    field: str,
    values: Sequence[float],
    n_seeds: int,
    n_iter: int,
    rng: np.random.Generator,
    settings: UpdateSettings,
    evaluate: Callable,
    exact_fisher: Callable | None = None,
    valid: Callable | None = None,
) -> np.ndarray:
    """Area under the learning curve for each value of one setting (e.g. ``eps`` or ``delta``).

    Parameters
    ----------
    theta0, sample, method, n_iter, evaluate, exact_fisher, valid
        As :func:`run_policy_optimisation`.
    field : str
        Name of the :class:`UpdateSettings` field to vary.
    values : sequence of float
    n_seeds : int
        Independent runs per value (``rng.spawn``).
    rng : numpy.random.Generator
    settings : UpdateSettings
        The other settings.

    Returns
    -------
    ndarray of shape (len(values), n_seeds)
        Mean of ``evaluate`` over the ``n_iter + 1`` iterates of each run; pick the value
        with the largest mean over seeds, then evaluate on fresh seeds.
    """
    fields = tuple(UpdateSettings.__dataclass_fields__)
    if field not in fields:
        raise ValueError(f"field={field!r} is invalid; valid: one of {fields}")
    rng = check_rng(rng)
    n_seeds = check_int(n_seeds, "n_seeds")
    out = np.empty((len(values), n_seeds))
    for i, (value, value_rng) in enumerate(zip(values, rng.spawn(len(values)), strict=True)):
        s = replace(settings, **{field: value})
        for j, seed_rng in enumerate(value_rng.spawn(n_seeds)):
            run = run_policy_optimisation(
                theta0, sample, method, n_iter, seed_rng, s, evaluate, exact_fisher, valid
            )
            out[i, j] = run.returns.mean()
    return out


@dataclass(frozen=True)
class CurveBand:
    """Mean and spread of learning curves over seeds (what the plotting layer draws).

    Attributes
    ----------
    iterations : ndarray of shape (T,)
    mean, lower, upper : ndarray of shape (T,)
    spread : str
        ``"std"`` (mean +- one standard deviation) or ``"minmax"``.
    """

    iterations: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    spread: str


def curve_band(curves, spread: str = "std") -> CurveBand:
    """Mean over seeds and a band: ``mean +- std`` (ddof=1) or ``[min, max]``.

    Parameters
    ----------
    curves : array-like of shape (n_seeds, T) or list of OptimisationRun
    spread : {"std", "minmax"}

    Returns
    -------
    CurveBand
    """
    if spread not in ("std", "minmax"):
        raise ValueError(f"spread={spread!r} is invalid; valid: 'std' or 'minmax'")
    if len(curves) and isinstance(curves[0], OptimisationRun):
        curves = np.stack([run.returns for run in curves])
    curves = as_array(curves, "curves", ndim=2)
    mean = curves.mean(axis=0)
    if spread == "std":
        std = curves.std(axis=0, ddof=1) if curves.shape[0] > 1 else np.zeros_like(mean)
        lower, upper = mean - std, mean + std
    else:
        lower, upper = curves.min(axis=0), curves.max(axis=0)
    return CurveBand(np.arange(curves.shape[1]), mean, lower, upper, spread)


# --- Kakade's two-state plateau ----------------------------------------------------------------


def _plateau_switch(x):
    """``(a, b) = (P(switch | i), P(switch | j)) = (sigmoid(-x_i), sigmoid(-x_j))``."""
    x = as_array(x, "x")
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ValueError(f"x has shape {x.shape}; valid: shape (..., 2) = (x_i, x_j)")
    a, b = expit(-x[..., 0]), expit(-x[..., 1])
    if np.any(a + b == 0.0):
        raise ValueError(
            "x makes both P(stay) = 1 to machine precision: the chain is not ergodic and the "
            "stationary distribution is not unique; valid: x_i, x_j below about 700"
        )
    return a, b


def plateau_visitation(x) -> np.ndarray:
    """Stationary distribution ``(d_i, d_j) = (b, a) / (a + b)`` of Kakade's two-state chain.

    ``a = P(switch | i) = 1 - sigmoid(x_i)``, ``b = P(switch | j) = 1 - sigmoid(x_j)``
    (:func:`course_utils.mdp.two_state_mdp`).

    Parameters
    ----------
    x : array-like of shape (..., 2)
        Sigmoid parameters ``(x_i, x_j)``, ``P(stay | s) = sigmoid(x_s)``.

    Returns
    -------
    ndarray of shape (..., 2)
    """
    a, b = _plateau_switch(x)
    return np.stack([b, a], axis=-1) / (a + b)[..., None]


def plateau_average_reward(x) -> np.ndarray:
    """``eta(x) = (b (1 - a) + 2 a (1 - b)) / (a + b)``: the two-state MDP's average reward.

    ``= d_i P(stay | i) 1 + d_j P(stay | j) 2``; the same number as
    :func:`course_utils.mdp.average_reward` on ``sigmoid_theta(x)``.

    Parameters
    ----------
    x : array-like of shape (..., 2)

    Returns
    -------
    ndarray of shape (...)

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``.
    """
    a, b = _plateau_switch(x)
    return (b * (1.0 - a) + 2.0 * a * (1.0 - b)) / (a + b)


def plateau_gradient(x) -> np.ndarray:
    """Exact ``d eta / d x`` of the two-state plateau MDP.

    With ``D = a + b``: ``d eta/da = b (1 - 3 b) / D^2``, ``d eta/db = -a (1 + 3 a) / D^2``
    and ``da/dx_i = -a (1 - a)``, ``db/dx_j = -b (1 - b)``, so
    ``g = (-a (1 - a) b (1 - 3 b), a (1 + 3 a) b (1 - b)) / D^2``.

    Parameters
    ----------
    x : array-like of shape (..., 2)

    Returns
    -------
    ndarray of shape (..., 2)
        Equals column 0 of :func:`course_utils.mdp.average_reward_gradient`.
    """
    a, b = _plateau_switch(x)
    D2 = (a + b) ** 2
    return (
        np.stack([-a * (1 - a) * b * (1 - 3 * b), a * (1 + 3 * a) * b * (1 - b)], axis=-1)
        / D2[..., None]
    )


def plateau_fisher(x) -> np.ndarray:
    """Fisher matrix ``diag(d_i p_i (1 - p_i), d_j p_j (1 - p_j))`` of the sigmoid policy.

    Each state's Bernoulli Fisher ``p (1 - p)`` (:func:`course_utils.kl.bernoulli_fisher`)
    weighted by the stationary distribution, as :func:`course_utils.mdp.average_reward_fisher`.

    Parameters
    ----------
    x : array-like of shape (..., 2)

    Returns
    -------
    ndarray of shape (..., 2, 2)
    """
    a, b = _plateau_switch(x)
    D = a + b
    F = np.zeros(a.shape + (2, 2))
    F[..., 0, 0] = b / D * a * (1 - a)
    F[..., 1, 1] = a / D * b * (1 - b)
    return F


def plateau_natural_gradient(x, damping: float = 1e-3) -> np.ndarray:
    """``(F + damping I)^-1 g`` for the plateau MDP (F is diagonal: an elementwise division).

    Parameters
    ----------
    x : array-like of shape (..., 2)
    damping : float, default 1e-3
        >= 0 (MATH.md section 2 uses 1e-3).

    Returns
    -------
    ndarray of shape (..., 2)
    """
    damping = float(check_in_range(damping, "damping", 0.0))
    F = plateau_fisher(x)
    diag = np.stack([F[..., 0, 0], F[..., 1, 1]], axis=-1) + damping
    if np.any(diag == 0.0):
        raise ValueError("the Fisher matrix is singular at x; valid: damping > 0")
    return plateau_gradient(x) / diag


@dataclass(frozen=True)
class PlateauPath:
    """Iterates of an ascent on the plateau MDP.

    Attributes
    ----------
    t : ndarray of shape (T,)
        Iteration numbers (or flow times, in units of unit-step iterations).
    x : ndarray of shape (T, 2)
    eta : ndarray of shape (T,)
    visitation_j : ndarray of shape (T,)
        Stationary probability of state j.
    first_above : float or None
        First iteration (or time) at which ``eta`` exceeded ``level``; None if never.
    level : float
    """

    t: np.ndarray
    x: np.ndarray
    eta: np.ndarray
    visitation_j: np.ndarray
    first_above: float | None
    level: float


def _plateau_path(t, x, first_above, level) -> PlateauPath:
    return PlateauPath(
        np.asarray(t, dtype=float),
        x,
        plateau_average_reward(x),
        plateau_visitation(x)[:, 1],
        first_above,
        level,
    )


def plateau_ascent(
    x0,
    n_iter: int,
    natural: bool = False,
    damping: float = 1e-3,
    step: float = 1.0,
    record=None,
    level: float = 1.5,
) -> PlateauPath:
    """Exact iterates ``x <- x + step * g`` (or ``step * (F + damping I)^-1 g``) on the plateau.

    A tight scalar loop on the closed forms (about half a microsecond per iteration), so a
    million unit steps take well under a second; use :func:`plateau_flow` beyond that.

    Parameters
    ----------
    x0 : array-like of shape (2,)
        Start, e.g. :data:`course_utils.mdp.PLATEAU_START`.
    n_iter : int
        Iterations, >= 1.
    natural : bool, default False
    damping : float, default 1e-3
        For ``natural`` only.
    step : float, default 1.0
        Learning rate (Kakade's experiment: unit steps), > 0.
    record : array-like of int, optional
        Iterations to store (in ``[0, n_iter]``); default all.
    level : float, default 1.5
        ``first_above`` reports the first iteration with ``eta > level``.

    Returns
    -------
    PlateauPath

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``.
    """
    x0 = as_array(x0, "x0", shape=(2,))
    n_iter = check_int(n_iter, "n_iter")
    damping = float(check_in_range(damping, "damping", 0.0))
    step = float(check_positive(step, "step"))
    level = float(as_array(level, "level"))
    if record is None:
        record = np.arange(n_iter + 1)
    record = np.unique(np.asarray(record, dtype=np.int64))
    if record.size == 0 or record[0] < 0 or record[-1] > n_iter:
        raise ValueError(f"record must hold iterations in [0, {n_iter}]; got {record[:5]}...")
    xs = np.empty((record.size, 2))
    xi, xj = float(x0[0]), float(x0[1])
    first_above = None
    exp = math.exp
    t = 0
    row = 0
    for stop in np.union1d(record, [n_iter]):
        # unit-step iterations up to the next recorded one: each depends on the last
        while True:
            # a = 1 - sigmoid(x_i) = 1 / (1 + e^x_i), ~ e^-x_i where e^x_i would overflow
            a = 1.0 / (1.0 + exp(xi)) if xi < 700.0 else exp(-xi)
            b = 1.0 / (1.0 + exp(xj)) if xj < 700.0 else exp(-xj)
            D = a + b
            if first_above is None and b + 2.0 * a - 3.0 * a * b > level * D:
                first_above = t
            if t == stop:
                break
            if D == 0.0:
                raise ValueError(
                    f"iteration {t} reached x = ({xi:.6g}, {xj:.6g}) where both P(stay) = 1 to "
                    "machine precision: the chain is no longer ergodic; valid: a smaller step"
                )
            D2 = D * D
            gi = -a * (1.0 - a) * b * (1.0 - 3.0 * b) / D2
            gj = a * (1.0 + 3.0 * a) * b * (1.0 - b) / D2
            if natural:
                gi /= b / D * a * (1.0 - a) + damping
                gj /= a / D * b * (1.0 - b) + damping
            xi += step * gi
            xj += step * gj
            t += 1
        if row < record.size and record[row] == stop:
            xs[row] = xi, xj
            row += 1
    return _plateau_path(record, xs, first_above, level)


def plateau_flow(
    x0,
    t_max: float,
    t_eval=None,
    natural: bool = False,
    damping: float = 1e-3,
    level: float = 1.5,
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> PlateauPath:
    """Integrate the gradient flow ``dx/dt = g(x)`` (or the natural flow) with scipy's LSODA.

    Unit-step ascent ``x_{t+1} = x_t + g(x_t)`` is Euler's method with step 1 for this flow;
    Euler is accurate where the step times the Hessian's largest eigenvalue is small
    (``|H| << 1``), which holds along the whole vanilla path (checked in the notebook), so the
    flow at time ``t`` stands for iteration ``t`` of unit-step ascent, for millions of
    iterations at the cost of a few thousand function evaluations.

    Parameters
    ----------
    x0 : array-like of shape (2,)
    t_max : float
        > 0.
    t_eval : array-like, optional
        Times to report, in ``[0, t_max]``; default 200 log-spaced points and 0.
    natural : bool, default False
    damping : float, default 1e-3
    level : float, default 1.5
        ``first_above`` is the flow time at which ``eta`` first crosses ``level`` (an event).
    rtol, atol : float
        Integrator tolerances.

    Returns
    -------
    PlateauPath

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``.
    """
    x0 = as_array(x0, "x0", shape=(2,))
    t_max = float(check_positive(t_max, "t_max"))
    damping = float(check_in_range(damping, "damping", 0.0))
    level = float(as_array(level, "level"))
    if t_eval is None:
        t_eval = np.concatenate([[0.0], np.logspace(0.0, np.log10(t_max), 200)])
    t_eval = check_in_range(t_eval, "t_eval", 0.0, t_max)

    def rhs(_t, x):
        return plateau_natural_gradient(x, damping) if natural else plateau_gradient(x)

    def crossing(_t, x):
        return plateau_average_reward(x) - level

    crossing.direction = 1.0
    sol = solve_ivp(
        rhs,
        (0.0, t_max),
        x0,
        method="LSODA",
        t_eval=t_eval,
        events=crossing,
        rtol=rtol,
        atol=atol,
    )
    if not sol.success:
        raise ValueError(f"the flow integration failed: {sol.message}")
    hits = sol.t_events[0]
    first_above = float(hits[0]) if hits.size else None
    if plateau_average_reward(x0) > level:
        first_above = 0.0
    return _plateau_path(sol.t, sol.y.T.copy(), first_above, level)
