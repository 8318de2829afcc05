"""Learning curves with spread bands, and Kakade's plateau (notebooks 07 and 08).

Draw only: means and bands come from :func:`course_utils.practical.curve_band` (or any object
with ``iterations``, ``mean``, ``lower``, ``upper``), plateau paths from
:func:`course_utils.practical.plateau_flow` / :func:`~course_utils.practical.plateau_ascent`.
The natural family is vermillion (exact Fisher solid, conjugate gradient dashed, TRPO dark red),
vanilla is blue, as everywhere in the course.
"""

from __future__ import annotations

import numpy as np

from . import EXACT, NATURAL, OPTIMUM, TRPO, VANILLA

__all__ = [
    "METHOD_STYLES",
    "TRPO",
    "plot_first_reach",
    "plot_gap_and_gain",
    "plot_learning_curves",
    "plot_plateau",
]

#: colour, line style and legend label of each update rule of ``course_utils.practical.METHODS``
METHOD_STYLES = {
    "vanilla": {"color": VANILLA, "linestyle": "-", "label": "vanilla PG"},
    "natural": {"color": NATURAL, "linestyle": "-", "label": "natural, exact $F$"},
    "natural_cg": {"color": NATURAL, "linestyle": "--", "label": "natural, CG + sampled $Fv$"},
    "trpo": {"color": TRPO, "linestyle": ":", "label": "TRPO (CG + line search)"},
}


def plot_learning_curves(
    ax,
    bands: dict,
    ylabel: str = r"$J(\theta)$",
    reference: float | None = None,
    reference_label: str = "optimum",
    reference_color: str = OPTIMUM,
    log: bool = False,
    title: str | None = None,
    styles: dict | None = None,
    xlabel: str = "iteration",
):
    """Mean curve and shaded spread band of each method.

    Parameters
    ----------
    ax : matplotlib Axes
    bands : dict of str to CurveBand
        Method name -> band (``iterations``, ``mean``, ``lower``, ``upper``, ``spread``).
    ylabel : str
    reference : float, optional
        A horizontal line (e.g. ``J*`` or ``k*``), in the optimum colour.
    reference_label : str
    reference_color : str, default the optimum's colour
        Colour of the reference line (the trust-region colour for a KL bound ``delta``).
    log : bool, default False
        Logarithmic y axis (for gaps such as ``J* - J``; pass positive values).
    title : str, optional
    styles : dict, optional
        Method name -> ``{"color", "linestyle", "label"}``; default :data:`METHOD_STYLES`,
        unknown names get the default colour cycle and their own name as label.
    xlabel : str, default "iteration"
    """
    styles = {**METHOD_STYLES, **(styles or {})}
    for name, band in bands.items():
        style = styles.get(name, {"label": name})
        spread = "mean $\\pm$ std" if band.spread == "std" else "min-max"
        (line,) = ax.plot(
            band.iterations,
            band.mean,
            color=style.get("color"),
            linestyle=style.get("linestyle", "-"),
            label=style["label"],
        )
        ax.fill_between(
            band.iterations, band.lower, band.upper, color=line.get_color(), alpha=0.18, lw=0
        )
    if reference is not None:
        ax.axhline(
            reference, color=reference_color, linestyle="-.", linewidth=2.0, label=reference_label
        )
    if log:
        ax.set_yscale("log")
        ax.minorticks_off()  # dozens of minor log ticks cost a second of layout, add little
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title + f" (bands: {spread})" if bands else title)
    ax.legend()


