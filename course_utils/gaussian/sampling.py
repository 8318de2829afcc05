"""The k / sigma policy by sampling: rollouts, the REINFORCE gradient and the sampled Fisher.

Methods of :class:`course_utils.gaussian.LinearGaussianLQR` (a mixin), vectorised over
trajectories in blocks. Derived in ``notebooks/06_gaussian_k_sigma.ipynb``, section 6.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array, check_int, check_positive, check_rng
from ..mdp import Trajectories
from .paths import _unit

#: trajectories processed per block in the estimators: keeps the (horizon, block) work
#: arrays inside the CPU cache, which makes the estimators about twice as fast
_BLOCK = 4096


class _SamplingMixin:
    """The sampling estimators of :class:`LinearGaussianLQR`: rollouts, REINFORCE, Fisher."""

    def estimate_unit_fields(self, k, sigma, n_trajectories, horizon, rng, baseline: bool = True):
        """Monte Carlo version of :meth:`unit_fields`: REINFORCE arrows at every grid point.

        At each point :meth:`estimate_gradient` gives ``g_hat``; the vanilla arrow is
        ``g_hat / ||g_hat||`` and the natural arrow ``F^-1 g_hat`` (exact ``F``, so the arrow's
        error is the gradient estimate's alone), normalised.

        Parameters
        ----------
        k, sigma : array-like, broadcastable
            Stable ``k``, ``sigma > 0``.
        n_trajectories, horizon : int
            Per grid point.
        rng : numpy.random.Generator
            Consumed point after point in C order of the broadcast grid.
        baseline : bool, default True
            Subtract ``V(s_t)`` from the reward to go.

        Returns
        -------
        vanilla, natural : ndarray of shape (..., 2)

        Notes
        -----
        Derived in ``notebooks/06_gaussian_k_sigma.ipynb``.
        """
        k, sigma = self._check(k, sigma)
        check_rng(rng)
        g = np.empty(k.shape + (2,))
        for idx in np.ndindex(k.shape):  # one estimate per grid point, vectorised inside
            g[idx] = self.estimate_gradient(
                k[idx], sigma[idx], n_trajectories, horizon, rng, baseline=baseline
            )[0]
        F = self.fisher_information(k, sigma)
        natural = g / np.stack([F[..., 0, 0], F[..., 1, 1]], axis=-1)
        return _unit(g), _unit(natural)

    def monte_carlo_comparison(self, k, sigma, n_trajectories, horizon, rng) -> dict:
        """Every closed form at one point beside its Monte Carlo estimate and standard error.

        Three independent batches of ``n_trajectories`` rollouts, in this order:
        :meth:`sample_trajectories` (for ``J``, the discounted return, and ``S``, the
        discounted sum of ``s_t^2``), :meth:`estimate_gradient` (with the baseline ``V``) and
        :meth:`estimate_fisher`.

        Parameters
        ----------
        k : float
            Stable gain.
        sigma : float
            > 0.
        n_trajectories, horizon : int
            >= 1 (>= 2 trajectories for a finite standard error).
        rng : numpy.random.Generator

        Returns
        -------
        dict
            ``{"J", "S", "dJ/dk", "dJ/dsigma", "F_kk", "F_sigsig"}`` ->
            ``(exact, estimate, standard_error)``, floats; ``(estimate - exact) / standard_error``
            within about +-3 means agreement (the horizon's bias, relative order
            ``gamma^horizon``, aside).

        Notes
        -----
        Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 2 (check 2).
        """
        k, sigma, n, horizon, rng = self._check_sampling(k, sigma, n_trajectories, horizon, rng)
        traj = self.sample_trajectories(k, sigma, n, horizon, rng)
        G = traj.discounted_return()
        S_samples = (traj.states**2) @ self.gamma ** np.arange(horizon)
        g_hat, g_se = self.estimate_gradient(k, sigma, n, horizon, rng)
        F_hat, F_se = self.estimate_fisher(k, sigma, n, horizon, rng)
        g, F = self.gradient(k, sigma), self.fisher_information(k, sigma)
        (J_hat, S_hat), (J_se, S_se) = _mean_and_se(np.stack([G, S_samples], axis=-1))
        rows = {
            "J": (self.expected_return(k, sigma), J_hat, J_se),
            "S": (self.discounted_second_moment(k, sigma), S_hat, S_se),
            "dJ/dk": (g[0], g_hat[0], g_se[0]),
            "dJ/dsigma": (g[1], g_hat[1], g_se[1]),
            "F_kk": (F[0, 0], F_hat[0, 0], F_se[0, 0]),
            "F_sigsig": (F[1, 1], F_hat[1, 1], F_se[1, 1]),
        }
        return {name: tuple(float(v) for v in row) for name, row in rows.items()}

    def gradient_spread(self, k, sigma, n_trajectories, horizon, rng, baseline: bool = True):
        """Standard deviation over trajectories of the single-trajectory REINFORCE estimate.

        ``sqrt(n_trajectories) * standard_error`` of :meth:`estimate_gradient`, at each ``sigma``
        in turn: the spread that the ``1/sigma`` of the score drives without a baseline
        (``~ 1/sigma``) and that the baseline ``V`` keeps ``O(1)``.

        Parameters
        ----------
        k : float
            Stable gain.
        sigma : array-like of shape (m,) or float
            Values > 0, estimated in this order (one batch of rollouts each).
        n_trajectories : int
            >= 2.
        horizon : int
            >= 1.
        rng : numpy.random.Generator
        baseline : bool, default True
            Subtract ``V(s_t)`` from the reward to go.

        Returns
        -------
        ndarray of shape (m, 2) (or (2,) for a float ``sigma``)
            The spread of the ``k``- and the ``sigma``-component.

        Notes
        -----
        Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 6 (the spread as
        ``sigma -> 0``).
        """
        sigma = check_positive(sigma, "sigma")
        n = check_int(n_trajectories, "n_trajectories", 2)
        spread = [
            self.estimate_gradient(k, s, n, horizon, rng, baseline=baseline)[1] * np.sqrt(n)
            for s in np.atleast_1d(sigma)
        ]
        return np.array(spread).reshape(sigma.shape + (2,))

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


def deviation_across(estimate, standard_error, reference) -> np.ndarray:
    """How far an estimated arrow deviates across a reference direction, in standard errors.

    With ``n = (-r_2, r_1) / ||r||`` the unit normal of the reference ``r``:
    ``z = |estimate . n| / (|n_1| SE_1 + |n_2| SE_2)``. The denominator bounds the standard
    error of ``estimate . n`` whatever the correlation of the two components, so ``z`` stays
    below about 3 when the estimate points along ``r`` up to noise, and grows with the sample
    size when it does not.

    Parameters
    ----------
    estimate : array-like of shape (..., 2)
        The estimated vector (e.g. ``g_hat`` or ``F^-1 g_hat``).
    standard_error : array-like of shape (..., 2)
        Its componentwise standard errors, > 0.
    reference : array-like of shape (..., 2)
        The direction to compare with, non-zero; broadcastable with ``estimate``.

    Returns
    -------
    ndarray of shape (...)

    Notes
    -----
    Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 3 (the natural direction checked by
    Monte Carlo at another start state).

    Examples
    --------
    >>> round(float(deviation_across([1.0, 0.3], [0.1, 0.1], [1.0, 0.0])), 6)
    3.0
    """
    estimate = as_array(estimate, "estimate")
    standard_error = check_positive(standard_error, "standard_error")
    reference = as_array(reference, "reference")
    for name, v in (("estimate", estimate), ("standard_error", standard_error)):
        if v.ndim == 0 or v.shape[-1] != 2:
            raise ValueError(f"{name} has shape {v.shape}; valid: shape (..., 2)")
    if reference.ndim == 0 or reference.shape[-1] != 2:
        raise ValueError(f"reference has shape {reference.shape}; valid: shape (..., 2)")
    if np.any(np.all(reference == 0.0, axis=-1)):
        raise ValueError("reference contains a zero vector; valid: non-zero 2-D vectors")
    across = np.stack([-reference[..., 1], reference[..., 0]], axis=-1)
    across = across / np.linalg.norm(across, axis=-1, keepdims=True)
    return np.abs(np.sum(estimate * across, axis=-1)) / np.sum(
        np.abs(across) * standard_error, axis=-1
    )


def _mean_and_se(per_sample: np.ndarray):
    """Column means and their standard errors ``std(ddof=1) / sqrt(n)`` (inf for n = 1)."""
    n = per_sample.shape[0]
    mean = per_sample.mean(axis=0)
    if n < 2:
        return mean, np.full_like(mean, np.inf)
    return mean, per_sample.std(axis=0, ddof=1) / np.sqrt(n)
