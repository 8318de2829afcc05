"""The average-reward criterion (Kakade's two-state plateau, MATH.md section 2).

See :mod:`course_utils.mdp` for the conventions. Derived in
``notebooks/07_practical_npg.ipynb``, section 7.
"""

from __future__ import annotations

import numpy as np

from .core import TabularMDP, _check_pi, _check_theta, _markov_chain, softmax_policy
from .gradients import _block_fisher


def stationary_distribution(mdp: TabularMDP, pi) -> np.ndarray:
    """Stationary distribution ``d`` of the chain ``P_pi``: ``d = d P_pi``, ``sum d = 1``.

    Parameters
    ----------
    mdp : TabularMDP
    pi : array-like of shape (S, A)

    Returns
    -------
    ndarray of shape (S,)
        Unique when the chain is irreducible (true for the plateau MDP when every action
        probability is > 0).
    """
    pi = _check_pi(mdp, pi)
    P_pi, _ = _markov_chain(mdp, pi)
    S = mdp.n_states
    # (P_pi^T - I) d = 0 with the normalisation row sum(d) = 1, solved in least squares
    M = np.vstack([P_pi.T - np.eye(S), np.ones((1, S))])
    rhs = np.zeros(S + 1)
    rhs[-1] = 1.0
    d, *_ = np.linalg.lstsq(M, rhs, rcond=None)
    return d


def average_reward(mdp: TabularMDP, theta) -> float:
    """``eta(theta) = sum_s d(s) sum_a pi(a|s) R(s, a)`` (average reward per step)."""
    pi = softmax_policy(_check_theta(mdp, theta))
    return float(stationary_distribution(mdp, pi) @ np.sum(pi * mdp.R, axis=1))


def _differential_advantage(mdp: TabularMDP, pi: np.ndarray):
    d = stationary_distribution(mdp, pi)
    P_pi, r_pi = _markov_chain(mdp, pi)
    eta = d @ r_pi
    S = mdp.n_states
    # h = r_pi - eta + P_pi h with d . h = 0 (differential values)
    M = np.vstack([np.eye(S) - P_pi, d[None, :]])
    h, *_ = np.linalg.lstsq(M, np.append(r_pi - eta, 0.0), rcond=None)
    Q = mdp.R - eta + mdp.P @ h
    return d, Q - h[:, None]


def average_reward_gradient(mdp: TabularMDP, theta) -> np.ndarray:
    """Exact ``d eta / d theta[s, a] = d(s) pi(a|s) A(s, a)`` (average-reward PG theorem).

    ``A`` is the differential advantage ``Q - h`` with ``h = r_pi - eta + P_pi h``.
    For the sigmoid parametrisation (:func:`sigmoid_theta`) take column 0.

    Returns
    -------
    ndarray of shape (S, A)
    """
    pi = softmax_policy(_check_theta(mdp, theta))
    d, A = _differential_advantage(mdp, pi)
    return d[:, None] * pi * A


def average_reward_fisher(mdp: TabularMDP, theta) -> np.ndarray:
    """Fisher matrix weighted by the stationary distribution, shape (S*A, S*A).

    ``F = sum_s d(s) (diag(pi_s) - pi_s pi_s^T)`` placed block-diagonally; Kakade's
    natural gradient for the average-reward criterion.
    """
    theta = _check_theta(mdp, theta)
    pi = softmax_policy(theta)
    return _block_fisher(stationary_distribution(mdp, pi), pi)
