"""Policy improvement: the performance difference, the surrogate, KL and state mismatch.

See :mod:`course_utils.mdp` for the conventions. Derived in
``notebooks/02_surrogate_and_importance_sampling.ipynb``.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int
from .core import (
    TabularMDP,
    _check_pi,
    _check_theta,
    _log_softmax,
    _markov_chain,
    discounted_visitation,
    policy_evaluation,
    softmax_policy,
)


def surrogate(mdp: TabularMDP, theta_old, theta_new) -> float:
    """The importance-sampled surrogate ``Abar(theta_new)`` around ``theta_old``.

    ``Abar = sum_s rho_old(s) sum_a pi_old(a|s) [pi_new(a|s) / pi_old(a|s)] A_old(s, a)``:
    the performance difference with the new policy's visitation replaced by the old one's.
    ``Abar(theta_old) = 0`` and ``grad Abar`` at ``theta_new = theta_old`` equals
    ``grad J(theta_old)``.

    Parameters
    ----------
    mdp : TabularMDP
    theta_old, theta_new : array-like of shape (S, A)

    Returns
    -------
    float

    Notes
    -----
    Derived in ``notebooks/02_surrogate_and_importance_sampling.ipynb`` (seed 002).
    """
    pi_old = softmax_policy(_check_theta(mdp, theta_old, "theta_old"))
    pi_new = softmax_policy(_check_theta(mdp, theta_new, "theta_new"))
    _, _, A_old = policy_evaluation(mdp, pi_old)
    rho_old = discounted_visitation(mdp, pi_old)
    # E_{a ~ pi_old}[(pi_new / pi_old) A_old] = sum_a pi_new A_old: the weights cancel exactly.
    # Summed without forming the ratio, which is 0 / 0 where pi_old underflows (extreme logits).
    return float(rho_old @ np.sum(pi_new * A_old, axis=1))


def performance_difference(mdp: TabularMDP, theta_old, theta_new) -> float:
    """``J(theta_new) - J(theta_old)`` by the performance difference lemma.

    ``sum_s rho_new(s) sum_a pi_new(a|s) A_old(s, a)``: exact, using the *new* policy's
    visitation (the surrogate uses the old one's).

    Parameters
    ----------
    mdp : TabularMDP
    theta_old, theta_new : array-like of shape (S, A)

    Returns
    -------
    float

    Notes
    -----
    Derived in ``notebooks/02_surrogate_and_importance_sampling.ipynb``.
    """
    pi_old = softmax_policy(_check_theta(mdp, theta_old, "theta_old"))
    pi_new = softmax_policy(_check_theta(mdp, theta_new, "theta_new"))
    _, _, A_old = policy_evaluation(mdp, pi_old)
    return float(discounted_visitation(mdp, pi_new) @ np.sum(pi_new * A_old, axis=1))


def visitation_kl(mdp: TabularMDP, theta_old, theta_new) -> float:
    """``sum_s rho_old(s) KL(pi_old(.|s) || pi_new(.|s))``, weighted like the Fisher matrix.

    With this weighting ``visitation_kl ~= 1/2 d^T F d`` for ``d = theta_new - theta_old``
    (F from :func:`fisher_information`). Divide by ``1 / (1 - gamma)`` for TRPO's mean KL.

    Parameters
    ----------
    mdp : TabularMDP
    theta_old, theta_new : array-like of shape (S, A)

    Returns
    -------
    float
    """
    pi_old = softmax_policy(_check_theta(mdp, theta_old, "theta_old"))
    log_old = _log_softmax(_check_theta(mdp, theta_old, "theta_old"))
    log_new = _log_softmax(_check_theta(mdp, theta_new, "theta_new"))
    kl_s = np.sum(pi_old * (log_old - log_new), axis=1)
    return float(discounted_visitation(mdp, pi_old) @ kl_s)


def max_total_variation(mdp: TabularMDP, theta_old, theta_new) -> float:
    """``max_s TV(pi_old(.|s), pi_new(.|s))`` with ``TV = 1/2 sum_a |pi_old - pi_new|``."""
    pi_old = softmax_policy(_check_theta(mdp, theta_old, "theta_old"))
    pi_new = softmax_policy(_check_theta(mdp, theta_new, "theta_new"))
    return float(np.max(0.5 * np.abs(pi_old - pi_new).sum(axis=1)))


def state_distributions(mdp: TabularMDP, pi, horizon: int) -> np.ndarray:
    """Distributions of the state at times ``0..horizon``: ``p_t = p0^T P_pi^t``.

    ``p_t[s] = Pr(s_t = s)`` when ``s_0 ~ p0`` and every action is drawn from ``pi``; the
    discounted visitation is ``rho = sum_t gamma^t p_t`` (:func:`discounted_visitation`).

    Parameters
    ----------
    mdp : TabularMDP
    pi : array-like of shape (S, A)
        Action probabilities; each row sums to 1.
    horizon : int
        Last time step, >= 0.

    Returns
    -------
    ndarray of shape (horizon + 1, S)
        Row ``t`` is ``p_t``; every row sums to 1.

    Notes
    -----
    ``p_{t+1}[s'] = sum_s p_t[s] sum_a pi[s, a] P[s, a, s']``. Derived in
    ``notebooks/01_policy_gradient_theorem.ipynb`` (visitation) and used for the
    state-mismatch bound (erratum 3 of MATH.md) in
    ``notebooks/02_surrogate_and_importance_sampling.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> mdp = random_mdp(3, 2, gamma=0.9, rng=np.random.default_rng(0))
    >>> p = state_distributions(mdp, np.full((3, 2), 0.5), horizon=4)
    >>> p.shape, bool(np.allclose(p.sum(axis=1), 1.0))
    ((5, 3), True)
    """
    pi = _check_pi(mdp, pi)
    horizon = check_int(horizon, "horizon", low=0)
    P_pi, _ = _markov_chain(mdp, pi)
    p = np.empty((horizon + 1, mdp.n_states))
    p[0] = mdp.p0
    for t in range(horizon):  # loop over time steps only
        p[t + 1] = p[t] @ P_pi
    return p
