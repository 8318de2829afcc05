"""The KL-vs-quadratic explorer: where ``KL ~= 1/2 d^T F d`` breaks down (notebook 04).

Two policies: the 3-armed softmax bandit (:func:`course_utils.bandit.trust_region_steps`
gives the exact KL of the natural step) and the Gaussian k / sigma policy
(:func:`course_utils.gaussian.natural_step_kl`, the discounted KL). The break-down point is
:func:`course_utils.natural.quadratic_model_breakdown`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._validation import frozen
from ..bandit import SoftmaxBandit, trust_region_steps
from ..gaussian import LinearGaussianLQR, natural_step_kl
from ..natural import quadratic_model_breakdown
from ..plotting import EXACT, LABELS, NATURAL
from ..plotting import dashboards as draw
from ._base import Cache, Dashboard, log_slider, slider

__all__ = ["KLQuadraticExplorer", "kl_quadratic_explorer"]

EPS_EXP = (-4.0, 1.0)
EPS_CURVE = frozen(np.logspace(*EPS_EXP, 101))
KL_LIM = (1e-5, 1e3)
RATIO_LIM = (0.0, 2.5)
TOL = 0.1
POLICIES = ("softmax bandit (θ₁, θ₂)", "Gaussian policy (k, σ)")
BANDIT_CONTROLS = ("theta1", "theta2")
GAUSSIAN_CONTROLS = ("k0", "sigma0")


class KLQuadraticExplorer(Dashboard):
    """Exact KL of the natural step of size ``eps`` against its quadratic model ``eps``.

    Controls: ``policy``, ``eps`` (log scale), the start ``theta1``, ``theta2`` (bandit) or
    ``k0``, ``sigma0`` (Gaussian; the sliders of the other policy are hidden).

    Parameters
    ----------
    backend : {"auto", "ipympl", "image", "agg"}
    **values
        Initial control values.

    Notes
    -----
    Derived in ``notebooks/04_kl_and_fisher.ipynb`` (erratum 2: the 1/2 in ``1/2 d^T F d``).
    """

    title = "KL vs its quadratic model ½ dᵀ F d"
    figsize = (10.5, 4.6)
    columns = (("policy", "eps"), ("theta1", "theta2", "k0", "sigma0"))
    dynamic_controls = frozenset({"eps", "theta1", "theta2", "k0", "sigma0"})

    def __init__(self, backend: str = "auto", **values):
        self.bandit = SoftmaxBandit()
        self.lqr = LinearGaussianLQR()
        self._initial = values
        self._curves = Cache(32)
        super().__init__(backend=backend)

    def _make_controls(self):
        v = {
            "policy": POLICIES[0],
            "eps": 0.1,
            "theta1": -1.0,
            "theta2": 1.0,
            "k0": -1.5,
            "sigma0": 0.2,
        }
        v = self._initial_values(v)
        return {
            "policy": widgets.ToggleButtons(
                options=POLICIES,
                value=v["policy"],
                description="policy",
                style={"button_width": "190px"},
            ),
            "eps": log_slider("trust region ε", v["eps"], *EPS_EXP),
            "theta1": slider("start θ₁", v["theta1"], -3.0, 3.0, 0.1, fmt=".1f"),
            "theta2": slider("start θ₂", v["theta2"], -3.0, 3.0, 0.1, fmt=".1f"),
            "k0": slider("start k", v["k0"], -2.0, 0.0, 0.02),
            "sigma0": slider("start σ", v["sigma0"], 0.0, 1.0, 0.01),
        }

    def _build(self):
        ax, ax_ratio = self.ax, self.ax_ratio = self.fig.subplots(1, 2)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(EPS_CURVE[0], EPS_CURVE[-1])
        ax.set_ylim(*KL_LIM)
        ax.set_xlabel(r"$\epsilon = \frac{1}{2} d^\top F d$ (quadratic model)")
        ax.set_ylabel(r"exact $D_{KL}$ of the natural step")
        ax.set_title("exact KL vs the quadratic model", fontsize=12)
        ax.plot(
            EPS_CURVE,
            EPS_CURVE,
            color=EXACT,
            linestyle="--",
            linewidth=1.5,
            label=r"model: $D_{KL} = \frac{1}{2} d^\top F d$",
        )
        self.kl_curve = draw.draw_curve(ax, NATURAL, label="exact KL")
        self.kl_marker = draw.draw_marker(ax, NATURAL, markersize=8)
        self.break_lines = [
            draw.draw_vertical(
                ax, 1.0, color="0.35", linestyle=":", label=f"model off by > {100 * TOL:.0f} %"
            )
        ]
        ax.legend(loc="upper left", frameon=False)
        draw.light_log_axes(ax)
        ax_ratio.set_xscale("log")
        ax_ratio.set_xlim(EPS_CURVE[0], EPS_CURVE[-1])
        ax_ratio.set_ylim(*RATIO_LIM)
        ax_ratio.set_xlabel(LABELS["eps"])
        ax_ratio.set_ylabel(r"$D_{KL} \,/\, \frac{1}{2} d^\top F d$")
        ax_ratio.set_title("ratio: 1 where the model holds", fontsize=12)
        ax_ratio.axhspan(
            1.0 - TOL, 1.0 + TOL, color="0.88", zorder=0, label=f"within {100 * TOL:.0f} %"
        )
        ax_ratio.axhline(
            2.0,
            color="0.5",
            linestyle="--",
            linewidth=1.2,
            label=r"seed 002's $D_{KL} \approx d^\top F d$ (erratum 2)",
        )
        self.ratio_curve = draw.draw_curve(ax_ratio, NATURAL, label="exact / model")
        self.ratio_marker = draw.draw_marker(ax_ratio, NATURAL, markersize=8)
        self.break_lines.append(draw.draw_vertical(ax_ratio, 1.0, color="0.35", linestyle=":"))
        ax_ratio.legend(loc="lower left", frameon=False)
        draw.light_log_axes(ax_ratio)
        self.dynamic = [
            self.kl_curve,
            self.kl_marker,
            self.ratio_curve,
            self.ratio_marker,
            *self.break_lines,
        ]

    def _curve_data(self, policy, start):
        def compute():
            if policy == POLICIES[0]:
                kl = trust_region_steps(self.bandit, np.array(start), EPS_CURVE).kl_natural
            else:
                kl = natural_step_kl(self.lqr, *start, EPS_CURVE).kl
            return kl, quadratic_model_breakdown(EPS_CURVE, kl, TOL)

        return self._curves.get((policy, start), compute)

    def _update(self, changed, report):
        policy, eps = self.value("policy"), self.value("eps")
        gaussian = policy == POLICIES[1]
        for name in BANDIT_CONTROLS + GAUSSIAN_CONTROLS:
            visible = (name in GAUSSIAN_CONTROLS) == gaussian
            self.controls[name].layout.display = None if visible else "none"
        start = tuple(self.value(x) for x in (GAUSSIAN_CONTROLS if gaussian else BANDIT_CONTROLS))
        if gaussian and start[1] <= 0.0:
            draw.hide(
                self.kl_curve,
                self.kl_marker,
                self.ratio_curve,
                self.ratio_marker,
                *self.break_lines,
            )
            report(
                "error",
                f"σ = {start[1]:g} is a deterministic policy: its KL to any other "
                "policy is infinite or undefined and the Fisher information "
                "(∝ 1/σ²) does not exist. Choose σ > 0.",
            )
            self.set_summary("no curve: σ must be > 0")
            self.set_readout([])
            return
        kl, breakdown = self._curve_data(policy, start)
        finite = np.isfinite(kl)
        draw.set_line(self.kl_curve, EPS_CURVE, np.ma.masked_where(~finite, kl))
        draw.set_line(
            self.ratio_curve,
            EPS_CURVE,
            np.ma.masked_where(~finite, np.where(finite, kl, 0.0) / EPS_CURVE),
        )
        for line in self.break_lines:
            if breakdown is None:
                draw.hide(line)
            else:
                line.set_xdata([breakdown, breakdown])
                line.set_visible(True)
        # the point at this eps (computed exactly at eps, not read off the curve)
        if gaussian:
            kl_eps = float(natural_step_kl(self.lqr, *start, eps).kl)
        else:
            kl_eps = float(trust_region_steps(self.bandit, np.array(start), eps).kl_natural)
        if np.isfinite(kl_eps):
            draw.set_line(self.kl_marker, [eps], [max(kl_eps, KL_LIM[0])])
            draw.set_line(self.ratio_marker, [eps], [kl_eps / eps])
            ratio_text = f"{kl_eps / eps:.4f}"
            self.set_summary(
                f"ε = {eps:.2g}: exact KL of the natural step {kl_eps:.4g}, "
                f"ratio to the model {kl_eps / eps:.3f}"
            )
        else:
            draw.hide(self.kl_marker, self.ratio_marker)
            ratio_text = "undefined"
            self.set_summary(f"ε = {eps:.2g}: the natural step leaves the policies (σ ≤ 0)")
            report(
                "warning",
                f"At ε = {eps:.2g} the natural step would make σ ≤ 0: the "
                "quadratic model allows a step to a policy that does not exist "
                "(the exact KL is infinite). Lower ε.",
            )
        if breakdown is not None and eps >= breakdown and np.isfinite(kl_eps):
            ratio = kl_eps / eps
            off = (
                f"off by {100 * (ratio - 1):+.0f} %"
                if ratio < 10
                else f"{ratio:.3g} times too small"
            )
            report(
                "info",
                f"ε ≥ {breakdown:.2g}: the quadratic model is {off} here "
                "(higher-order terms of the KL matter); a trust-region method "
                "would need a line search (TRPO) at this size.",
            )
        elif eps <= 1e-3 and np.isfinite(kl_eps):
            report(
                "info",
                f"ε = {eps:.1e} is small: the exact KL and ½ dᵀFd agree to "
                f"{100 * abs(kl_eps / eps - 1):.2f} % (the model is exact as ε → 0).",
            )
        self.set_readout(
            [
                ("exact KL at ε", f"{kl_eps:.6g}" if np.isfinite(kl_eps) else "inf (σ ≤ 0)"),
                ("KL / ½dᵀFd", ratio_text),
                (
                    f"model off by > {100 * TOL:.0f} % from ε =",
                    "never (on this range)" if breakdown is None else f"{breakdown:.3g}",
                ),
            ]
        )


def kl_quadratic_explorer(**kwargs) -> KLQuadraticExplorer:
    """Build the KL-vs-quadratic explorer; as the last line of a cell it shows itself.

    ``from course_utils.widgets import kl_quadratic_explorer; kl_quadratic_explorer()``;
    keywords as :class:`KLQuadraticExplorer`.
    """
    return KLQuadraticExplorer(**kwargs)
