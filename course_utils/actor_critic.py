"""Seed 003's natural actor-critic on a tabular MDP: the compatible critic learned by TD(0).

The critic is linear, ``q(s, a) = v[s] + psi(s, a)^T w``, with the compatible features
``psi = grad_theta log pi(a|s)`` of the tabular softmax policy and (optionally) one value
feature per state. The actor moves along ``w``, which is the natural gradient ``F^+ g`` once
the critic has converged (compatible function approximation theorem, seed 003). Two ways to
get ``w``:

- :func:`td_fixed_point`: the exact solution of the *expected* TD(0) equation (linear algebra);
- :func:`td_compatible_critic`: TD(0) from sampled transitions, many independent learners at
  once (vectorised over learners, a loop over update steps only).

State-action pairs are weighted by the normalised discounted visitation
``mu = (1 - gamma) rho`` times ``pi`` (seed 003 weights step ``t`` by ``gamma^t``, which is the
same distribution up to the constant ``1 / (1 - gamma)``).

Derived in ``notebooks/05_natural_gradient.ipynb`` (section 5, the actor-critic of seed 003).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_in_range, check_int, check_rng
from .mdp import TabularMDP, discounted_visitation, score_softmax, softmax_policy

__all__ = ["td_fixed_point", "td_compatible_critic"]


def _check_mdp_theta(mdp, theta) -> np.ndarray:
    if not isinstance(mdp, TabularMDP):
        raise ValueError(f"mdp={mdp!r} is not a TabularMDP; valid: a TabularMDP")
    theta = np.asarray(check_in_range(theta, "theta"), dtype=float)
    if theta.shape != (mdp.n_states, mdp.n_actions):
        raise ValueError(
            f"theta has shape {theta.shape}; valid: shape ({mdp.n_states}, {mdp.n_actions})"
        )
    return theta


def _features(theta: np.ndarray, value_features: bool) -> np.ndarray:
    """Rows ``phi(s, a) = [e_s, psi(s, a)]`` (or ``psi(s, a)`` alone), state-major."""
    S, A = theta.shape
    states, actions = np.indices((S, A))
    psi = score_softmax(theta, states, actions).reshape(S * A, S * A)
    if not value_features:
        return psi
    return np.hstack([np.repeat(np.eye(S), A, axis=0), psi])


def td_fixed_point(mdp: TabularMDP, theta, value_features: bool = True) -> np.ndarray:
    """Compatible-critic weights ``w`` at the fixed point of expected TD(0).

    Solves ``E[phi (r + gamma phi'^T x - phi^T x)] = 0`` for ``x = (v, w)`` (or ``x = w``),
    with ``(s, a) ~ mu pi``, ``s' ~ P(.|s, a)``, ``a' ~ pi(.|s')``, by minimum-norm least squares.

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A)
        Softmax logits of the policy being evaluated.
    value_features : bool, default True
        Include one indicator feature per state, ``q(s, a) = v[s] + psi(s, a)^T w``. With
        ``False`` the critic is seed 003's ``q(s, a) = psi(s, a)^T w`` alone.

    Returns
    -------
    w : ndarray of shape (S, A)
        The compatible part of the critic, shaped like ``theta``.

    Notes
    -----
    With the state features the feature set is complete (``psi(s, .)`` spans the vectors of
    ``pi``-mean zero in state ``s``), so the fixed point is ``q = Q`` exactly and
    ``psi^T w = A``: ``w = F^+ g``, the centred advantage (for states with ``mu[s] > 0``).
    Without them the bootstrap term vanishes in expectation,
    ``E_{a' ~ pi}[psi(s', a')] = 0``, and the fixed point solves ``F w = E[psi R(s, a)]``: the
    natural gradient of the *immediate* reward, not of ``J``.
    Derived in ``notebooks/05_natural_gradient.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> from course_utils import mdp
    >>> rng = np.random.default_rng(0)
    >>> m = mdp.random_mdp(3, 2, gamma=0.9, rng=rng)
    >>> theta = rng.normal(size=(3, 2))
    >>> w = td_fixed_point(m, theta)
    >>> bool(np.allclose(w, mdp.natural_policy_gradient(m, theta)))
    True
    """
    theta = _check_mdp_theta(mdp, theta)
    S, A = theta.shape
    pi = softmax_policy(theta)
    weight = ((1.0 - mdp.gamma) * discounted_visitation(mdp, pi)[:, None] * pi).ravel()
    phi = _features(theta, value_features)
    # next state-action: P_sa[(s, a), (s', a')] = P(s'|s, a) pi(a'|s')
    P_sa = (mdp.P[:, :, :, None] * pi[None, None, :, :]).reshape(S * A, S * A)
    A_td = phi.T @ (weight[:, None] * (phi - mdp.gamma * P_sa @ phi))
    b_td = phi.T @ (weight * mdp.R.ravel())
    x, *_ = np.linalg.lstsq(A_td, b_td, rcond=None)
    return x[-S * A :].reshape(S, A)


def _draw(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Indices drawn by inverting the CDFs in the rows of ``cdf`` (shape (n, K)) at ``u``."""
    return np.minimum((cdf < u[:, None]).sum(axis=1), cdf.shape[1] - 1)


def td_compatible_critic(
    mdp: TabularMDP,
    theta,
    n_steps: int,
    alpha: float,
    n_learners: int,
    rng: np.random.Generator,
    value_features: bool = True,
) -> np.ndarray:
    """TD(0) learning of the compatible critic from sampled transitions, many learners at once.

    Each learner starts at ``v = 0, w = 0`` and, ``n_steps`` times, draws a fresh transition
    ``s ~ mu``, ``a ~ pi(.|s)``, ``s' ~ P(.|s, a)``, ``a' ~ pi(.|s')`` and updates

    ``delta = R(s, a) + gamma q(s', a') - q(s, a)``,
    ``v[s] += alpha delta``,  ``w += alpha delta psi(s, a)``

    (seed 003's critic update, plus the value features of :func:`td_fixed_point`).

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A)
        Softmax logits of the policy being evaluated (the actor, held fixed).
    n_steps : int
        Number of TD updates per learner, >= 1.
    alpha : float
        Constant step size, in (0, 1].
    n_learners : int
        Number of independent learners, >= 1 (their spread gives the standard error).
    rng : numpy.random.Generator
    value_features : bool, default True
        As in :func:`td_fixed_point`.

    Returns
    -------
    w : ndarray of shape (n_learners, S, A)
        Each learner's final compatible weights.

    Notes
    -----
    The update is linear in ``(v, w)`` and every transition is drawn afresh, so the mean over
    learners follows the expected recursion ``x <- x + alpha (b - A x)`` exactly and tends
    to :func:`td_fixed_point` (at rate ``(1 - alpha lambda_min)^n_steps``); the learners
    scatter around it by ``O(sqrt(alpha))``. Every update adds a multiple of
    ``psi(s, a) = e_a - pi(.|s)`` in state ``s``, whose entries sum to 0, so ``w[s, :]``
    keeps summing to 0: no drift along the directions that do not change ``pi``.
    Derived in ``notebooks/05_natural_gradient.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> from course_utils import mdp
    >>> rng = np.random.default_rng(0)
    >>> m = mdp.random_mdp(2, 2, gamma=0.5, rng=rng)
    >>> theta = np.zeros((2, 2))
    >>> W = td_compatible_critic(m, theta, n_steps=2000, alpha=0.1, n_learners=500, rng=rng)
    >>> se = W.std(axis=0, ddof=1) / np.sqrt(500)
    >>> bool(np.all(np.abs(W.mean(axis=0) - td_fixed_point(m, theta)) < 5 * se))
    True
    """
    theta = _check_mdp_theta(mdp, theta)
    n_steps = check_int(n_steps, "n_steps")
    alpha = float(check_in_range(alpha, "alpha", 0.0, 1.0, low_open=True))
    n_learners = check_int(n_learners, "n_learners")
    rng = check_rng(rng)
    S, A = theta.shape
    pi = softmax_policy(theta)
    mu = (1.0 - mdp.gamma) * discounted_visitation(mdp, pi)
    cdf_mu = np.broadcast_to(np.cumsum(mu), (n_learners, S))
    cdf_pi, cdf_P = np.cumsum(pi, axis=1), np.cumsum(mdp.P, axis=2)
    v = np.zeros((n_learners, S))
    w = np.zeros((n_learners, S, A))
    rows = np.arange(n_learners)
    for _ in range(n_steps):  # loop over update steps only; learners are vectorised
        u = rng.random((4, n_learners)) * np.array([[cdf_mu[0, -1]], [1.0], [1.0], [1.0]])
        s = _draw(cdf_mu, u[0])
        a = _draw(cdf_pi[s], u[1])
        s_next = _draw(cdf_P[s, a], u[2])
        a_next = _draw(cdf_pi[s_next], u[3])
        # q(s, a) = v[s] + psi(s, a)^T w, with psi(s, a) = e_a - pi(.|s) in the block of s
        q = w[rows, s, a] - np.einsum("na,na->n", pi[s], w[rows, s])
        q_next = w[rows, s_next, a_next] - np.einsum("na,na->n", pi[s_next], w[rows, s_next])
        if value_features:
            q, q_next = q + v[rows, s], q_next + v[rows, s_next]
        delta = mdp.R[s, a] + mdp.gamma * q_next - q
        if value_features:
            v[rows, s] += alpha * delta
        w[rows, s] -= (alpha * delta)[:, None] * pi[s]
        w[rows, s, a] += alpha * delta
    return w
