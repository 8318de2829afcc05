"""The k / sigma explorer: the canonical vanilla-vs-natural arrow field, live (notebook 06).

Everything it shows comes from :class:`course_utils.gaussian.LinearGaussianLQR`: the unit
arrow fields (:meth:`~course_utils.gaussian.LinearGaussianLQR.unit_fields`, or the Monte Carlo
:meth:`~course_utils.gaussian.LinearGaussianLQR.estimate_unit_fields`), the contours of
``J``, the stability interval, ``k*`` and the two trust-region ascent paths
(:meth:`~course_utils.gaussian.LinearGaussianLQR.ascent_path`).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._validation import frozen
from ..gaussian import LinearGaussianLQR, discount_horizon
from ..plotting import NATURAL, OPTIMUM, VANILLA
from ..plotting import dashboards as draw
from ..plotting import gaussian as gdraw
from ._base import Cache, Dashboard, log_slider, slider

__all__ = ["KSigmaExplorer", "k_sigma_explorer"]

#: plotted region of the (k, sigma) plane
K_LIM = (-2.3, 0.45)
SIGMA_LIM = (0.0, 1.05)
#: where the arrows sit (stable points only are drawn)
K_ARROWS = frozen(np.linspace(-2.2, 0.4, 14))
SIGMA_ARROWS = frozen(np.linspace(0.1, 0.9, 5))
#: fine grid for the contours of J
K_FINE = frozen(np.linspace(K_LIM[0], K_LIM[1], 221))
SIGMA_FINE = frozen(np.linspace(0.005, SIGMA_LIM[1], 85))
#: |k - k*| below which a path counts as converged
K_TOL = 0.01
#: start points with sigma below this get a note about the sigma -> 0 behaviour
SMALL_SIGMA = 0.05


class KSigmaExplorer(Dashboard):
    """Vanilla vs natural gradient on the 1-D Gaussian policy ``a ~ N(k s, sigma^2)``.

    Controls: ``eps`` (log scale), ``show`` (vanilla / natural / both), ``R`` (action cost),
    ``gamma``, ``arrows`` (exact / Monte Carlo), ``n`` (trajectories per arrow), ``baseline``,
    ``seed``, ``k0`` and ``sigma0`` (the start of both paths; a click on the figure sets them
    when the ipympl canvas is used).

    Parameters
    ----------
    backend : {"auto", "ipympl", "image", "agg"}
        See :mod:`course_utils.widgets._base`.
    max_iter : int, default 500
        Iterations of each ascent path.
    **values
        Initial control values, e.g. ``eps=0.01``.

    Notes
    -----
    The reference setting (s' = s + a, q = 1, R = 0.1, gamma = 0.9, s0 ~ N(0.3, 1e-4)) is the
    course's choice, made to resemble the arrow figure of the paper seed 001 points to (Peters &
    Schaal 2008); the seeds state neither the dynamics nor these parameters (MATH.md section 3).
    Derived in ``notebooks/06_gaussian_k_sigma.ipynb``.
    """

    title = "k / sigma explorer: vanilla vs natural gradient"
    figsize = (9.0, 4.3)
    columns = (("eps", "show", "k0", "sigma0", "R", "gamma"), ("arrows", "n", "baseline", "seed"))
    dynamic_controls = frozenset({"eps", "k0", "sigma0"})

    def __init__(self, backend: str = "auto", max_iter: int = 500, **values):
        self.max_iter = max_iter
        self._initial = values
        self._fields = Cache(16)
        self._contours = Cache(8)
        super().__init__(backend=backend)

    # --- building ------------------------------------------------------------------------------

    def _make_controls(self):
        v = {
            "eps": 1e-2,
            "show": "both",
            "R": 0.1,
            "gamma": 0.9,
            "arrows": "exact",
            "n": 100,
            "baseline": True,
            "seed": 0,
            "k0": -0.2,
            "sigma0": 0.5,
        }
        v = self._initial_values(v)
        return {
            "eps": log_slider("trust region ε", v["eps"], -4, 0),
            "show": widgets.ToggleButtons(
                options=["vanilla", "natural", "both"],
                value=v["show"],
                description="show",
                style={"button_width": "80px"},
            ),
            "R": slider("action cost R", v["R"], 0.0, 1.0, 0.05),
            "gamma": slider("discount γ", v["gamma"], 0.5, 0.99, 0.01),
            "arrows": widgets.ToggleButtons(
                options=["exact", "Monte Carlo"],
                value=v["arrows"],
                description="arrows",
                style={"button_width": "105px"},
            ),
            "n": slider("trajectories / arrow", v["n"], 10, 1000, 10, integer=True),
            "baseline": widgets.Checkbox(value=v["baseline"], description="baseline b(s) = V(s)"),
            "seed": slider("seed", v["seed"], 0, 20, 1, integer=True),
            "k0": slider("start k₀", v["k0"], K_LIM[0], 0.4, 0.02),
            "sigma0": slider("start σ₀", v["sigma0"], 0.0, 1.0, 0.01),
        }

    def _build(self):
        ax = self.ax = self.fig.add_subplot()
        gdraw.style_k_sigma_axes(ax, k_lim=K_LIM, sigma_lim=SIGMA_LIM)
        ax.set_anchor("N")  # equal aspect leaves room: at the bottom, for the legend below
        self._k_arrows, self._sigma_arrows = np.meshgrid(K_ARROWS, SIGMA_ARROWS)
        self._k_fine, self._sigma_fine = np.meshgrid(K_FINE, SIGMA_FINE)
        zeros = np.zeros_like(self._k_arrows)
        unit = np.stack([zeros, zeros], axis=-1)
        self.quiver = {
            "vanilla": gdraw.draw_unit_field(
                ax,
                self._k_arrows,
                self._sigma_arrows,
                unit,
                color=VANILLA,
                label="vanilla gradient",
                length=0.13,
                width=0.0032,
            ),
            "natural": gdraw.draw_unit_field(
                ax,
                self._k_arrows,
                self._sigma_arrows,
                unit,
                color=NATURAL,
                label="natural gradient",
                length=0.13,
                width=0.0032,
            ),
        }
        self.contours = None
        self.stability = draw.draw_stability_shading(ax, (-2.0, 0.0))
        self.k_star_line = draw.draw_vertical(ax, -1.0, label=r"$k^*$")
        self.optimum = draw.draw_marker(ax, OPTIMUM, marker="*", markersize=18, clip_on=False)
        start = np.array([[-0.2, 0.5]])
        self.paths = {
            "vanilla": gdraw.draw_path(ax, start, color=VANILLA, markersize=3),
            "natural": gdraw.draw_path(ax, start, color=NATURAL, markersize=3),
        }
        draw.legend_below(ax, ncol=4)
        self.dynamic = [*self.paths["vanilla"], *self.paths["natural"]]
        if self.backend == "ipympl":
            self.fig.canvas.mpl_connect("button_press_event", self._on_click)

    # --- math (cached), then artists -------------------------------------------------------------

    def _lqr(self):
        return LinearGaussianLQR(R=self.value("R"), gamma=self.value("gamma"))

    def _contour_data(self, lqr):
        def compute():
            J = lqr.expected_return(self._k_fine, self._sigma_fine, unstable="-inf")
            return J, draw.return_levels(J)

        return self._contours.get((lqr.R, lqr.gamma), compute)

    def _field(self, lqr):
        mode, n, baseline, seed = (self.value(x) for x in ("arrows", "n", "baseline", "seed"))
        stable = lqr.is_stable(self._k_arrows)
        k, sigma = self._k_arrows[stable], self._sigma_arrows[stable]
        if mode == "exact":
            key = (lqr.R, lqr.gamma, "exact")

            def compute():
                return stable, *lqr.unit_fields(k, sigma)
        else:
            key = (lqr.R, lqr.gamma, "mc", n, baseline, seed)

            def compute():
                rng = np.random.default_rng(seed)
                horizon = discount_horizon(lqr.gamma)
                return stable, *lqr.estimate_unit_fields(k, sigma, n, horizon, rng, baseline)

        return self._fields.get(key, compute)

    def _update(self, changed, report):
        lqr = self._lqr()
        setting = {"R", "gamma"}
        if changed & setting:
            J, levels = self._contour_data(lqr)
            if self.contours is not None:
                self.contours.remove()
            self.contours = gdraw.draw_return_contours(
                self.ax, self._k_fine, self._sigma_fine, J, levels, label_fmt=None
            )
            draw.move_stability_shading(self.stability, lqr.stability_interval())
            k_star = lqr.optimal_gain()
            self.k_star_line.set_xdata([k_star, k_star])
            draw.set_line(self.optimum, [k_star], [0.0])
        if changed & (setting | {"arrows", "n", "baseline", "seed"}):
            mc = self.value("arrows") == "Monte Carlo"
            for name in ("n", "baseline", "seed"):
                self.controls[name].disabled = not mc
            stable, vanilla, natural = self._field(lqr)
            for name, directions in (("vanilla", vanilla), ("natural", natural)):
                u, v = draw.masked_directions(directions, stable, stable.shape)
                self.quiver[name].set_UVC(u, v)
        show = self.value("show")
        for name in ("vanilla", "natural"):
            self.quiver[name].set_visible(show in (name, "both"))
        self._update_paths(lqr, report)
        if self.value("arrows") == "Monte Carlo" and not self.value("baseline"):
            report(
                "info",
                "Monte Carlo arrows without a baseline: the estimate's spread grows "
                "like 1/σ, so the arrows near σ = 0 point almost anywhere.",
            )

    def _update_paths(self, lqr, report):
        eps, k0, sigma0, show = (self.value(x) for x in ("eps", "k0", "sigma0", "show"))
        shown = [name for name in ("vanilla", "natural") if show in (name, "both")]
        k_star = lqr.optimal_gain()
        rows = [
            ("k* (optimal gain)", f"{k_star:.4f}"),
            ("stable gains", "({:.3f}, {:.3f})".format(*lqr.stability_interval())),
        ]
        if sigma0 <= 0.0:
            for line, start in self.paths.values():
                draw.hide(line, start)
            report(
                "error",
                f"σ₀ = {sigma0:g} is a deterministic policy: log π, the score and "
                "the Fisher information (∝ 1/σ²) are undefined there. "
                "Choose σ₀ > 0.",
            )
            self.set_summary("no start point: σ₀ must be > 0")
            self.set_readout(rows)
            return
        try:
            J0 = float(lqr.expected_return(k0, sigma0))
        except ValueError as err:
            for line, start in self.paths.values():
                draw.hide(line, start)
            report(
                "error",
                f"The start gain is not a valid policy here: {err}. "
                "Move k₀ inside the stable interval or lower γ.",
            )
            self.set_summary("no start point: the gain k₀ is unstable")
            self.set_readout(rows)
            return
        if sigma0 < SMALL_SIGMA:
            report(
                "info",
                f"σ₀ = {sigma0:g} is near 0: dJ/dσ = O(σ) while dJ/dk = O(1), and "
                "the natural step scales like (σ², σ³), so both paths barely "
                "change σ; the Fisher information grows like 1/σ².",
            )
        rows.append(("J at the start", f"{J0:.6f}"))
        summary = []
        for name in ("vanilla", "natural"):
            line, start = self.paths[name]
            path = lqr.ascent_path(
                k0, sigma0, eps, natural=name == "natural", max_iter=self.max_iter
            )
            if name in shown:
                draw.set_line(line, path.points[:, 0], path.points[:, 1])
                draw.set_line(start, path.points[:1, 0], path.points[:1, 1])
            else:
                draw.hide(line, start)
            steps = path.points.shape[0] - 1
            hit = path.iterations_to(k_star, K_TOL)
            if hit is not None:
                text = f"|k − k*| < {K_TOL} after {hit} steps"
                short = f"{name} {hit} steps"
            elif path.stopped == "max_iter":
                k_end = path.points[-1, 0]
                text = f"not within {K_TOL} of k* after {steps} steps (k = {k_end:.3f})"
                short = f"{name} not converged"
                if name in shown:
                    report(
                        "warning",
                        f"ε = {eps:.1e} is small: after {steps} steps the {name} "
                        f"path is still at k = {path.points[-1, 0]:.3f} "
                        f"(k* = {k_star:.3f}). Small trust regions need many "
                        "steps.",
                    )
            else:
                text = f"stops after {steps} steps at k = {path.points[-1, 0]:.3f}: {path.stopped}"
                short = f"{name} stops at k = {path.points[-1, 0]:.2f}"
                if name in shown:
                    why = (
                        "the Euclidean step ignores that σ cannot go below 0, so σ collapses "
                        "while k is far from k*"
                        if name == "vanilla"
                        else "the step is too large for the quadratic model of the KL"
                    )
                    level = "warning" if steps == 0 else "info"
                    first = "the very first step" if steps == 0 else f"step {steps + 1}"
                    report(
                        level,
                        f"The {name} path stops: {first} would leave the valid "
                        f"policies ({path.stopped}); {why}.",
                    )
            rows.append((f"{name} path", text))
            if name in shown:
                summary.append(short)
        self.set_summary(f"ε = {eps:.1e}: " + ", ".join(summary))
        self.set_readout(rows)

    # --- clicks (ipympl only) -------------------------------------------------------------------

    def _on_click(self, event):
        if event.inaxes is not self.ax or event.xdata is None:
            return
        k_ctrl, s_ctrl = self.controls["k0"], self.controls["sigma0"]
        k = float(np.clip(event.xdata, k_ctrl.min, k_ctrl.max))
        sigma = float(np.clip(event.ydata, s_ctrl.min, s_ctrl.max))
        self.set(
            k0=round(k / k_ctrl.step) * k_ctrl.step, sigma0=round(sigma / s_ctrl.step) * s_ctrl.step
        )


def k_sigma_explorer(**kwargs) -> KSigmaExplorer:
    """Build the k / sigma explorer; as the last line of a cell it shows itself.

    ``from course_utils.widgets import k_sigma_explorer; k_sigma_explorer()``; keywords as
    :class:`KSigmaExplorer` (e.g. ``eps=0.1``, ``backend="image"``).
    """
    return KSigmaExplorer(**kwargs)
