"""Policy improvement: the performance difference, the surrogate, KL and state mismatch.

Also the experiments of notebook 02 that check the surrogate's error bound
(:func:`surrogate_path`, :func:`random_surrogate_bound_ratios`) and the state-mismatch bounds
of erratum 3 (:func:`mismatch_bound_failures`). See :mod:`course_utils.mdp` for the
conventions. Derived in ``notebooks/02_surrogate_and_importance_sampling.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_array, check_in_range, check_int, check_positive, check_rng
from .core import (
    TabularMDP,
    _check_pi,
    _check_theta,
    _log_softmax,
    _markov_chain,
    discounted_visitation,
    expected_return,
    policy_evaluation,
    random_deterministic_mdp,
    random_mdp,
    softmax_policy,
)
from .gradients import policy_gradient


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


def _max_kl(pi_old: np.ndarray, log_old: np.ndarray, theta_new: np.ndarray) -> float:
    """``max_s KL(pi_old(.|s) || pi_new(.|s))`` from the old policy and log-policy."""
    return float(np.max(np.sum(pi_old * (log_old - _log_softmax(theta_new)), axis=1)))


def surrogate_error_bound(mdp: TabularMDP, theta_old, theta_new) -> float:
    """The bound on the surrogate's error: ``4 A_max gamma alpha^2 / (1 - gamma)^2``.

    ``|J(theta_new) - J(theta_old) - Abar(theta_new)| <= 4 A_max gamma alpha^2 / (1 - gamma)^2``
    with ``alpha = max_s TV(pi_old(.|s), pi_new(.|s))`` (:func:`max_total_variation`) and
    ``A_max = max_{s,a} |A_old(s, a)|`` (Kakade & Langford 2002; TRPO, Theorem 1).

    Parameters
    ----------
    mdp : TabularMDP
    theta_old, theta_new : array-like of shape (S, A)
        Logits of the old and the new softmax policy.

    Returns
    -------
    float
        The bound, >= 0.

    Notes
    -----
    Derived (a proof sketch) in ``notebooks/02_surrogate_and_importance_sampling.ipynb``,
    section 5; used there by :func:`surrogate_path` and :func:`random_surrogate_bound_ratios`.

    Examples
    --------
    >>> import numpy as np
    >>> mdp = random_mdp(3, 2, gamma=0.9, rng=np.random.default_rng(0))
    >>> theta = np.zeros((3, 2))
    >>> surrogate_error_bound(mdp, theta, theta)
    0.0
    """
    theta_old = _check_theta(mdp, theta_old, "theta_old")
    theta_new = _check_theta(mdp, theta_new, "theta_new")
    _, _, A_old = policy_evaluation(mdp, softmax_policy(theta_old))
    alpha = max_total_variation(mdp, theta_old, theta_new)
    return float(4 * np.abs(A_old).max() * mdp.gamma / (1 - mdp.gamma) ** 2 * alpha**2)


@dataclass(frozen=True)
class SurrogatePath:
    """The surrogate against the true gain along a line ``theta' = theta + t u``.

    Every attribute is an array of shape (m,), one entry per step length ``t``.

    Attributes
    ----------
    steps : ndarray
        The step lengths ``t >= 0``.
    gain : ndarray
        The true improvement ``J(theta') - J(theta)``.
    surrogate : ndarray
        ``Abar(theta')`` (:func:`surrogate`).
    linear : ndarray
        The first-order model ``t g^T u``.
    error : ndarray
        ``|gain - surrogate|``.
    max_tv : ndarray
        ``alpha = max_s TV(pi(.|s), pi'(.|s))``.
    max_kl : ndarray
        ``max_s KL(pi(.|s) || pi'(.|s))``, the KL the guarantee needs.
    rho_kl : ndarray
        ``sum_s rho(s) KL(pi(.|s) || pi'(.|s))`` (:func:`visitation_kl`), ``~ 1/2 d^T F d``.
    bound_tv : ndarray
        ``4 A_max gamma alpha^2 / (1 - gamma)^2`` (:func:`surrogate_error_bound`).
    bound_kl : ndarray
        ``2 A_max gamma max_s KL / (1 - gamma)^2``, the same bound after Pinsker's inequality.
    """

    steps: np.ndarray
    gain: np.ndarray
    surrogate: np.ndarray
    linear: np.ndarray
    error: np.ndarray
    max_tv: np.ndarray
    max_kl: np.ndarray
    rho_kl: np.ndarray
    bound_tv: np.ndarray
    bound_kl: np.ndarray


def surrogate_path(mdp: TabularMDP, theta, direction, steps) -> SurrogatePath:
    """The true gain, the surrogate, its error and the error bounds along ``theta + t u``.

    For each step length ``t`` and ``theta' = theta + t u``: ``J(theta') - J(theta)``,
    ``Abar(theta')``, the first-order model ``t g^T u``, the error ``|J(theta') - J(theta) -
    Abar(theta')|``, ``alpha = max_s TV``, ``max_s KL``, the visitation-weighted KL and the two
    bounds ``4 A_max gamma alpha^2 / (1 - gamma)^2 >= |error|`` and (Pinsker,
    ``alpha^2 <= max_s KL / 2``) ``2 A_max gamma max_s KL / (1 - gamma)^2``.

    Parameters
    ----------
    mdp : TabularMDP
    theta : array-like of shape (S, A)
        Logits of the old policy.
    direction : array-like of shape (S, A)
        The direction ``u`` (not normalised here; pass a unit vector for ``t`` to be a length).
    steps : array-like of shape (m,)
        Step lengths ``t >= 0``.

    Returns
    -------
    SurrogatePath

    Raises
    ------
    ValueError
        If ``direction`` has the wrong shape or ``steps`` is not a 1-D array of values >= 0.

    Notes
    -----
    Derived in ``notebooks/02_surrogate_and_importance_sampling.ipynb``, section 5, which
    prints these columns along the natural-gradient direction and draws them.

    Examples
    --------
    >>> import numpy as np
    >>> mdp = random_mdp(3, 2, gamma=0.9, rng=np.random.default_rng(0))
    >>> theta, u = np.zeros((3, 2)), np.array([[1.0, -1.0], [0.0, 0.0], [0.0, 0.0]])
    >>> path = surrogate_path(mdp, theta, u, [0.1, 1.0])
    >>> bool(np.all(path.error <= path.bound_tv))
    True
    """
    theta = _check_theta(mdp, theta)
    u = as_array(direction, "direction", shape=theta.shape)
    steps = check_in_range(steps, "steps", 0.0)
    if steps.ndim != 1:
        raise ValueError(f"steps has shape {steps.shape}; valid: a 1-D array of step lengths >= 0")
    pi, log_pi = softmax_policy(theta), _log_softmax(theta)
    V, _, A = policy_evaluation(mdp, pi)
    J = float(mdp.p0 @ V)
    slope = float(np.sum(policy_gradient(mdp, theta) * u))  # g^T u
    thetas = [theta + t * u for t in steps]
    gain = np.array([expected_return(mdp, th) for th in thetas]) - J
    surr = np.array([surrogate(mdp, theta, th) for th in thetas])
    alpha = np.array([max_total_variation(mdp, theta, th) for th in thetas])
    max_kl = np.array([_max_kl(pi, log_pi, th) for th in thetas])
    rho_kl = np.array([visitation_kl(mdp, theta, th) for th in thetas])
    scale = np.abs(A).max() * mdp.gamma / (1 - mdp.gamma) ** 2
    return SurrogatePath(
        steps=steps,
        gain=gain,
        surrogate=surr,
        linear=steps * slope,
        error=np.abs(gain - surr),
        max_tv=alpha,
        max_kl=max_kl,
        rho_kl=rho_kl,
        bound_tv=4 * scale * alpha**2,
        bound_kl=2 * scale * max_kl,
    )


def random_surrogate_bound_ratios(n_cases: int, rng: np.random.Generator) -> np.ndarray:
    """``|error of the surrogate| / bound`` on random MDPs, policies and steps (must be <= 1).

    Each case: a :func:`random_deterministic_mdp` with 2 to 6 states, 2 to 4 actions and
    ``gamma ~ U(0.5, 0.99)``; old logits ``2 N(0, I)``; new logits the old plus
    ``c N(0, I)`` with ``c ~ U(0.01, 3)``. The ratio is
    ``|J(theta') - J(theta) - Abar(theta')| / (4 A_max gamma alpha^2 / (1 - gamma)^2)``.

    Parameters
    ----------
    n_cases : int
        Number of random cases, >= 1.
    rng : numpy.random.Generator
        Source of randomness (drawn in the order listed above, case by case).

    Returns
    -------
    ndarray of shape (n_cases,)
        The ratio error / bound of each case.

    Notes
    -----
    Used in ``notebooks/02_surrogate_and_importance_sampling.ipynb``, section 5 ("a bound must
    hold everywhere"); the bound is :func:`surrogate_error_bound`.

    Examples
    --------
    >>> import numpy as np
    >>> ratios = random_surrogate_bound_ratios(20, np.random.default_rng(0))
    >>> ratios.shape, bool(np.all(ratios <= 1.0))
    ((20,), True)
    """
    n_cases = check_int(n_cases, "n_cases")
    rng = check_rng(rng)
    ratios = np.empty(n_cases)
    for i in range(n_cases):  # one random MDP per case
        n_s, n_a = int(rng.integers(2, 7)), int(rng.integers(2, 5))
        case = random_deterministic_mdp(n_s, n_a, gamma=float(rng.uniform(0.5, 0.99)), rng=rng)
        th_old = 2 * rng.normal(size=(n_s, n_a))
        th_new = th_old + rng.uniform(0.01, 3) * rng.normal(size=(n_s, n_a))
        gain = expected_return(case, th_new) - expected_return(case, th_old)
        error = abs(gain - surrogate(case, th_old, th_new))
        ratios[i] = error / surrogate_error_bound(case, th_old, th_new)
    return ratios


#: the four state-mismatch bounds of erratum 3, checked by :func:`mismatch_bound_failures`
MISMATCH_BOUNDS = ("TV <= eps t", "TV <= 1-(1-eps)^t", "L1 <= 2 eps t", "L1 <= eps t")


def mismatch_bound_failures(
    family: str,
    n_cases: int,
    rng: np.random.Generator,
    horizon: int = 20,
    scale: float = 0.5,
) -> dict[str, float]:
    """The fraction of random cases in which each state-mismatch bound fails at some ``t``.

    Each case: a 5-state, 3-action MDP with ``gamma = 0.9`` (``family="deterministic"``:
    :func:`random_deterministic_mdp`; ``"dense"``: :func:`random_mdp`), old logits
    ``N(0, I)``, new logits the old plus ``scale N(0, I)``, and
    ``eps = max_s TV(pi_old(.|s), pi_new(.|s))``. With ``p_t`` the state distributions
    (:func:`state_distributions`), a case fails a bound if it is violated (by more than
    ``1e-12``) at some ``t = 1, ..., horizon``:

    - ``TV(p_old,t, p_new,t) <= eps t`` (seed 002's bound, read in total variation);
    - ``TV <= 1 - (1 - eps)^t`` (the coupling bound);
    - ``||p_old,t - p_new,t||_1 <= 2 eps t`` (the correct ``L^1`` bound);
    - ``||p_old,t - p_new,t||_1 <= eps t`` (seed 002's bound read in ``L^1``: erratum 3).

    Parameters
    ----------
    family : {"deterministic", "dense"}
        Which random MDPs to draw.
    n_cases : int
        Number of random cases, >= 1.
    rng : numpy.random.Generator
        Source of randomness (MDP, old logits, then the change, case by case).
    horizon : int, default 20
        Last time step ``T >= 1`` checked.
    scale : float, default 0.5
        Size of the random policy change, > 0.

    Returns
    -------
    dict of str to float
        :data:`MISMATCH_BOUNDS` label -> fraction of cases in [0, 1] that violate it.

    Notes
    -----
    Erratum 3 of MATH.md, demonstrated in
    ``notebooks/02_surrogate_and_importance_sampling.ipynb``, section 6.

    Examples
    --------
    >>> import numpy as np
    >>> frac = mismatch_bound_failures("deterministic", 50, np.random.default_rng(0))
    >>> frac["TV <= eps t"], frac["L1 <= 2 eps t"]
    (0.0, 0.0)
    """
    makers = {"deterministic": random_deterministic_mdp, "dense": random_mdp}
    if family not in makers:
        raise ValueError(f"family={family!r} is unknown; valid: one of {sorted(makers)}")
    n_cases = check_int(n_cases, "n_cases")
    rng = check_rng(rng)
    horizon = check_int(horizon, "horizon")
    scale = float(check_positive(scale, "scale"))
    t = np.arange(1, horizon + 1)
    fails = dict.fromkeys(MISMATCH_BOUNDS, 0)
    for _ in range(n_cases):  # one random MDP per case
        case = makers[family](5, 3, gamma=0.9, rng=rng)
        th_old = rng.normal(size=(5, 3))
        th_new = th_old + scale * rng.normal(size=(5, 3))
        eps = max_total_variation(case, th_old, th_new)
        p_old, p_new = (
            state_distributions(case, softmax_policy(x), horizon)[1:] for x in (th_old, th_new)
        )
        l1 = np.abs(p_old - p_new).sum(axis=1)  # shape (horizon,); TV = l1 / 2
        for label, distance, bound in zip(
            MISMATCH_BOUNDS,
            (l1 / 2, l1 / 2, l1, l1),
            (eps * t, 1 - (1 - eps) ** t, 2 * eps * t, eps * t),
            strict=True,
        ):
            fails[label] += bool(np.any(distance > bound + 1e-12))
    return {label: count / n_cases for label, count in fails.items()}
