"""The 1-D linear-Gaussian k / sigma example of the lecture, in closed form and by sampling.

Setting (``shared/MATH.md`` section 3): ``s_0 ~ N(mu0, v0)``, ``a_t ~ N(k s_t, sigma^2)``,
``s_{t+1} = s_t + a_t``, ``r_t = -(q s_t^2 + R a_t^2)``, ``J(k, sigma) = E[sum_t gamma^t r_t]``.
With ``alpha = (1 + k)^2`` the return is finite only while ``gamma * alpha < 1``.

Closed forms (all checked against finite differences and Monte Carlo in ``tests/``):

- ``P(k) = (q + R k^2) / (1 - gamma alpha)``          (``V(s) = -P s^2 - const``)
- ``S(k, sigma) = (m0 + gamma sigma^2 / (1 - gamma)) / (1 - gamma alpha)``, ``m0 = mu0^2 + v0``
- ``J = -P m0 - (R + gamma P) sigma^2 / (1 - gamma)``
- ``dJ/dk = 2 (R + gamma P) S (k_g - k)``, ``k_g = -gamma P / (R + gamma P)``
- ``dJ/dsigma = -2 sigma (R + gamma P) / (1 - gamma)``
- ``F = diag(S / sigma^2, 2 / ((1 - gamma) sigma^2))``
- ``F^-1 g = (2 sigma^2 (R + gamma P)(k_g - k), -(R + gamma P) sigma^3)``

Derived in ``notebooks/06_gaussian_k_sigma.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_array, check_in_range, check_int, check_positive, check_rng
from .mdp import Trajectories

__all__ = ["LinearGaussianLQR", "AscentPath", "optimal_gain", "gaussian_score"]

#: trajectories processed per block in the estimators: keeps the (horizon, block) work
#: arrays inside the CPU cache, which makes the estimators about twice as fast
_BLOCK = 4096


def optimal_gain(q: float, R: float, gamma: float) -> float:
    """Optimal deterministic gain ``k*`` from the scalar discounted Riccati equation.

    The value coefficient solves ``gamma P^2 + (R (1 - gamma) - q gamma) P - q R = 0``
    (``P = q + gamma P R / (R + gamma P)``), and ``k* = -gamma P / (R + gamma P)``.

    Parameters
    ----------
    q : float
        State cost, > 0.
    R : float
        Action cost, >= 0.
    gamma : float
        Discount in [0, 1]; ``gamma = 1`` is allowed here (undiscounted LQR, where
        ``q = R = 1`` gives the golden-ratio gain -0.618).

    Returns
    -------
    float

    Notes
    -----
    Derived in ``notebooks/06_gaussian_k_sigma.ipynb`` (erratum 4: ``k* = -1`` only when R = 0).

    Examples
    --------
    >>> round(optimal_gain(1.0, 0.1, 0.9), 4)
    -0.9076
    >>> round(optimal_gain(1.0, 1.0, 1.0), 4)
    -0.618
    """
    q = float(check_positive(q, "q"))
    R = float(check_in_range(R, "R", 0.0))
    gamma = float(check_in_range(gamma, "gamma", 0.0, 1.0))
    if gamma == 0.0:
        if R == 0.0:
            raise ValueError(
                "R=0.0 with gamma=0.0 leaves the action without any effect on the return; "
                "valid: R > 0 or gamma > 0"
            )
        return 0.0
    b = R * (1.0 - gamma) - q * gamma
    P = (-b + np.sqrt(b * b + 4.0 * gamma * q * R)) / (2.0 * gamma)
    return float(-gamma * P / (R + gamma * P))


def gaussian_score(k, sigma, s, a) -> np.ndarray:
    """Score of ``N(a; k s, sigma^2)`` with respect to ``(k, sigma)``.

    ``d/dk log pi = (a - k s) s / sigma^2`` and
    ``d/dsigma log pi = ((a - k s)^2 - sigma^2) / sigma^3`` (the ``-1/sigma`` from
    ``log sigma`` included; erratum 5 of MATH.md).

    Parameters
    ----------
    k, sigma, s, a : array-like, broadcastable
        sigma > 0.

    Returns
    -------
    ndarray of shape (..., 2)

    Notes
    -----
    Derived in ``notebooks/04_kl_and_fisher.ipynb``.
    """
    k = as_array(k, "k")
    sigma = check_positive(sigma, "sigma")
    s = as_array(s, "s")
    a = as_array(a, "a")
    u = a - k * s
    return np.stack([u * s / sigma**2, (u * u - sigma**2) / sigma**3], axis=-1)


@dataclass(frozen=True)
class AscentPath:
    """Iterates of a constrained gradient ascent on ``(k, sigma)``.

    Attributes
    ----------
    points : ndarray of shape (n + 1, 2)
        ``(k, sigma)`` after 0, 1, ..., n steps.
    stopped : str
        Why it stopped: ``"max_iter"`` or the step that would have left the domain.
    """

    points: np.ndarray
    stopped: str

    def iterations_to(self, k_target: float, tol: float = 0.01) -> int | None:
        """First iteration with ``|k - k_target| < tol``, or None if never reached."""
        hit = np.flatnonzero(np.abs(self.points[:, 0] - k_target) < tol)
        return int(hit[0]) if hit.size else None


@dataclass(frozen=True)
class LinearGaussianLQR:
    """The lecture's 1-D Gaussian policy on ``s' = s + a`` with quadratic cost.

    Parameters
    ----------
    q : float, default 1.0
        State cost, > 0.
    R : float, default 0.1
        Action cost, >= 0.
    gamma : float, default 0.9
        Discount, in [0, 1).
    s0_mean, s0_var : float, default 0.3, 1e-4
        Start distribution ``N(s0_mean, s0_var)``; ``s0_var >= 0``.

    Notes
    -----
    The defaults are the setting of the published vanilla-vs-natural arrow figure
    (Peters & Schaal), where ``k* = -0.9076``. All methods broadcast ``k`` and ``sigma``:
    scalars return scalars (0-d arrays), grids return grids with a trailing axis of 2 for
    vectors and (2, 2) for the Fisher matrix. An unstable gain (``gamma (1 + k)^2 >= 1``)
    raises ``ValueError``; :meth:`expected_return` can return ``-inf`` there instead.
    Derived in ``notebooks/06_gaussian_k_sigma.ipynb``.

    Examples
    --------
    >>> lqr = LinearGaussianLQR()
    >>> round(lqr.optimal_gain(), 4)
    -0.9076
    >>> lqr.natural_gradient(-1.5, 0.2).round(6)
    array([ 0.068903, -0.012181])
    """

    q: float = 1.0
    R: float = 0.1
    gamma: float = 0.9
    s0_mean: float = 0.3
    s0_var: float = 1e-4

    def __post_init__(self):
        object.__setattr__(self, "q", float(check_positive(self.q, "q")))
        object.__setattr__(self, "R", float(check_in_range(self.R, "R", 0.0)))
        gamma = float(check_in_range(self.gamma, "gamma", 0.0, 1.0, high_open=True))
        object.__setattr__(self, "gamma", gamma)
        object.__setattr__(self, "s0_mean", float(as_array(self.s0_mean, "s0_mean")))
        object.__setattr__(self, "s0_var", float(check_in_range(self.s0_var, "s0_var", 0.0)))
        if self.R == 0.0 and gamma == 0.0:
            raise ValueError(
                "R=0.0 with gamma=0.0 leaves the action without any effect on the return; "
                "valid: R > 0 or gamma > 0"
            )

    # --- closed forms ----------------------------------------------------------------------

    @property
    def m0(self) -> float:
        """``E[s_0^2] = mu0^2 + v0``."""
        return self.s0_mean**2 + self.s0_var

    def is_stable(self, k) -> np.ndarray:
        """``gamma (1 + k)^2 < 1``: the discounted closed loop keeps J finite."""
        k = as_array(k, "k")
        return self.gamma * (1.0 + k) ** 2 < 1.0

    def stability_interval(self) -> tuple[float, float]:
        """The open interval of stable gains, ``-1 -+ 1/sqrt(gamma)``."""
        if self.gamma == 0.0:
            return (-np.inf, np.inf)
        half = 1.0 / np.sqrt(self.gamma)
        return (-1.0 - half, -1.0 + half)

    def _check_k(self, k) -> np.ndarray:
        k = as_array(k, "k")
        stable = self.is_stable(k)
        if not np.all(stable):
            bad = k[~stable] if k.ndim else k
            lo, hi = self.stability_interval()
            raise ValueError(
                f"k={np.ravel(bad)[0]!r} is unstable: gamma (1 + k)^2 >= 1, so the closed loop "
                f"diverges and J is infinite; valid range for gamma={self.gamma:g}: "
                f"({lo:.6g}, {hi:.6g})"
            )
        return k

    def _check(self, k, sigma):
        k = self._check_k(k)
        sigma = check_positive(sigma, "sigma")
        return np.broadcast_arrays(k, sigma)

    def value_coefficient(self, k) -> np.ndarray:
        """``P(k) = (q + R k^2) / (1 - gamma (1 + k)^2)``, so that ``V(s) = -P s^2 - const``."""
        k = self._check_k(k)
        return (self.q + self.R * k * k) / (1.0 - self.gamma * (1.0 + k) ** 2)

    def greedy_gain(self, k) -> np.ndarray:
        """``k_g = -gamma P(k) / (R + gamma P(k))``: one step of policy iteration from ``k``."""
        P = self.value_coefficient(k)
        return -self.gamma * P / (self.R + self.gamma * P)

    def discounted_second_moment(self, k, sigma) -> np.ndarray:
        """``S = sum_t gamma^t E[s_t^2] = (m0 + gamma sigma^2/(1 - gamma)) / (1 - gamma alpha)``."""
        k, sigma = self._check(k, sigma)
        alpha = (1.0 + k) ** 2
        return (self.m0 + self.gamma * sigma**2 / (1.0 - self.gamma)) / (1.0 - self.gamma * alpha)

    def value_function(self, s, k, sigma) -> np.ndarray:
        """``V(s) = -P s^2 - (R + gamma P) sigma^2 / (1 - gamma)``: expected return from ``s``."""
        k, sigma = self._check(k, sigma)
        P = self.value_coefficient(k)
        s = as_array(s, "s")
        return -P * s * s - (self.R + self.gamma * P) * sigma**2 / (1.0 - self.gamma)

    def expected_return(self, k, sigma, *, unstable: str = "raise") -> np.ndarray:
        """``J(k, sigma) = -P m0 - (R + gamma P) sigma^2 / (1 - gamma)``.

        Parameters
        ----------
        k, sigma : array-like, broadcastable
            sigma > 0.
        unstable : {"raise", "-inf"}, default "raise"
            What to do where ``gamma (1 + k)^2 >= 1``: raise ``ValueError`` or return
            ``-inf`` there (for contour plots over a grid that crosses the boundary).

        Returns
        -------
        ndarray of the broadcast shape
        """
        if unstable not in ("raise", "-inf"):
            raise ValueError(f"unstable={unstable!r} is invalid; valid: 'raise' or '-inf'")
        if unstable == "-inf":
            k = as_array(k, "k")
            sigma = check_positive(sigma, "sigma")
            k, sigma = np.broadcast_arrays(k, sigma)
            stable = self.is_stable(k)
            out = np.full(k.shape, -np.inf)
            if np.any(stable):
                out[stable] = self.expected_return(k[stable], sigma[stable])
            return out
        k, sigma = self._check(k, sigma)
        P = self.value_coefficient(k)
        return -P * self.m0 - (self.R + self.gamma * P) * sigma**2 / (1.0 - self.gamma)

    def gradient(self, k, sigma) -> np.ndarray:
        """``g = (dJ/dk, dJ/dsigma)``, the exact policy gradient.

        ``dJ/dk = 2 (R + gamma P) S (k_g - k)`` and
        ``dJ/dsigma = -2 sigma (R + gamma P) / (1 - gamma)``.

        Returns
        -------
        ndarray of shape (..., 2)
        """
        k, sigma = self._check(k, sigma)
        P = self.value_coefficient(k)
        c = self.R + self.gamma * P
        S = self.discounted_second_moment(k, sigma)
        k_g = -self.gamma * P / c
        return np.stack([2.0 * c * S * (k_g - k), -2.0 * sigma * c / (1.0 - self.gamma)], axis=-1)

    def fisher_information(self, k, sigma) -> np.ndarray:
        """``F = diag(S / sigma^2, 2 / ((1 - gamma) sigma^2))``, weighted like the gradient.

        Returns
        -------
        ndarray of shape (..., 2, 2)
        """
        k, sigma = self._check(k, sigma)
        S = self.discounted_second_moment(k, sigma)
        F = np.zeros(k.shape + (2, 2))
        F[..., 0, 0] = S / sigma**2
        F[..., 1, 1] = 2.0 / ((1.0 - self.gamma) * sigma**2)
        return F

    def natural_gradient(self, k, sigma) -> np.ndarray:
        """``F^-1 g = (2 sigma^2 (R + gamma P)(k_g - k), -(R + gamma P) sigma^3)``.

        Equal to the compatible-features weights ``w`` (Kakade 2001, Theorem 1); its direction
        does not depend on ``m0``.

        Returns
        -------
        ndarray of shape (..., 2)
        """
        k, sigma = self._check(k, sigma)
        P = self.value_coefficient(k)
        c = self.R + self.gamma * P
        k_g = -self.gamma * P / c
        return np.stack([2.0 * sigma**2 * c * (k_g - k), -c * sigma**3], axis=-1)

    def optimal_gain(self) -> float:
        """``k*`` of this setting (:func:`optimal_gain`); the optimum is ``(k*, sigma -> 0)``."""
        return optimal_gain(self.q, self.R, self.gamma)

    def angle_to_optimum(self, k, sigma, direction) -> np.ndarray:
        """Angle in degrees between ``direction`` (shape (..., 2)) and ``(k*, 0) - (k, sigma)``."""
        k, sigma = self._check(k, sigma)
        direction = as_array(direction, "direction")
        target = np.stack([self.optimal_gain() - k, -sigma], axis=-1)
        cos = np.sum(direction * target, axis=-1) / (
            np.linalg.norm(direction, axis=-1) * np.linalg.norm(target, axis=-1)
        )
        return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))

    def ascent_path(
        self, k0: float, sigma0: float, eps: float, natural: bool, max_iter: int = 500
    ) -> AscentPath:
        """Iterate the vanilla or natural trust-region step from ``(k0, sigma0)``.

        Vanilla: ``d = sqrt(eps / g^T g) g`` (``||d||^2 = eps``); natural:
        ``d = sqrt(2 eps / g^T F^-1 g) F^-1 g`` (``1/2 d^T F d = eps``), MATH.md section 1.
        Stops early (``stopped`` says why) when a step would make ``sigma <= 0`` or the
        gain unstable.

        Parameters
        ----------
        k0, sigma0 : float
            Start; stable ``k0``, ``sigma0 > 0``.
        eps : float
            Trust-region size, > 0.
        natural : bool
        max_iter : int, default 500

        Returns
        -------
        AscentPath
        """
        self._check(k0, sigma0)
        eps = float(check_positive(eps, "eps"))
        max_iter = check_int(max_iter, "max_iter")
        points = np.empty((max_iter + 1, 2))
        points[0] = (k0, sigma0)
        stopped = "max_iter"
        n = 0
        for n in range(max_iter):  # iterates depend on each other: the loop is the algorithm
            k, sigma = points[n]
            g = self.gradient(k, sigma)
            if natural:
                x = self.natural_gradient(k, sigma)
                d = np.sqrt(2.0 * eps / (g @ x)) * x
            else:
                d = np.sqrt(eps / (g @ g)) * g
            new = points[n] + d
            if new[1] <= 0.0:
                stopped = f"step {n + 1} would make sigma <= 0 (sigma = {new[1]:.3g})"
                break
            if not self.is_stable(new[0]):
                stopped = f"step {n + 1} would make k = {new[0]:.4g} unstable"
                break
            points[n + 1] = new
        else:
            n = max_iter
        return AscentPath(points[: n + 1].copy(), stopped)

    # --- sampling ----------------------------------------------------------------------------

    def _check_sampling(self, k, sigma, n_trajectories, horizon, rng):
        k = float(self._check_k(np.asarray(k, dtype=float).reshape(())))
        sigma = float(check_positive(sigma, "sigma"))
        return (
            k,
            sigma,
            check_int(n_trajectories, "n_trajectories"),
            check_int(horizon, "horizon"),
            check_rng(rng),
        )

    def _blocks(self, k, sigma, n, horizon, rng):
        """Yield ``(start, xi, s, sigma * xi)`` for blocks of trajectories, time-major (horizon, m).

        ``s_0 ~ N(mu0, v0)``, ``a_t = k s_t + sigma xi_t``, ``s_{t+1} = s_t + a_t``. The work
        arrays are reused between blocks (no page faults) and sized to stay in cache; every
        sampling method goes through here, so one seed gives the same trajectories to all.
        """
        xi = np.empty((horizon, min(_BLOCK, n)))
        s, noise = np.empty_like(xi), np.empty_like(xi)
        for start in range(0, n, _BLOCK):  # blocks of trajectories, not single samples
            m = min(_BLOCK, n - start)
            if m < xi.shape[1]:
                xi, s, noise = (np.empty((horizon, m)) for _ in range(3))
            s[0] = self.s0_mean + np.sqrt(self.s0_var) * rng.standard_normal(m)
            rng.standard_normal(out=xi)
            np.multiply(xi, sigma, out=noise)  # sigma xi_t = a_t - k s_t
            for t in range(1, horizon):  # s_t = (1 + k) s_{t-1} + sigma xi_{t-1}, m at once
                np.multiply(s[t - 1], 1.0 + k, out=s[t])
                s[t] += noise[t - 1]
            yield start, xi, s, noise

    def sample_trajectories(self, k, sigma, n_trajectories, horizon, rng) -> Trajectories:
        """Roll out ``a ~ N(k s, sigma^2)`` for ``horizon`` steps, vectorised over trajectories.

        Parameters
        ----------
        k : float
            Stable gain.
        sigma : float
            > 0.
        n_trajectories, horizon : int
            >= 1. The discounted return is truncated at ``horizon`` (bias of relative
            order ``(gamma alpha)^horizon``).
        rng : numpy.random.Generator

        Returns
        -------
        Trajectories
            ``states``, ``actions``, ``rewards`` of shape (n_trajectories, horizon). With the
            same seed, :meth:`estimate_gradient` and :meth:`estimate_fisher` use exactly
            these trajectories.
        """
        k, sigma, n, horizon, rng = self._check_sampling(k, sigma, n_trajectories, horizon, rng)
        states, actions = np.empty((n, horizon)), np.empty((n, horizon))
        for start, _, s, noise in self._blocks(k, sigma, n, horizon, rng):
            states[start : start + s.shape[1]] = s.T
            actions[start : start + s.shape[1]] = (k * s + noise).T
        rewards = -(self.q * states**2 + self.R * actions**2)
        return Trajectories(states, actions, rewards, self.gamma)

    def estimate_gradient(self, k, sigma, n_trajectories, horizon, rng, baseline: bool = True):
        """REINFORCE estimate of ``(dJ/dk, dJ/dsigma)`` with reward to go.

        ``g_hat = mean_i sum_t gamma^t psi_t (G_t - b(s_t))`` with the score
        ``psi_t = (xi_t s_t / sigma, (xi_t^2 - 1) / sigma)`` (``xi_t = (a_t - k s_t) / sigma``),
        ``G_t`` the discounted reward to go and, if ``baseline``, ``b = V`` (the exact value
        function, :meth:`value_function`; any function of the state keeps the mean).

        Parameters
        ----------
        k, sigma : float
        n_trajectories, horizon : int
        rng : numpy.random.Generator
        baseline : bool, default True

        Returns
        -------
        estimate : ndarray of shape (2,)
        standard_error : ndarray of shape (2,)
            Standard deviation over trajectories divided by ``sqrt(n_trajectories)``.

        Notes
        -----
        Derived in ``notebooks/06_gaussian_k_sigma.ipynb``; the estimate targets the
        ``horizon``-step truncated return. Speed: ``benchmarks/estimators.py``.
        """
        k, sigma, n, horizon, rng = self._check_sampling(k, sigma, n_trajectories, horizon, rng)
        discount = self.gamma ** np.arange(horizon)
        P = float(self.value_coefficient(k))
        v_const = (self.R + self.gamma * P) * sigma**2 / (1.0 - self.gamma)
        cost_a, cost_s = (self.R * discount)[:, None], (self.q * discount)[:, None]
        base_s, base_c = (P * discount)[:, None], (v_const * discount)[:, None]
        per_traj = np.empty((n, 2))
        s2 = cost = None
        for start, xi, s, noise in self._blocks(k, sigma, n, horizon, rng):
            if s2 is None or s2.shape != s.shape:  # work buffers reused across blocks
                s2, cost = np.empty_like(s), np.empty_like(s)
            np.multiply(s, s, out=s2)
            np.multiply(s, k, out=cost)
            cost += noise  # a_t
            cost *= cost
            cost *= cost_a
            np.multiply(s2, cost_s, out=noise)  # buffer free again: q gamma^t s_t^2
            cost += noise  # gamma^t (q s_t^2 + R a_t^2) = -gamma^t r_t
            for t in range(horizon - 2, -1, -1):  # cost[t] = sum_{t' >= t} gamma^t' (-r_t')
                cost[t] += cost[t + 1]
            adv = s2  # reuse: gamma^t (G_t - b(s_t)) = gamma^t (P s^2 + c) - cost
            if baseline:
                adv *= base_s
                adv += base_c
                adv -= cost
            else:
                np.negative(cost, out=adv)
            xi_adv = np.multiply(xi, adv, out=cost)
            block = per_traj[start : start + s.shape[1]]
            # psi_k = xi s / sigma, psi_sigma = (xi^2 - 1) / sigma
            block[:, 0] = np.einsum("tn,tn->n", xi_adv, s) / sigma
            block[:, 1] = (np.einsum("tn,tn->n", xi_adv, xi) - adv.sum(axis=0)) / sigma
        return _mean_and_se(per_traj)

    def estimate_fisher(self, k, sigma, n_trajectories, horizon, rng):
        """Sampled Fisher ``mean_i sum_t gamma^t psi_t psi_t^T`` from rollouts.

        Same samples and weighting as :meth:`estimate_gradient`, so it targets
        ``diag(S_H / sigma^2, 2 (1 - gamma^H) / ((1 - gamma) sigma^2))`` for horizon H.

        Returns
        -------
        estimate : ndarray of shape (2, 2)
        standard_error : ndarray of shape (2, 2)
        """
        k, sigma, n, horizon, rng = self._check_sampling(k, sigma, n_trajectories, horizon, rng)
        discount = self.gamma ** np.arange(horizon)
        per_traj = np.empty((n, 3))
        psi_k = psi_s = None
        for start, xi, s, noise in self._blocks(k, sigma, n, horizon, rng):
            if psi_k is None or psi_k.shape != s.shape:  # work buffers reused across blocks
                psi_k, psi_s = np.empty_like(s), np.empty_like(s)
            np.multiply(xi, s, out=psi_k)
            psi_k /= sigma
            np.multiply(xi, xi, out=psi_s)
            psi_s -= 1.0
            psi_s /= sigma
            block = per_traj[start : start + s.shape[1]]
            block[:, 0] = discount @ np.multiply(psi_k, psi_k, out=noise)
            block[:, 1] = discount @ np.multiply(psi_k, psi_s, out=noise)
            block[:, 2] = discount @ np.multiply(psi_s, psi_s, out=noise)
        mean, se = _mean_and_se(per_traj)
        return mean[[0, 1, 1, 2]].reshape(2, 2), se[[0, 1, 1, 2]].reshape(2, 2)


def _mean_and_se(per_sample: np.ndarray):
    """Column means and their standard errors ``std(ddof=1) / sqrt(n)`` (inf for n = 1)."""
    n = per_sample.shape[0]
    mean = per_sample.mean(axis=0)
    if n < 2:
        return mean, np.full_like(mean, np.inf)
    return mean, per_sample.std(axis=0, ddof=1) / np.sqrt(n)
