"""Sampled trajectories and the REINFORCE estimate of the policy gradient (vectorised).

See :mod:`course_utils.mdp` for the conventions. Derived in
``notebooks/01_policy_gradient_theorem.ipynb`` (REINFORCE and its 1/sqrt(N) error).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int, check_rng
from .core import (
    TabularMDP,
    Trajectories,
    _categorical,
    _check_theta,
    policy_evaluation,
    softmax_policy,
)


def sample_trajectories(
    mdp: TabularMDP, theta, n: int, horizon: int, rng: np.random.Generator
) -> Trajectories:
    """Roll out the softmax policy ``n`` times for ``horizon`` steps, vectorised over rollouts.

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A)
    n : int
        Number of trajectories, >= 1.
    horizon : int
        Steps per trajectory, >= 1. The discounted return is truncated there; the bias is at
        most ``gamma^horizon * max|R| / (1 - gamma)``.
    rng : numpy.random.Generator

    Returns
    -------
    Trajectories
        ``states``, ``actions`` (int) and ``rewards`` of shape (n, horizon).
    """
    theta = _check_theta(mdp, theta)
    n = check_int(n, "n")
    horizon = check_int(horizon, "horizon")
    rng = check_rng(rng)
    pi = softmax_policy(theta)
    states = np.empty((n, horizon), dtype=np.int64)
    actions = np.empty((n, horizon), dtype=np.int64)
    s = _categorical(np.broadcast_to(mdp.p0, (n, mdp.n_states)), rng)
    for t in range(horizon):  # loop over time only; all n rollouts advance together
        a = _categorical(pi[s], rng)
        states[:, t], actions[:, t] = s, a
        s = _categorical(mdp.P[s, a], rng)
    return Trajectories(states, actions, mdp.R[states, actions], mdp.gamma)


def estimate_policy_gradient(
    mdp: TabularMDP,
    theta,
    n: int,
    horizon: int,
    rng: np.random.Generator,
    baseline: bool = True,
):
    """REINFORCE estimate of the tabular policy gradient, with reward to go.

    ``g_hat = (1/n) sum_i sum_t gamma^t psi(s_t, a_t) (G_t - b(s_t))`` with
    ``psi = grad log pi`` (:func:`score_softmax`), ``G_t`` the discounted reward to go and,
    if ``baseline``, ``b = V_pi`` (exact here; any function of the state leaves the mean
    unchanged).

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A)
    n, horizon : int
    rng : numpy.random.Generator
    baseline : bool, default True

    Returns
    -------
    estimate : ndarray of shape (S, A)
    standard_error : ndarray of shape (S, A)
        Sample standard deviation over trajectories divided by ``sqrt(n)``.

    Notes
    -----
    Derived in ``notebooks/01_policy_gradient_theorem.ipynb``.
    """
    theta = _check_theta(mdp, theta)
    traj = sample_trajectories(mdp, theta, n, horizon, rng)
    advantage = traj.rewards_to_go()
    if baseline:
        V, _, _ = policy_evaluation(mdp, softmax_policy(theta))
        advantage = advantage - V[traj.states]
    weight = (mdp.gamma ** np.arange(horizon)) * advantage  # (n, horizon)
    pi = softmax_policy(theta)
    S, A = theta.shape
    # sum_t w_t (e_{s_t, a_t} - e_{s_t} pi_{s_t}), accumulated per trajectory without
    # materialising the (n, horizon, S, A) score array
    per_traj = np.zeros((n, S * A))
    rows = np.repeat(np.arange(n), horizon)
    np.add.at(per_traj, (rows, (traj.states * A + traj.actions).ravel()), weight.ravel())
    state_weight = np.zeros((n, S))
    np.add.at(state_weight, (rows, traj.states.ravel()), weight.ravel())
    per_traj -= (state_weight[:, :, None] * pi[None]).reshape(n, S * A)
    estimate = per_traj.mean(axis=0).reshape(S, A)
    se = (
        (per_traj.std(axis=0, ddof=1) / np.sqrt(n)).reshape(S, A)
        if n > 1
        else np.full((S, A), np.inf)
    )
    return estimate, se
