"""Draw trust regions in a 2-parameter plane: circles, ellipses, KL regions, steps, paths.

Every function draws on a given ``ax`` what the math layer computed and returns the artists
it created (so widgets can update or remove them); none of them computes anything:

- the circle ``||d||^2 = eps`` and the ellipse ``1/2 d^T F d = eps`` come from
  :func:`course_utils.natural.trust_region_boundary`;
- the exact KL region is a grid of ``KL(pi_theta || pi_theta')`` values, e.g. from
  :meth:`course_utils.bandit.SoftmaxBandit.kl`;
- steps from :func:`course_utils.natural.vanilla_step` / :func:`~course_utils.natural.natural_step`;
- paths from :func:`course_utils.bandit.ascent_path`.

Colours follow the course: vanilla blue, natural red, the exact KL constraint purple.
Used in ``notebooks/03_taylor_and_trust_regions.ipynb`` and
``notebooks/05_natural_gradient.ipynb``.

Examples
--------
>>> import numpy as np
>>> from course_utils.bandit import SoftmaxBandit
>>> from course_utils.natural import trust_region_boundary, vanilla_step
>>> from course_utils.plotting import new_figure
>>> bandit, theta = SoftmaxBandit(), np.zeros(2)
>>> fig, axes = new_figure()
>>> ax = axes[0, 0]
>>> artists = draw_circle(ax, theta, trust_region_boundary(0.25))
>>> arrow = draw_step(ax, theta, vanilla_step(bandit.gradient(theta), 0.25))
"""

from __future__ import annotations

import numpy as np

from . import CONSTRAINT, EXACT, LABELS, NATURAL, OPTIMUM, VANILLA, draw_path

__all__ = [
    "draw_objective",
    "draw_trust_region",
    "draw_circle",
    "draw_ellipse",
    "draw_kl_region",
    "draw_step",
    "draw_path",
    "draw_taylor_slice",
    "label_theta_axes",
]


def label_theta_axes(ax, xlabel: str = LABELS["theta1"], ylabel: str = LABELS["theta2"]):
    """Label the axes with the lecture's symbols and make the units equal (circles look round).

    Returns
    -------
    list
        The two axis-label ``Text`` artists.
    """
    ax.set_aspect("equal", adjustable="box")
    return [ax.set_xlabel(xlabel), ax.set_ylabel(ylabel)]


def draw_objective(
    ax,
    theta1,
    theta2,
    J,
    levels=15,
    cmap: str = "Greys",
    colorbar: bool = True,
    label: str = LABELS["J"],
):
    """Filled contours of the objective ``J`` on a grid (light grey: the arrows stay visible).

    Parameters
    ----------
    ax : matplotlib Axes
    theta1, theta2 : array-like of shape (n2, n1)
        Grid coordinates (``np.meshgrid``).
    J : array-like of shape (n2, n1)
        Objective on the grid.
    levels : int or array-like, default 15
    cmap : str, default "Greys"
    colorbar : bool, default True
    label : str
        Colour-bar label.

    Returns
    -------
    list
        ``[QuadContourSet]`` plus the ``Colorbar`` if drawn.
    """
    filled = ax.contourf(theta1, theta2, J, levels=levels, cmap=cmap, alpha=0.55, zorder=0)
    artists = [filled]
    if colorbar:
        artists.append(ax.figure.colorbar(filled, ax=ax, label=label, shrink=0.85))
    return artists


def draw_trust_region(
    ax,
    center,
    boundary,
    color: str = CONSTRAINT,
    label: str | None = None,
    fill: bool = False,
    linestyle: str = "-",
    linewidth: float = 2.0,
):
    """A closed trust-region boundary ``center + boundary`` (and its centre point).

    Parameters
    ----------
    ax : matplotlib Axes
    center : array-like of shape (2,)
        The current parameters ``theta``.
    boundary : array-like of shape (n, 2)
        Offsets ``d`` on the boundary (:func:`course_utils.natural.trust_region_boundary`).
    color : str
    label : str, optional
        Legend label.
    fill : bool, default False
        Shade the inside lightly.
    linestyle : str, default "-"
    linewidth : float, default 2.0

    Returns
    -------
    list
        ``[Line2D boundary, Line2D centre]`` plus the fill ``Polygon`` if ``fill``.
    """
    center = np.asarray(center, dtype=float)
    pts = center + np.asarray(boundary, dtype=float)
    (line,) = ax.plot(
        pts[:, 0],
        pts[:, 1],
        color=color,
        linestyle=linestyle,
        linewidth=linewidth,
        label=label,
        zorder=3,
    )
    (dot,) = ax.plot(
        [center[0]], [center[1]], marker="o", color=EXACT, markersize=6, linestyle="none", zorder=4
    )
    artists = [line, dot]
    if fill:
        artists.extend(ax.fill(pts[:, 0], pts[:, 1], color=color, alpha=0.12, zorder=2))
    return artists


def draw_circle(ax, center, boundary, label: str | None = r"$\|d\|^2 = \epsilon$", **kwargs):
    """The gradient-ascent trust region ``||d||^2 = eps``, in the vanilla colour.

    ``boundary`` = ``trust_region_boundary(eps)``; other keywords as :func:`draw_trust_region`.
    """
    kwargs.setdefault("color", VANILLA)
    return draw_trust_region(ax, center, boundary, label=label, **kwargs)


