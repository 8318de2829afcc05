"""Figures a lecture hall can read: font sizes of every figure the package draws, and the
resolution of every figure stored in a course notebook.

Two rules of ``course_utils.plotting`` (issue 12): no text below ``MIN_FONT_SIZE`` (12 pt), and
figures at ``FIGURE_DPI`` >= 110 dots per inch. The first is checked on the figures themselves
(every ``Text`` artist of a drawn figure: titles, labels, tick labels, legends, contour labels,
annotations); the second on the PNGs stored in the notebooks (their resolution chunk and their
pixel width, which a figure narrower than ``MIN_FIGURE_WIDTH`` at 110 dpi cannot reach).
"""

from __future__ import annotations

import base64
import io
import pathlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402

from course_utils import evidence  # noqa: E402
from course_utils import practical as pr  # noqa: E402
from course_utils.bandit import SoftmaxBandit, ascent_path, kl_along_line  # noqa: E402
from course_utils.gaussian import LinearGaussianLQR  # noqa: E402
from course_utils.mdp import PLATEAU_START  # noqa: E402
from course_utils.natural import natural_step, trust_region_boundary, vanilla_step  # noqa: E402
from course_utils.plotting import (  # noqa: E402
    FIGURE_DPI,
    MIN_FIGURE_HEIGHT,
    MIN_FIGURE_WIDTH,
    MIN_FONT_SIZE,
    new_figure,
)
from course_utils.plotting import cartpole as cplot  # noqa: E402
from course_utils.plotting import curves as cuplot  # noqa: E402
from course_utils.plotting import gaussian as gplot  # noqa: E402
from course_utils.plotting import pg as pgplot  # noqa: E402
from course_utils.plotting import trust_region as tplot  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(
    ROOT.glob("notebooks/explorers/*.ipynb")
)
#: the issue's floor for a projector; the package's FIGURE_DPI must meet it
REQUIRED_DPI = 110

BANDIT = SoftmaxBandit()
THETA = np.array([-1.0, 1.0])
LQR = LinearGaussianLQR()


# --- one builder per figure the plotting package draws ------------------------------------------


def _theta_grid(n=41):
    t1, t2 = np.meshgrid(np.linspace(-3.0, 3.0, n), np.linspace(-3.0, 3.0, n))
    return t1, t2, BANDIT.expected_return(np.stack([t1, t2], axis=-1))


def _pg_figure():
    fig, axes = new_figure(ncols=3, nrows=2)
    n = np.array([10, 100, 1000])
    pgplot.plot_convergence(axes[0, 0], n, 1 / np.sqrt(n), fitted=1 / np.sqrt(n), slope=-0.5)
    exact = np.array([0.1, -0.2, 0.3])
    estimates = {"with baseline": (exact, 0.01 + 0 * exact), "without": (exact, 0.03 + 0 * exact)}
    pgplot.plot_gradient_components(axes[0, 1], exact, estimates)
    pgplot.plot_state_distributions(axes[0, 2], np.full((5, 4), 0.25))
    t = np.linspace(0.1, 1.0, 5)
    pgplot.plot_surrogate(axes[1, 0], t, t, t, linear=t)
    pgplot.plot_surrogate_error(axes[1, 1], t, t**2, {"TV bound": t, "KL bound": 2 * t})
    pgplot.plot_pinsker(axes[1, 2], t, t / 2, t, np.sqrt(t / 2))
    return fig


def _taylor_figure():
    fig, axes = new_figure()
    t = np.linspace(-2.0, 2.0, 21)
    tplot.draw_taylor_slice(axes[0, 0], t, np.sin(t), t, t_max=1.0, t_best=1.0)
    axes[0, 0].legend()
    return fig


def _coordinate_paths_figure():
    A = np.array([[0.5, 0.0], [0.0, 2.0]])
    path_theta = ascent_path(BANDIT, THETA, 0.05, 3)
    path_phi = ascent_path(BANDIT, THETA, 0.05, 3, A=A, b=np.zeros(2))
    circle = trust_region_boundary(0.05)
    fig, _ = tplot.plot_coordinate_paths(*_theta_grid(), path_theta, path_phi, circle, circle @ A.T)
    return fig


