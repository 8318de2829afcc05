"""Drawing the k / sigma example: arrow fields, contours of J, stability boundary, optimum, paths.

Draw-only: every function takes an ``ax`` and arrays computed by :mod:`course_utils.gaussian`
(:meth:`~course_utils.gaussian.LinearGaussianLQR.unit_fields`,
:meth:`~course_utils.gaussian.LinearGaussianLQR.expected_return`,
:meth:`~course_utils.gaussian.LinearGaussianLQR.ascent_path`, ...) and returns the artists it
made, so that an interactive figure can update them in place (``Quiver.set_UVC``,
``Line2D.set_data``) instead of drawing a new figure. Used in
``notebooks/06_gaussian_k_sigma.ipynb``; the multi-panel figures of its sections 5, 6 and 9
(:func:`draw_steps_and_flows`, :func:`draw_flows_log_sigma`, :func:`draw_estimated_fields`,
:func:`draw_reparametrised_fields`) live here too.
"""

from __future__ import annotations

import numpy as np
from matplotlib.quiver import Quiver

from . import EXACT, LABELS, MIN_FONT_SIZE, NATURAL, OPTIMUM, VANILLA, draw_path

__all__ = [
    "style_k_sigma_axes",
    "draw_unit_field",
    "draw_return_contours",
    "draw_stability_boundary",
    "draw_optimum",
    "draw_path",
    "draw_k_sigma_panel",
    "draw_steps_and_flows",
    "draw_flows_log_sigma",
    "draw_estimated_fields",
    "draw_reparametrised_fields",
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
        figures, and at 110 dpi the arrows look the same.

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
        Inline label format; None for no labels. Labels are black, 12 pt, on a white box
        drawn above the arrows, so a lecture hall can read them.

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
        antialiased=False,  # halves the stored PNG; thin grey lines look the same at 110 dpi
    )
    if label_fmt is not None:
        labels = ax.clabel(cs, fmt=label_fmt, fontsize=MIN_FONT_SIZE, inline=True)
        for text in labels:
            text.set(color=EXACT, alpha=1.0, zorder=4)  # above the arrows (zorder 3)
            text.set_bbox({"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0})
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


def _check_points(points, name):
    """``points`` as an (n, 2) array, else ValueError naming the argument."""
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"{name} has shape {points.shape}; valid: shape (n, 2) of (k, sigma)")
    return points


def draw_steps_and_flows(
    ax, vanilla_paths, natural_paths, flows=(), fields_alpha=0.25, flow_label="exact flows"
):
    """Trust-region iterates and exact flows over a drawn :func:`draw_k_sigma_panel`.

    The arrow fields already on ``ax`` fade to ``fields_alpha`` behind the paths; vanilla
    iterates in the vanilla colour, natural ones in the natural colour, the flows dotted
    black; the legend goes below the axes.

    Parameters
    ----------
    ax : matplotlib Axes
        With the canonical panel drawn on it.
    vanilla_paths, natural_paths : sequence of array-like of shape (n, 2)
        ``AscentPath.points`` of each rule.
    flows : sequence of array-like of shape (n, 2), default ()
        ``GradientFlow.points``.
    fields_alpha : float, default 0.25
        Opacity of the arrow fields behind the paths, in [0, 1].
    flow_label : str, default "exact flows"

    Returns
    -------
    list of (Line2D, Line2D)
        :func:`draw_path`'s (path, start marker) per path and flow: vanilla paths, natural
        paths, flows, each in the order given.

    Notes
    -----
    Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 5 (steps with the same eps).
    """
    if not 0.0 <= fields_alpha <= 1.0:
        raise ValueError(f"fields_alpha={fields_alpha!r} is out of range; valid range: [0, 1]")
    for artist in ax.collections:
        if isinstance(artist, Quiver):
            artist.set_alpha(fields_alpha)
    lines = []
    for paths, color, name in (
        (vanilla_paths, VANILLA, "vanilla steps"),
        (natural_paths, NATURAL, "natural steps"),
    ):
        for i, points in enumerate(paths):
            points = _check_points(points, f"{name.split()[0]}_paths[{i}]")
            lines.append(draw_path(ax, points, color=color, label=name if i == 0 else None))
    for i, points in enumerate(flows):
        lines.append(
            draw_path(
                ax,
                _check_points(points, f"flows[{i}]"),
                color="black",
                marker=None,
                linestyle=":",
                linewidth=2.5,
                zorder=6,
                label=flow_label if i == 0 else None,
            )
        )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    return lines


def draw_flows_log_sigma(ax, vanilla_flow, natural_flow, k_star, sigma_floor=1e-200, title=None):
    """The two flows' paths with ``sigma`` on a log axis, down to ``sigma_floor``.

    Shows how far down the vanilla flow must go before it reaches ``k*`` (a dash-dot line in
    the optimum's colour).

    Parameters
    ----------
    ax : matplotlib Axes
    vanilla_flow, natural_flow : array-like of shape (n, 2)
        ``GradientFlow.points`` (``sigma > 0``).
    k_star : float
        Drawn as a dash-dot vertical line in the optimum's colour.
    sigma_floor : float, default 1e-200
        Lower end of the ``sigma`` axis, in (0, 1); ticks every 50 decades.
    title : str, optional

    Returns
    -------
    list
        :func:`draw_path`'s (path, start marker) of the vanilla and of the natural flow, then
        the ``k*`` line.

    Notes
    -----
    Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 5 (the exact flows).
    """
    if not 0.0 < sigma_floor < 1.0:
        raise ValueError(f"sigma_floor={sigma_floor!r} is out of range; valid range: (0, 1)")
    vanilla_flow = _check_points(vanilla_flow, "vanilla_flow")
    natural_flow = _check_points(natural_flow, "natural_flow")
    lines = [
        draw_path(ax, vanilla_flow, color=VANILLA, marker=None, label="vanilla flow"),
        draw_path(ax, natural_flow, color=NATURAL, marker=None, label="natural flow"),
        # on top: the natural flow ends on this line, and both must stay visible
        ax.axvline(k_star, color=OPTIMUM, linestyle="-.", linewidth=2.5, label=r"$k^*$", zorder=6),
    ]
    ax.set_yscale("log")
    lowest = int(np.ceil(np.log10(sigma_floor) / 50.0)) * 50  # the lowest tick inside the axis
    ax.set_yticks([10.0**e for e in range(lowest, 0, 50)] + [1.0])
    ax.set_ylim(sigma_floor, 1.0)
    ax.minorticks_off()
    ax.set_xlabel(LABELS["k"])
    ax.set_ylabel(r"$\sigma$ (log scale)")
    ax.set_title(title if title is not None else r"The flows, $\sigma$ on a log axis")
    ax.legend(loc="center right")  # the vanilla flow runs down the left, to the bottom
    return lines


def draw_estimated_fields(axes, k, sigma, exact, estimates, k_star, length=0.13):
    """One panel per Monte Carlo arrow field, over the exact field in grey.

    Parameters
    ----------
    axes : sequence of matplotlib Axes
        As many as ``estimates``.
    k, sigma : ndarray of the grid's shape
    exact : ndarray of shape (..., 2)
        Exact unit directions (``LinearGaussianLQR.unit_fields``).
    estimates : dict of str -> ndarray of shape (..., 2)
        Panel title -> estimated unit directions (``LinearGaussianLQR.estimate_unit_fields``).
    k_star : float
    length : float, default 0.13
        Arrow length in data units, > 0.

    Returns
    -------
    list of matplotlib.quiver.Quiver
        The estimated fields, one per panel.

    Notes
    -----
    Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 6 (Monte Carlo arrows).
    """
    axes = list(np.ravel(axes))
    if len(axes) != len(estimates):
        raise ValueError(
            f"axes has {len(axes)} panels for {len(estimates)} estimates; valid: one per estimate"
        )
    if not length > 0:
        raise ValueError(f"length={length!r} is out of range; valid range: (0, inf)")
    quivers = []
    for ax, (title, field) in zip(axes, estimates.items(), strict=True):
        style_k_sigma_axes(ax, k_lim=(-1.85, 0.05), sigma_lim=(0.0, 0.95), title=title)
        draw_unit_field(ax, k, sigma, exact, color=EXACT, alpha=0.35, length=length, label="exact")
        quivers.append(
            draw_unit_field(ax, k, sigma, field, color=NATURAL, length=length, label="Monte Carlo")
        )
        draw_optimum(ax, k_star, label=r"$(k^*, 0)$")
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
    return quivers


def draw_reparametrised_fields(axes, k, sigma, fields, fields_log, **panel):
    """Vanilla and natural panels, each field in sigma (dark) and in log sigma (light).

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
    k, sigma : ndarray of the grid's shape
    fields, fields_log : (vanilla, natural), each ndarray of shape (..., 2)
        ``LinearGaussianLQR.unit_fields(k, sigma)`` and the same with
        ``parametrisation="log_sigma"``.
    **panel
        Passed to :func:`draw_k_sigma_panel` (``contours``, ``interval``, ``k_star``).

    Returns
    -------
    list of dict
        Per panel: the :func:`draw_k_sigma_panel` artists and ``"sigma"``, ``"log_sigma"``
        (the two quivers).

    Notes
    -----
    Used in ``notebooks/06_gaussian_k_sigma.ipynb``, section 9 (parametrising by log sigma).
    """
    axes = list(np.ravel(axes))
    if len(axes) != 2 or len(fields) != 2 or len(fields_log) != 2:
        raise ValueError(
            f"axes, fields, fields_log have {len(axes)}, {len(fields)}, {len(fields_log)} "
            "entries; valid: two each (vanilla, natural)"
        )
    drawn = []
    for ax, field, field_log, color, name in zip(
        axes, fields, fields_log, (VANILLA, NATURAL), ("vanilla", "natural"), strict=True
    ):
        title = rf"{name}: $\sigma$ (dark) vs $\log\sigma$ (light)"
        artists = draw_k_sigma_panel(ax, k, sigma, legend=False, title=title, **panel)
        artists["sigma"] = draw_unit_field(
            ax, k, sigma, field, color=color, label=rf"{name}, parameter $\sigma$"
        )
        artists["log_sigma"] = draw_unit_field(
            ax,
            k,
            sigma,
            field_log,
            color=color,
            alpha=0.4,
            width=0.008,
            label=rf"{name}, parameter $\log\sigma$",
        )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
        drawn.append(artists)
    return drawn
