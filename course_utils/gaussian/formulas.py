"""The optimal gain of the k / sigma problem and the Gaussian policy's score, as formulas.

Derived in ``notebooks/06_gaussian_k_sigma.ipynb`` (section 2 and, for the score, section 8).
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array, check_in_range, check_positive


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