def _trust_regions_figure():
    t1, t2, J = _theta_grid()
    kl = BANDIT.kl(THETA, np.stack([t1, t2], axis=-1))
    g, F = BANDIT.gradient(THETA), BANDIT.fisher_information(THETA)
    circle, ellipse = trust_region_boundary(0.1), trust_region_boundary(0.1, F)
    d_van, d_nat = vanilla_step(g, 0.1), natural_step(g, F, 0.1)
    fig, _ = tplot.plot_trust_regions(t1, t2, J, kl, THETA, 0.1, circle, ellipse, d_van, d_nat)
    return fig


def _invariance_figure():
    A = np.array([[0.5, 0.0], [0.0, 2.0]])
    paths = {
        (method, coords): ascent_path(
            BANDIT, THETA, 0.05, 3, natural=method == "natural", A=A if coords == "phi" else None
        )
        for method in ("vanilla", "natural")
        for coords in ("theta", "phi")
    }
    returns = {key: BANDIT.expected_return(path) for key, path in paths.items()}
    fig, _ = tplot.plot_invariance_paths(*_theta_grid(), paths, returns, 0.05, J_best=1.0)
    return fig


def _kl_quadratic_figure():
    line = kl_along_line(BANDIT, THETA, np.array([1.0, 0.0]), np.geomspace(1e-2, 3.0, 20))
    fig, _ = tplot.plot_kl_against_quadratic(line)
    return fig


def _k_sigma_panel():
    k, sigma = np.meshgrid(np.linspace(-1.7, -0.1, 5), np.linspace(0.05, 0.95, 4))
    k_fine, s_fine = np.meshgrid(np.linspace(-2.2, 0.2, 60), np.linspace(0.01, 1.0, 30))
    J = LQR.expected_return(k_fine, s_fine, unstable="-inf")
    panel = {
        "contours": (k_fine, s_fine, J, -np.geomspace(30, 0.2, 6)),
        "interval": LQR.stability_interval(),
        "k_star": LQR.optimal_gain(),
    }
    return k, sigma, panel


def _k_sigma_figures():
    k, sigma, panel = _k_sigma_panel()
    vanilla, natural = LQR.unit_fields(k, sigma)
    fig, axes = new_figure(2, 1, width=16, height=5.2)
    gplot.draw_k_sigma_panel(axes[0, 0], k, sigma, vanilla, natural, title="both", **panel)
    path = np.array([[-0.2, 0.5], [-0.3, 0.4], [-0.4, 0.3]])
    gplot.draw_steps_and_flows(axes[0, 0], [path], [path], [path])
    gplot.draw_flows_log_sigma(axes[0, 1], path, path, LQR.optimal_gain(), sigma_floor=1e-3)
    fig2, axes2 = new_figure(3, 1, width=17, height=4.3)
    estimates = {"a": vanilla, "b": natural, "c": natural}
    gplot.draw_estimated_fields(axes2[0], k, sigma, natural, estimates, LQR.optimal_gain())
    fig3, axes3 = new_figure(2, 1, width=16, height=5.4)
    logs = LQR.unit_fields(k, sigma, parametrisation="log_sigma")
    gplot.draw_reparametrised_fields(axes3[0], k, sigma, (vanilla, natural), logs, **panel)
    return [fig, fig2, fig3]


def _curves_figures():
    band = pr.curve_band(np.array([[1.0, 0.1, 0.01], [2.0, 0.2, 0.02]]), spread="minmax")
    fig, axes = new_figure(ncols=2, width=13.0)
    cuplot.plot_gap_and_gain(axes[0], {"vanilla": band, "natural": band}, {"trpo": band}, -0.5)
    fig2, axes2 = new_figure(ncols=2, width=13.0)
    flow = pr.plateau_flow(PLATEAU_START, 1e3, t_eval=[0.0, 1.0, 10.0, 1e3])
    natural = pr.plateau_ascent(PLATEAU_START, 5, natural=True)
    cuplot.plot_plateau(axes2[0], flow, natural, vanilla_steps=natural, level=1.5)
    returns = {"vanilla": np.array([[10.0, 50.0, 120.0], [20.0, 70.0, 100.0]])}
    levels = (20.0, 60.0)
    reach = {m: [evidence.first_reach(c, lv) for lv in levels] for m, c in returns.items()}
    bands = {m: pr.curve_band(c, spread="minmax") for m, c in returns.items()}
    fig3 = cplot.plot_training_comparison(
        bands, bands, levels, reach, delta=0.01, batch_steps=10, n_runs=2
    )
    return [fig, fig2, fig3]


