"""The KL of the k / sigma policy over a rollout and the natural step's exact KL.

What the KL-vs-quadratic dashboard draws. Derived in ``notebooks/04_kl_and_fisher.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_array, check_in_range, check_positive
from ..natural import natural_step
from .closed_forms import LinearGaussianLQR


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
