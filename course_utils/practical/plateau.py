"""Kakade's two-state plateau in closed form, iterated exactly or integrated as a flow.

MATH.md section 2; derived in ``notebooks/07_practical_npg.ipynb``, section 7.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.special import expit

from .._validation import as_array, check_in_range, check_int, check_positive

# --- Kakade's two-state plateau ----------------------------------------------------------------


def _plateau_switch(x):
    """``(a, b) = (P(switch | i), P(switch | j)) = (sigmoid(-x_i), sigmoid(-x_j))``."""
    x = as_array(x, "x")
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ValueError(f"x has shape {x.shape}; valid: shape (..., 2) = (x_i, x_j)")
    a, b = expit(-x[..., 0]), expit(-x[..., 1])
    if np.any(a + b == 0.0):
        raise ValueError(
            "x makes both P(stay) = 1 to machine precision: the chain is not ergodic and the "
            "stationary distribution is not unique; valid: x_i, x_j below about 700"
        )
    return a, b


def plateau_visitation(x) -> np.ndarray:
    """Stationary distribution ``(d_i, d_j) = (b, a) / (a + b)`` of Kakade's two-state chain.

    ``a = P(switch | i) = 1 - sigmoid(x_i)``, ``b = P(switch | j) = 1 - sigmoid(x_j)``
    (:func:`course_utils.mdp.two_state_mdp`).

    Parameters
    ----------
    x : array-like of shape (..., 2)
        Sigmoid parameters ``(x_i, x_j)``, ``P(stay | s) = sigmoid(x_s)``.

    Returns
    -------
    ndarray of shape (..., 2)
    """
    a, b = _plateau_switch(x)
    return np.stack([b, a], axis=-1) / (a + b)[..., None]


def plateau_average_reward(x) -> np.ndarray:
    """``eta(x) = (b (1 - a) + 2 a (1 - b)) / (a + b)``: the two-state MDP's average reward.

    ``= d_i P(stay | i) 1 + d_j P(stay | j) 2``; the same number as
    :func:`course_utils.mdp.average_reward` on ``sigmoid_theta(x)``.

    Parameters
    ----------
    x : array-like of shape (..., 2)

    Returns
    -------
    ndarray of shape (...)

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``.
    """
    a, b = _plateau_switch(x)
    return (b * (1.0 - a) + 2.0 * a * (1.0 - b)) / (a + b)


def plateau_gradient(x) -> np.ndarray:
    """Exact ``d eta / d x`` of the two-state plateau MDP.

    With ``D = a + b``: ``d eta/da = b (1 - 3 b) / D^2``, ``d eta/db = -a (1 + 3 a) / D^2``
    and ``da/dx_i = -a (1 - a)``, ``db/dx_j = -b (1 - b)``, so
    ``g = (-a (1 - a) b (1 - 3 b), a (1 + 3 a) b (1 - b)) / D^2``.

    Parameters
    ----------
    x : array-like of shape (..., 2)

    Returns
    -------
    ndarray of shape (..., 2)
        Equals column 0 of :func:`course_utils.mdp.average_reward_gradient`.
    """
    a, b = _plateau_switch(x)
    D2 = (a + b) ** 2
    return (
        np.stack([-a * (1 - a) * b * (1 - 3 * b), a * (1 + 3 * a) * b * (1 - b)], axis=-1)
        / D2[..., None]
    )


def plateau_fisher(x) -> np.ndarray:
    """Fisher matrix ``diag(d_i p_i (1 - p_i), d_j p_j (1 - p_j))`` of the sigmoid policy.

    Each state's Bernoulli Fisher ``p (1 - p)`` (:func:`course_utils.kl.bernoulli_fisher`)
    weighted by the stationary distribution, as :func:`course_utils.mdp.average_reward_fisher`.

    Parameters
    ----------
    x : array-like of shape (..., 2)

    Returns
    -------
    ndarray of shape (..., 2, 2)
    """
    a, b = _plateau_switch(x)
    D = a + b
    F = np.zeros(a.shape + (2, 2))
    F[..., 0, 0] = b / D * a * (1 - a)
    F[..., 1, 1] = a / D * b * (1 - b)
    return F


def plateau_natural_gradient(x, damping: float = 1e-3) -> np.ndarray:
    """``(F + damping I)^-1 g`` for the plateau MDP (F is diagonal: an elementwise division).

    Parameters
    ----------
    x : array-like of shape (..., 2)
    damping : float, default 1e-3
        >= 0 (MATH.md section 2 uses 1e-3).

    Returns
    -------
    ndarray of shape (..., 2)
    """
    damping = float(check_in_range(damping, "damping", 0.0))
    F = plateau_fisher(x)
    diag = np.stack([F[..., 0, 0], F[..., 1, 1]], axis=-1) + damping
    if np.any(diag == 0.0):
        raise ValueError("the Fisher matrix is singular at x; valid: damping > 0")
    return plateau_gradient(x) / diag


@dataclass(frozen=True)
class PlateauPath:
    """Iterates of an ascent on the plateau MDP.

    Attributes
    ----------
    t : ndarray of shape (T,)
        Iteration numbers (or flow times, in units of unit-step iterations).
    x : ndarray of shape (T, 2)
    eta : ndarray of shape (T,)
    visitation_j : ndarray of shape (T,)
        Stationary probability of state j.
    first_above : float or None
        First iteration (or time) at which ``eta`` exceeded ``level``; None if never.
    level : float
    """

    t: np.ndarray
    x: np.ndarray
    eta: np.ndarray
    visitation_j: np.ndarray
    first_above: float | None
    level: float


def _plateau_path(t, x, first_above, level) -> PlateauPath:
    return PlateauPath(
        np.asarray(t, dtype=float),
        x,
        plateau_average_reward(x),
        plateau_visitation(x)[:, 1],
        first_above,
        level,
    )


def plateau_ascent(
    x0,
    n_iter: int,
    natural: bool = False,
    damping: float = 1e-3,
    step: float = 1.0,
    record=None,
    level: float = 1.5,
) -> PlateauPath:
    """Exact iterates ``x <- x + step * g`` (or ``step * (F + damping I)^-1 g``) on the plateau.

    A tight scalar loop on the closed forms (about half a microsecond per iteration), so a
    million unit steps take well under a second; use :func:`plateau_flow` beyond that.

    Parameters
    ----------
    x0 : array-like of shape (2,)
        Start, e.g. :data:`course_utils.mdp.PLATEAU_START`.
    n_iter : int
        Iterations, >= 1.
    natural : bool, default False
    damping : float, default 1e-3
        For ``natural`` only.
    step : float, default 1.0
        Learning rate (Kakade's experiment: unit steps), > 0.
    record : array-like of int, optional
        Iterations to store (in ``[0, n_iter]``); default all.
    level : float, default 1.5
        ``first_above`` reports the first iteration with ``eta > level``.

    Returns
    -------
    PlateauPath

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``.
    """
    x0 = as_array(x0, "x0", shape=(2,))
    n_iter = check_int(n_iter, "n_iter")
    damping = float(check_in_range(damping, "damping", 0.0))
    step = float(check_positive(step, "step"))
    level = float(as_array(level, "level"))
    if record is None:
        record = np.arange(n_iter + 1)
    record = np.unique(np.asarray(record, dtype=np.int64))
    if record.size == 0 or record[0] < 0 or record[-1] > n_iter:
        raise ValueError(f"record must hold iterations in [0, {n_iter}]; got {record[:5]}...")
    xs = np.empty((record.size, 2))
    xi, xj = float(x0[0]), float(x0[1])
    first_above = None
    exp = math.exp
    t = 0
    row = 0
    for stop in np.union1d(record, [n_iter]):
        # unit-step iterations up to the next recorded one: each depends on the last
        while True:
            # a = 1 - sigmoid(x_i) = 1 / (1 + e^x_i), ~ e^-x_i where e^x_i would overflow
            a = 1.0 / (1.0 + exp(xi)) if xi < 700.0 else exp(-xi)
            b = 1.0 / (1.0 + exp(xj)) if xj < 700.0 else exp(-xj)
            D = a + b
            if first_above is None and b + 2.0 * a - 3.0 * a * b > level * D:
                first_above = t
            if t == stop:
                break
            if D == 0.0:
                raise ValueError(
                    f"iteration {t} reached x = ({xi:.6g}, {xj:.6g}) where both P(stay) = 1 to "
                    "machine precision: the chain is no longer ergodic; valid: a smaller step"
                )
            D2 = D * D
            gi = -a * (1.0 - a) * b * (1.0 - 3.0 * b) / D2
            gj = a * (1.0 + 3.0 * a) * b * (1.0 - b) / D2
            if natural:
                gi /= b / D * a * (1.0 - a) + damping
                gj /= a / D * b * (1.0 - b) + damping
            xi += step * gi
            xj += step * gj
            t += 1
        if row < record.size and record[row] == stop:
            xs[row] = xi, xj
            row += 1
    return _plateau_path(record, xs, first_above, level)


def plateau_flow(
    x0,
    t_max: float,
    t_eval=None,
    natural: bool = False,
    damping: float = 1e-3,
    level: float = 1.5,
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> PlateauPath:
    """Integrate the gradient flow ``dx/dt = g(x)`` (or the natural flow) with scipy's LSODA.

    Unit-step ascent ``x_{t+1} = x_t + g(x_t)`` is Euler's method with step 1 for this flow;
    Euler is accurate where the step times the Hessian's largest eigenvalue is small
    (``|H| << 1``), which holds along the whole vanilla path (checked in the notebook), so the
    flow at time ``t`` stands for iteration ``t`` of unit-step ascent, for millions of
    iterations at the cost of a few thousand function evaluations.

    Parameters
    ----------
    x0 : array-like of shape (2,)
    t_max : float
        > 0.
    t_eval : array-like, optional
        Times to report, in ``[0, t_max]``; default 200 log-spaced points and 0.
    natural : bool, default False
    damping : float, default 1e-3
    level : float, default 1.5
        ``first_above`` is the flow time at which ``eta`` first crosses ``level`` (an event).
    rtol, atol : float
        Integrator tolerances.

    Returns
    -------
    PlateauPath

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``.
    """
    x0 = as_array(x0, "x0", shape=(2,))
    t_max = float(check_positive(t_max, "t_max"))
    damping = float(check_in_range(damping, "damping", 0.0))
    level = float(as_array(level, "level"))
    if t_eval is None:
        t_eval = np.concatenate([[0.0], np.logspace(0.0, np.log10(t_max), 200)])
    t_eval = check_in_range(t_eval, "t_eval", 0.0, t_max)

    def rhs(_t, x):
        return plateau_natural_gradient(x, damping) if natural else plateau_gradient(x)

    def crossing(_t, x):
        return plateau_average_reward(x) - level

    crossing.direction = 1.0
    sol = solve_ivp(
        rhs,
        (0.0, t_max),
        x0,
        method="LSODA",
        t_eval=t_eval,
        events=crossing,
        rtol=rtol,
        atol=atol,
    )
    if not sol.success:
        raise ValueError(f"the flow integration failed: {sol.message}")
    hits = sol.t_events[0]
    first_above = float(hits[0]) if hits.size else None
    if plateau_average_reward(x0) > level:
        first_above = 0.0
    return _plateau_path(sol.t, sol.y.T.copy(), first_above, level)
