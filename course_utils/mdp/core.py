"""Tabular MDPs and softmax policies: the problem, its exact values and the visitation.

See :mod:`course_utils.mdp` for the conventions. Derived in
``notebooks/01_policy_gradient_theorem.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_array, check_distribution, check_in_range, check_int, check_rng, frozen


@dataclass(frozen=True)
class TabularMDP:
    """A finite discounted MDP, validated on construction.

    Parameters
    ----------
    P : array-like of shape (S, A, S)
        ``P[s, a, s']`` = probability of moving to ``s'`` after action ``a`` in ``s``.
        Every row ``P[s, a, :]`` must be a probability distribution.
    R : array-like of shape (S, A)
        Expected reward of action ``a`` in state ``s``.
    gamma : float
        Discount factor, ``0 <= gamma < 1``.
    p0 : array-like of shape (S,)
        Start-state distribution.

    Notes
    -----
    The arrays are stored read-only so an MDP can be shared between cells safely.
    Introduced in ``notebooks/01_policy_gradient_theorem.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> mdp = random_mdp(3, 2, gamma=0.9, rng=np.random.default_rng(0))
    >>> mdp.n_states, mdp.n_actions
    (3, 2)
    """

    P: np.ndarray
    R: np.ndarray
    gamma: float
    p0: np.ndarray

    def __post_init__(self):
        P = check_distribution(self.P, "P", axis=-1)
        if P.ndim != 3 or P.shape[0] != P.shape[2]:
            raise ValueError(f"P has shape {P.shape}; valid: shape (S, A, S)")
        n_states, n_actions = P.shape[:2]
        R = as_array(self.R, "R", shape=(n_states, n_actions))
        gamma = float(check_in_range(self.gamma, "gamma", 0.0, 1.0, high_open=True))
        p0 = check_distribution(self.p0, "p0")
        if p0.shape != (n_states,):
            raise ValueError(f"p0 has shape {p0.shape}; valid: shape ({n_states},) to match P")
        for name, arr in (("P", P), ("R", R), ("p0", p0)):
            arr = arr.copy()
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "gamma", gamma)

    @property
    def n_states(self) -> int:
        """Number of states S."""
        return self.P.shape[0]

    @property
    def n_actions(self) -> int:
        """Number of actions A."""
        return self.P.shape[1]


@dataclass(frozen=True)
class Trajectories:
    """Sampled trajectories, one row per trajectory.

    Attributes
    ----------
    states : ndarray of shape (n, horizon)
    actions : ndarray of shape (n, horizon)
    rewards : ndarray of shape (n, horizon)
    gamma : float
        Discount used to weight step ``t`` by ``gamma**t``.
    """

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    gamma: float

    def discounted_return(self) -> np.ndarray:
        """``sum_t gamma^t r_t`` per trajectory, shape (n,)."""
        return self.rewards @ self.gamma ** np.arange(self.rewards.shape[1])

    def rewards_to_go(self) -> np.ndarray:
        """``G_t = sum_{t' >= t} gamma^(t'-t) r_t'`` per trajectory and step, shape (n, horizon)."""
        G = self.rewards.astype(float)  # a copy
        # G_t = r_t + gamma G_{t+1}, backwards in time (all trajectories at once); dividing a
        # discounted cumulative sum by gamma^t instead gives 0 / 0 once gamma^t underflows
        for t in range(G.shape[1] - 2, -1, -1):
            G[:, t] += self.gamma * G[:, t + 1]
        return G


def random_mdp(n_states: int, n_actions: int, gamma: float, rng: np.random.Generator) -> TabularMDP:
    """A random dense MDP: Dirichlet(1) transitions, uniform rewards in [0, 1), random p0.

    Parameters
    ----------
    n_states, n_actions : int
        Sizes S >= 1 and A >= 1.
    gamma : float
        Discount factor in [0, 1).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    TabularMDP
    """
    n_states = check_int(n_states, "n_states")
    n_actions = check_int(n_actions, "n_actions")
    rng = check_rng(rng)
    P = rng.dirichlet(np.ones(n_states), size=(n_states, n_actions))
    R = rng.uniform(0.0, 1.0, size=(n_states, n_actions))
    p0 = rng.dirichlet(np.ones(n_states))
    return TabularMDP(P=P, R=R, gamma=gamma, p0=p0)


#: Kakade's start: P(stay | i) = 0.8, P(stay | j) = 0.1, as sigmoid logits (MATH.md section 2).
#: Read-only: copy it (``np.array(PLATEAU_START)``) to change it.
PLATEAU_START = frozen(np.log(np.array([0.8, 0.1]) / (1.0 - np.array([0.8, 0.1]))))


def two_state_mdp(gamma: float = 0.0) -> TabularMDP:
    """Kakade's two-state plateau MDP ("A Natural Policy Gradient", NeurIPS 2001, Fig. 1).

    States ``i = 0`` and ``j = 1``; actions ``stay = 0`` and ``switch = 1`` (switch moves to the
    other state). Staying in ``i`` pays 1, staying in ``j`` pays 2, switching pays 0. The paper
    uses the *average-reward* criterion: use :func:`stationary_distribution`,
    :func:`average_reward`, :func:`average_reward_gradient` and :func:`average_reward_fisher`
    (``gamma`` is ignored by those). The policy has one sigmoid parameter per state,
    ``P(stay | s) = sigmoid(x_s)``: build its logits with :func:`sigmoid_theta`; Kakade's start is
    :data:`PLATEAU_START`.

    Parameters
    ----------
    gamma : float, default 0.0
        Discount stored in the MDP, only for the discounted functions; in [0, 1).

    Returns
    -------
    TabularMDP
        ``p0`` is uniform; the average reward does not depend on it (the chain is ergodic
        for every policy with ``0 < P(stay) < 1``).

    Notes
    -----
    Reproduced in ``notebooks/07_practical_npg.ipynb``.
    """
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[1, 0, 1] = 1.0  # stay
    P[0, 1, 1] = P[1, 1, 0] = 1.0  # switch
    R = np.array([[1.0, 0.0], [2.0, 0.0]])
    return TabularMDP(P=P, R=R, gamma=gamma, p0=np.array([0.5, 0.5]))


def sigmoid_theta(x) -> np.ndarray:
    """Softmax logits ``[[x_s, 0], ...]`` for which ``P(action 0 | s) = sigmoid(x_s)``.

    With these logits, column 0 of any softmax gradient or Fisher block is the derivative
    with respect to the sigmoid parameter ``x_s``.

    Parameters
    ----------
    x : array-like of shape (S,)

    Returns
    -------
    ndarray of shape (S, 2)
    """
    x = as_array(x, "x", ndim=1)
    return np.stack([x, np.zeros_like(x)], axis=1)


def softmax_policy(theta) -> np.ndarray:
    """``pi[s, a] = exp(theta[s, a]) / sum_b exp(theta[s, b])`` along the last axis.

    Parameters
    ----------
    theta : array-like of shape (..., S, A)
        Logits; any leading batch dimensions are kept.

    Returns
    -------
    ndarray of the same shape
        Each row sums to 1. Computed stably (the row maximum is subtracted first).
    """
    theta = as_array(theta, "theta")
    if theta.ndim < 1:
        raise ValueError(f"theta has shape {theta.shape}; valid: shape (S, A)")
    z = np.exp(theta - theta.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _check_theta(mdp: TabularMDP, theta, name: str = "theta") -> np.ndarray:
    if not isinstance(mdp, TabularMDP):
        raise ValueError(f"mdp={mdp!r} is not a TabularMDP; valid: a TabularMDP")
    return as_array(theta, name, shape=(mdp.n_states, mdp.n_actions))


def _check_pi(mdp: TabularMDP, pi) -> np.ndarray:
    if not isinstance(mdp, TabularMDP):
        raise ValueError(f"mdp={mdp!r} is not a TabularMDP; valid: a TabularMDP")
    pi = check_distribution(pi, "pi")
    if pi.shape != (mdp.n_states, mdp.n_actions):
        raise ValueError(f"pi has shape {pi.shape}; valid: shape ({mdp.n_states}, {mdp.n_actions})")
    return pi


def _markov_chain(mdp: TabularMDP, pi: np.ndarray):
    """``P_pi[s, s'] = sum_a pi[s, a] P[s, a, s']`` and ``r_pi[s] = sum_a pi[s, a] R[s, a]``."""
    return np.einsum("sa,sat->st", pi, mdp.P), np.sum(pi * mdp.R, axis=1)


def policy_evaluation(mdp: TabularMDP, pi):
    """Exact values of a stationary policy.

    ``V = (I - gamma P_pi)^-1 r_pi``, ``Q = R + gamma P V``, ``A = Q - V``.

    Parameters
    ----------
    mdp : TabularMDP
    pi : array-like of shape (S, A)
        Action probabilities; each row sums to 1.

    Returns
    -------
    V : ndarray of shape (S,)
    Q : ndarray of shape (S, A)
    A : ndarray of shape (S, A)
        Advantages; ``sum_a pi[s, a] A[s, a] = 0`` for every s.

    Notes
    -----
    Derived in ``notebooks/01_policy_gradient_theorem.ipynb``.
    """
    pi = _check_pi(mdp, pi)
    P_pi, r_pi = _markov_chain(mdp, pi)
    V = np.linalg.solve(np.eye(mdp.n_states) - mdp.gamma * P_pi, r_pi)
    Q = mdp.R + mdp.gamma * mdp.P @ V
    return V, Q, Q - V[:, None]


def discounted_visitation(mdp: TabularMDP, pi) -> np.ndarray:
    """Unnormalised discounted state visitation ``rho = p0^T (I - gamma P_pi)^-1``.

    ``rho[s] = sum_t gamma^t Pr(s_t = s)``; its total mass is ``1 / (1 - gamma)``. Divide by
    that mass for a probability distribution.

    Parameters
    ----------
    mdp : TabularMDP
    pi : array-like of shape (S, A)

    Returns
    -------
    ndarray of shape (S,)

    Notes
    -----
    Derived in ``notebooks/01_policy_gradient_theorem.ipynb``.
    """
    pi = _check_pi(mdp, pi)
    P_pi, _ = _markov_chain(mdp, pi)
    return np.linalg.solve((np.eye(mdp.n_states) - mdp.gamma * P_pi).T, mdp.p0)


def expected_return(mdp: TabularMDP, theta) -> float:
    """``J(theta) = p0 . V_pi`` for the softmax policy with logits ``theta`` (shape (S, A))."""
    theta = _check_theta(mdp, theta)
    V, _, _ = policy_evaluation(mdp, softmax_policy(theta))
    return float(mdp.p0 @ V)


def _log_softmax(theta: np.ndarray) -> np.ndarray:
    shifted = theta - theta.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``probs`` (shape (n, K)) by inverting the CDF, vectorised."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def random_deterministic_mdp(
    n_states: int, n_actions: int, gamma: float, rng: np.random.Generator
) -> TabularMDP:
    """A random MDP whose actions move deterministically, like a small maze.

    Each pair ``(s, a)`` leads to one next state drawn uniformly from the ``S`` states;
    rewards are uniform in [0, 1) and ``p0`` is Dirichlet(1), as in :func:`random_mdp`.
    Changing the policy changes where the agent goes much more than in the dense MDPs of
    :func:`random_mdp`, whose next-state distributions all look alike.

    Parameters
    ----------
    n_states, n_actions : int
        Sizes S >= 1 and A >= 1.
    gamma : float
        Discount factor in [0, 1).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    TabularMDP
        Every row ``P[s, a, :]`` is a one-hot vector.

    Notes
    -----
    Used in ``notebooks/02_surrogate_and_importance_sampling.ipynb`` (state mismatch).

    Examples
    --------
    >>> import numpy as np
    >>> mdp = random_deterministic_mdp(3, 2, gamma=0.9, rng=np.random.default_rng(0))
    >>> sorted(set(mdp.P.ravel().tolist()))
    [0.0, 1.0]
    """
    n_states = check_int(n_states, "n_states")
    n_actions = check_int(n_actions, "n_actions")
    rng = check_rng(rng)
    P = np.eye(n_states)[rng.integers(0, n_states, size=(n_states, n_actions))]
    R = rng.uniform(0.0, 1.0, size=(n_states, n_actions))
    p0 = rng.dirichlet(np.ones(n_states))
    return TabularMDP(P=P, R=R, gamma=gamma, p0=p0)
