"""Draw trust regions in a 2-parameter plane: circles, ellipses, KL regions, steps, paths.

Every function draws on a given ``ax`` what the math layer computed and returns the artists
it created (so widgets can update or remove them); none of them computes anything:

- the circle ``||d||^2 = eps`` and the ellipse ``1/2 d^T F d = eps`` come from
  :func:`course_utils.natural.trust_region_boundary`;
- the exact KL region is a grid of ``KL(pi_theta || pi_theta')`` values, e.g. from
  :meth:`course_utils.bandit.SoftmaxBandit.kl`;
- steps from :func:`course_utils.natural.vanilla_step` / :func:`~course_utils.natural.natural_step`;
- paths from :func:`course_utils.bandit.ascent_path`;
- the exact KL against its quadratic model along a line from
  :func:`course_utils.bandit.kl_along_line`.

Colours follow the course: vanilla blue, natural vermillion, the exact KL region wine, what is
computed in the coordinates phi sky blue.
The ``plot_*`` functions at the end lay out whole figures of the notebooks from these pieces.
Used in ``notebooks/03_taylor_and_trust_regions.ipynb``, ``notebooks/04_kl_and_fisher.ipynb``
and ``notebooks/05_natural_gradient.ipynb``.

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

from .._validation import as_array, check_in_range, check_positive
from . import (
    EXACT,
    LABELS,
    NATURAL,
    OPTIMUM,
    REFERENCE,
    REPARAMETRISED,
    TRUST_REGION,
    VANILLA,
    draw_path,
    new_figure,
)

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
    "plot_coordinate_paths",
    "plot_trust_regions",
    "plot_invariance_paths",
    "plot_kl_against_quadratic",
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
    color: str = TRUST_REGION,
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
    color: str = TRUST_REGION,
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
    color : str, default the trust-region colour (wine)
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
    grey (a first-order model, as in notebook 02) and the box wine (a trust region), since blue
    and red mean "vanilla" and "natural" in this course; the model's best point is gold.

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
        color=REFERENCE,
        linestyle="--",
        label=r"first-order model $J(\theta) + t\, g^\top u$",
    )
    box = ax.axvspan(-t_max, t_max, color=TRUST_REGION, alpha=0.15, label="trust region")
    artists = {"curve": curve, "tangent": tangent, "box": box}
    if t_best is not None:
        t_arr = np.asarray(t, dtype=float)
        i = int(np.argmin(np.abs(t_arr - t_best)))
        (artists["best_model"],) = ax.plot(
            [t_arr[i]],
            [np.asarray(J_linear)[i]],
            marker="o",
            color=OPTIMUM,
            markeredgecolor="black",
            markersize=10,
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


# --- whole figures of notebooks 03-05 ---------------------------------------------------------


def _check_path(points, name: str) -> np.ndarray:
    points = as_array(points, name, ndim=2)
    if points.shape[1] != 2 or points.shape[0] < 2:
        raise ValueError(f"{name} has shape {points.shape}; valid: shape (n, 2) with n >= 2")
    return points


def plot_coordinate_paths(
    theta1, theta2, J, path_theta, path_phi, boundary_theta, boundary_phi, zoom: float = 0.35
):
    """Gradient ascent in ``theta`` and in ``phi`` (``theta = A phi + b``), both drawn in ``theta``.

    Left: the two paths over the objective. Right: a zoom on the start ``theta_0`` with the two
    trust regions seen in ``theta`` (the circle ``||d_theta||^2 = eps`` and its image
    ``{A d_phi : ||d_phi||^2 = eps}``, an ellipse) and the first step of each path. Seen in
    ``theta``, a step of the ``phi``-path is ``alpha A A^T g`` instead of ``alpha g``.

    Parameters
    ----------
    theta1, theta2 : array-like of shape (n2, n1)
        Grid coordinates (``np.meshgrid``).
    J : array-like of shape (n2, n1)
        Objective on the grid.
    path_theta, path_phi : array-like of shape (n_steps + 1, 2)
        :func:`course_utils.bandit.ascent_path` without and with ``A, b``; both start at
        ``theta_0 = path_theta[0]``.
    boundary_theta, boundary_phi : array-like of shape (n, 2)
        ``trust_region_boundary(eps)`` and its image ``trust_region_boundary(eps) @ A.T``.
    zoom : float, default 0.35
        Half-width of the right panel around ``theta_0``, > 0.

    Returns
    -------
    (Figure, ndarray of Axes of shape (1, 2))

    Raises
    ------
    ValueError
        If a path or boundary is not of shape (n, 2) or ``zoom <= 0``.

    Notes
    -----
    Drawn in ``notebooks/03_taylor_and_trust_regions.ipynb``, section 5 (gradient ascent
    depends on the coordinates).
    """
    path_theta, path_phi = _check_path(path_theta, "path_theta"), _check_path(path_phi, "path_phi")
    boundary_theta = _check_path(boundary_theta, "boundary_theta")
    boundary_phi = _check_path(boundary_phi, "boundary_phi")
    zoom = float(check_positive(zoom, "zoom"))
    theta0 = path_theta[0]
    fig, axes = new_figure(ncols=2, width=12.5, height=6.0)
    ax = axes[0, 0]
    draw_objective(ax, theta1, theta2, J, colorbar=False)
    draw_path(ax, path_theta, color=VANILLA, label=r"gradient ascent in $\theta$")
    draw_path(
        ax, path_phi, color=REPARAMETRISED, label=r"gradient ascent in $\phi$, mapped to $\theta$"
    )
    label_theta_axes(ax)
    ax.set_title(r"Two paths (darker grey: larger $J$)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12))  # under the axes, off the paths

    ax = axes[0, 1]
    draw_circle(ax, theta0, boundary_theta, label=r"circle $\|d_\theta\|^2 = \epsilon$")
    label_phi = r"$\{A d_\phi : \|d_\phi\|^2 = \epsilon\}$"
    draw_trust_region(
        ax, theta0, boundary_phi, color=REPARAMETRISED, linestyle="--", label=label_phi
    )
    draw_step(ax, theta0, path_theta[1] - theta0, color=VANILLA, label=r"first step in $\theta$")
    draw_step(ax, theta0, path_phi[1] - theta0, color=REPARAMETRISED, label=r"first step in $\phi$")
    label_theta_axes(ax)
    ax.set_xlim(theta0[0] - zoom, theta0[0] + zoom)
    ax.set_ylim(theta0[1] - zoom, theta0[1] + zoom)
    ax.set_title(r"Zoom on $\theta_0$: the trust regions")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    return fig, axes


def plot_trust_regions(
    theta1, theta2, J, kl, theta, eps: float, circle, ellipse, d_vanilla, d_natural
):
    """The circle, the ellipse and the exact KL region around ``theta``, with both steps.

    One panel: the objective's contours; the exact region ``KL(pi_theta || pi_theta') <= eps``
    (wine); the circle ``||d||^2 = eps`` with the vanilla step
    ``d = sqrt(eps / g^T g) g`` (blue); the ellipse ``1/2 d^T F d = eps`` with the natural step
    ``d = sqrt(2 eps / g^T F^-1 g) F^-1 g`` (vermillion). The legend sits under the axes, off
    the data.

    Parameters
    ----------
    theta1, theta2 : array-like of shape (n2, n1)
        Grid of ``theta'`` (``np.meshgrid``).
    J : array-like of shape (n2, n1)
        Objective on the grid.
    kl : array-like of shape (n2, n1)
        ``KL(pi_theta || pi_theta')`` on the grid (e.g. ``SoftmaxBandit.kl``).
    theta : array-like of shape (2,)
        Centre of the trust regions.
    eps : float
        Trust-region size, > 0: the level of the exact region, and the title.
    circle, ellipse : array-like of shape (n, 2)
        ``trust_region_boundary(eps)`` and ``trust_region_boundary(eps, F)``.
    d_vanilla, d_natural : array-like of shape (2,)
        :func:`course_utils.natural.vanilla_step` and :func:`~course_utils.natural.natural_step`.

    Returns
    -------
    (Figure, ndarray of Axes of shape (1, 1))

    Raises
    ------
    ValueError
        If ``theta`` or a step is not of shape (2,), a boundary not of shape (n, 2), or
        ``eps <= 0``.

    Notes
    -----
    Drawn in ``notebooks/05_natural_gradient.ipynb``, section 2 (the circle and the ellipse).
    """
    theta = as_array(theta, "theta", shape=(2,))
    d_vanilla = as_array(d_vanilla, "d_vanilla", shape=(2,))
    d_natural = as_array(d_natural, "d_natural", shape=(2,))
    circle, ellipse = _check_path(circle, "circle"), _check_path(ellipse, "ellipse")
    eps = float(check_positive(eps, "eps"))
    fig, axes = new_figure(width=8.5, height=7.0)
    ax = axes[0, 0]
    draw_objective(ax, theta1, theta2, J)
    draw_kl_region(ax, theta1, theta2, kl, eps, label=r"exact $D_{KL} \leq \epsilon$")
    draw_circle(ax, theta, circle)
    draw_ellipse(ax, theta, ellipse)
    label_vanilla = r"vanilla step $\sqrt{\epsilon / g^\top g}\; g$"
    draw_step(ax, theta, d_vanilla, color=VANILLA, label=label_vanilla)
    label_natural = r"natural step $\sqrt{2\epsilon / g^\top F^{-1} g}\; F^{-1} g$"
    draw_step(ax, theta, d_natural, color=NATURAL, label=label_natural)
    label_theta_axes(ax)
    theta_text = ", ".join(f"{x:g}" for x in theta)
    ax.set_title(rf"Trust regions at $\theta_0 = ({theta_text})$, $\epsilon = {eps:g}$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    return fig, axes


_METHODS = ("vanilla", "natural")
_COORDS = ("theta", "phi")
_COORD_SYMBOL = {"theta": r"$\theta$", "phi": r"$\phi$"}
# paths in theta: the method's colour, large circles; paths in phi: sky blue (the phi colour)
# dotted, small triangles edged in the method's colour, drawn on top, so the natural path in phi
# shows ON the natural path in theta (the invariance) and the vanilla one leaves its path
_PATH_STYLE = {
    ("vanilla", "theta"): {"markersize": 9},
    ("vanilla", "phi"): {"linestyle": ":", "marker": "^", "markersize": 7, "zorder": 6},
    ("natural", "theta"): {"markersize": 9},
    ("natural", "phi"): {"linestyle": ":", "marker": "^", "markersize": 7, "zorder": 6},
}
_CURVE_STYLE = {
    "theta": {"linestyle": "-", "marker": "o", "markersize": 9},
    "phi": {"linestyle": ":", "marker": "^", "markersize": 7, "zorder": 3},
}


def _path_colours(method: str, coords: str) -> dict:
    """Line and marker-edge colours of one path of :func:`plot_invariance_paths`."""
    own = VANILLA if method == "vanilla" else NATURAL
    if coords == "theta":
        return {"color": own}
    return {"color": REPARAMETRISED, "markeredgecolor": own, "markeredgewidth": 1.5}


def plot_invariance_paths(theta1, theta2, J, paths, returns, eps: float, J_best: float):
    """Vanilla and natural ascent, each in ``theta`` and in ``phi``: paths and learning curves.

    Left: the four paths, mapped to ``theta``, over the objective (the two natural paths lie on
    top of each other). Right: ``J`` along each path against the iteration, with the best
    possible ``J``. In ``theta``: vanilla blue, natural vermillion, solid with circles. In
    ``phi``: sky blue (the phi colour), dotted with triangles edged in the method's colour.

    Parameters
    ----------
    theta1, theta2 : array-like of shape (n2, n1)
        Grid coordinates (``np.meshgrid``).
    J : array-like of shape (n2, n1)
        Objective on the grid.
    paths : dict
        ``{(method, coords): ndarray of shape (n_steps + 1, 2)}`` for ``method`` in
        ``("vanilla", "natural")`` and ``coords`` in ``("theta", "phi")``
        (:func:`course_utils.bandit.ascent_path`).
    returns : dict
        The same keys: ``J`` at each iterate, arrays of shape (n_steps + 1,).
    eps : float
        The trust-region size of the paths, > 0 (for the title).
    J_best : float
        The best possible ``J`` (a horizontal line).

    Returns
    -------
    (Figure, ndarray of Axes of shape (1, 2))

    Raises
    ------
    ValueError
        If a key is missing, a path is not of shape (n, 2), a return curve's length differs
        from its path's, or ``eps <= 0``.

    Notes
    -----
    Drawn in ``notebooks/05_natural_gradient.ipynb``, section 4 (invariance under
    reparametrisation).
    """
    eps = float(check_positive(eps, "eps"))
    keys = [(method, coords) for method in _METHODS for coords in _COORDS]
    for key in keys:
        if key not in paths or key not in returns:
            raise ValueError(f"paths or returns lacks the key {key!r}; valid: the four keys {keys}")
        _check_path(paths[key], f"paths[{key!r}]")
        if np.shape(returns[key]) != (len(paths[key]),):
            raise ValueError(
                f"returns[{key!r}] has shape {np.shape(returns[key])}; "
                f"valid: shape ({len(paths[key])},), one J per iterate"
            )
    fig, axes = new_figure(ncols=2, width=13.0, height=5.8)
    ax = axes[0, 0]
    draw_objective(ax, theta1, theta2, J, colorbar=False)
    for method, coords in keys:
        label = f"{method} in {_COORD_SYMBOL[coords]}"
        style = {**_path_colours(method, coords), **_PATH_STYLE[method, coords]}
        draw_path(ax, paths[method, coords], label=label, **style)
    label_theta_axes(ax)
    ax.set_title(r"Paths mapped to $\theta$ (darker grey: larger $J$)")
    ax.legend(loc="lower left")

    ax = axes[0, 1]
    for method, coords in keys:
        label = f"{method} in {_COORD_SYMBOL[coords]}"
        style = {**_path_colours(method, coords), **_CURVE_STYLE[coords]}
        curve = np.asarray(returns[method, coords], dtype=float)
        ax.plot(np.arange(len(curve)), curve, label=label, **style)
    ax.axhline(J_best, color=OPTIMUM, linestyle="-.", label=r"best possible $J$")
    ax.set_xlabel(LABELS["iteration"])
    ax.set_ylabel(r"$J$")
    ax.set_title(rf"Learning curves, $\epsilon = {eps:g}$")
    ax.legend()
    return fig, axes


def plot_kl_against_quadratic(line, tol: float = 0.1):
    """The exact KL and its quadratic model ``1/2 d^T F d`` along a line, and their ratios.

    Left (log-log): ``KL(pi_theta || pi_theta+d)`` and ``1/2 d^T F d`` against the step length.
    Right: both ratios ``KL / (1/2 d^T F d)`` (the two argument orders) with the band
    ``1 +- tol``; they tend to 1 as ``d -> 0``.

    Parameters
    ----------
    line : course_utils.bandit.KLAlongLine
        From :func:`course_utils.bandit.kl_along_line` (attributes ``t``, ``forward``,
        ``quadratic``, ``forward_ratio``, ``reverse_ratio``).
    tol : float, default 0.1
        Half-width of the shaded band around ratio 1, in (0, 1).

    Returns
    -------
    (Figure, ndarray of Axes of shape (1, 2))

    Raises
    ------
    ValueError
        If ``tol`` is outside (0, 1).

    Notes
    -----
    Drawn in ``notebooks/04_kl_and_fisher.ipynb``, section 4 (where the quadratic model
    breaks); the KL-vs-quadratic explorer of ``course_utils.widgets`` shows it live.
    """
    tol = float(check_in_range(tol, "tol", 0.0, 1.0, low_open=True, high_open=True))
    xlabel = r"step length $t = \|d\|$"
    fig, axes = new_figure(ncols=2, width=12.0, height=4.6)
    ax = axes[0, 0]
    label_forward = r"exact $D_{KL}(\pi_{\theta_0} \| \pi_{\theta_0 + d})$"
    ax.loglog(line.t, line.forward, color=EXACT, label=label_forward)
    label_model = r"$\frac{1}{2} d^\top F d$"
    ax.loglog(line.t, line.quadratic, color=NATURAL, linestyle="--", label=label_model)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("KL (nats)")
    ax.set_title("KL and its quadratic model")
    ax.legend()

    ax = axes[0, 1]
    label_forward = r"$D_{KL}(\pi_{\theta_0} \| \pi_{\theta_0 + d})$ / model"
    ax.semilogx(line.t, line.forward_ratio, color=EXACT, label=label_forward)
    label_reverse = r"$D_{KL}(\pi_{\theta_0 + d} \| \pi_{\theta_0})$ / model"
    ax.semilogx(line.t, line.reverse_ratio, color=EXACT, linestyle=":", label=label_reverse)
    ax.axhspan(1 - tol, 1 + tol, color=NATURAL, alpha=0.1, label=f"within {tol:.0%}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("exact / quadratic")
    ax.set_title(r"ratio $\to 1$ as $d \to 0$")
    ax.legend()
    return fig, axes