def plot_plateau(axes, vanilla, natural, vanilla_steps=None, level: float | None = None):
    """Kakade's plateau: ``eta`` and the visitation of state j against iterations (log axis).

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
        Left: average reward ``eta``; right: stationary probability ``d(j)`` (log axis).
    vanilla : PlateauPath
        The vanilla path (typically the gradient flow, times = iterations), drawn as a line.
    natural : PlateauPath
        The natural iterates, drawn as a line with markers.
    vanilla_steps : PlateauPath, optional
        Exact unit-step iterates at a few iterations, drawn as open circles on the flow.
    level : float, optional
        A dotted horizontal line at this ``eta`` (the "left the plateau" threshold).

    Notes
    -----
    Iteration 0 cannot sit on a log axis: only iterations >= 1 are drawn.
    """
    ax_eta, ax_d = axes
    curves = [
        (vanilla, {"color": VANILLA, "label": "vanilla (gradient flow)"}),
        (natural, {"color": NATURAL, "marker": "o", "ms": 5, "label": r"natural, $F + 10^{-3} I$"}),
    ]
    if vanilla_steps is not None:
        curves.append(
            (
                vanilla_steps,
                {
                    "color": VANILLA,
                    "marker": "o",
                    "mfc": "none",
                    "linestyle": "none",
                    "ms": 7,
                    "label": "vanilla, exact unit steps",
                },
            )
        )
    for path, kw in curves:
        keep = np.asarray(path.t) >= 1
        ax_eta.plot(path.t[keep], path.eta[keep], **kw)
        ax_d.plot(path.t[keep], path.visitation_j[keep], **kw)
    if level is not None:
        ax_eta.axhline(level, color=EXACT, linestyle=":", linewidth=1.2, label=rf"$\eta = {level}$")
    ax_d.set_yscale("log")
    for ax in axes:
        ax.set_xscale("log")
        ax.minorticks_off()  # eight decades of minor ticks cost seconds of layout
        ax.set_xlabel("iteration (unit steps)")
    ax_eta.set_ylabel(r"average reward $\eta(\theta)$")
    ax_d.set_ylabel(r"visitation of state $j$, $d_\theta(j)$")
    ax_eta.set_title("Kakade's two-state MDP: reward")
    ax_d.set_title("visitation of the better state $j$")
    # one legend under both panels, off the curves (the reward panel's curves fill its width)
    handles, labels = ax_eta.get_legend_handles_labels()
    ax_eta.figure.legend(handles, labels, loc="outside lower center", ncols=len(handles))


def plot_first_reach(ax, levels, reach: dict, title: str | None = None, styles: dict | None = None):
    """Iteration at which each method's mean curve first reaches each level.

    Parameters
    ----------
    ax : matplotlib Axes
    levels : sequence of float
        The levels (x axis), e.g. returns 100, 125, ..., 450.
    reach : dict of str to sequence of (int or None)
        Method name -> first iteration per level (None: never reached; not drawn), as
        :func:`course_utils.evidence.first_reach` returns.
    title : str, optional
    styles : dict, optional
        As :func:`plot_learning_curves`.
    """
    styles = {**METHOD_STYLES, **(styles or {})}
    for name, iterations in reach.items():
        style = styles.get(name, {"label": name})
        y = np.array([np.nan if i is None else i for i in iterations], dtype=float)
        ax.plot(levels, y, marker="o", markersize=4, **style)
    ax.set_xlabel("return level")
    ax.set_ylabel("first iteration the mean curve reaches it")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left")


def plot_gap_and_gain(axes, gap: dict, gains: dict, k_star: float):
    """The k / sigma comparison: gap to ``J*`` (log axis) and the gain ``k`` against ``k*``.

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
        Left: ``J* - J(theta)`` on a log axis; right: the gain ``k`` with ``k*`` as reference.
    gap : dict of str to CurveBand
        Method name -> band of ``J* - J`` over seeds (positive values), e.g.
        ``curve_band(gaps, spread="minmax")``.
    gains : dict of str to CurveBand
        Method name -> band of ``k`` over seeds.
    k_star : float
        The optimal gain (:meth:`course_utils.gaussian.LinearGaussianLQR.optimal_gain`).

    Notes
    -----
    Drawn in ``notebooks/07_practical_npg.ipynb``, section 6.
    """
    ax_gap, ax_k = axes
    plot_learning_curves(
        ax_gap, gap, ylabel=r"$J^* - J(\theta)$", log=True, title=r"$k/\sigma$: gap to $J^*$"
    )
    plot_learning_curves(
        ax_k,
        gains,
        ylabel=r"gain $k$",
        reference=k_star,
        reference_label=r"$k^*$",
        title=r"$k/\sigma$: the gain",
    )
