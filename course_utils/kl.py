"""Divergences between policies, and the Bernoulli / sigmoid Fisher information.

``KL(p || q) = sum p log(p / q)``; to second order in a parameter step ``d``,
``KL(pi_theta || pi_theta+d) ~= 1/2 d^T F d`` in either argument order (MATH.md section 1).
Derived in ``notebooks/04_kl_and_fisher.ipynb``; total variation and Pinsker's inequality in
``notebooks/02_surrogate_and_importance_sampling.ipynb``.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array, check_distribution, check_positive

__all__ = ["kl_categorical", "kl_gaussian", "kl_bernoulli", "total_variation", "bernoulli_fisher"]


def _check_pair(p, q):
    p = check_distribution(p, "p")
    q = check_distribution(q, "q")
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(
            f"p has {p.shape[-1]} outcomes but q has {q.shape[-1]}; valid: the same number"
        )
    return p, q


def kl_categorical(p, q) -> np.ndarray:
    """``KL(p || q) = sum_a p_a log(p_a / q_a)`` along the last axis.

    Parameters
    ----------
    p, q : array-like of shape (..., K)
        Probability vectors (broadcastable leading dimensions).

    Returns
    -------
    ndarray of shape (...)
        ``>= 0``; terms with ``p_a = 0`` count 0; ``inf`` (not NaN) where some ``q_a = 0 < p_a``.

    Examples
    --------
    >>> float(kl_categorical([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    p, q = _check_pair(p, q)
    p, q = np.broadcast_arrays(p, q)
    # log(0) = -inf where q_a = 0; the discarded branch of np.where may compute 0 * inf
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    return np.maximum(terms.sum(axis=-1), 0.0)


def kl_gaussian(mean1, std1, mean2, std2) -> np.ndarray:
    """``KL(N(mean1, std1^2) || N(mean2, std2^2))``, elementwise.

    ``log(std2 / std1) + (std1^2 + (mean1 - mean2)^2) / (2 std2^2) - 1/2``.

    Parameters
    ----------
    mean1, std1, mean2, std2 : array-like, broadcastable
        Standard deviations (not variances), > 0.

    Returns
    -------
    ndarray of the broadcast shape
    """
    mean1 = as_array(mean1, "mean1")
    mean2 = as_array(mean2, "mean2")
    std1 = check_positive(std1, "std1")
    std2 = check_positive(std2, "std2")
    kl = np.log(std2 / std1) + (std1**2 + (mean1 - mean2) ** 2) / (2.0 * std2**2) - 0.5
    return np.maximum(kl, 0.0)


def kl_bernoulli(theta1, theta2) -> np.ndarray:
    """KL between the Bernoulli distributions with ``P(1) = sigmoid(theta)``, elementwise.

    Computed from logits, stable for large ``|theta|``.
    """
    theta1 = as_array(theta1, "theta1")
    theta2 = as_array(theta2, "theta2")
    # log sigmoid(x) = -logaddexp(0, -x), log(1 - sigmoid(x)) = -logaddexp(0, x): no overflow
    # in exp for |theta| in the hundreds, and 1 - p1 keeps its precision for large theta1
    log_p1, log_q1 = -np.logaddexp(0, -theta1), -np.logaddexp(0, theta1)
    kl = np.exp(log_p1) * (np.logaddexp(0, -theta2) + log_p1) + np.exp(log_q1) * (
        np.logaddexp(0, theta2) + log_q1
    )
    return np.maximum(kl, 0.0)


def total_variation(p, q) -> np.ndarray:
    """``TV(p, q) = 1/2 sum_a |p_a - q_a|`` along the last axis (half the L1 distance).

    Pinsker: ``TV <= sqrt(KL / 2)``. Erratum 3 of MATH.md: the lecture's state-mismatch bound
    ``eps t`` holds in TV, not in L1.
    """
    p, q = _check_pair(p, q)
    return 0.5 * np.abs(p - q).sum(axis=-1)


def bernoulli_fisher(theta) -> np.ndarray:
    """Fisher information of ``Bernoulli(sigmoid(theta))``: ``e^theta / (1 + e^theta)^2``.

    Equal to ``sigmoid(theta) (1 - sigmoid(theta))``; tends to 0 as ``|theta| -> inf``, which is
    why the natural gradient speeds up where the plain gradient crawls (Kakade & Brantley's
    sigmoid example, ``notebooks/04_kl_and_fisher.ipynb``).
    """
    theta = as_array(theta, "theta")
    e = np.exp(-np.abs(theta))  # symmetric in theta; no overflow
    return e / (1.0 + e) ** 2