def draw_ellipse(
    ax, center, boundary, label: str | None = r"$\frac{1}{2} d^\top F d = \epsilon$", **kwargs
):
    """The natural-gradient trust region ``1/2 d^T F d = eps``, in the natural colour.

    ``boundary`` = ``trust_region_boundary(eps, F)``; other keywords as
    :func:`draw_trust_region`.
    """
    kwargs.setdefault("color", NATURAL)
    kwargs.setdefault("linestyle", "--")
    return draw_trust_region(ax, center, boundary, label=label, **kwargs)


def draw_kl_region(
    ax,
    theta1,
    theta2,
    kl,
    eps: float,
    color: str = CONSTRAINT,
    label: str | None = r"exact $D_{KL} \leq \epsilon$",
    filled: bool = True,
    linestyle: str = "-",
):
    """The exact region ``KL <= eps``: its boundary (and a light fill), from a grid of KL values.

    Parameters
    ----------
    ax : matplotlib Axes
    theta1, theta2 : array-like of shape (n2, n1)
        Grid of ``theta'`` (``np.meshgrid``).
    kl : array-like of shape (n2, n1)
        ``KL(pi_theta || pi_theta')`` on the grid.
    eps : float
        The level.
    color : str, default the constraint colour (purple)
    label : str, optional
        Legend label (a proxy artist carries it: contour sets have no legend entry).
    filled : bool, default True
    linestyle : str, default "-"

    Returns
    -------
    list
        ``[QuadContourSet line, proxy]`` and the filled ``QuadContourSet`` if ``filled``.
    """
    artists = [
        ax.contour(
            theta1,
            theta2,
            kl,
            levels=[eps],
            colors=[color],
            linewidths=2.5,
            linestyles=[linestyle],
            zorder=3,
        )
    ]
    if filled:
        artists.append(
            ax.contourf(
                theta1, theta2, kl, levels=[-np.inf, eps], colors=[color], alpha=0.15, zorder=1
            )
        )
    # an empty artist in the axes carries the legend entry
    if filled:
        (proxy,) = ax.fill([], [], facecolor=color, alpha=0.3, edgecolor=color, label=label)
    else:
        (proxy,) = ax.plot([], [], color=color, linestyle=linestyle, linewidth=2.5, label=label)
    artists.append(proxy)
    return artists


def draw_step(ax, start, d, color: str = VANILLA, label: str | None = None, linewidth: float = 2.5):
    """An arrow from ``start`` to ``start + d`` (a trust-region step).

    Returns
    -------
    list
        ``[Annotation arrow, Line2D proxy]``; the proxy (an empty line) carries the legend
        label, since arrows have no legend entry.
    """
    start = np.asarray(start, dtype=float)
    end = start + np.asarray(d, dtype=float)
    arrow = ax.annotate(
        "",
        xy=tuple(end),
        xytext=tuple(start),
        zorder=5,
        arrowprops={
            "arrowstyle": "-|>",
            "color": color,
            "lw": linewidth,
            "mutation_scale": 18,
            "shrinkA": 0,
            "shrinkB": 0,
        },
    )
    (proxy,) = ax.plot([], [], color=color, linewidth=linewidth, label=label)
    return [arrow, proxy]


def draw_taylor_slice(
    ax,
    t,
    J,
    J_linear,
    t_max: float,
    t_best: float | None = None,
    xlabel: str = r"step $t$ along $u$",
    ylabel: str = r"$J(\theta + t u)$",
):
    """The lecture's picture: the curve, its tangent line, and the trust-region box around 0.

    Seed 001 draws a blue curve, a green line and a red box; here the curve is black, the line
    green and the box purple, since blue and red mean "vanilla" and "natural" in this course.

    Parameters
    ----------
    ax : matplotlib Axes
    t : array-like of shape (n,)
        Step sizes along a direction ``u``.
    J : array-like of shape (n,)
        The objective along the line, ``J(theta + t u)`` (the "blue curve" of seed 001).
    J_linear : array-like of shape (n,)
        Its first-order model ``J(theta) + t g^T u`` (the "green line").
    t_max : float
        Half-width of the trust region ``|t| <= t_max`` (the "red box").
    t_best : float, optional
        Where the linear model is best inside the box; marked on both curves.
    xlabel, ylabel : str

    Returns
    -------
    dict
        ``{"curve", "tangent", "box"}`` and, with ``t_best``, ``"best_model"``, ``"best_true"``.
    """
    (curve,) = ax.plot(t, J, color=EXACT, label=r"objective $J$")
    (tangent,) = ax.plot(
        t,
        J_linear,
        color=OPTIMUM,
        linestyle="--",
        label=r"first-order model $J(\theta) + t\, g^\top u$",
    )
    box = ax.axvspan(-t_max, t_max, color=CONSTRAINT, alpha=0.15, label="trust region")
    artists = {"curve": curve, "tangent": tangent, "box": box}
    if t_best is not None:
        t_arr = np.asarray(t, dtype=float)
        i = int(np.argmin(np.abs(t_arr - t_best)))
        (artists["best_model"],) = ax.plot(
            [t_arr[i]],
            [np.asarray(J_linear)[i]],
            marker="o",
            color=OPTIMUM,
            markersize=9,
            linestyle="none",
            label="best point of the model",
        )
        (artists["best_true"],) = ax.plot(
            [t_arr[i]],
            [np.asarray(J)[i]],
            marker="o",
            color=EXACT,
            markersize=9,
            linestyle="none",
            label=r"true $J$ there",
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return artists
