"""CartPole with a linear softmax policy: the math of notebook 08 (numpy only at import).

The policy has two actions (push left, push right) and logits linear in the observation
``s = (x, x_dot, phi, phi_dot)`` (cart position and velocity, pole angle and angular velocity;
the pole angle is called ``phi`` here because ``theta`` is the policy's parameter vector)::

    features(s) = (x, x_dot, phi, phi_dot, 1)            # shape (5,)
    W = theta.reshape(5, 2);  logits = W^T features(s)   # shape (2,)
    pi(a | s) = softmax(logits)_a

so ``theta`` has ``N_PARAMS = 10`` entries and the score is
``grad_theta log pi(a|s) = outer(features(s), onehot(a) - pi(.|s)).ravel()``.

Batches come from gymnasium's vectorised ``CartPole-v1`` (:class:`CartPoleSampler`); gymnasium
is imported only when a sampler is built, so ``import course_utils`` does not import it.
:func:`policy_batch` reduces a batch to what the update rules of :mod:`course_utils.practical`
need, and :func:`train` runs vanilla policy gradient, natural policy gradient (conjugate gradient
with Fisher-vector products) and the TRPO rule at the same sample budget.

Derived and used in ``notebooks/08_npg_on_cartpole.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from ._validation import as_array, check_in_range, check_int, check_rng
from .natural import fisher_vector_product
from .practical import (
    PolicyBatch,
    UpdateSettings,
    linear_softmax_kl_hvp,
    linear_softmax_scores,
    policy_update,
)

__all__ = [
    "N_OBS",
    "N_FEATURES",
    "N_ACTIONS",
    "N_PARAMS",
    "METHODS",
    "features",
    "policy_probabilities",
    "log_prob",
    "sample_actions",
    "score",
    "kl_divergence",
    "rewards_to_go",
    "per_step_baseline",
    "policy_gradient",
    "surrogate",
    "Batch",
    "CartPoleSampler",
    "advantages",
    "policy_batch",
    "TrainingRun",
    "train",
    "train_runs",
]

#: observation size of CartPole-v1: (x, x_dot, phi, phi_dot)
N_OBS = 4
#: features per state: the observation and a constant 1 (the bias)
N_FEATURES = N_OBS + 1
#: actions: 0 = push left, 1 = push right
N_ACTIONS = 2
#: length of theta (``W`` of shape (N_FEATURES, N_ACTIONS), row-major)
N_PARAMS = N_FEATURES * N_ACTIONS
#: the update rules :func:`train` runs (names of :data:`course_utils.practical.METHODS`)
METHODS = ("vanilla", "natural_cg", "trpo")


# --- the linear softmax policy ----------------------------------------------------------------


def _check_theta(theta, name: str = "theta") -> np.ndarray:
    return as_array(theta, name, shape=(N_PARAMS,))


def _check_obs(obs) -> np.ndarray:
    obs = as_array(obs, "obs", ndim=2)
    if obs.shape[1] != N_OBS:
        raise ValueError(f"obs has shape {obs.shape}; valid: shape (N, {N_OBS})")
    return obs


def _check_actions(actions, n: int) -> np.ndarray:
    raw = np.asarray(actions)
    if raw.shape != (n,) or raw.dtype.kind not in "iu":
        raise ValueError(
            f"actions has shape {raw.shape} and dtype {raw.dtype}; valid: integers of shape ({n},)"
        )
    if np.any((raw < 0) | (raw >= N_ACTIONS)):
        raise ValueError(
            f"actions contains {np.unique(raw[(raw < 0) | (raw >= N_ACTIONS)])}; "
            f"valid range: 0 .. {N_ACTIONS - 1}"
        )
    return raw.astype(np.int64)


def features(obs) -> np.ndarray:
    """Features ``(x, x_dot, phi, phi_dot, 1)`` of each observation.

    Parameters
    ----------
    obs : array-like of shape (N, 4)

    Returns
    -------
    ndarray of shape (N, 5)
    """
    obs = _check_obs(obs)
    return np.hstack([obs, np.ones((obs.shape[0], 1))])


def _log_policy(theta: np.ndarray, obs: np.ndarray) -> np.ndarray:
    W = theta.reshape(N_FEATURES, N_ACTIONS)
    logits = obs @ W[:N_OBS] + W[N_OBS]  # = features(obs) @ W
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def policy_probabilities(theta, obs) -> np.ndarray:
    """``pi(a | s) = softmax(W^T features(s))_a`` for every observation.

    Parameters
    ----------
    theta : array-like of shape (10,)
    obs : array-like of shape (N, 4)

    Returns
    -------
    ndarray of shape (N, 2)
        Rows sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> policy_probabilities(np.zeros(N_PARAMS), np.zeros((1, N_OBS)))
    array([[0.5, 0.5]])
    """
    return np.exp(_log_policy(_check_theta(theta), _check_obs(obs)))


def log_prob(theta, obs, actions) -> np.ndarray:
    """``log pi(a_i | s_i)`` for each sample.

    Parameters
    ----------
    theta : array-like of shape (10,)
    obs : array-like of shape (N, 4)
    actions : int array of shape (N,)

    Returns
    -------
    ndarray of shape (N,)
    """
    theta = _check_theta(theta)
    obs = _check_obs(obs)
    actions = _check_actions(actions, obs.shape[0])
    return _log_policy(theta, obs)[np.arange(obs.shape[0]), actions]


def sample_actions(theta, obs, rng: np.random.Generator) -> np.ndarray:
    """One action per observation, ``a_i ~ pi(. | s_i)``, by inverting the CDF (vectorised).

    Parameters
    ----------
    theta : array-like of shape (10,)
    obs : array-like of shape (N, 4)
    rng : numpy.random.Generator

    Returns
    -------
    int ndarray of shape (N,)
    """
    rng = check_rng(rng)
    obs = _check_obs(obs)
    gaps = np.broadcast_to(_logit_gap(_check_theta(theta)), (obs.shape[0], N_FEATURES))
    return _draw(gaps, obs, rng)


def _logit_gap(theta: np.ndarray) -> np.ndarray:
    """``W[:, 1] - W[:, 0]``: with two actions, ``pi(1|s) = sigmoid(gap . features(s))``."""
    W = theta.reshape(N_FEATURES, N_ACTIONS)
    return W[:, 1] - W[:, 0]


def _draw(gaps: np.ndarray, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    # unchecked core of sample_actions, called once per step by the sampler, with one logit
    # gap per observation (row): inverse CDF with two actions, a = 1 exactly when u > pi(0|s)
    pi0 = expit(-(np.einsum("ij,ij->i", obs, gaps[:, :N_OBS]) + gaps[:, N_OBS]))
    return (rng.random(obs.shape[0]) > pi0).astype(np.int64)


def score(theta, obs, actions) -> np.ndarray:
    """Score ``psi_i = grad_theta log pi(a_i | s_i)`` of every sample.

    ``d log pi(a|s) / d W[j, b] = features_j(s) (1[b = a] - pi(b|s))``, i.e.
    ``psi = outer(features(s), onehot(a) - pi(.|s)).ravel()``.

    Parameters
    ----------
    theta : array-like of shape (10,)
    obs : array-like of shape (N, 4)
    actions : int array of shape (N,)

    Returns
    -------
    ndarray of shape (N, 10)
        Each row sums to 0 over the actions of every feature (``psi.reshape(5, 2).sum(1) = 0``):
        adding the same number to both logits changes nothing, so the Fisher matrix
        ``E[psi psi^T]`` has rank at most 5 (damping makes it invertible).

    Notes
    -----
    Checked against finite differences of :func:`log_prob` in
    ``notebooks/08_npg_on_cartpole.ipynb``.
    """
    theta = _check_theta(theta)
    obs = _check_obs(obs)
    actions = _check_actions(actions, obs.shape[0])
    # the general linear-softmax score, with W = theta.reshape(features, actions)
    return linear_softmax_scores(theta.reshape(N_FEATURES, N_ACTIONS), features(obs), actions)


def kl_divergence(theta, theta_new, obs) -> float:
    """Sampled mean KL ``(1/N) sum_i KL(pi_theta(.|s_i) || pi_theta_new(.|s_i))``.

    TRPO's constraint, computed on the states of a batch. To second order in
    ``d = theta_new - theta`` it equals ``1/2 d^T F d`` with the sampled Fisher
    ``F = (1/N) sum_i E_{a ~ pi(.|s_i)}[psi psi^T]`` (MATH.md section 1).

    Parameters
    ----------
    theta, theta_new : array-like of shape (10,)
    obs : array-like of shape (N, 4)

    Returns
    -------
    float
        ``>= 0``, and 0 when ``theta_new = theta``.
    """
    theta = _check_theta(theta)
    theta_new = _check_theta(theta_new, "theta_new")
    obs = _check_obs(obs)
    log_p = _log_policy(theta, obs)
    log_q = _log_policy(theta_new, obs)
    return float(max(np.mean(np.sum(np.exp(log_p) * (log_p - log_q), axis=1)), 0.0))


# --- batch utilities --------------------------------------------------------------------------


def rewards_to_go(rewards, dones, gamma: float) -> np.ndarray:
    """Discounted reward to go inside each episode of a vectorised batch.

    ``G_t = r_t + gamma (1 - done_t) G_{t+1}`` backwards from ``G_T = 0``: an episode that
    ends at step ``t`` (``done_t``) does not see the rewards of the next one, and an episode
    still running at the end of the batch is cut there (its last ``G_t`` miss the rewards
    after ``T``; :func:`per_step_baseline` removes that bias on average).

    Parameters
    ----------
    rewards : array-like of shape (T, E)
        ``r_t`` of each of the ``E`` environments.
    dones : bool array-like of shape (T, E)
        True where an episode ended at that step (terminated or truncated).
    gamma : float
        Discount in [0, 1].

    Returns
    -------
    ndarray of shape (T, E)

    Examples
    --------
    >>> rewards_to_go([[1.0], [1.0], [1.0]], [[False], [True], [False]], 1.0).ravel()
    array([2., 1., 1.])
    """
    rewards = as_array(rewards, "rewards", ndim=2)
    raw_dones = np.asarray(dones)
    if raw_dones.shape != rewards.shape or raw_dones.dtype != bool:
        raise ValueError(
            f"dones has shape {raw_dones.shape} and dtype {raw_dones.dtype}; "
            f"valid: booleans of shape {rewards.shape} (the shape of rewards)"
        )
    gamma = float(check_in_range(gamma, "gamma", 0.0, 1.0))
    G = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[1])
    for t in range(rewards.shape[0] - 1, -1, -1):  # backwards in time, all envs at once
        running = rewards[t] + gamma * np.where(raw_dones[t], 0.0, running)
        G[t] = running
    return G


def per_step_baseline(returns, valid=None) -> np.ndarray:
    """Leave-one-out mean of the rewards to go at the same step of the batch.

    ``b_t^i = sum_{j != i} G_t^j / (number of valid j != i)``: the average over the *other*
    environments at batch step ``t``, so ``b_t^i`` does not depend on environment ``i``'s
    actions and ``A = G - b`` keeps the policy gradient unbiased. Because it is indexed by the
    batch step, it also absorbs the cut at the end of the batch (all ``G_t`` near ``T`` are
    short).

    Parameters
    ----------
    returns : array-like of shape (T, E)
        Rewards to go (:func:`rewards_to_go`), ``E >= 2``.
    valid : bool array-like of shape (T, E), optional
        Which entries are real samples (default all).

    Returns
    -------
    ndarray of shape (T, E)
        0 where no other valid environment exists at that step.
    """
    returns = as_array(returns, "returns", ndim=2)
    if returns.shape[1] < 2:
        raise ValueError(
            f"returns has shape {returns.shape}; valid: at least 2 environments (columns)"
        )
    if valid is None:
        valid = np.ones(returns.shape, dtype=bool)
    valid = np.asarray(valid)
    if valid.shape != returns.shape or valid.dtype != bool:
        raise ValueError(
            f"valid has shape {valid.shape} and dtype {valid.dtype}; "
            f"valid: booleans of shape {returns.shape}"
        )
    G = np.where(valid, returns, 0.0)
    others_sum = G.sum(axis=1, keepdims=True) - G
    others_n = valid.sum(axis=1, keepdims=True) - valid
    return np.where(others_n > 0, others_sum / np.maximum(others_n, 1), 0.0)


def policy_gradient(scores, A) -> np.ndarray:
    """Sampled policy gradient ``g = (1/N) sum_i psi_i A_i``.

    Parameters
    ----------
    scores : array-like of shape (N, n)
        ``psi_i`` from :func:`score`.
    A : array-like of shape (N,)
        Advantage estimates (e.g. ``G - b``).

    Returns
    -------
    ndarray of shape (n,)
    """
    scores = as_array(scores, "scores", ndim=2)
    A = as_array(A, "A", shape=(scores.shape[0],))
    return scores.T @ A / scores.shape[0]


def surrogate(theta_new, theta, obs, actions, A) -> float:
    """Importance-sampled surrogate ``(1/N) sum_i pi_new(a_i|s_i) / pi(a_i|s_i) A_i``.

    Its gradient at ``theta_new = theta`` is :func:`policy_gradient`; TRPO's line search
    requires it not to decrease. Derived in ``notebooks/02_surrogate_and_importance_sampling``.

    Parameters
    ----------
    theta_new, theta : array-like of shape (10,)
    obs : array-like of shape (N, 4)
    actions : int array of shape (N,)
    A : array-like of shape (N,)

    Returns
    -------
    float
    """
    obs = _check_obs(obs)
    A = as_array(A, "A", shape=(obs.shape[0],))
    ratio = np.exp(log_prob(theta_new, obs, actions) - log_prob(theta, obs, actions))
    return float(np.mean(ratio * A))


# --- sampling from gymnasium ------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """``n_steps`` steps of ``n_envs`` CartPole environments under one policy.

    Arrays are indexed ``[t, env]``. gymnasium's vector environments reset an ended episode
    on the *next* call to ``step`` ("next-step autoreset"): that call ignores the action and
    returns the first observation of the new episode with reward 0. Such steps are not
    samples of the policy and have ``valid = False``.

    Attributes
    ----------
    obs : ndarray of shape (T, E, 4)
        The observation each action was chosen at.
    actions : int ndarray of shape (T, E)
    rewards : ndarray of shape (T, E)
    dones : bool ndarray of shape (T, E)
        An episode ended at this step (the pole fell, the cart left the track, or 500 steps).
    terminated : bool ndarray of shape (T, E)
        An episode ended at this step because the pole fell or the cart left the track (not
        the 500-step time limit, which gymnasium calls truncation).
    valid : bool ndarray of shape (T, E)
    episode_returns : ndarray of shape (K,)
        Undiscounted returns of the episodes that ended inside the batch (at most 500 each).
    """

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    dones: np.ndarray
    terminated: np.ndarray
    valid: np.ndarray
    episode_returns: np.ndarray

    @property
    def n_samples(self) -> int:
        """Number of valid (state, action) samples."""
        return int(self.valid.sum())


class CartPoleSampler:
    """Vectorised ``CartPole-v1`` whose episodes run on from one batch to the next.

    Builds ``gymnasium.make_vec("CartPole-v1", num_envs=n_envs, vectorization_mode=...)`` and
    resets it once with the seeds ``seed, seed + 1, ...``; CartPole is deterministic given
    those seeds and the actions, so a run is reproducible given ``seed`` and the generator
    that samples the actions.

    Parameters
    ----------
    n_envs : int
        Number of environments per group, >= 2.
    seed : int
        Reset seed of the first environment, >= 0.
    vectorization_mode : {"sync", "vector_entry_point"}, default "sync"
        ``"sync"`` steps the environments one by one in a loop (works for any environment);
        ``"vector_entry_point"`` uses gymnasium's numpy CartPole, which steps all carts as one
        array (faster).
    n_groups : int, default 1
        Independent learners sharing the vector: ``n_groups * n_envs`` environments, group
        ``j`` owning environments ``j * n_envs`` to ``(j + 1) * n_envs - 1``. Several training
        runs then cost about as many ``step`` calls as one (:func:`train_runs`).

    Notes
    -----
    gymnasium is imported here, not at module import.
    """

    def __init__(self, n_envs: int, seed: int, vectorization_mode: str = "sync", n_groups: int = 1):
        import gymnasium  # heavy and optional: only the notebook that rolls out needs it

        self.n_envs = check_int(n_envs, "n_envs", low=2)
        self.n_groups = check_int(n_groups, "n_groups", low=1)
        seed = check_int(seed, "seed", low=0)
        if vectorization_mode not in ("sync", "vector_entry_point"):
            raise ValueError(
                f"vectorization_mode={vectorization_mode!r}; valid: 'sync' or 'vector_entry_point'"
            )
        total = self.n_envs * self.n_groups
        self.env = gymnasium.make_vec(
            "CartPole-v1", num_envs=total, vectorization_mode=vectorization_mode
        )
        seeds = (
            seed if vectorization_mode == "vector_entry_point" else [seed + i for i in range(total)]
        )
        obs, _ = self.env.reset(seed=seeds)
        self._obs = np.asarray(obs, dtype=float)
        self._prev_done = np.zeros(total, dtype=bool)
        self._episode_return = np.zeros(total)

    def sample(self, theta, n_steps: int, rng: np.random.Generator) -> Batch:
        """Run the policy ``theta`` for ``n_steps`` steps in every environment (one group).

        Parameters
        ----------
        theta : array-like of shape (10,)
        n_steps : int
            Steps per environment, >= 1.
        rng : numpy.random.Generator
            Draws the actions.

        Returns
        -------
        Batch
        """
        if self.n_groups != 1:
            raise ValueError(f"n_groups={self.n_groups}; sample needs 1, use sample_groups")
        return self.sample_groups(_check_theta(theta)[None, :], n_steps, rng)[0]

    def sample_groups(self, thetas, n_steps: int, rng: np.random.Generator) -> list[Batch]:
        """Run group ``j``'s policy ``thetas[j]`` for ``n_steps`` steps in its environments.

        Parameters
        ----------
        thetas : array-like of shape (n_groups, 10)
        n_steps : int
            Steps per environment, >= 1.
        rng : numpy.random.Generator
            Draws the actions of all groups (one uniform per environment and step, in the
            order of the environments, so group ``j`` always gets the same stream position).

        Returns
        -------
        list of Batch
            One per group.
        """
        thetas = as_array(thetas, "thetas")
        if thetas.shape != (self.n_groups, N_PARAMS):
            raise ValueError(
                f"thetas has shape {thetas.shape}; valid: ({self.n_groups}, {N_PARAMS})"
            )
        gaps = np.repeat(thetas[:, 1::2] - thetas[:, 0::2], self.n_envs, axis=0)  # (G * E, 5)
        T = check_int(n_steps, "n_steps")
        rng = check_rng(rng)
        n = self.n_envs * self.n_groups
        obs = np.empty((T, n, N_OBS))
        actions = np.empty((T, n), dtype=np.int64)
        rewards = np.empty((T, n))
        dones = np.empty((T, n), dtype=bool)
        terminal = np.empty((T, n), dtype=bool)
        valid = np.empty((T, n), dtype=bool)
        ended = np.zeros((T, n))  # the return of each episode that ended at (t, env)
        for t in range(T):  # loop over time; all environments step together
            obs[t] = self._obs
            valid[t] = ~self._prev_done
            actions[t] = _draw(gaps, self._obs, rng)
            next_obs, r, terminated, truncated, _ = self.env.step(actions[t])
            rewards[t] = r
            dones[t] = np.logical_or(terminated, truncated)
            terminal[t] = terminated
            self._episode_return += rewards[t]
            ended[t] = self._episode_return
            self._episode_return[dones[t]] = 0.0
            self._prev_done = dones[t]
            self._obs = np.asarray(next_obs, dtype=float)
        batches = []
        for j in range(self.n_groups):
            g = slice(j * self.n_envs, (j + 1) * self.n_envs)
            batches.append(
                Batch(
                    obs[:, g],
                    actions[:, g],
                    rewards[:, g],
                    dones[:, g],
                    terminal[:, g],
                    valid[:, g],
                    ended[:, g][dones[:, g]],  # in time order, environments within a step
                )
            )
        return batches

    def close(self) -> None:
        """Close the gymnasium environments."""
        self.env.close()


# --- one batch, as the update rules of course_utils.practical need it --------------------------


def advantages(batch: Batch, gamma: float) -> np.ndarray:
    """``A = G - b`` for every step of a batch: rewards to go minus :func:`per_step_baseline`.

    The rewards to go stop only where an episode *terminated* (the pole fell or the cart left
    the track). At a *truncation* (the 500-step limit) the pole is still up and the return
    would have gone on; the sum runs on into the next episode's rewards as a stand-in for the
    value of the truncated state (``V ~= 1 / (1 - gamma)`` for a policy that keeps the pole up).

    Parameters
    ----------
    batch : Batch
    gamma : float
        Discount in [0, 1].

    Returns
    -------
    ndarray of shape (T, E)
        Meaningful where ``batch.valid``.
    """
    G = rewards_to_go(batch.rewards, batch.terminated, gamma)
    return G - per_step_baseline(G, batch.valid)


def policy_batch(theta, batch: Batch, gamma: float = 0.99, A=None) -> PolicyBatch:
    """What one iteration of vanilla, natural (CG) or TRPO needs from a CartPole batch.

    With the ``N`` valid samples ``(s_i, a_i)``, their scores ``psi_i`` (:func:`score`) and
    advantages ``A_i`` (:func:`advantages`), each weighted ``1 / N``:

    - ``g = (1/N) sum_i psi_i A_i`` (:func:`policy_gradient`);
    - ``F v = (1/N) sum_i psi_i (psi_i^T v)`` (:func:`course_utils.natural.fisher_vector_product`,
      F never formed);
    - the surrogate ``(1/N) sum_i [pi_new(a_i|s_i) / pi(a_i|s_i)] A_i`` (:func:`surrogate`);
    - the mean KL ``(1/N) sum_i KL(pi(.|s_i) || pi_new(.|s_i))`` (:func:`kl_divergence`).

    The factor ``gamma^t`` of the exact discounted gradient is dropped, as in practical codes.

    Parameters
    ----------
    theta : array-like of shape (10,)
        The parameters the batch was sampled with.
    batch : Batch
    gamma : float, default 0.99
    A : array-like of shape (T, E), optional
        The batch's advantages when already computed (``advantages(batch, gamma)``;
        :func:`train_runs` computes the rewards to go of all runs at once).

    Returns
    -------
    course_utils.practical.PolicyBatch
        For :func:`course_utils.practical.policy_update`.
    """
    theta = _check_theta(theta)
    gamma = float(check_in_range(gamma, "gamma", 0.0, 1.0))
    obs = batch.obs[batch.valid]
    actions = batch.actions[batch.valid]
    A = (advantages(batch, gamma) if A is None else as_array(A, "A", shape=batch.rewards.shape))[
        batch.valid
    ]
    psi = score(theta, obs, actions)
    return PolicyBatch(
        theta=theta.copy(),
        g=policy_gradient(psi, A),
        fvp=lambda v: fisher_vector_product(psi, v),
        surrogate=lambda theta_new: surrogate(theta_new, theta, obs, actions, A),
        kl=lambda theta_new: kl_divergence(theta, theta_new, obs),
        n_samples=int(obs.shape[0]),
        kl_hvp=linear_softmax_kl_hvp(theta.reshape(N_FEATURES, N_ACTIONS), features(obs)),
    )


# --- a whole run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingRun:
    """Per-iteration record of one :func:`train` run.

    Attributes
    ----------
    returns : ndarray of shape (n_iterations,)
        Mean undiscounted return of the episodes that ended during each iteration's batch
        (the previous value if none ended; at most 500, the limit of ``CartPole-v1``).
    n_episodes : int ndarray of shape (n_iterations,)
        How many episodes ended in each batch.
    kl : ndarray of shape (n_iterations,)
        Sampled mean KL of each update on its batch.
    accepted : bool ndarray of shape (n_iterations,)
        Whether each update changed theta (TRPO's line search may refuse).
    step_fraction : ndarray of shape (n_iterations,)
        Fraction of the full step taken (TRPO's ``c^j``; 1 for the others; 0 if refused).
    theta : ndarray of shape (n_iterations + 1, 10)
        Parameters before each iteration and after the last.
    samples : int
        Environment steps used, ``n_iterations * n_envs * n_steps``: the sample budget
        (the reset steps of the autoreset included).
    """

    returns: np.ndarray
    n_episodes: np.ndarray
    kl: np.ndarray
    accepted: np.ndarray
    step_fraction: np.ndarray
    theta: np.ndarray
    samples: int


def train(
    method: str,
    settings: UpdateSettings,
    rng: np.random.Generator,
    env_seed: int,
    n_iterations: int = 50,
    n_envs: int = 16,
    n_steps: int = 200,
    gamma: float = 0.99,
    theta0=None,
    vectorization_mode: str = "sync",
    decimals: int | None = None,
) -> TrainingRun:
    """Train the linear softmax policy on CartPole-v1 with one update rule.

    Each iteration samples ``n_envs x n_steps`` environment steps (:class:`CartPoleSampler`,
    episodes run on across iterations), builds :func:`policy_batch` and applies
    :func:`course_utils.practical.policy_update`. Every method gets the same budget of
    ``n_iterations * n_envs * n_steps`` steps. One run of :func:`train_runs`.

    Parameters
    ----------
    method : {"vanilla", "natural_cg", "trpo"}
        Vanilla ``||d||^2 = settings.eps``; natural with conjugate gradient on sampled
        Fisher-vector products, ``1/2 d^T (F + damping I) d = settings.delta``, full step;
        TRPO: that step and the backtracking line search (KL ``<= settings.delta``).
    settings : course_utils.practical.UpdateSettings
    rng : numpy.random.Generator
        Draws the actions.
    env_seed : int
        Reset seed of the environments (:class:`CartPoleSampler`), >= 0.
    n_iterations, n_envs, n_steps : int
        Iterations (>= 1), environments (>= 2), steps per environment per iteration (>= 1).
    gamma : float, default 0.99
    theta0 : array-like of shape (10,), optional
        Start (default zeros: the uniform policy).
    vectorization_mode : str, default "sync"
        See :class:`CartPoleSampler`.
    decimals : int or None, default None
        Round theta to this many decimals after every update; None (the algorithm) never
        rounds. See Notes.

    Returns
    -------
    TrainingRun

    Notes
    -----
    Training is chaotic: a change of 1e-15 in theta (another BLAS, another summation order,
    another SIMD code path in the environment's own arithmetic) grows from iteration to
    iteration until it flips a sampled action, and then changes the whole run, typically
    within a few dozen iterations. Rounding theta (``decimals``) removes differences in theta
    but not those in the environment's states, so it does not make runs reproducible across
    machines; it is an option for experiments on that question, not part of the algorithm.
    What reproduces across machines are conclusions drawn over many seeds with a margin
    (``notebooks/08_npg_on_cartpole.ipynb``).
    """
    kwargs = dict(n_iterations=n_iterations, n_envs=n_envs, n_steps=n_steps, gamma=gamma)
    return train_runs(
        method,
        settings,
        rng,
        env_seed,
        n_runs=1,
        theta0=theta0,
        vectorization_mode=vectorization_mode,
        decimals=decimals,
        **kwargs,
    )[0]


def train_runs(
    method: str,
    settings: UpdateSettings,
    rng: np.random.Generator,
    env_seed: int,
    n_runs: int,
    n_iterations: int = 50,
    n_envs: int = 16,
    n_steps: int = 200,
    gamma: float = 0.99,
    theta0=None,
    vectorization_mode: str = "sync",
    decimals: int | None = None,
) -> list[TrainingRun]:
    """``n_runs`` independent training runs of one update rule, stepped as one vector.

    Run ``j`` owns environments ``j * n_envs`` to ``(j + 1) * n_envs - 1`` of one
    :class:`CartPoleSampler` with ``n_groups = n_runs``, and its own parameters; the runs
    share nothing but the ``step`` calls (and the streams their random numbers come from), so
    ``n_runs`` runs cost little more than one. With the same ``rng`` seed and ``env_seed``,
    run ``j`` of every method sees the same first batch (common random numbers).

    Parameters
    ----------
    method, settings, rng, env_seed, n_iterations, n_envs, n_steps, gamma, decimals
        As in :func:`train` (``rng`` draws the actions of all runs).
    n_runs : int
        Number of runs, >= 1.
    theta0 : array-like of shape (10,) or (n_runs, 10), optional
        Start of every run, or of each (default zeros: the uniform policy).
    vectorization_mode : str, default "sync"
        See :class:`CartPoleSampler`.

    Returns
    -------
    list of TrainingRun
        One per run.
    """
    if decimals is not None:
        decimals = check_int(decimals, "decimals", low=0)
    if method not in METHODS:
        raise ValueError(f"method={method!r}; valid: one of {METHODS}")
    if not isinstance(settings, UpdateSettings):
        raise ValueError(f"settings={settings!r}; valid: a course_utils.practical.UpdateSettings")
    rng = check_rng(rng)
    R = check_int(n_runs, "n_runs")
    n_iterations = check_int(n_iterations, "n_iterations")
    n_steps = check_int(n_steps, "n_steps")
    gamma = float(check_in_range(gamma, "gamma", 0.0, 1.0))
    thetas = np.zeros((R, N_PARAMS))
    if theta0 is not None:
        start = as_array(theta0, "theta0")
        if start.shape not in ((N_PARAMS,), (R, N_PARAMS)):
            raise ValueError(
                f"theta0 has shape {start.shape}; valid: ({N_PARAMS},) or ({R}, {N_PARAMS})"
            )
        thetas[:] = start
    sampler = CartPoleSampler(n_envs, env_seed, vectorization_mode, n_groups=R)
    returns = np.full((R, n_iterations), np.nan)
    n_episodes = np.empty((R, n_iterations), dtype=np.int64)
    kls = np.empty((R, n_iterations))
    accepted = np.empty((R, n_iterations), dtype=bool)
    fractions = np.empty((R, n_iterations))
    history = np.empty((R, n_iterations + 1, N_PARAMS))
    try:
        for i in range(n_iterations):  # iterations of the learners
            history[:, i] = thetas
            batches = sampler.sample_groups(thetas, n_steps, rng)
            # rewards to go of all runs' environments at once (columns are independent)
            G = rewards_to_go(
                np.concatenate([b.rewards for b in batches], axis=1),
                np.concatenate([b.terminated for b in batches], axis=1),
                gamma,
            )
            for j, batch in enumerate(batches):  # each run's update, on its own batch
                G_j = G[:, j * sampler.n_envs : (j + 1) * sampler.n_envs]
                A_j = G_j - per_step_baseline(G_j, batch.valid)  # = advantages(batch, gamma)
                theta, info = policy_update(
                    method, policy_batch(thetas[j], batch, gamma, A_j), settings
                )
                thetas[j] = theta if decimals is None else np.round(theta, decimals)
                n_episodes[j, i] = batch.episode_returns.size
                if n_episodes[j, i] > 0:
                    returns[j, i] = batch.episode_returns.mean()
                elif i > 0:
                    returns[j, i] = returns[j, i - 1]  # no episode ended: the previous value
                kls[j, i], accepted[j, i] = info.kl, info.accepted
                fractions[j, i] = info.step_fraction
        history[:, -1] = thetas
    finally:
        sampler.close()
    budget = n_iterations * sampler.n_envs * n_steps
    return [
        TrainingRun(
            returns[j], n_episodes[j], kls[j], accepted[j], fractions[j], history[j], budget
        )
        for j in range(R)
    ]
