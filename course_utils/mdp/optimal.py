"""The optimum by value iteration, and trust-region ascent on the softmax policy.

See :mod:`course_utils.mdp` for the conventions. Derived in
``notebooks/05_natural_gradient.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_in_range, check_int
from ..natural import vanilla_step
from .core import TabularMDP, _check_theta, expected_return, policy_evaluation
from .gradients import natural_policy_gradient, policy_gradient


def value_iteration(mdp: TabularMDP, tol: float = 1e-12, max_iter: int = 100_000):
    """Optimal values by value iteration, finished by an exact evaluation of the greedy policy.

    Iterates ``V <- max_a (R + gamma P V)`` until ``max |V_new - V| < tol`` (a contraction with
    factor ``gamma``), then takes the greedy deterministic policy ``pi*`` and returns its exact
    values ``V* = (I - gamma P_pi*)^-1 r_pi*`` (so ``V*`` is not off by the stopping tolerance).

    Parameters
    ----------
    mdp : TabularMDP
    tol : float, default 1e-12
        > 0.
    max_iter : int, default 100000
        >= 1; a ``ValueError`` is raised if the iteration has not converged by then.

    Returns
    -------
    V : ndarray of shape (S,)
        Optimal state values.
    pi : ndarray of shape (S, A)
        A greedy deterministic optimal policy (one-hot rows; ties go to the lowest action).

    Notes
    -----
    A softmax policy is never deterministic, so ``J(theta) < p0 . V*`` for every finite
    ``theta`` and gradient methods only approach it. Used in
    ``notebooks/05_natural_gradient.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> mdp = random_mdp(3, 2, gamma=0.9, rng=np.random.default_rng(0))
    >>> V, pi = value_iteration(mdp)
    >>> bool(np.allclose(V, np.max(mdp.R + mdp.gamma * mdp.P @ V, axis=1)))
    True
    """
    if not isinstance(mdp, TabularMDP):
        raise ValueError(f"mdp={mdp!r} is not a TabularMDP; valid: a TabularMDP")
    tol = float(check_in_range(tol, "tol", 0.0, np.inf, low_open=True))
    max_iter = check_int(max_iter, "max_iter")
    V = np.zeros(mdp.n_states)
    for _ in range(max_iter):  # Bellman optimality iterations
        V_new = np.max(mdp.R + mdp.gamma * mdp.P @ V, axis=1)
        if np.max(np.abs(V_new - V)) < tol:
            break
        V = V_new
    else:
        raise ValueError(
            f"value iteration did not reach tol={tol:g} in max_iter={max_iter} iterations; "
            "valid: a larger max_iter or tol"
        )
    pi = np.eye(mdp.n_actions)[np.argmax(mdp.R + mdp.gamma * mdp.P @ V_new, axis=1)]
    V_star, _, _ = policy_evaluation(mdp, pi)
    return V_star, pi


def optimal_return(mdp: TabularMDP) -> float:
    """``J* = p0 . V*``, the best return of any policy (:func:`value_iteration`)."""
    V, _ = value_iteration(mdp)
    return float(mdp.p0 @ V)


@dataclass(frozen=True)
class AscentHistory:
    """Iterates of :func:`trust_region_ascent`.

    Attributes
    ----------
    thetas : ndarray of shape (n_iter + 1, S, A)
        Logits after 0, 1, ..., n_iter steps.
    returns : ndarray of shape (n_iter + 1,)
        ``J`` at each of them.
    """

    thetas: np.ndarray
    returns: np.ndarray

    def iterations_to(self, level: float) -> int | None:
        """First iteration with ``J >= level``, or None if never reached."""
        hit = np.flatnonzero(self.returns >= level)
        return int(hit[0]) if hit.size else None


def trust_region_ascent(
    mdp: TabularMDP, theta0, eps: float, n_iter: int, natural: bool = False
) -> AscentHistory:
    """Exact-gradient ascent of the tabular softmax policy with a trust-region step size.

    - vanilla: ``d = sqrt(eps / g^T g) g`` (``||d||^2 = eps``);
    - natural: ``d = sqrt(2 eps / g^T w) w`` with ``w = F^+ g`` from
      :func:`natural_policy_gradient` (``1/2 d^T F d = eps``; ``F`` is singular, the
      pseudo-inverse picks the solution with no component along the constant logits).

    Parameters
    ----------
    mdp : TabularMDP
    theta0 : array-like of shape (S, A)
    eps : float
        > 0. Note the two ``eps`` have different units: squared logits for vanilla,
        (visitation-weighted) KL for natural.
    n_iter : int
        >= 1.
    natural : bool, default False

    Returns
    -------
    AscentHistory

    Notes
    -----
    Compared in ``notebooks/05_natural_gradient.ipynb``. Near a deterministic policy the
    natural step grows without bound (the Fisher matrix vanishes there, like the sigmoid's in
    ``notebooks/04_kl_and_fisher.ipynb``); once the gradient is exactly 0 or the step
    overflows, the remaining iterates repeat the last finite one.
    """

    theta0 = _check_theta(mdp, theta0, "theta0")
    eps = float(check_in_range(eps, "eps", 0.0, np.inf, low_open=True))
    n_iter = check_int(n_iter, "n_iter")
    thetas = np.empty((n_iter + 1,) + theta0.shape)
    returns = np.empty(n_iter + 1)
    thetas[0] = theta0
    for t in range(n_iter + 1):  # each iterate depends on the previous one
        returns[t] = expected_return(mdp, thetas[t])
        if t == n_iter:
            break
        g = policy_gradient(mdp, thetas[t])
        if natural:
            w = natural_policy_gradient(mdp, thetas[t])
            gw = np.sum(g * w)  # = sum_s rho(s) sum_a pi A^2 >= 0
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                d = np.sqrt(2.0 * eps / gw) * w
        else:
            d = vanilla_step(g.ravel(), eps).reshape(g.shape) if np.any(g) else g
        theta_next = thetas[t] + d
        if not np.any(d) or not np.all(np.isfinite(theta_next)):
            # the policy is deterministic to machine precision (g = 0, or the natural step,
            # which grows like 1 / sqrt(min pi), overflows): stay there
            thetas[t + 1 :] = thetas[t]
            returns[t + 1 :] = returns[t]
            break
        thetas[t + 1] = theta_next
    return AscentHistory(thetas, returns)
