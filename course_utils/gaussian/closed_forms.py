"""The k / sigma problem in closed form: J, its gradient, the Fisher matrix, the natural gradient.

:class:`LinearGaussianLQR` holds the setting and the closed forms (also in log sigma); its
paths and its sampling estimators come from the mixins in :mod:`.paths` and :mod:`.sampling`.
Derived in ``notebooks/06_gaussian_k_sigma.ipynb``, sections 2, 4 and 9.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_array, check_in_range, check_positive
from .formulas import optimal_gain
from .paths import _PathsMixin, _unit, angle_between
from .sampling import _SamplingMixin


@dataclass(frozen=True)
class LinearGaussianLQR(_PathsMixin, _SamplingMixin):
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

    def numerical_optimal_gain(self, xatol: float = 1e-10) -> float:
        """``k*`` by direct numerical minimisation of ``P(k)``: the check of :meth:`optimal_gain`.

        As ``sigma -> 0``, ``J -> -P(k) m0``, so ``k* = argmin_k P(k)`` over the stable interval;
        found by bounded scalar minimisation (``scipy.optimize.minimize_scalar``), without the
        Riccati equation that :func:`optimal_gain` solves.

        Parameters
        ----------
        xatol : float, default 1e-10
            Absolute tolerance in ``k``, > 0.

        Returns
        -------
        float

        Notes
        -----
        Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 7 (erratum 4).

        Examples
        --------
        >>> round(LinearGaussianLQR().numerical_optimal_gain(), 6)
        -0.907551
        """
        from scipy.optimize import minimize_scalar  # lazy: scipy.optimize takes ~0.5 s to import

        xatol = float(check_positive(xatol, "xatol"))
        lo, hi = self.stability_interval()
        if not np.isfinite(lo):  # gamma = 0: P(k) = q + R k^2, minimised at k = 0
            lo, hi = -1.0, 1.0
        res = minimize_scalar(
            self.value_coefficient,
            bounds=(lo + 1e-9, hi - 1e-9),
            method="bounded",
            options={"xatol": xatol},
        )
        return float(res.x)

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
