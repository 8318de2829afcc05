"""Finite (tabular) MDPs with softmax policies, computed exactly.

Everything here is a small linear-algebra problem, so the course can check the policy
gradient theorem, the performance difference lemma and the surrogate to machine precision
instead of to Monte Carlo noise. Conventions follow ``notebooks/MATH.md`` section 2:

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
    "random_deterministic_mdp",
    "state_distributions",
    "compatible_critic",
    "value_iteration",
    "optimal_return",
    "AscentHistory",
    "trust_region_ascent",
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


# --- state distributions, sparse MDPs and the compatible critic (notebooks 01 and 02) -----


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


# --- the optimum, and trust-region ascent on the softmax policy (notebook 05) -------------


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
    from .natural import vanilla_step  # natural.py does not import mdp

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
