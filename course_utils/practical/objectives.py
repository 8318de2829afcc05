"""First-order alternatives to the trust region: the KL-penalised surrogate and PPO's clip.

The KL penalty with a fixed multiplier and with a multiplier adapted by dual gradient descent
(seed 001), PPO's clipped surrogate and its gradient coefficients, their exact tabular versions,
and plain gradient ascent on a fixed objective (what PPO does with one batch).

Derived in ``notebooks/07_practical_npg.ipynb``, section 5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import mdp as _mdp
from .._validation import as_array, check_in_range, check_int, check_positive

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


@dataclass(frozen=True)
class DualPenaltyRun:
    """Rounds of :func:`dual_kl_penalty`.

    Attributes
    ----------
    beta : ndarray of shape (n_rounds + 1,)
        The multiplier before each round and after the last.
    kl : ndarray of shape (n_rounds,)
        KL of each round's maximiser.
    theta : ndarray
        Each round's maximiser, shape ``(n_rounds, *theta0.shape)``.
    """

    beta: np.ndarray
    kl: np.ndarray
    theta: np.ndarray


def dual_kl_penalty(
    penalised: Callable,
    kl: Callable,
    theta0,
    delta: float,
    beta0: float = 1.0,
    beta_lr: float = 10.0,
    n_rounds: int = 20,
    lr: float = 1.0,
    n_steps: int = 200,
) -> DualPenaltyRun:
    """The KL penalty with its multiplier adapted by dual gradient descent (seed 001).

    The trust-region problem ``max Abar(theta') s.t. KL(theta, theta') <= delta`` has the
    Lagrangian ``L(theta', beta) = Abar(theta') - beta (KL(theta, theta') - delta)``. Dual
    gradient descent alternates

    - ``theta_k = argmax_theta' L(theta', beta_k)``, here approximately, by ``n_steps`` steps of
      :func:`gradient_ascent` on ``penalised(theta', beta_k)``, warm-started at the previous
      ``theta_{k-1}`` (the first round starts at ``theta0``);
    - ``beta_{k+1} = max(0, beta_k + beta_lr (KL(theta, theta_k) - delta))``, a gradient step on
      the dual function, whose derivative in ``beta`` is ``delta - KL(theta, theta_k)``:
      the multiplier grows while the step is too long and shrinks while it is too short.

    At a fixed point ``KL = delta`` (or ``beta = 0`` with ``KL < delta``): the penalty then
    solves the constrained problem. PPO's adaptive penalty is a heuristic version (halve or
    double ``beta`` when the KL leaves ``[delta / 1.5, 1.5 delta]``).

    Parameters
    ----------
    penalised : callable
        ``(theta, beta) -> (value, gradient)`` of ``Abar(theta) - beta KL(theta_old, theta)``
        (e.g. :func:`tabular_first_order_objective` with ``kind="penalty"``).
    kl : callable
        ``theta -> KL(theta_old, theta) >= 0``.
    theta0 : array-like
        The old parameters, where the first round starts.
    delta : float
        KL target, > 0.
    beta0 : float, default 1.0
        Starting multiplier, >= 0.
    beta_lr : float, default 10.0
        Step size of the dual update, > 0.
    n_rounds : int, default 20
        Dual updates, >= 1.
    lr, n_steps
        Of the inner :func:`gradient_ascent` (step > 0, steps >= 1).

    Returns
    -------
    DualPenaltyRun

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``, section 5.

    Examples
    --------
    A linear objective ``g theta`` with ``KL = theta^2 / 2``: the maximiser of the penalised
    objective is ``g / beta``, and ``KL = delta`` at ``beta* = g / sqrt(2 delta)``.

    >>> run = dual_kl_penalty(
    ...     lambda th, b: (2.0 * th[0] - b * th[0] ** 2 / 2, np.array([2.0 - b * th[0]])),
    ...     lambda th: th[0] ** 2 / 2, np.zeros(1), delta=0.5, beta0=1.0, beta_lr=2.0,
    ...     n_rounds=40, lr=0.3, n_steps=100)
    >>> round(float(run.beta[-1]), 4), round(float(run.kl[-1]), 4)
    (2.0, 0.5)
    """
    delta = float(check_positive(delta, "delta"))
    beta = float(check_in_range(beta0, "beta0", 0.0))
    beta_lr = float(check_positive(beta_lr, "beta_lr"))
    n_rounds = check_int(n_rounds, "n_rounds")
    theta = as_array(theta0, "theta0").copy()
    betas, kls, thetas = [beta], [], []
    for _ in range(n_rounds):  # dual iterations
        path, _ = gradient_ascent(lambda th, b=beta: penalised(th, b), theta, lr, n_steps)
        theta = path[-1]
        kls.append(float(kl(theta)))
        beta = max(0.0, beta + beta_lr * (kls[-1] - delta))
        betas.append(beta)
        thetas.append(theta)
    return DualPenaltyRun(np.array(betas), np.array(kls), np.stack(thetas))


# --- what each objective's maximiser does: the table of notebook 07, section 5 ----------------


def _check_flat_or_table(mdp, theta, name: str) -> np.ndarray:
    """``theta`` of shape (S, A), or flat (S * A,) and reshaped."""
    if not isinstance(mdp, _mdp.TabularMDP):
        raise ValueError(f"mdp={mdp!r} is not a TabularMDP; valid: a TabularMDP")
    theta = as_array(theta, name)
    if theta.shape == (mdp.n_states * mdp.n_actions,):
        theta = theta.reshape(mdp.n_states, mdp.n_actions)
    return _mdp._check_theta(mdp, theta, name)


def tabular_step_outcome(mdp: _mdp.TabularMDP, theta_old, theta_new) -> tuple[float, float, float]:
    """KL, predicted gain and true gain of the move ``theta_old -> theta_new``, all exact.

    - KL: ``sum_s rho_old(s) KL(pi_old(.|s) || pi_new(.|s))``
      (:func:`course_utils.mdp.visitation_kl`);
    - predicted gain: the surrogate ``Abar(theta_new) = sum_s rho_old(s) sum_a pi_new(a|s)
      A_old(s, a)`` (:func:`course_utils.mdp.surrogate`), what the old data promise;
    - true gain: ``J(theta_new) - J(theta_old)``.

    By the performance-difference lemma the true gain is the surrogate with ``rho_new`` in
    place of ``rho_old`` (seed 002), so the two agree to first order in the step.

    Parameters
    ----------
    mdp : TabularMDP
    theta_old, theta_new : array-like of shape (S, A) (or (S * A,), reshaped)

    Returns
    -------
    kl, predicted, true : float

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``, section 5.
    """
    theta_old = _check_flat_or_table(mdp, theta_old, "theta_old")
    theta_new = _check_flat_or_table(mdp, theta_new, "theta_new")
    return (
        float(_mdp.visitation_kl(mdp, theta_old, theta_new)),
        float(_mdp.surrogate(mdp, theta_old, theta_new)),
        float(_mdp.expected_return(mdp, theta_new) - _mdp.expected_return(mdp, theta_old)),
    )


def first_order_outcomes(
    mdp: _mdp.TabularMDP, theta_old, objectives: dict, lr: float = 1.0, n_steps: int = 200
) -> dict:
    """Maximise each first-order objective from ``theta_old``, as PPO does with one batch.

    Each objective ``{name: (kind, options)}`` (``kind`` and ``options`` as in
    :func:`tabular_first_order_objective`, e.g. ``("clip", {"clip": 0.2})`` or
    ``("penalty", {"beta": 1.0})``) is maximised by ``n_steps`` steps of
    :func:`gradient_ascent` with exact gradients, and its last iterate is scored by
    :func:`tabular_step_outcome`.

    Parameters
    ----------
    mdp : TabularMDP
    theta_old : array-like of shape (S, A)
    objectives : dict
        ``{name: (kind, options)}``, ``kind`` in ``{"surrogate", "clip", "penalty"}``.
    lr : float, default 1.0
        Step size of the ascent, > 0.
    n_steps : int, default 200
        Ascent steps, >= 1.

    Returns
    -------
    dict
        ``{name: (kl, predicted, true)}``, in the order of ``objectives``.

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``, section 5.
    """
    theta_old = _mdp._check_theta(mdp, theta_old, "theta_old")
    out = {}
    for name, (kind, options) in objectives.items():
        if kind not in ("surrogate", "clip", "penalty"):
            raise ValueError(
                f"objectives[{name!r}] has kind={kind!r}; valid: 'surrogate', 'clip' or 'penalty'"
            )

        def value_and_grad(th, kind=kind, options=options):
            return tabular_first_order_objective(mdp, theta_old, th, kind, **options)

        thetas, _ = gradient_ascent(value_and_grad, theta_old, lr, n_steps)
        out[name] = tabular_step_outcome(mdp, theta_old, thetas[-1])
    return out
