"""Drawing the k / sigma example: arrow fields, contours of J, stability boundary, optimum, paths.

Draw-only: every function takes an ``ax`` and arrays computed by :mod:`course_utils.gaussian`
(:meth:`~course_utils.gaussian.LinearGaussianLQR.unit_fields`,
:meth:`~course_utils.gaussian.LinearGaussianLQR.expected_return`,
:meth:`~course_utils.gaussian.LinearGaussianLQR.ascent_path`, ...) and returns the artists it
made, so that an interactive figure can update them in place (``Quiver.set_UVC``,
``Line2D.set_data``) instead of drawing a new figure. Used in
``notebooks/06_gaussian_k_sigma.ipynb``.
"""

from __future__ import annotations

import numpy as np

from . import EXACT, LABELS, NATURAL, OPTIMUM, VANILLA, draw_path

__all__ = [
    "style_k_sigma_axes",
    "draw_unit_field",
    "draw_return_contours",
    "draw_stability_boundary",
    "draw_optimum",
    "draw_path",
    "draw_k_sigma_panel",
]

#: quiver settings shared by every arrow field: arrows of fixed length in data units
_QUIVER = dict(
    angles="xy",
    scale_units="xy",
    pivot="tail",
    width=0.004,
    headwidth=4.0,
    headlength=4.5,
    headaxislength=4.0,
    zorder=3,
    antialiased=False,
)


def style_k_sigma_axes(
    ax, k_lim=(-2.15, 0.15), sigma_lim=(0.0, 1.05), title=None, sigma_label=None
):
    """Limits, equal aspect (arrow angles on screen are the angles in the ``(k, sigma)`` plane),
    the lecture's axis labels and a title. Returns ``ax``."""
    ax.set_xlim(*k_lim)
    ax.set_ylim(*sigma_lim)
    ax.set_aspect("equal")
    ax.set_xlabel(LABELS["k"])
    ax.set_ylabel(sigma_label if sigma_label is not None else LABELS["sigma"])
    if title is not None:
        ax.set_title(title)
    return ax


def draw_unit_field(ax, k, sigma, directions, color=VANILLA, label=None, length=0.07, **kwargs):
    """Arrows of the unit ``directions`` (shape (..., 2)) at the points ``(k, sigma)``.

    Parameters
    ----------
    ax : matplotlib Axes
    k, sigma : ndarray of the grid's shape
    directions : ndarray of shape (..., 2)
        Unit vectors ``(dk, dsigma)``.
    color : str
        ``VANILLA`` or ``NATURAL`` (or ``ESTIMATE`` for Monte Carlo arrows).
    label : str, optional
    length : float, default 0.07
        Arrow length in data units.
    **kwargs
        Passed to ``ax.quiver`` (e.g. ``alpha``, ``width``). Arrows are drawn without
        anti-aliasing unless ``antialiased=True``: it halves the size of a notebook's stored
        figures, and at 80 dpi the arrows look the same.

    Returns
    -------
    matplotlib.quiver.Quiver
        Update with ``quiver.set_UVC(u, v)`` (same grid).
    """
    opts = dict(_QUIVER, color=color, label=label, scale=1.0 / length)
    opts.update(kwargs)
    return ax.quiver(k, sigma, directions[..., 0], directions[..., 1], **opts)


def draw_return_contours(ax, k, sigma, J, levels, label_fmt="%.2g", color=EXACT):
    """Contour lines of ``J`` on a grid; ``-inf`` (unstable gains) is left blank.

    Parameters
    ----------
    k, sigma, J : ndarray of shape (n_sigma, n_k)
    levels : array-like
        Increasing contour levels.
    label_fmt : str or None
        Inline label format; None for no labels.

    Returns
    -------
    matplotlib.contour.QuadContourSet
        Remove with ``.remove()`` to redraw.
    """
    cs = ax.contour(
        k,
        sigma,
        np.ma.masked_invalid(J),
        levels=levels,
        colors=color,
        linewidths=0.8,
        linestyles="solid",
        alpha=0.4,
        zorder=1,
        antialiased=False,  # halves the stored PNG; thin grey lines look the same at 80 dpi
    )
    if label_fmt is not None:
        ax.clabel(cs, fmt=label_fmt, fontsize=10, inline=True)
    return cs


def draw_stability_boundary(ax, interval, sigma_top=1.05):
    """Dashed lines at the stable interval's ends and grey shading beyond them.

    Parameters
    ----------
    interval : (float, float)
        ``LinearGaussianLQR.stability_interval()``.

    Returns
    -------
    list of artists
        Two lines and two shaded spans.
    """
    lo, hi = interval
    artists = [
        ax.axvline(
            lo,
            color="0.35",
            linestyle="--",
            linewidth=1.2,
            zorder=2,
            label=r"stability boundary $\gamma(1+k)^2 = 1$",
        ),
        ax.axvline(hi, color="0.35", linestyle="--", linewidth=1.2, zorder=2),
        ax.axvspan(lo - 10.0, lo, color="0.85", zorder=0),
        ax.axvspan(hi, hi + 10.0, color="0.85", zorder=0),
    ]
    return artists


def draw_optimum(ax, k_star, label=None):
    """A star at the optimum ``(k*, 0)``.

    Returns
    -------
    matplotlib.lines.Line2D
        Move with ``.set_data([k], [0])``.
    """
    label = label if label is not None else rf"optimum $(k^*, 0)$, $k^* = {k_star:.4f}$"
    (line,) = ax.plot(
        [k_star],
        [0.0],
        marker="*",
        markersize=20,
        color=OPTIMUM,
        markeredgecolor="black",
        linestyle="none",
        label=label,
        zorder=6,
        clip_on=False,
    )
    return line


def draw_k_sigma_panel(
    ax,
    k,
    sigma,
    vanilla=None,
    natural=None,
    contours=None,
    interval=None,
    k_star=None,
    title=None,
    legend=True,
    **axes_kwargs,
):
    """The canonical figure on one axes: J contours, stability boundary, arrows, optimum.

    Parameters
    ----------
    ax : matplotlib Axes
    k, sigma : ndarray of the arrow grid's shape
    vanilla, natural : ndarray of shape (..., 2) or None
        Unit directions (``LinearGaussianLQR.unit_fields``); None to leave one out.
    contours : (k_fine, sigma_fine, J_fine, levels) or None
    interval : (float, float) or None
        Stable interval of ``k``.
    k_star : float or None
    title : str, optional
    legend : bool, default True
    **axes_kwargs
        Passed to :func:`style_k_sigma_axes` (``k_lim``, ``sigma_lim``, ``sigma_label``).

    Returns
    -------
    dict
        ``"contours"``, ``"boundary"``, ``"vanilla"``, ``"natural"``, ``"optimum"`` (present
        when drawn): the artists, for in-place updates.
    """
    artists = {}
    style_k_sigma_axes(ax, title=title, **axes_kwargs)
    if contours is not None:
        artists["contours"] = draw_return_contours(ax, *contours)
    if interval is not None:
        artists["boundary"] = draw_stability_boundary(ax, interval)
    if vanilla is not None:
        artists["vanilla"] = draw_unit_field(
            ax, k, sigma, vanilla, color=VANILLA, label="vanilla gradient (unit)"
        )
    if natural is not None:
        artists["natural"] = draw_unit_field(
            ax, k, sigma, natural, color=NATURAL, label="natural gradient (unit)"
        )
    if k_star is not None:
        artists["optimum"] = draw_optimum(ax, k_star)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    return artists