def _dashboard_figures():
    from course_utils.widgets import (
        KLQuadraticExplorer,
        KSigmaExplorer,
        ReparametrisationExplorer,
        TrustRegionExplorer,
    )

    figures = []
    for cls in (
        KSigmaExplorer,
        TrustRegionExplorer,
        ReparametrisationExplorer,
        KLQuadraticExplorer,
    ):
        dash = cls(backend="agg")
        figures.append(dash.fig)
        figures.append(Image.open(io.BytesIO(dash.static_png())))  # checked for its resolution
    return figures


BUILDERS = {
    "pg": _pg_figure,
    "taylor": _taylor_figure,
    "coordinate_paths": _coordinate_paths_figure,
    "trust_regions": _trust_regions_figure,
    "invariance": _invariance_figure,
    "kl_quadratic": _kl_quadratic_figure,
    "k_sigma": _k_sigma_figures,
    "curves": _curves_figures,
    "dashboards": _dashboard_figures,
}


def _small_texts(fig):
    """Visible, non-empty Text artists below MIN_FONT_SIZE, after a full draw."""
    fig.canvas.draw()  # tick labels, contour labels and legends exist once drawn
    return [
        (type(t).__name__, t.get_text(), t.get_fontsize())
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_FONT_SIZE
    ]


def test_the_course_style_meets_the_lecture_hall_rules():
    assert FIGURE_DPI >= REQUIRED_DPI
    assert MIN_FONT_SIZE >= 12
    with pytest.raises(ValueError, match="width=5.0 is out of range"):
        new_figure(width=MIN_FIGURE_WIDTH - 1.0)
    with pytest.raises(ValueError, match="height=3.0 is out of range"):
        new_figure(height=MIN_FIGURE_HEIGHT - 1.0)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_no_text_artist_below_the_minimum_font_size(name):
    with matplotlib.rc_context():
        built = BUILDERS[name]()
        figures = built if isinstance(built, list) else [built]
        drawn = [fig for fig in figures if isinstance(fig, matplotlib.figure.Figure)]
        assert drawn, "the builder drew no figure"
        texts = 0
        for fig in drawn:
            assert fig.dpi >= REQUIRED_DPI
            assert _small_texts(fig) == []
            texts += len(fig.findobj(Text))
            plt.close(fig)
        assert texts > 10  # the check saw the figures' labels, not an empty canvas
        for image in figures:
            if isinstance(image, Image.Image):  # a dashboard's static picture
                assert min(image.info["dpi"]) >= REQUIRED_DPI - 0.01


def test_small_text_would_be_caught():
    """The check itself: a 10 pt legend is reported."""
    with matplotlib.rc_context():
        fig, axes = new_figure()
        axes[0, 0].plot([0, 1], label="x")
        axes[0, 0].legend(fontsize=10)
        assert [size for _, text, size in _small_texts(fig) if text == "x"] == [10.0]
        plt.close(fig)


def _stored_pngs(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                yield index, Image.open(io.BytesIO(base64.b64decode(data["image/png"])))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_figures_have_projector_resolution(path):
    """Every stored PNG carries >= 110 dpi in its resolution chunk, and its pixel size agrees.

    The pixel bound, derived: ``new_figure`` makes figures at least ``MIN_FIGURE_WIDTH`` (6 in)
    wide with rows at least ``MIN_FIGURE_HEIGHT`` (4 in) high, under constrained layout, which
    fills the figure up to a 3 pt pad in at least one direction (in both, unless a panel has an
    equal aspect ratio; then in the direction that limits it). The inline backend stores the
    tight bounding box plus 0.1 in of padding, more than the 3 pt it crops. So a figure drawn
    at 110 dpi is at least ``6 * 110 = 660`` px wide or ``4 * 110 = 440`` px high; at the old
    80 dpi a default 6 x 4.5 in figure is about 490 x 370 px, neither.
    """
    images = list(_stored_pngs(path))
    for index, image in images:
        dpi = image.info.get("dpi", (0, 0))
        assert min(dpi) >= REQUIRED_DPI - 0.01, f"cell {index}: stored at {dpi} dpi"
        wide = image.width >= REQUIRED_DPI * MIN_FIGURE_WIDTH
        high = image.height >= REQUIRED_DPI * MIN_FIGURE_HEIGHT
        assert wide or high, f"cell {index}: {image.size} px is below 110 dpi for any figure"
