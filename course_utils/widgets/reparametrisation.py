"""The reparametrisation explorer: theta = A phi + b moves the vanilla path, not the natural one
(notebook 05).

The paths come from :func:`course_utils.bandit.reparametrised_paths` (four calls of
:func:`course_utils.bandit.ascent_path`), the warped coordinate lines of ``phi`` from
:func:`course_utils.bandit.reparametrisation_grid`.
"""

from __future__ import annotations

import numpy as np

from .._validation import frozen
from ..bandit import SoftmaxBandit, reparametrisation_grid, reparametrised_paths
from ..plotting import LABELS, NATURAL, NATURAL_LIGHT, VANILLA
from ..plotting import dashboards as draw
from ..plotting import trust_region as tdraw
from ._base import Dashboard, draw_theta_plane, log_slider, slider

__all__ = ["ReparametrisationExplorer", "reparametrisation_explorer"]

VIEW = (-4.0, 4.0)
GRID = frozen(np.linspace(-6.0, 6.0, 121))
THETA0 = (-1.0, 1.0)
#: y range of the deviation panel: rounding error (1e-16) up to far off
DEVIATION_LIM = (1e-17, 1e2)
#: below this the natural path's deviation is rounding error
ROUNDING = 1e-9


class ReparametrisationExplorer(Dashboard):
    """Gradient ascent is not invariant to ``theta = A phi + b``; the natural gradient is.

    ``A = [[scale, shear], [0, 1]]``, ``b = 0`` (a translation changes nothing). Controls:
    ``scale`` (log scale), ``shear``, ``eps`` (log scale), ``n_steps``.

    Parameters
    ----------
    backend : {"auto", "ipympl", "image", "agg"}
    theta0 : (float, float), default (-1, 1)
        Start of every path.
    **values
        Initial control values.

    Notes
    -----
    Derived in ``notebooks/05_natural_gradient.ipynb`` (Kakade & Brantley, seed 004).
    """

    title = "Reparametrisation explorer: θ = A φ + b"
    figsize = (10.5, 5.2)
    columns = (("scale", "shear"), ("eps", "n_steps"))
    dynamic_controls = frozenset({"scale", "shear", "eps", "n_steps"})

    def __init__(self, backend: str = "auto", theta0=THETA0, **values):
        self.bandit = SoftmaxBandit()
        self.theta0 = np.asarray(theta0, dtype=float)
        self._initial = values
        super().__init__(backend=backend)

    def _make_controls(self):
        v = {"scale": 3.0, "shear": 0.0, "eps": 0.01, "n_steps": 15}
        v = self._initial_values(v)
        return {
            "scale": log_slider("scale a (A₁₁)", v["scale"], -1.0, 1.0, step=0.1, fmt=".2f"),
            "shear": slider("shear h (A₁₂)", v["shear"], -2.0, 2.0, 0.1, fmt=".1f"),
            "eps": log_slider("trust region ε", v["eps"], -3.0, -1.0, step=0.1),
            "n_steps": slider("steps", v["n_steps"], 1, 30, 1, integer=True),
        }

    def _build(self):
        ax, ax_dev = self.ax, self.ax_dev = self.fig.subplots(1, 2, width_ratios=[1.2, 1.0])
        draw_theta_plane(
            ax, self.bandit, GRID, VIEW, r"paths in $\theta$; grey: lines of constant $\phi$"
        )
        self.grid = draw.draw_coordinate_grid(ax, reparametrisation_grid(theta_lim=VIEW))
        start = self.theta0[None, :]
        self.paths = {
            "vanilla_plain": tdraw.draw_path(
                ax, start, color=VANILLA, linestyle=":", marker="none", label="vanilla, A = I"
            )[0],
            "natural_plain": tdraw.draw_path(
                ax, start, color=NATURAL, linestyle=":", marker="none", label="natural, A = I"
            )[0],
            "vanilla": tdraw.draw_path(
                ax, start, color=VANILLA, markersize=3.5, label=r"vanilla in $\phi$"
            )[0],
            "natural": tdraw.draw_path(
                ax, start, color=NATURAL, markersize=3.5, label=r"natural in $\phi$"
            )[0],
        }
        self.paths["natural"].set_linewidth(3.0)
        self.paths["natural_plain"].set_color(NATURAL_LIGHT)  # a band: the phi path runs on it
        self.paths["natural_plain"].set_linewidth(5.0)
        self.paths["natural_plain"].set_linestyle("-")
        self.paths["natural_plain"].set_zorder(3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=2, frameon=False)
        ax_dev.set_yscale("log")
        ax_dev.set_ylim(*DEVIATION_LIM)
        ax_dev.set_xlim(0, 30)
        ax_dev.set_xlabel(LABELS["iteration"])
        ax_dev.set_ylabel(r"$\|\theta_t(A) - \theta_t(I)\|$")
        ax_dev.set_title("how far each path moved when A changed", fontsize=12)
        self.deviation = {
            "vanilla": draw.draw_curve(ax_dev, VANILLA, label="vanilla", marker="o", markersize=4),
            "natural": draw.draw_curve(ax_dev, NATURAL, label="natural", marker="o", markersize=4),
        }
        ax_dev.axhspan(DEVIATION_LIM[0], ROUNDING, color="0.9", zorder=0, label="rounding error")
        ax_dev.legend(loc="center right", frameon=False)
        draw.light_log_axes(ax_dev)
        self.dynamic = [*self.grid, *self.paths.values(), *self.deviation.values()]

    def _A(self):
        return np.array([[self.value("scale"), self.value("shear")], [0.0, 1.0]])

    def _update(self, changed, report):
        A = self._A()
        eps, n_steps = self.value("eps"), self.value("n_steps")
        draw.move_coordinate_grid(self.grid, reparametrisation_grid(A, theta_lim=VIEW))
        try:
            paths = reparametrised_paths(self.bandit, self.theta0, eps, n_steps, A=A)
        except ValueError as err:
            draw.hide(*self.paths.values(), *self.deviation.values())
            report(
                "warning",
                f"A path reached a deterministic policy (one arm with "
                f"probability 1 to machine precision) within {n_steps} steps, "
                f"where the gradient is exactly 0 ({err}). The natural step "
                "grows as the Fisher information vanishes, like the sigmoid "
                "example of notebook 04. Use fewer steps or a smaller ε.",
            )
            self.set_summary("no paths: the ascent ran to a deterministic policy")
            self.set_readout([("A", np.array2string(A, precision=2))])
            return
        for name, line in self.paths.items():
            path = getattr(paths, name)
            draw.set_line(line, path[:, 0], path[:, 1])
        steps = np.arange(n_steps + 1)
        for name, line in self.deviation.items():
            deviation = getattr(paths, f"{name}_deviation")
            # log axis: the start (deviation exactly 0) has no point; rounding error sits on
            # the floor of the axis
            line.set_data(steps[1:], np.maximum(deviation[1:], DEVIATION_LIM[0] * 10))
        v_dev, n_dev = paths.vanilla_deviation.max(), paths.natural_deviation.max()
        outside = [
            name
            for name in ("vanilla", "natural")
            if np.any(np.abs(getattr(paths, name)) > VIEW[1])
        ]
        if outside:
            why = {
                "vanilla": "the vanilla step in θ is α A Aᵀ g, longer when A stretches",
                "natural": "the natural step grows as the policy becomes deterministic (F → 0)",
            }
            paths_text = " and the ".join(outside)
            report(
                "info",
                f"The {paths_text} path{'s' if len(outside) > 1 else ''} "
                f"leave{'' if len(outside) > 1 else 's'} the view: "
                + "; ".join(why[name] for name in outside)
                + ".",
            )
        self.set_summary(
            f"after {n_steps} steps the vanilla path moved by {v_dev:.3g}, the natural path by "
            f"{n_dev:.1e} (rounding error)"
            if n_dev < ROUNDING
            else f"after {n_steps} steps the vanilla path moved by {v_dev:.3g}, the natural by "
            f"{n_dev:.3g}"
        )
        self.set_readout(
            [
                ("A", np.array2string(A, precision=2).replace("\n", "")),
                ("det A", f"{np.linalg.det(A):.3f}"),
                ("vanilla: max deviation", f"{v_dev:.6f}"),
                ("natural: max deviation", f"{n_dev:.1e}" if n_dev > 0 else "0"),
            ]
        )
        if n_dev >= ROUNDING:
            report(
                "info",
                "The natural path's deviation is above rounding error: it ran far "
                "out (large θ), where floating point loses digits.",
            )


def reparametrisation_explorer(**kwargs) -> ReparametrisationExplorer:
    """Build the reparametrisation explorer; as the last line of a cell it shows itself.

    ``from course_utils.widgets import reparametrisation_explorer; reparametrisation_explorer()``;
    keywords as :class:`ReparametrisationExplorer`.
    """
    return ReparametrisationExplorer(**kwargs)
