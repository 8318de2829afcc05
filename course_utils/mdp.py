"""Finite (tabular) MDPs with softmax policies, computed exactly.

Everything here is a small linear-algebra problem, so the course can check the policy
gradient theorem, the performance difference lemma and the surrogate to machine precision
instead of to Monte Carlo noise. Conventions follow ``shared/MATH.md`` section 2:

- ``P[s, a, s']`` transition probabilities, ``R[s, a]`` expected rewards, ``gamma`` in [0, 1),
  ``p0[s]`` the start distribution;
- ``theta[s, a]`` softmax logits, ``pi[s, a] = softmax(theta[s, :])[a]``;
- ``V = (I - gamma P_pi)^-1 r_pi``, ``Q = R + gamma P V``, ``A = Q - V``, ``J = p0 . V``;
- ``rho = p0^T (I - gamma P_pi)^-1``, the *unnormalised* discounted state visitation
  (total mass ``1 / (1 - gamma)``); the gradient and the Fisher matrix use the same weights.

Derived in ``notebooks/01_policy_gradient_theorem.ipynb`` (theorem, visitation, Fisher) and
``notebooks/02_surrogate_and_importance_sampling.ipynb`` (performance difference, surrogate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_array, check_distribution, check_in_range, check_int, check_rng

__all__ = [
    "TabularMDP",
    "Trajectories",
    "random_mdp",
    "two_state_mdp",
    "softmax_policy",
    "policy_evaluation",
    "discounted_visitation",
    "expected_return",
    "policy_gradient",
    "fisher_information",
    "natural_policy_gradient",
    "score_softmax",
    "surrogate",
    "performance_difference",
    "visitation_kl",
    "max_total_variation",
    "sample_trajectories",
    "estimate_policy_gradient",
    "stationary_distribution",
    "average_reward",
    "average_reward_gradient",
    "average_reward_fisher",
    "sigmoid_theta",
    "PLATEAU_START",
]


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
        horizon = self.rewards.shape[1]
        discount = self.gamma ** np.arange(horizon)
        tail = np.cumsum((self.rewards * discount)[:, ::-1], axis=1)[:, ::-1]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            # divide by gamma^t; for gamma = 0 only G_t = r_t survives
            return tail / discount if self.gamma > 0 else self.rewards.copy()


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
PLATEAU_START = np.log(np.array([0.8, 0.1]) / (1.0 - np.array([0.8, 0.1])))


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
    ratio = pi_new / pi_old
    return float(rho_old @ np.sum(pi_old * ratio * A_old, axis=1))


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


def _log_softmax(theta: np.ndarray) -> np.ndarray:
    shifted = theta - theta.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``probs`` (shape (n, K)) by inverting the CDF, vectorised."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), probs.shape[1] - 1)


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


# --- average-reward criterion (Kakade's plateau) -----------------------------------------


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
