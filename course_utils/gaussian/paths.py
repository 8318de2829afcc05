"""Paths in the (k, sigma) plane: trust-region ascent step by step and the exact gradient flows.

Methods of :class:`course_utils.gaussian.LinearGaussianLQR` (a mixin), the path records and the
angle between two arrows. Derived in ``notebooks/06_gaussian_k_sigma.ipynb``, sections 3 and 5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import as_array, check_in_range, check_int, check_positive


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

    def describe(
        self, k_target: float, tol: float = 0.01, sigma_level: float = 0.01
    ) -> tuple[str, str, str]:
        """Table entries: when ``k`` reached the target, ``k`` once ``sigma`` is small, the end.

        Parameters
        ----------
        k_target : float
            Usually ``k*`` (``LinearGaussianLQR.optimal_gain()``).
        tol : float, default 0.01
            "Reached" means ``|k - k_target| < tol`` (:meth:`iterations_to`); > 0.
        sigma_level : float, default 0.01
            "Small" means ``sigma < sigma_level`` (:meth:`first_below`); > 0.

        Returns
        -------
        reached, k_when_small, end : str
            ``"after 225 steps"`` or ``"not reached in 17 steps"``; ``"-0.380 (step 17)"`` or
            ``"sigma stays >= 0.01"``; the last ``(k, sigma)`` and :attr:`stopped`.

        Notes
        -----
        Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 5 (the same-eps table).

        Examples
        --------
        >>> path = AscentPath(np.array([[-0.2, 0.5], [-0.5, 0.005]]), "max_iter")
        >>> path.describe(-0.5, sigma_level=0.01)
        ('after 1 steps', '-0.500 (step 1)', '(-0.5000, 5.00e-03); max_iter')
        """
        k_target = float(as_array(k_target, "k_target"))
        tol = float(check_positive(tol, "tol"))
        n_hit = self.iterations_to(k_target, tol)
        i_low = self.first_below(sigma_level)
        n = len(self.points) - 1
        reached = f"after {n_hit} steps" if n_hit is not None else f"not reached in {n} steps"
        if i_low is not None:
            k_low = f"{self.points[i_low, 0]:+.3f} (step {i_low})"
        else:
            k_low = f"sigma stays >= {sigma_level:g}"
        k_end, sigma_end = self.points[-1]
        return reached, k_low, f"({k_end:+.4f}, {sigma_end:.2e}); {self.stopped}"


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

    def max_k_deviation(self, points, sigma_min: float = 0.01) -> float:
        """Largest ``|k_path - k_flow(sigma)|`` of a discrete path, over ``sigma >= sigma_min``.

        The distance, measured at equal ``sigma``, between the iterates of a trust-region ascent
        (:meth:`LinearGaussianLQR.ascent_path`) and this flow; it shrinks like the step length
        as ``eps -> 0``.

        Parameters
        ----------
        points : array-like of shape (n, 2)
            ``(k, sigma)`` iterates, e.g. ``AscentPath.points``, starting where the flow starts.
        sigma_min : float, default 0.01
            Only the iterates with ``sigma >= sigma_min`` count; must lie within the flow's
            ``sigma`` range.

        Returns
        -------
        float

        Notes
        -----
        Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 5 (the exact flows).
        """
        points = as_array(points, "points")
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"points has shape {points.shape}; valid: shape (n, 2)")
        lo, hi = float(np.exp(self.log_sigma[-1])), float(np.exp(self.log_sigma[0]))
        sigma_min = float(check_in_range(sigma_min, "sigma_min", lo, hi))
        kept = points[points[:, 1] >= sigma_min]
        if kept.size == 0:
            raise ValueError(
                f"sigma_min={sigma_min!r} leaves no point of the path; valid: at most the "
                f"path's largest sigma ({points[:, 1].max():.6g})"
            )
        return float(np.max(np.abs(kept[:, 0] - self.k_at_sigma(kept[:, 1]))))


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


class _PathsMixin:
    """The ascent paths and gradient flows of :class:`LinearGaussianLQR`."""

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
