"""Plotting layer: draws what the math layer returns, computes nothing of its own.

One picture language for the whole course, defined here once: one colour per concept in every
figure (vanilla blue and natural vermillion, as in the lecture's arrow figure; the optimum gold,
trust regions wine, the phi coordinates sky blue, ...), colour-blind safe (tests/test_palette.py),
the lecture's symbols on the axes, fonts of at least 12 points and 110 dpi for a lecture hall.
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
    "NATURAL_LIGHT",
    "OPTIMUM",
    "EXACT",
    "ESTIMATE",
    "NO_BASELINE",
    "TRUST_REGION",
    "CONSTRAINT",
    "REPARAMETRISED",
    "BOUND",
    "REFERENCE",
    "TRPO",
    "STATES",
    "STATE_MARKERS",
    "DISTINGUISHED_PAIRS",
    "FIGURE_DPI",
    "MIN_FONT_SIZE",
    "MIN_FIGURE_WIDTH",
    "MIN_FIGURE_HEIGHT",
    "LABELS",
    "use_course_style",
    "new_figure",
    "mark_optimum",
    "draw_path",
]

# The palette: colour-blind-safe colours from Okabe & Ito (blue, vermillion, orange, sky blue)
# and Paul Tol (indigo, wine, green), a gold, greys and viridis for the states.
# tests/test_palette.py simulates full-severity deuteranopia, protanopia and tritanopia and
# checks every pair in DISTINGUISHED_PAIRS (CAM02-UCS distance >= 15).

#: colour of everything "vanilla gradient" (arrows, paths, curves, the Euclidean ball)
VANILLA = "#0072b2"
#: colour of everything "natural gradient" (arrows, paths, curves, the ellipse)
NATURAL = "#d55e00"
#: the natural colour at 35 % on white: a wide band under a path drawn on top of it
NATURAL_LIGHT = "#f0c7a6"
#: the optimum, k*, J* and similar targets (a gold star edged in black; dash-dot lines)
OPTIMUM = "#ffc20a"
#: exact / closed-form curves (and the exact flows of notebook 06)
EXACT = "#222222"
#: Monte Carlo estimates (with a baseline, where there is one)
ESTIMATE = "#e69f00"
#: Monte Carlo estimates without a baseline (notebook 01)
NO_BASELINE = "#332288"
#: trust regions that are neither the circle nor the ellipse: the exact KL region, the
#: trust-region box of the first-order picture (notebooks 03 and 05, the explorers)
TRUST_REGION = "#882255"
#: former name of TRUST_REGION, kept for code written against it
CONSTRAINT = TRUST_REGION
#: what is computed in the other coordinates phi (theta = A phi + b): paths, steps, regions
REPARAMETRISED = "#56b4e9"
#: upper bounds (the surrogate's TV and KL bounds, Pinsker's curve), told apart by line style
BOUND = "#117733"
#: neutral reference lines and first-order models, neither vanilla nor natural
REFERENCE = "#8c8c8c"
#: TRPO: the natural step plus a line search, a darker shade of the natural colour
TRPO = "#7b1113"
#: the states of an MDP (notebook 01), told apart by marker as well (sampled from viridis)
STATES = ("#440154", "#31678e", "#32b67a", "#cae11f")
STATE_MARKERS = ("o", "s", "^", "D")

COLORS = {
    "vanilla": VANILLA,
    "natural": NATURAL,
    "optimum": OPTIMUM,
    "exact": EXACT,
    "estimate": ESTIMATE,
    "no_baseline": NO_BASELINE,
    "trust_region": TRUST_REGION,
    "reparametrised": REPARAMETRISED,
    "bound": BOUND,
    "reference": REFERENCE,
    "trpo": TRPO,
    "background": "#ffffff",
    **{f"state_{i}": colour for i, colour in enumerate(STATES)},
}

#: pairs of COLORS keys drawn in one figure, which every reader must tell apart (with the
#: figure that shows them together); tests/test_palette.py checks them under colour blindness
DISTINGUISHED_PAIRS = (
    ("vanilla", "natural", "every comparison"),
    ("vanilla", "optimum", "the k/sigma figure (06), learning curves (07)"),
    ("natural", "optimum", "the k/sigma figure (06), learning curves (07)"),
    ("vanilla", "trust_region", "trust regions (05, explorers)"),
    ("natural", "trust_region", "trust regions (05, explorers)"),
    ("vanilla", "reparametrised", "coordinate paths (03), invariance (05)"),
    ("natural", "reparametrised", "invariance (05), reparametrisation explorer"),
    ("reparametrised", "trust_region", "coordinate paths (03)"),
    ("reparametrised", "optimum", "invariance (05)"),
    ("natural", "trpo", "learning curves (07, 08)"),
    ("vanilla", "trpo", "learning curves (07, 08)"),
    ("trpo", "optimum", "learning curves (07)"),
    ("exact", "estimate", "Monte Carlo error, gradient components (01), surrogate (02)"),
    ("exact", "no_baseline", "gradient components (01)"),
    ("estimate", "no_baseline", "gradient components (01)"),
    ("exact", "reference", "surrogate (02), first-order picture (03)"),
    ("estimate", "reference", "surrogate (02)"),
    ("exact", "bound", "surrogate error, Pinsker (02)"),
    ("estimate", "bound", "Pinsker (02)"),
    ("reference", "optimum", "first-order picture (03)"),
    ("exact", "trust_region", "first-order picture (03)"),
    ("exact", "natural", "KL vs quadratic model (04), flows (06)"),
    ("exact", "vanilla", "flows (06), plateau (07)"),
    ("exact", "optimum", "first-order picture (03)"),
    *(
        (f"state_{i}", f"state_{j}", "state distributions (01)")
        for i in range(len(STATES))
        for j in range(i + 1, len(STATES))
    ),
    *(
        (name, "background", "every line on the white page")
        for name in (
            "vanilla",
            "natural",
            "exact",
            "estimate",
            "no_baseline",
            "trust_region",
            "reparametrised",
            "bound",
            "reference",
            "trpo",
        )
    ),
)

#: resolution of every figure, on screen and stored in a notebook (a projector needs >= 110)
FIGURE_DPI = 110
#: the smallest font size of any text in a course figure, in points
MIN_FONT_SIZE = 12
#: the narrowest figure new_figure makes, in inches (one 6-inch column)
MIN_FIGURE_WIDTH = 6.0
#: the lowest row of panels new_figure makes, in inches
MIN_FIGURE_HEIGHT = 4.0

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
    "figure.dpi": FIGURE_DPI,
    "savefig.dpi": FIGURE_DPI,
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "legend.fontsize": MIN_FONT_SIZE,
    "legend.title_fontsize": MIN_FONT_SIZE,
    "xtick.labelsize": MIN_FONT_SIZE,
    "ytick.labelsize": MIN_FONT_SIZE,
    "figure.titlesize": 15,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def use_course_style() -> None:
    """Apply the course's matplotlib settings: font sizes >= ``MIN_FONT_SIZE`` points, a grid,
    ``FIGURE_DPI`` dots per inch (figures stay readable on a projector)."""
    mpl.rcParams.update(_STYLE)


def new_figure(
    ncols: int = 1, nrows: int = 1, width: float | None = None, height: float = 4.5, **kwargs
):
    """``plt.subplots`` in the course style; width defaults to 6 inches per column.

    Raises
    ------
    ValueError
        If ``width`` is below ``MIN_FIGURE_WIDTH`` (6 inches) or ``height`` (per row) below
        ``MIN_FIGURE_HEIGHT`` (4 inches): a smaller figure shrinks on a projector, and
        tests/test_figures.py checks the stored images' pixel sizes against these bounds.
    """
    width = width if width is not None else MIN_FIGURE_WIDTH * ncols
    if not width >= MIN_FIGURE_WIDTH:
        raise ValueError(
            f"width={width!r} is out of range; valid range: [{MIN_FIGURE_WIDTH}, inf) inches"
        )
    if not height >= MIN_FIGURE_HEIGHT:
        raise ValueError(
            f"height={height!r} is out of range; valid range: [{MIN_FIGURE_HEIGHT}, inf) inches"
        )
    use_course_style()
    return plt.subplots(
        nrows, ncols, figsize=(width, height * nrows), squeeze=False, layout="constrained", **kwargs
    )


def mark_optimum(ax, x: float, y: float, label: str = "optimum") -> None:
    """A star at the optimum, in the optimum colour, with a legend label."""
    ax.plot(
        [x],
        [y],
        marker="*",
        markersize=18,
        color=OPTIMUM,
        markeredgecolor="black",
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
