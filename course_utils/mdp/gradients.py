"""The exact policy gradient, Fisher matrix, natural gradient and compatible critic.

See :mod:`course_utils.mdp` for the conventions. Derived in
``notebooks/01_policy_gradient_theorem.ipynb`` (theorem, Fisher, compatible critic) and
``notebooks/05_natural_gradient.ipynb`` (natural gradient).
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array
from .core import TabularMDP, _check_theta, discounted_visitation, policy_evaluation, softmax_policy


def policy_gradient(mdp: TabularMDP, theta) -> np.ndarray:
    """Exact policy gradient by the policy gradient theorem (tabular softmax).

    ``dJ/dtheta[s, a] = rho[s] * pi[s, a] * A[s, a]``, with ``rho`` the unnormalised
    discounted visitation.

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A)

    Returns
    -------
    ndarray of shape (S, A)

    Notes
    -----
    From ``grad J = sum_s rho(s) sum_a pi(a|s) grad log pi(a|s) Q(s, a)`` and
    ``d log pi(b|s) / d theta[s, a] = 1[a = b] - pi(a|s)``. Derived in
    ``notebooks/01_policy_gradient_theorem.ipynb``.
    """
    theta = _check_theta(mdp, theta)
    pi = softmax_policy(theta)
    _, _, A = policy_evaluation(mdp, pi)
    return discounted_visitation(mdp, pi)[:, None] * pi * A


def fisher_information(mdp: TabularMDP, theta) -> np.ndarray:
    """Fisher matrix of the softmax policy, weighted like the policy gradient.

    ``F = sum_s rho[s] E_{a ~ pi(.|s)}[psi psi^T]`` with ``psi = grad_theta log pi(a|s)``;
    block-diagonal with block ``rho[s] (diag(pi_s) - pi_s pi_s^T)`` for state ``s``.

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A)

    Returns
    -------
    ndarray of shape (S*A, S*A)
        Indexed by ``theta.ravel()`` (state-major). Singular: each block annihilates the
        all-ones vector (adding a constant to ``theta[s, :]`` leaves ``pi`` unchanged), so use
        damping or :func:`natural_policy_gradient`.

    Notes
    -----
    Derived in ``notebooks/01_policy_gradient_theorem.ipynb`` and
    ``notebooks/04_kl_and_fisher.ipynb``.
    """
    theta = _check_theta(mdp, theta)
    pi = softmax_policy(theta)
    return _block_fisher(discounted_visitation(mdp, pi), pi)


def _block_fisher(weights: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """Block-diagonal ``sum_s weights[s] (diag(pi_s) - pi_s pi_s^T)``, shape (S*A, S*A)."""
    S, A = pi.shape
    blocks = weights[:, None, None] * (pi[:, :, None] * np.eye(A) - pi[:, :, None] * pi[:, None, :])
    F = np.zeros((S, A, S, A))
    F[np.arange(S), :, np.arange(S), :] = blocks
    return F.reshape(S * A, S * A)


def natural_policy_gradient(mdp: TabularMDP, theta) -> np.ndarray:
    """Minimum-norm solution of ``F w = grad J`` for the tabular softmax policy.

    Because the Fisher block of state ``s`` is ``rho[s](diag(pi_s) - pi_s pi_s^T)`` and
    ``grad J[s, :] = rho[s] pi_s * A[s, :]``, the natural gradient is the advantage itself,
    centred per state: ``w[s, a] = A[s, a] - mean_b A[s, b]`` (Kakade 2001, Theorem 1).

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A)

    Returns
    -------
    ndarray of shape (S, A)
        Equals ``pinv(F) @ g.ravel()`` reshaped, for states with ``rho[s] > 0``.

    Notes
    -----
    Derived in ``notebooks/05_natural_gradient.ipynb`` (compatible features).
    """
    theta = _check_theta(mdp, theta)
    _, _, A = policy_evaluation(mdp, softmax_policy(theta))
    return A - A.mean(axis=1, keepdims=True)


def score_softmax(theta, states, actions) -> np.ndarray:
    """Score ``grad_theta log pi(a|s)`` of the tabular softmax, for many samples at once.

    ``d log pi(a|s) / d theta[s', b] = 1[s' = s] (1[b = a] - pi(b|s))``.

    Parameters
    ----------
    theta : array-like of shape (S, A)
    states, actions : int arrays of the same shape (...)

    Returns
    -------
    ndarray of shape (..., S, A)
    """
    theta = as_array(theta, "theta", ndim=2)
    states = np.asarray(states)
    actions = np.asarray(actions)
    if states.shape != actions.shape:
        raise ValueError(
            f"states has shape {states.shape} but actions has shape {actions.shape}; "
            "valid: equal shapes"
        )
    S, A = theta.shape
    pi = softmax_policy(theta)
    score = np.zeros(states.shape + (S, A))
    idx = np.indices(states.shape)
    score[(*idx, states)] = np.eye(A)[actions] - pi[states]
    return score


def compatible_critic(mdp: TabularMDP, theta, target: str = "advantage") -> np.ndarray:
    """Least-squares critic with compatible features ``psi = grad_theta log pi(a|s)``.

    Minimises ``sum_s rho(s) sum_a pi(a|s) (target(s, a) - psi(s, a)^T w)^2`` exactly (by
    enumeration of all ``(s, a)``), with ``target`` the true ``Q`` or ``A`` of the softmax
    policy and ``rho`` the unnormalised discounted visitation. Returns the minimum-norm
    minimiser.

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A)
        Softmax logits.
    target : {"advantage", "q"}, default "advantage"
        What the critic fits. Both give the same ``w``: ``V(s)`` is orthogonal to the features
        because ``sum_a pi(a|s) psi(s, a) = 0``.

    Returns
    -------
    w : ndarray of shape (S, A)
        Shaped like ``theta``. The normal equations are ``F w = grad J``
        (compatible function approximation theorem, seed 003), so ``w`` is the natural
        gradient: it equals :func:`natural_policy_gradient` for states with ``rho[s] > 0``.

    Notes
    -----
    Derived in ``notebooks/01_policy_gradient_theorem.ipynb``; used again in
    ``notebooks/05_natural_gradient.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> mdp = random_mdp(3, 2, gamma=0.9, rng=rng)
    >>> theta = rng.normal(size=(3, 2))
    >>> w = compatible_critic(mdp, theta)
    >>> bool(np.allclose(w, natural_policy_gradient(mdp, theta)))
    True
    """
    theta = _check_theta(mdp, theta)
    if target not in ("advantage", "q"):
        raise ValueError(f"target={target!r} is not known; valid: 'advantage' or 'q'")
    S, A = theta.shape
    pi = softmax_policy(theta)
    _, Q, Adv = policy_evaluation(mdp, pi)
    y = (Adv if target == "advantage" else Q).ravel()
    states, actions = np.indices((S, A))
    psi = score_softmax(theta, states, actions).reshape(S * A, S * A)  # row = (s, a)
    sqrt_weight = np.sqrt((discounted_visitation(mdp, pi)[:, None] * pi).ravel())
    # weighted least squares; lstsq returns the minimum-norm w (the features are rank-deficient:
    # adding a constant to theta[s, :] does not change pi)
    w, *_ = np.linalg.lstsq(sqrt_weight[:, None] * psi, sqrt_weight * y, rcond=None)
    return w.reshape(S, A)
