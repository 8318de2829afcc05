"""Figures of notebooks 01 and 02: Monte Carlo convergence, gradient components, the surrogate.

Draw only: every number comes from :mod:`course_utils.mdp` (or from a fit the notebook shows);
these functions place it on axes in the course style.
"""

from __future__ import annotations

import numpy as np

from . import BOUND, ESTIMATE, EXACT, NO_BASELINE, REFERENCE, STATE_MARKERS, STATES

__all__ = [
    "plot_convergence",
    "plot_gradient_components",
    "plot_state_distributions",
    "plot_surrogate",
    "plot_surrogate_error",
    "plot_pinsker",
]


def plot_convergence(ax, n, error, fitted=None, slope=None, label="estimate"):
    """Log-log plot of an estimator's error against the sample size.

    Parameters
    ----------
    ax : matplotlib Axes
    n : array-like of shape (m,)
        Sample sizes (number of trajectories N).
    error : array-like of shape (m,)
        Error at each sample size (e.g. the RMS relative error over repetitions).
    fitted : array-like of shape (m,), optional
        Values of a fitted power law at ``n``, drawn dashed.
    slope : float, optional
        The fitted slope, shown in the legend.
    label : str
    """
    ax.loglog(n, error, "o-", color=ESTIMATE, label=label)
    if fitted is not None:
        text = "fit" if slope is None else f"fit: slope {slope:.2f}"
        ax.loglog(n, fitted, "--", color=EXACT, label=text)
    ax.set_xlabel("number of trajectories $N$")
    ax.set_ylabel(r"relative error $\|\hat g - g\| / \|g\|$")
    ax.legend()


def plot_gradient_components(ax, exact, estimates):
    """Exact gradient components against Monte Carlo estimates with +-2 standard errors.

    Parameters
    ----------
    ax : matplotlib Axes
    exact : array-like of shape (n,)
        The exact gradient, flattened.
    estimates : dict of str to (array-like of shape (n,), array-like of shape (n,))
        Label -> (estimate, standard error), drawn side by side at each component; at most
        two, the first in the estimate colour, the second (notebook 01: without a baseline)
        in the no-baseline colour.
    """
    if len(estimates) > 2:
        raise ValueError(f"estimates has {len(estimates)} entries; valid: 1 or 2")
    exact = np.asarray(exact).ravel()
    index = np.arange(exact.size)
    ax.plot(
        index,
        exact,
        "_",
        color=EXACT,
        markersize=22,
        markeredgewidth=3,
        label=r"exact $g$",
        zorder=3,
    )
    colours = [ESTIMATE, NO_BASELINE]
    width = 0.25
    for j, (label, (est, se)) in enumerate(estimates.items()):
        offset = (j - (len(estimates) - 1) / 2) * width
        ax.errorbar(
            index + offset,
            np.asarray(est).ravel(),
            yerr=2 * np.asarray(se).ravel(),
            fmt="o",
            color=colours[j],
            capsize=3,
            label=rf"{label} ($\pm 2$ SE)",
        )
    ax.axhline(0.0, color=EXACT, linewidth=0.8)
    ax.set_xticks(index)
    ax.set_xlabel(r"component of $\theta$ (index of $(s, a)$)")
    ax.set_ylabel(r"$\partial J / \partial \theta$")
    ax.legend()


def plot_state_distributions(ax, p):
    """``p_t(s)`` against ``t``, one line per state.

    Parameters
    ----------
    ax : matplotlib Axes
    p : array-like of shape (T + 1, S)
        Row ``t`` is the state distribution at time ``t``.
    """
    p = np.asarray(p)
    if p.ndim != 2 or not 1 <= p.shape[1] <= len(STATES):
        raise ValueError(f"p has shape {p.shape}; valid: (T + 1, S) with 1 <= S <= {len(STATES)}")
    t = np.arange(p.shape[0])
    for s in range(p.shape[1]):
        ax.plot(
            t,
            p[:, s],
            marker=STATE_MARKERS[s],
            markersize=5,
            color=STATES[s],
            label=f"$s = {s}$",
        )
    ax.set_xlabel("time step $t$")
    ax.set_ylabel(r"$p_t(s) = \Pr(s_t = s)$")
    ax.legend(ncols=2)


def plot_surrogate(ax, step, true, surrogate, linear=None):
    """True improvement ``J(theta') - J(theta)`` and the surrogate ``Abar(theta')`` along a line.

    Parameters
    ----------
    ax : matplotlib Axes
    step : array-like of shape (m,)
        Distance ``t`` along the direction, ``theta' = theta + t u``.
    true, surrogate : array-like of shape (m,)
    linear : array-like of shape (m,), optional
        The first-order model ``t g^T u``.
    """
    ax.plot(step, true, color=EXACT, label=r"true $J(\theta') - J(\theta)$")
    ax.plot(step, surrogate, "--", color=ESTIMATE, label=r"surrogate $\bar A(\theta')$")
    if linear is not None:
        ax.plot(step, linear, ":", color=REFERENCE, label=r"linear $t\, g^\top u$")
    ax.set_xlabel(r"step $t$ along $u$:  $\theta' = \theta + t u$")
    ax.set_ylabel("improvement")
    ax.legend()


def plot_surrogate_error(ax, step, error, bounds):
    """Log-log plot of ``|J(theta') - J(theta) - Abar(theta')|`` with upper bounds.

    Parameters
    ----------
    ax : matplotlib Axes
    step : array-like of shape (m,)
    error : array-like of shape (m,)
    bounds : dict of str to array-like of shape (m,)
        Label -> bound values, at most three, in the bound colour, told apart by line style
        (dashed, dash-dot, dotted).
    """
    ax.loglog(
        step,
        error,
        "o-",
        color=EXACT,
        markersize=4,
        label=r"$|J(\theta') - J(\theta) - \bar A(\theta')|$",
    )
    styles = [(BOUND, "--"), (BOUND, "-."), (BOUND, ":")]
    for (label, bound), (colour, linestyle) in zip(bounds.items(), styles, strict=False):
        ax.loglog(step, bound, linestyle, color=colour, label=label)
    ax.set_xlabel(r"step $t$")
    ax.set_ylabel("error of the surrogate")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18))  # under the axes: off the curves


def plot_pinsker(ax, kl, tv, kl_grid, pinsker):
    """Scatter of ``(KL, TV)`` pairs under Pinsker's curve ``sqrt(KL / 2)``.

    Parameters
    ----------
    ax : matplotlib Axes
    kl, tv : array-like of shape (m,)
        KL divergence and total variation of each random pair.
    kl_grid, pinsker : array-like of shape (k,)
        The curve ``sqrt(KL / 2)`` evaluated on a grid of KL values.
    """
    ax.loglog(kl, tv, ".", color=ESTIMATE, markersize=3, alpha=0.5, label="random pairs $(p, q)$")
    ax.loglog(kl_grid, pinsker, color=BOUND, label=r"Pinsker: $\sqrt{KL/2}$")
    ax.set_xlabel(r"$D_{KL}(p \,\|\, q)$")
    ax.set_ylabel(r"$TV(p, q)$")
    ax.legend()
