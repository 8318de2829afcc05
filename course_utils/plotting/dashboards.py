"""Drawing helpers of the interactive dashboards (``course_utils.widgets``).

Draw-only, like the rest of :mod:`course_utils.plotting`: each ``draw_*`` function makes artists
from arrays that the math layer computed and returns them; each ``move_*`` / ``set_*``
function puts new data into existing artists, so a dashboard updates its one figure in place
instead of drawing a new one. The topic modules :mod:`course_utils.plotting.gaussian` and
:mod:`course_utils.plotting.trust_region` provide the rest.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle
from matplotlib.ticker import LogLocator, NullLocator

from . import EXACT, LABELS, NATURAL, OPTIMUM, REPARAMETRISED, TRUST_REGION, VANILLA

__all__ = [
    "return_levels",
    "draw_stability_shading",
    "move_stability_shading",
    "draw_vertical",
    "masked_directions",
    "draw_arrow",
    "move_arrow",
    "hide",
    "set_line",
    "draw_curve",
    "draw_marker",
    "draw_coordinate_grid",
    "move_coordinate_grid",
    "legend_below",
    "light_log_axes",
]


def return_levels(J, n: int = 12) -> np.ndarray:
    """Contour levels for a return surface ``J <= 0``: geometric in ``-J`` between its 3 % and
    80 % quantiles (the finite values only), so that the levels crowd where ``J`` is flat.

    Parameters
    ----------
    J : ndarray
        Values on a grid; ``-inf`` (unstable) is ignored.
    n : int, default 12

    Returns
    -------
    ndarray of shape (n,), increasing
    """
    cost = -np.asarray(J, dtype=float)
    cost = cost[np.isfinite(cost) & (cost > 0)]
    if cost.size < 2:
        return np.array([-1.0, -0.5])
    lo, hi = np.quantile(cost, [0.03, 0.80])
    hi = max(hi, lo * 1.01)
    return -np.geomspace(hi, lo, n)


def draw_stability_shading(ax, interval, label=r"unstable: $\gamma(1+k)^2 \geq 1$"):
    """Grey bands beyond the stable interval of ``k`` and dashed lines at its ends.

    Returns
    -------
    list
        ``[left band, right band, left line, right line]``; move with
        :func:`move_stability_shading`.
    """
    bands = [
        Rectangle((0.0, -10.0), 0.0, 20.0, color="0.82", zorder=0, label=label),
        Rectangle((0.0, -10.0), 0.0, 20.0, color="0.82", zorder=0),
    ]
    for band in bands:
        ax.add_patch(band)
    lines = [
        ax.axvline(0.0, color="0.35", linestyle="--", linewidth=1.2, zorder=2) for _ in range(2)
    ]
    artists = bands + lines
    move_stability_shading(artists, interval)
    return artists


def move_stability_shading(artists, interval, far: float = 1e3):
    """Put the bands and lines of :func:`draw_stability_shading` at a new stable interval."""
    lo, hi = (float(np.clip(v, -far, far)) for v in interval)
    left, right, line_lo, line_hi = artists
    left.set_x(lo - far)
    left.set_width(far)
    right.set_x(hi)
    right.set_width(far)
    line_lo.set_xdata([lo, lo])
    line_hi.set_xdata([hi, hi])


def draw_vertical(ax, x, color=OPTIMUM, label=None, linestyle=":"):
    """A vertical line at ``x`` (e.g. ``k*``); move with ``line.set_xdata([x, x])``."""
    return ax.axvline(x, color=color, linestyle=linestyle, linewidth=1.6, label=label, zorder=2)


def masked_directions(directions, mask, shape):
    """Scatter ``directions`` (shape (m, 2), for the points where ``mask`` is True) into two
    masked arrays of the grid's ``shape``: the points outside ``mask`` draw no arrow."""
    u = np.ma.masked_all(shape)
    v = np.ma.masked_all(shape)
    if np.any(mask):
        u[mask] = directions[..., 0]
        v[mask] = directions[..., 1]
    return u, v


