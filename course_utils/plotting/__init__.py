"""Plotting layer: draws what the math layer returns, computes nothing of its own.

One picture language for the whole course, defined here once: the same colour for
"vanilla" and for "natural" in every figure (blue and red, as in the lecture's arrow figure),
the lecture's symbols on the axes, font sizes readable in a lecture hall.
Topic modules (``plotting.gaussian``, ...) build on :func:`use_course_style` and the colours.
This package imports matplotlib; ``import course_utils`` does not import it.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "COLORS",
    "VANILLA",
    "NATURAL",
    "OPTIMUM",
    "EXACT",
    "ESTIMATE",
    "CONSTRAINT",
    "LABELS",
    "use_course_style",
    "new_figure",
    "mark_optimum",
    "draw_path",
]

#: colour of everything "vanilla gradient" (arrows, paths, curves, the Euclidean ball)
VANILLA = "#1f5fbf"
#: colour of everything "natural gradient" (arrows, paths, curves, the KL ball / ellipse)
NATURAL = "#d62728"
#: the optimum, k* and similar targets
OPTIMUM = "#2ca02c"
#: exact / closed-form curves
EXACT = "#222222"
#: Monte Carlo estimates
ESTIMATE = "#ff7f0e"
#: constraint boundaries that are neither vanilla nor natural (e.g. exact KL level set)
CONSTRAINT = "#7f3fbf"

COLORS = {
    "vanilla": VANILLA,
    "natural": NATURAL,
    "optimum": OPTIMUM,
    "exact": EXACT,
    "estimate": ESTIMATE,
    "constraint": CONSTRAINT,
}

#: axis labels with the lecture's symbols
LABELS = {
    "k": r"gain $k$",
    "sigma": r"$\sigma$ (policy std)",
    "log_sigma": r"$\log\sigma$",
    "theta1": r"$\theta_1$",
    "theta2": r"$\theta_2$",
    "eps": r"trust-region size $\epsilon$",
    "J": r"$J(\theta)$",
    "iteration": "iteration",
    "kl": r"$D_{KL}$",
}

_STYLE = {
    "figure.figsize": (7.0, 4.5),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "legend.fontsize": 11,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def use_course_style() -> None:
    """Apply the course's matplotlib settings (font sizes, grid, modest DPI for small notebooks)."""
    mpl.rcParams.update(_STYLE)


def new_figure(
    ncols: int = 1, nrows: int = 1, width: float | None = None, height: float = 4.5, **kwargs
):
    """``plt.subplots`` in the course style; width defaults to 6 inches per column."""
    use_course_style()
    width = width if width is not None else 6.0 * ncols
    return plt.subplots(
        nrows, ncols, figsize=(width, height * nrows), squeeze=False, layout="constrained", **kwargs
    )


def mark_optimum(ax, x: float, y: float, label: str = "optimum") -> None:
    """A star at the optimum, in the optimum colour, with a legend label."""
    ax.plot(
        [x],
        [y],
        marker="*",
        markersize=16,
        color=OPTIMUM,
        linestyle="none",
        label=label,
        zorder=5,
        clip_on=False,
    )


def draw_path(
    ax,
    points,
    color=VANILLA,
    label=None,
    marker="o",
    markersize=3,
    linestyle="-",
    linewidth=1.8,
    zorder=4,
    **kwargs,
):
    """A path of 2-D points (iterates or a flow), its start marked with a square.

    The one path style of the course: ``(k, sigma)`` ascents of notebook 06, ``theta`` paths of
    notebooks 03 and 05, and the dashboards' paths.

    Parameters
    ----------
    points : array-like of shape (n, 2)
        E.g. ``AscentPath.points``, ``GradientFlow.points`` or a bandit ascent path.
    color, label, marker, markersize, linestyle, linewidth, zorder
        Line style; ``marker=None`` for a flow.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    (matplotlib.lines.Line2D, matplotlib.lines.Line2D)
        The path and its start marker; update with ``.set_data(x, y)``.
    """
    points = np.asarray(points, dtype=float)
    (line,) = ax.plot(
        points[:, 0],
        points[:, 1],
        color=color,
        marker=marker,
        markersize=markersize,
        linestyle=linestyle,
        linewidth=linewidth,
        label=label,
        zorder=zorder,
        **kwargs,
    )
    (start,) = ax.plot(
        points[:1, 0],
        points[:1, 1],
        marker="s",
        markersize=8,
        color=color,
        markeredgecolor="black",
        linestyle="none",
        zorder=zorder + 1,
    )
    return line, start
