"""The trust-region explorer: circle, exact KL region, its ellipse, both steps (notebooks 03, 05).

A 2-parameter policy (:class:`course_utils.bandit.SoftmaxBandit`, three arms with logits
``(theta_1, theta_2, 0)``). Everything drawn comes from the math layer:
:func:`course_utils.natural.trust_region_boundary` (circle ``||d||^2 = eps`` and ellipse
``1/2 d^T F d = eps``), :func:`course_utils.bandit.kl_region_boundary` (exact
``KL <= eps``), :func:`course_utils.bandit.trust_region_steps` (both steps, their predicted
and actual improvements, their KL) and :func:`course_utils.bandit.equal_kl_gains` (both
directions scaled to the same exact KL: the right panel, since ``eps`` is ``||d||^2`` for one
step and a KL for the other, so equal ``eps`` is no common ground).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._validation import frozen
from ..bandit import SoftmaxBandit, equal_kl_gains, kl_region_boundary, trust_region_steps
from ..natural import trust_region_boundary
from ..plotting import EXACT, NATURAL, TRUST_REGION, VANILLA
from ..plotting import dashboards as draw
from ..plotting import trust_region as tdraw
from ._base import Cache, Dashboard, draw_theta_plane, log_slider, slider

__all__ = ["TrustRegionExplorer", "trust_region_explorer"]

#: fixed view of the theta plane (when not zoomed) and the grid of J behind it
VIEW = (-4.0, 4.0)
GRID = frozen(np.linspace(-8.0, 8.0, 161))
#: the eps slider's range (decades)
EPS_EXP = (-3.0, 1.0)
#: the exact-KL axis of the improvement panel: it holds both steps' exact KL over the slider
#: ranges (from about 2e-5, vanilla at eps = 1e-3, to about 31, natural at eps = 10)
KL_EXP = (-5.0, 1.5)
KL_CURVE = frozen(np.logspace(*KL_EXP, 105))
#: relative error of the quadratic KL model above which a warning is shown
MODEL_TOL = 0.1
#: y range of the improvement panel (J lies between the smallest and the largest reward)
IMPROVEMENT_LIM = (1e-4, 3.0)


class TrustRegionExplorer(Dashboard):
    """Gradient ascent's circle vs the natural gradient's KL ellipse, on a 2-parameter policy.

    Controls: ``eps`` (log scale), ``theta1`` and ``theta2`` (the current parameters), ``zoom``
    (fit the view to the trust regions).

    Parameters
    ----------
    backend : {"auto", "ipympl", "image", "agg"}
    rewards : tuple of 3 floats, default (1.0, 0.0, 0.5)
        The bandit's arm rewards.
    **values
        Initial control values.

    Notes
    -----
    Derived in ``notebooks/03_taylor_and_trust_regions.ipynb`` (circle, vanilla step) and
    ``notebooks/05_natural_gradient.ipynb`` (ellipse, natural step).
    """

    title = "Trust-region explorer: Euclidean circle vs KL region"
    figsize = (10.5, 4.9)
    columns = (("eps", "theta1", "theta2"), ("zoom",))

    def __init__(self, backend: str = "auto", rewards=(1.0, 0.0, 0.5), **values):
        self.bandit = SoftmaxBandit(rewards)
        self._initial = values
        self._curves = Cache(32)
        super().__init__(backend=backend)

    @property
    def dynamic_controls(self):
        # zoomed, the view follows eps: the background changes too
        return frozenset() if self.value("zoom") else frozenset({"eps", "theta1", "theta2"})

    def _make_controls(self):
        v = {"eps": 0.1, "theta1": -1.0, "theta2": 0.0, "zoom": False}
        v = self._initial_values(v)
        return {
            "eps": log_slider("trust region ε", v["eps"], *EPS_EXP),
            "theta1": slider("θ₁", v["theta1"], -3.0, 3.0, 0.1, fmt=".1f"),
            "theta2": slider("θ₂", v["theta2"], -3.0, 3.0, 0.1, fmt=".1f"),
            "zoom": widgets.Checkbox(value=v["zoom"], description="zoom to the trust regions"),
        }

    def _build(self):
        ax, ax_imp = self.ax, self.ax_imp = self.fig.subplots(1, 2, width_ratios=[1.0, 1.15])
        # left: the theta plane
        draw_theta_plane(ax, self.bandit, GRID, VIEW, r"$\theta$ plane (shading: $J(\theta)$)")
        zero, centre = np.zeros((2, 2)), np.zeros(2)
        kl_artists = tdraw.draw_trust_region(
            ax, centre, zero, color=TRUST_REGION, label=r"exact $D_{KL} = \epsilon$", fill=True
        )
        circle_artists = tdraw.draw_circle(ax, centre, zero, linewidth=2.0)
        ellipse_artists = tdraw.draw_ellipse(ax, centre, zero, linewidth=2.0)
        self.kl_line, self.kl_fill = kl_artists[0], kl_artists[2]
        self.circle, self.ellipse = circle_artists[0], ellipse_artists[0]
        for dot in (kl_artists[1], circle_artists[1], ellipse_artists[1]):
            dot.remove()  # each helper marks the centre: one marker is enough
        self.centre = draw.draw_marker(ax, EXACT, marker="o", markersize=6)
        self.arrow_vanilla = draw.draw_arrow(ax, VANILLA, label="vanilla step")
        self.arrow_natural = draw.draw_arrow(ax, NATURAL, label="natural step")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=2, frameon=False)
        # right: predicted vs actual improvement against each step's exact KL (equal eps
        # would compare ||d||^2 with a KL), both directions scaled along themselves
        ax_imp.set_xscale("log")
        ax_imp.set_yscale("log")
        ax_imp.set_xlim(KL_CURVE[0], KL_CURVE[-1])
        ax_imp.set_ylim(*IMPROVEMENT_LIM)  # fixed: a new theta only moves the curves
        ax_imp.set_xlabel(r"exact $D_{KL}(\pi_\theta \,\|\, \pi_{\theta+d})$ of the step")
        ax_imp.set_ylabel(r"improvement of $J$")
        ax_imp.set_title(
            r"each direction: predicted $g^\top d$ (dashed), actual (solid)", fontsize=12
        )
        self.curves = {
            ("vanilla", "predicted"): draw.draw_curve(ax_imp, VANILLA, linestyle="--"),
            ("vanilla", "actual"): draw.draw_curve(ax_imp, VANILLA, label="vanilla"),
            ("natural", "predicted"): draw.draw_curve(ax_imp, NATURAL, linestyle="--"),
            ("natural", "actual"): draw.draw_curve(ax_imp, NATURAL, label="natural"),
        }
        # the natural step's exact KL, and the vanilla direction scaled to it (open marker)
        self.equal_kl_line = draw.draw_vertical(ax_imp, 0.1, color="0.3", linestyle="-")
        self.markers = {
            key: draw.draw_marker(ax_imp, VANILLA if key[0] == "vanilla" else NATURAL, markersize=7)
            for key in self.curves
        }
        self.equal_kl_marker = draw.draw_marker(
            ax_imp,
            VANILLA,
            markersize=13,
            zorder=5,  # a ring around the natural step's marker, which sits on top
            markerfacecolor="white",
            markeredgecolor=VANILLA,
            markeredgewidth=2.0,
            label="vanilla at the natural\nstep's exact KL",
        )
        ax_imp.legend(loc="upper left", frameon=False)
        draw.light_log_axes(ax_imp)
        self.dynamic = [
            self.kl_fill,
            self.kl_line,
            self.circle,
            self.ellipse,
            self.centre,
            self.arrow_vanilla,
            self.arrow_natural,
            self.equal_kl_line,
            *self.curves.values(),
            self.equal_kl_marker,  # blitting draws in this order: the ring under the markers
            *self.markers.values(),
        ]

    def _theta(self):
        return np.array([self.value("theta1"), self.value("theta2")])

    def _curve_data(self, theta):
        return self._curves.get(
            tuple(theta), lambda: equal_kl_gains(self.bandit, np.array(theta), KL_CURVE)
        )

    def _update(self, changed, report):
        eps, zoom = self.value("eps"), self.value("zoom")
        theta = self._theta()
        F = self.bandit.fisher_information(theta)
        steps = trust_region_steps(self.bandit, theta, eps)
        circle = trust_region_boundary(eps)
        ellipse = trust_region_boundary(eps, F)
        kl_region = kl_region_boundary(self.bandit, theta, eps)
        draw.set_line(self.circle, *(theta + circle).T)
        draw.set_line(self.ellipse, *(theta + ellipse).T)
        draw.set_line(self.kl_line, *(theta + kl_region).T)
        self.kl_fill.set_xy(theta + kl_region)
        draw.set_line(self.centre, [theta[0]], [theta[1]])
        draw.move_arrow(self.arrow_vanilla, theta, steps.vanilla)
        draw.move_arrow(self.arrow_natural, theta, steps.natural)
        extent = np.abs(np.concatenate([circle, kl_region])).max()
        if np.abs(ellipse).max() > 3.0 * extent:
            report(
                "info",
                "The quadratic ellipse reaches far beyond the exact KL region: F is "
                "nearly singular here (an arm with probability near 0), and the "
                "KL grows more slowly than its quadratic model in that direction.",
            )
        if zoom:
            half = 1.25 * extent
            self.ax.set_xlim(theta[0] - half, theta[0] + half)
            self.ax.set_ylim(theta[1] - half, theta[1] + half)
        else:
            self.ax.set_xlim(*VIEW)
            self.ax.set_ylim(*VIEW)
            if np.abs(circle).max() < 0.06:
                report(
                    "info",
                    f"At ε = {eps:.1e} the trust regions are tiny at this scale (and "
                    "all three coincide: the quadratic model is exact as ε → 0). "
                    "Tick 'zoom' to see them.",
                )
            elif np.any(np.abs(theta + kl_region) > VIEW[1]) or np.any(
                np.abs(theta + ellipse) > VIEW[1]
            ):
                report(
                    "info",
                    "The trust regions reach beyond the view: tick 'zoom' to see them whole.",
                )
        # right panel: curves for this theta (cached), markers at this eps
        if changed & {"theta1", "theta2"}:
            curves = self._curve_data(tuple(theta))
            for (name, kind), line in self.curves.items():
                # log axis: steps that make J worse (overshoot) have no point on it
                line.set_data(
                    KL_CURVE, np.ma.masked_less_equal(getattr(curves, f"{kind}_{name}"), 0.0)
                )
        kl_natural = float(steps.kl_natural)
        self.equal_kl_line.set_xdata([kl_natural, kl_natural])
        for (name, kind), marker in self.markers.items():
            y = float(getattr(steps, f"{kind}_{name}"))
            if y > 0.0:
                draw.set_line(marker, [float(getattr(steps, f"kl_{name}"))], [y])
            else:
                draw.hide(marker)
        equal = equal_kl_gains(self.bandit, theta, kl_natural)
        gain_equal = float(equal.actual_vanilla)
        if gain_equal > 0.0:
            draw.set_line(self.equal_kl_marker, [kl_natural], [gain_equal])
        else:
            draw.hide(self.equal_kl_marker)
        # messages and numbers
        model_error = float(steps.kl_natural) / eps - 1.0
        if abs(model_error) > MODEL_TOL:
            report(
                "warning",
                f"At ε = {eps:.2g} the quadratic model of the KL is off by "
                f"{100 * model_error:+.0f} %: the exact KL of the natural step is "
                f"{float(steps.kl_natural):.4g}, not ε. The ellipse no longer "
                "matches the exact KL region.",
            )
        for name in ("vanilla", "natural"):
            actual = float(getattr(steps, f"actual_{name}"))
            if actual <= 0.0:
                report(
                    "warning",
                    f"The {name} step overshoots: J changes by {actual:.4g} "
                    "(not an improvement), although the linear model predicts "
                    "a gain. ε is too large for the first-order model.",
                )
        gain_natural = float(steps.actual_natural)
        if gain_natural > 0.0 and gain_equal > 0.0:
            verdict = (
                f"natural / vanilla = {float(equal.natural_over_vanilla):.3f} "
                f"({'natural' if gain_natural > gain_equal else 'vanilla'} ahead)"
            )
        else:
            verdict = "a step that makes J worse: no ratio"
        self.set_summary(
            f"ε = {eps:.2g}: natural step gains {gain_natural:.4f} for an exact KL of "
            f"{kl_natural:.4g}, vanilla step {float(steps.actual_vanilla):.4f} for "
            f"{float(steps.kl_vanilla):.4g}. At equal exact KL ({kl_natural:.4g}) the vanilla "
            f"direction gains {gain_equal:.4f}: {verdict}"
        )
        self.set_readout(
            [
                ("J(θ)", f"{float(self.bandit.expected_return(theta)):.6f}"),
                ("vanilla ‖d‖²", f"{float(steps.vanilla @ steps.vanilla):.6g}"),
                (
                    "vanilla KL: exact / ½dᵀFd",
                    f"{float(steps.kl_vanilla):.6g} / {float(steps.quadratic_vanilla):.6g}",
                ),
                (
                    "natural KL: exact / ½dᵀFd",
                    f"{float(steps.kl_natural):.6g} / {float(steps.quadratic_natural):.6g}",
                ),
                (
                    "gain, natural / vanilla at equal exact KL",
                    f"{gain_natural:.6g} / {gain_equal:.6g}",
                ),
            ]
        )


def trust_region_explorer(**kwargs) -> TrustRegionExplorer:
    """Build the trust-region explorer; as the last line of a cell it shows itself.

    ``from course_utils.widgets import trust_region_explorer; trust_region_explorer()``;
    keywords as :class:`TrustRegionExplorer`.
    """
    return TrustRegionExplorer(**kwargs)