def draw_arrow(ax, color, label=None, width=0.012):
    """One arrow (a one-element quiver in data units); place it with :func:`move_arrow`."""
    return ax.quiver(
        [0.0],
        [0.0],
        [0.0],
        [0.0],
        angles="xy",
        scale_units="xy",
        scale=1.0,
        color=color,
        width=width,
        headwidth=3.5,
        headlength=4.5,
        headaxislength=4.0,
        zorder=6,
        label=label,
    )


def move_arrow(arrow, start, d):
    """Arrow from ``start`` to ``start + d``."""
    arrow.set_offsets(np.asarray(start, dtype=float).reshape(1, 2))
    arrow.set_UVC([float(d[0])], [float(d[1])])
    arrow.set_visible(True)


def hide(*artists):
    """Hide artists when there is nothing to draw (:func:`set_line` shows a line again)."""
    for artist in artists:
        artist.set_visible(False)


def set_line(line, x, y):
    """``line.set_data(x, y)`` and make it visible."""
    line.set_data(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    line.set_visible(True)


def draw_curve(ax, color, label=None, linestyle="-", linewidth=2.0, **kwargs):
    """An empty line to be filled with :func:`set_line`."""
    (line,) = ax.plot(
        [], [], color=color, linestyle=linestyle, linewidth=linewidth, label=label, **kwargs
    )
    return line


def draw_marker(ax, color, marker="o", markersize=9, label=None, **kwargs):
    """An empty marker (a one-point line without a line) to be placed with :func:`set_line`.

    Edged in black unless ``markeredgecolor`` is given (an open marker: ``markerfacecolor``
    "white" and ``markeredgecolor`` the colour).
    """
    kwargs.setdefault("zorder", 6)
    kwargs.setdefault("markeredgecolor", "black")
    (line,) = ax.plot(
        [],
        [],
        color=color,
        marker=marker,
        markersize=markersize,
        linestyle="none",
        label=label,
        **kwargs,
    )
    return line


def draw_coordinate_grid(ax, lines, colors=("0.55", "0.75")):
    """The coordinate lines of ``phi`` in the ``theta`` plane (from
    :func:`course_utils.bandit.reparametrisation_grid`, shape (2, n, 2, 2)).

    Returns
    -------
    list of LineCollection
        One per family; update with :func:`move_coordinate_grid`.
    """
    return [
        ax.add_collection(
            LineCollection(lines[f], colors=colors[f], linewidths=0.9, zorder=1, label=label)
        )
        for f, label in ((0, r"$\phi_1$ = const"), (1, r"$\phi_2$ = const"))
    ]


def move_coordinate_grid(collections, lines):
    """New segments for the collections of :func:`draw_coordinate_grid`."""
    for family, collection in enumerate(collections):
        collection.set_segments(lines[family])


def legend_below(ax, ncol=3, handles=None, **kwargs):
    """The course's legend placement for dashboards: under the axes, no frame."""
    if handles is not None:
        kwargs["handles"] = handles
    return ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=ncol, frameon=False, **kwargs
    )


def light_log_axes(ax):
    """Log axes without minor ticks and with at most 6 major ones: an interactive figure
    re-renders its tick labels on every full redraw, and dozens of minor ticks cost more than
    the data."""
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            axis.set_minor_locator(NullLocator())
            axis.set_major_locator(LogLocator(numticks=6))
    return ax


#: re-exported colours and labels, so a dashboard imports its style from one place
STYLE = {
    "vanilla": VANILLA,
    "natural": NATURAL,
    "optimum": OPTIMUM,
    "exact": EXACT,
    "trust_region": TRUST_REGION,
    "constraint": TRUST_REGION,
    "reparametrised": REPARAMETRISED,
    "labels": LABELS,
}
