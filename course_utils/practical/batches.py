"""Sampled batches: what one iteration of a practical update rule needs from its rollouts.

A :class:`PolicyBatch` holds the gradient estimate, a Fisher-vector product, the sampled
surrogate and the sampled KL of one batch, for the tabular softmax (:func:`tabular_batch`) and
the k / sigma Gaussian (:func:`lqr_batch`); the linear softmax's scores and Fisher-vector
products without forming the score matrix (:func:`linear_softmax_fvp`).

Derived in ``notebooks/07_practical_npg.ipynb``, sections 1 and 6.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import mdp as _mdp
from .._validation import as_array, check_in_range
from ..gaussian import LinearGaussianLQR, gaussian_score

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


def _check_weights(weights, n: int) -> np.ndarray:
    """Sample weights: ``1 / n`` each by default, else non-negative of shape ``(n,)``."""
    if weights is None:
        return np.full(n, 1.0 / n)
    weights = check_in_range(weights, "weights", 0.0)
    if weights.shape != (n,):
        raise ValueError(f"weights has shape {weights.shape}; valid: ({n},)")
    return weights


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
    weights = _check_weights(weights, X.shape[0])
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


def linear_softmax_kl_hvp(theta, X, weights=None) -> Callable:
    """The operator ``v -> H v``, ``H`` the Hessian of a linear softmax's mean KL over states.

    ``Dbar(theta') = sum_i w_i KL(pi_theta(.|x_i) || pi_theta'(.|x_i))`` has, at
    ``theta' = theta``, the Hessian ``H = sum_i w_i x_i x_i^T (x) (diag pi_i - pi_i pi_i^T)``:
    the Fisher matrix with the expectation over actions done exactly (TRPO's choice). With
    ``V = v.reshape(d, A)`` and the logit change ``u_i = x_i^T V``:
    ``H v = X^T (w (pi (u - pi . u)))``, two ``(N, d) x (d, A)`` products.

    Parameters
    ----------
    theta : array-like of shape (d, A)
    X : array-like of shape (N, d)
    weights : array-like of shape (N,), optional
        Default ``1 / N`` each.

    Returns
    -------
    callable
        ``v -> H v`` for ``v`` of shape ``(d * A,)``.

    Notes
    -----
    Derived in ``notebooks/08_npg_on_cartpole.ipynb`` (section 3, ``F`` with the expectation
    over actions done exactly); used by TRPO in :func:`course_utils.cartpole.policy_batch`.
    """
    X = as_array(X, "X", ndim=2)
    theta, X, _ = _check_linear_softmax(theta, X, np.zeros(X.shape[0], dtype=int))
    d, A = theta.shape
    weights = _check_weights(weights, X.shape[0])
    pi = linear_softmax_policy(theta, X)

    def hvp(v):
        v = np.asarray(v, dtype=float)
        if v.shape != (d * A,):
            raise ValueError(f"v has shape {v.shape}; valid: shape ({d * A},)")
        U = X @ v.reshape(d, A)  # logit changes along v, (N, A)
        E = weights[:, None] * pi * (U - np.sum(pi * U, axis=1, keepdims=True))
        return (E.T @ X).T.ravel()

    return hvp


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
    kl_hvp : callable or None
        ``v -> H v`` with ``H`` the Hessian of the batch's mean KL ``kl`` at ``theta_new =
        theta``: the Fisher matrix with the expectation over actions done exactly and only the
        states sampled, ``sum_i w_i E_{a ~ pi(.|s_i)}[psi psi^T]``. This is the matrix TRPO's
        conjugate gradient uses (Schulman et al. 2015, appendix C); ``fvp`` is the empirical
        ``sum_i w_i psi_i psi_i^T`` of the sampled actions, which has the same mean and more
        variance. None where no analytic form is available (the rules then use ``fvp``).
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
    kl_hvp: Callable | None = None


def _scored_batch(theta, scores, w, adv, surrogate, kl, kl_hvp) -> PolicyBatch:
    """A :class:`PolicyBatch` from an explicit score matrix: ``g = sum_i w_i psi_i A_i`` and
    ``F_hat v = sum_i w_i psi_i (psi_i^T v)``, the empirical Fisher never formed."""
    return PolicyBatch(
        theta=theta,
        g=scores.T @ (w * adv),
        fvp=lambda v: scores.T @ (w * (scores @ v)),
        surrogate=surrogate,
        kl=kl,
        n_samples=int(scores.shape[0]),
        scores=scores,
        weights=w,
        advantages=adv,
        kl_hvp=kl_hvp,
    )


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

    mass = np.bincount(s, weights=w, minlength=S)[:, None]  # sum of w_i over visits of each state

    def kl_hvp(v):
        # sum_i w_i e_{s_i} (x) (diag pi_s - pi_s pi_s^T), applied to V = v.reshape(S, A)
        V = np.reshape(v, (S, A))
        return (mass * pi * (V - np.sum(pi * V, axis=1, keepdims=True))).ravel()

    return _scored_batch(theta.ravel().copy(), scores, w, adv, surrogate, kl, kl_hvp)


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

    # E_a[psi psi^T | s] = diag(s^2 / sigma^2, 2 / sigma^2): the Fisher of N(k s, sigma^2)
    kl_diag = np.array([np.sum(w * s**2), 2.0 * np.sum(w)]) / sigma**2

    return _scored_batch(
        np.array([k, sigma]), scores, w, adv, surrogate, kl, lambda v: kl_diag * np.asarray(v)
    )
