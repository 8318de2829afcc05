"""The 1-D linear-Gaussian k / sigma example of the lecture, in closed form and by sampling.

Setting (``notebooks/MATH.md`` section 3): ``s_0 ~ N(mu0, v0)``, ``a_t ~ N(k s_t, sigma^2)``,
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

from dataclasses import dataclass, field

import numpy as np

from ._validation import as_array, check_in_range, check_int, check_positive, check_rng
from .mdp import Trajectories

__all__ = [
    "LinearGaussianLQR",
    "AscentPath",
    "GradientFlow",
    "optimal_gain",
    "gaussian_score",
    "angle_between",
    "discount_horizon",
    "discounted_kl",
    "NaturalStepKL",
    "natural_step_kl",
]

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
    ``log sigma`` included; MATH.md section 5 names dropping it as a common mistake).

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

    def first_below(self, sigma_level: float) -> int | None:
        """First iteration with ``sigma < sigma_level``, or None if never reached."""
        sigma_level = float(check_positive(sigma_level, "sigma_level"))
        hit = np.flatnonzero(self.points[:, 1] < sigma_level)
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
    The defaults are the course's reference setting (MATH.md section 3), chosen to resemble the
    vanilla-vs-natural arrow figure of the paper seed 001 points to (Peters & Schaal 2008; the
    seeds give neither the dynamics ``s' = s + a`` nor these parameters); ``k* = -0.9076``.
    All methods broadcast ``k`` and ``sigma``: scalars return scalars (0-d arrays), grids
    return grids with a trailing axis of 2 for vectors and (2, 2) for the Fisher matrix. An
    unstable gain (``gamma (1 + k)^2 >= 1``) raises ``ValueError``; :meth:`expected_return`
    can return ``-inf`` there instead.
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
                f"k={float(np.ravel(bad)[0])!r} is unstable: gamma (1 + k)^2 >= 1, so the closed "
                f"loop diverges and J is infinite; valid range for gamma={self.gamma:g}: "
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
        if direction.ndim == 0 or direction.shape[-1] != 2:
            raise ValueError(f"direction has shape {direction.shape}; valid: shape (..., 2)")
        if np.any(np.all(direction == 0.0, axis=-1)):  # 0 / 0: no angle, refuse (not NaN)
            raise ValueError("direction contains a zero vector; valid: non-zero 2-D vectors")
        target = np.stack([self.optimal_gain() - k, -sigma], axis=-1)
        return angle_between(direction, target)

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
        q, R, gamma, m0 = self.q, self.R, self.gamma, self.m0
        k, sigma = float(k0), float(sigma0)
        for n in range(max_iter):  # iterates depend on each other: the loop is the algorithm
            # gradient() and natural_gradient() in float arithmetic (the validated array
            # methods cost ~50 us a call, too slow for the widgets' 500-step paths)
            one_minus = 1.0 - gamma * (1.0 + k) ** 2
            P = (q + R * k * k) / one_minus
            c = R + gamma * P
            k_gap = -gamma * P / c - k  # k_g - k
            S = (m0 + gamma * sigma * sigma / (1.0 - gamma)) / one_minus
            g = (2.0 * c * S * k_gap, -2.0 * sigma * c / (1.0 - gamma))
            x = (2.0 * sigma * sigma * c * k_gap, -c * sigma**3) if natural else g
            gx = g[0] * x[0] + g[1] * x[1]  # g^T F^-1 g or g^T g
            scale = ((2.0 if natural else 1.0) * eps / gx) ** 0.5 if gx > 0.0 else np.inf
            k_new, sigma_new = k + scale * x[0], sigma + scale * x[1]
            if not (np.isfinite(k_new) and np.isfinite(sigma_new)):
                stopped = (
                    f"step {n + 1} is not finite: the gradient underflowed at sigma = {sigma:.3g}"
                )
                break
            if sigma_new <= 0.0:
                stopped = f"step {n + 1} would make sigma <= 0 (sigma = {sigma_new:.3g})"
                break
            if gamma * (1.0 + k_new) ** 2 >= 1.0:
                stopped = f"step {n + 1} would make k = {k_new:.4g} unstable"
                break
            points[n + 1] = (k_new, sigma_new)
            k, sigma = k_new, sigma_new
        else:
            n = max_iter
        return AscentPath(points[: n + 1].copy(), stopped)

    # --- log sigma coordinates, direction fields and flows (notebook 06) ---------------------

    def gradient_log_sigma(self, k, sigma) -> np.ndarray:
        """The gradient in the coordinates ``(k, lambda = log sigma)``, at the point ``(k, sigma)``.

        Chain rule with ``d sigma / d lambda = sigma``:
        ``(dJ/dk, dJ/dlambda) = (dJ/dk, sigma dJ/dsigma)
        = (2 (R + gamma P) S (k_g - k), -2 sigma^2 (R + gamma P) / (1 - gamma))``.

        Parameters
        ----------
        k, sigma : array-like, broadcastable
            The point (given by ``sigma``, not ``log sigma``); stable ``k``, ``sigma > 0``.

        Returns
        -------
        ndarray of shape (..., 2)

        Notes
        -----
        Derived in ``notebooks/06_gaussian_k_sigma.ipynb`` (reparametrisation section).
        """
        g = self.gradient(k, sigma)
        _, sigma = self._check(k, sigma)
        g[..., 1] *= sigma
        return g

    def fisher_information_log_sigma(self, k, sigma) -> np.ndarray:
        """The Fisher matrix in the coordinates ``(k, log sigma)``.

        ``F' = diag(S / sigma^2, 2 / (1 - gamma))``.

        ``F' = D^T F D`` with the Jacobian ``D = d(k, sigma) / d(k, log sigma) = diag(1, sigma)``;
        the ``sigma``-block no longer blows up as ``sigma -> 0``.

        Parameters
        ----------
        k, sigma : array-like, broadcastable
            Stable ``k``, ``sigma > 0``.

        Returns
        -------
        ndarray of shape (..., 2, 2)

        Notes
        -----
        Derived in ``notebooks/06_gaussian_k_sigma.ipynb``.
        """
        F = self.fisher_information(k, sigma)
        _, sigma = self._check(k, sigma)
        F[..., 1, 1] *= sigma**2
        return F

    def natural_gradient_log_sigma(self, k, sigma) -> np.ndarray:
        """The natural gradient ``F'^-1 g'`` in the coordinates ``(k, log sigma)``.

        ``F'^-1 g' = (2 sigma^2 (R + gamma P)(k_g - k), -(R + gamma P) sigma^2)``.

        Mapped back to ``(k, sigma)`` with ``d sigma = sigma d lambda`` it is exactly
        :meth:`natural_gradient`: the natural gradient does not depend on the parametrisation
        (the vanilla one does: ``(g_k, sigma^2 g_sigma)`` instead of ``(g_k, g_sigma)``).

        Parameters
        ----------
        k, sigma : array-like, broadcastable
            Stable ``k``, ``sigma > 0``.

        Returns
        -------
        ndarray of shape (..., 2)

        Notes
        -----
        Derived in ``notebooks/06_gaussian_k_sigma.ipynb``.
        """
        x = self.natural_gradient(k, sigma)
        _, sigma = self._check(k, sigma)
        x[..., 1] /= sigma
        return x

    def unit_fields(self, k, sigma, parametrisation: str = "sigma"):
        """Unit directions of the vanilla and the natural gradient in the ``(k, sigma)`` plane.

        With ``parametrisation="log_sigma"`` the gradients are taken with respect to
        ``(k, log sigma)`` and the resulting parameter change is drawn in the ``(k, sigma)``
        plane (``d sigma = sigma d log sigma``): the vanilla direction becomes
        ``(g_k, sigma^2 g_sigma)``, the natural one does not change.

        Parameters
        ----------
        k, sigma : array-like, broadcastable (e.g. from ``numpy.meshgrid``)
            Stable ``k``, ``sigma > 0``.
        parametrisation : {"sigma", "log_sigma"}, default "sigma"

        Returns
        -------
        vanilla, natural : ndarray of shape (..., 2)
            ``(dk, dsigma) / ||(dk, dsigma)||``; plot with ``angles="xy"``.

        Notes
        -----
        Derived in ``notebooks/06_gaussian_k_sigma.ipynb`` (the canonical arrow figure).
        """
        if parametrisation == "sigma":
            vanilla, natural = self.gradient(k, sigma), self.natural_gradient(k, sigma)
        elif parametrisation == "log_sigma":
            _, s = self._check(k, sigma)
            vanilla = self.gradient_log_sigma(k, sigma)
            natural = self.natural_gradient_log_sigma(k, sigma)
            vanilla[..., 1] *= s  # tangent map back to (k, sigma): d sigma = sigma d lambda
            natural[..., 1] *= s
        else:
            raise ValueError(
                f"parametrisation={parametrisation!r} is invalid; valid: 'sigma' or 'log_sigma'"
            )
        return _unit(vanilla), _unit(natural)

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

    def gradient_flow(
        self,
        k0: float,
        sigma0: float,
        natural: bool,
        sigma_min: float = 1e-3,
        k_tol: float | None = None,
        n_points: int = 400,
    ) -> GradientFlow:
        """The path of the continuous flow ``d theta/dt = g`` (vanilla) or ``F^-1 g`` (natural).

        ``d sigma / dt < 0`` everywhere in both flows, so ``u = -log sigma`` is a clock along
        the path, and the path is integrated in it (``scipy.integrate.solve_ivp``, RK45,
        ``rtol = 1e-10``). Dividing the flows' two components gives

        - vanilla: ``dk/du = (1 - gamma) S(k, sigma) (k_g - k)``,
        - natural: ``dk/du = 2 (k_g - k)`` (no ``sigma``, no ``m0``).

        This clock avoids the natural flow's slow-down (its ``sigma`` falls like ``t^-1/2``) and
        lets the vanilla path be followed to ``sigma = 1e-300`` without underflow.

        Parameters
        ----------
        k0, sigma0 : float
            Start; stable ``k0``, ``sigma0 > 0``.
        natural : bool
        sigma_min : float, default 1e-3
            Stop when ``sigma`` reaches it; in ``[1e-300, sigma0)``.
        k_tol : float or None, default None
            If given (> 0), stop earlier when ``|k - k*| < k_tol``.
        n_points : int, default 400
            Points stored along the path (uniform in ``u`` and in ``sigma``), >= 2.

        Returns
        -------
        GradientFlow

        Notes
        -----
        Derived in ``notebooks/06_gaussian_k_sigma.ipynb``. From ``(-0.2, 0.5)`` in the
        default setting the vanilla path reaches ``sigma = 1e-3`` at ``k = -0.39``, the
        natural one approaches ``k* = -0.9076``.

        Examples
        --------
        >>> lqr = LinearGaussianLQR()
        >>> flow = lqr.gradient_flow(-0.2, 0.5, natural=False, sigma_min=1e-3)
        >>> round(float(flow.k_at_sigma(1e-3)), 3)
        -0.393
        >>> flow.stopped
        'sigma reached sigma_min = 0.001'
        """
        from scipy.integrate import solve_ivp

        k0 = float(self._check_k(np.asarray(k0, dtype=float).reshape(())))
        sigma0 = float(check_positive(sigma0, "sigma0"))
        sigma_min = float(check_in_range(sigma_min, "sigma_min", 1e-300, sigma0, high_open=True))
        if k_tol is not None:
            k_tol = float(check_positive(k_tol, "k_tol"))
        n_points = check_int(n_points, "n_points", 2)
        k_star = self.optimal_gain()
        gamma, m0 = self.gamma, self.m0

        def dk_du(u, y):
            k = y[0]
            one_minus = 1.0 - gamma * (1.0 + k) ** 2
            P = (self.q + self.R * k * k) / one_minus
            k_g = -gamma * P / (self.R + gamma * P)
            if natural:
                return [2.0 * (k_g - k)]
            S = (m0 + gamma * np.exp(-2.0 * u) / (1.0 - gamma)) / one_minus
            return [(1.0 - gamma) * S * (k_g - k)]

        events = []
        if k_tol is not None:

            def near_optimum(u, y):
                return abs(y[0] - k_star) - k_tol

            near_optimum.terminal = True
            events.append(near_optimum)
        u0, u1 = -np.log(sigma0), -np.log(sigma_min)
        sol = solve_ivp(
            dk_du, (u0, u1), [k0], rtol=1e-10, atol=1e-12, dense_output=True, events=events
        )
        if sol.status < 0:  # pragma: no cover - the right-hand side is smooth on the stable set
            raise RuntimeError(f"the flow integration failed: {sol.message}")
        u_end = float(sol.t[-1])
        if sol.status == 1:
            stopped = f"|k - k*| < {k_tol:g} at sigma = {np.exp(-u_end):.3g}"
        else:
            stopped = f"sigma reached sigma_min = {sigma_min:g}"
        u = np.unique(
            np.concatenate(
                [
                    np.linspace(u0, u_end, n_points),
                    -np.log(np.linspace(sigma0, np.exp(-u_end), n_points)),
                ]
            )
        )
        u = u[(u >= u0) & (u <= u_end)]
        k = sol.sol(u)[0]
        return GradientFlow(np.stack([k, np.exp(-u)], axis=-1), -u, stopped, sol.sol)

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


@dataclass(frozen=True)
class GradientFlow:
    """Path of a continuous gradient flow in the ``(k, sigma)`` plane.

    Attributes
    ----------
    points : ndarray of shape (n, 2)
        ``(k, sigma)`` along the path, ``sigma`` decreasing.
    log_sigma : ndarray of shape (n,)
        ``log sigma`` at the same points (exact even where ``sigma`` is tiny).
    stopped : str
        ``"sigma reached sigma_min = ..."`` or ``"|k - k*| < k_tol at sigma = ..."``.
    k_of_u : callable
        Dense solution ``u -> k`` with ``u = -log sigma`` (scipy ``OdeSolution``).
    """

    points: np.ndarray
    log_sigma: np.ndarray
    stopped: str
    k_of_u: object = field(repr=False)

    def k_at_sigma(self, sigma) -> np.ndarray:
        """``k`` where the path passes ``sigma`` (within the integrated range).

        Parameters
        ----------
        sigma : array-like
            Between the end and the start of the path.

        Returns
        -------
        ndarray shaped like ``sigma``
        """
        lo, hi = float(np.exp(self.log_sigma[-1])), float(np.exp(self.log_sigma[0]))
        sigma = check_in_range(sigma, "sigma", lo * (1 - 1e-12), hi * (1 + 1e-12))
        return np.asarray(self.k_of_u(-np.log(sigma)))[0]


def angle_between(u, v) -> np.ndarray:
    """Angle in degrees, in [0, 180], between 2-D vectors ``u`` and ``v``.

    ``atan2(|u_1 v_2 - u_2 v_1|, u . v)``: accurate to about 1e-14 degrees also for nearly
    parallel vectors (``arccos`` of the cosine loses half the digits there).

    Parameters
    ----------
    u, v : array-like of shape (..., 2), broadcastable
        Non-zero vectors.

    Returns
    -------
    ndarray of shape (...)

    Notes
    -----
    Used in ``notebooks/06_gaussian_k_sigma.ipynb`` to compare arrow fields.

    Examples
    --------
    >>> float(angle_between([1.0, 0.0], [0.0, 2.0]))
    90.0
    """
    u, v = as_array(u, "u"), as_array(v, "v")
    for name, w in (("u", u), ("v", v)):
        if w.ndim == 0 or w.shape[-1] != 2:
            raise ValueError(f"{name} has shape {w.shape}; valid: shape (..., 2)")
        if np.any(np.all(w == 0.0, axis=-1)):
            raise ValueError(f"{name} contains a zero vector; valid: non-zero 2-D vectors")
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = np.sum(u * v, axis=-1)
    return np.degrees(np.arctan2(np.abs(cross), dot))


def _unit(x: np.ndarray) -> np.ndarray:
    """``x / ||x||`` along the last axis (the callers guarantee ``x != 0``)."""
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


# --- the KL of the k / sigma policy and the quadratic model (KL-vs-quadratic widget) ----------


def discount_horizon(gamma: float, tol: float = 1e-2) -> int:
    """Smallest horizon ``H >= 1`` with ``gamma^H <= tol``: where to truncate a rollout.

    ``H = ceil(log(tol) / log(gamma))``; the discounted weight left after ``H`` steps is at
    most ``tol`` of the first step's (the states may still grow or shrink: the relative bias of
    a truncated return is ``(gamma (1 + k)^2)^H``).

    Parameters
    ----------
    gamma : float
        Discount in [0, 1).
    tol : float, default 1e-2
        In (0, 1).

    Returns
    -------
    int

    Examples
    --------
    >>> discount_horizon(0.9), discount_horizon(0.99)
    (44, 459)
    """
    gamma = float(check_in_range(gamma, "gamma", 0.0, 1.0, high_open=True))
    tol = float(check_in_range(tol, "tol", 0.0, 1.0, low_open=True, high_open=True))
    if gamma == 0.0:
        return 1
    return max(1, int(np.ceil(np.log(tol) / np.log(gamma) - 1e-9)))


def discounted_kl(lqr: LinearGaussianLQR, k, sigma, k_new, sigma_new) -> np.ndarray:
    """``sum_t gamma^t E_{s_t ~ (k, sigma)}[ KL(N(k s, sigma^2) || N(k_new s, sigma_new^2)) ]``.

    The KL weighted like the gradient and the Fisher (states from the old policy,
    unnormalised discounted visitation of mass ``1 / (1 - gamma)``):

    ``S (k - k_new)^2 / (2 sigma_new^2)
    + (log(sigma_new / sigma) + sigma^2 / (2 sigma_new^2) - 1/2) / (1 - gamma)``

    with ``S = S(k, sigma)`` (:meth:`LinearGaussianLQR.discounted_second_moment`). Its Hessian
    in ``(k_new, sigma_new)`` at the old parameters is
    ``F = diag(S / sigma^2, 2 / ((1 - gamma) sigma^2))``, so to second order it is
    ``1/2 d^T F d``.

    Parameters
    ----------
    lqr : LinearGaussianLQR
    k, sigma : array-like, broadcastable
        The old policy: stable ``k``, ``sigma > 0``.
    k_new, sigma_new : array-like, broadcastable
        The new policy: any ``k_new``, ``sigma_new > 0``.

    Returns
    -------
    ndarray of the broadcast shape, ``>= 0``

    Notes
    -----
    Derived in ``notebooks/04_kl_and_fisher.ipynb`` (KL vs its quadratic model).
    """
    S = lqr.discounted_second_moment(k, sigma)
    k, sigma = lqr._check(k, sigma)
    k_new = as_array(k_new, "k_new")
    sigma_new = check_positive(sigma_new, "sigma_new")
    ratio2 = (sigma / sigma_new) ** 2
    per_state = np.log(sigma_new / sigma) + 0.5 * ratio2 - 0.5
    kl = S * (k - k_new) ** 2 / (2.0 * sigma_new**2) + per_state / (1.0 - lqr.gamma)
    return np.maximum(kl, 0.0)


@dataclass(frozen=True)
class NaturalStepKL:
    """The natural step of size ``eps`` from ``(k, sigma)`` and its exact KL.

    Attributes
    ----------
    eps : ndarray
        The sizes (``= 1/2 d^T F d``, the quadratic model of the KL).
    step : ndarray of shape eps.shape + (2,)
        ``d = sqrt(2 eps / g^T F^-1 g) F^-1 g``.
    kl : ndarray
        :func:`discounted_kl` at ``(k, sigma) + d``; ``inf`` where the step leaves the
        policies (``sigma + d_sigma <= 0``).
    valid : ndarray of bool
        ``sigma + d_sigma > 0``.
    """

    eps: np.ndarray
    step: np.ndarray
    kl: np.ndarray
    valid: np.ndarray


def natural_step_kl(lqr: LinearGaussianLQR, k: float, sigma: float, eps) -> NaturalStepKL:
    """Exact KL of the natural step, against its quadratic model ``1/2 d^T F d = eps``.

    The natural gradient lowers ``sigma`` (``(F^-1 g)_sigma = -(R + gamma P) sigma^3 < 0``), so
    a large enough ``eps`` asks for ``sigma + d_sigma <= 0``: the quadratic model allows a step
    to a policy that does not exist, and the KL there is reported as ``inf``.

    Parameters
    ----------
    lqr : LinearGaussianLQR
    k, sigma : float
        Start; stable ``k``, ``sigma > 0``.
    eps : float or array-like
        Trust-region sizes, > 0.

    Returns
    -------
    NaturalStepKL

    Notes
    -----
    Derived in ``notebooks/04_kl_and_fisher.ipynb``; drawn by the KL-vs-quadratic explorer.
    """
    from .natural import natural_step  # natural.py does not import gaussian

    k = float(lqr._check_k(np.asarray(k, dtype=float).reshape(())))
    sigma = float(check_positive(sigma, "sigma"))
    eps = check_positive(eps, "eps")
    d = natural_step(lqr.gradient(k, sigma), lqr.fisher_information(k, sigma), eps)
    sigma_new = sigma + d[..., 1]
    valid = sigma_new > 0.0
    kl = np.full(eps.shape, np.inf)
    if np.any(valid):
        kl[valid] = discounted_kl(lqr, k, sigma, k + d[..., 0][valid], sigma_new[valid])
    return NaturalStepKL(eps=eps, step=d, kl=kl, valid=valid)
