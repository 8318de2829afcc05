"""Tests for course_utils.plotting.trust_region: it draws exactly what the math layer returns."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.bandit import SoftmaxBandit, ascent_path
from course_utils.natural import natural_step, trust_region_boundary, vanilla_step
from course_utils.plotting import CONSTRAINT, NATURAL, REPARAMETRISED, VANILLA
from course_utils.plotting.trust_region import (
    draw_circle,
    draw_ellipse,
    draw_kl_region,
    draw_objective,
    draw_path,
    draw_step,
    draw_taylor_slice,
    draw_trust_region,
    label_theta_axes,
)

BANDIT = SoftmaxBandit()
THETA = np.array([-1.0, 1.0])
EPS = 0.05


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_circle_and_ellipse_draw_the_boundary_points_around_theta(ax):
    circle = trust_region_boundary(EPS)
    ellipse = trust_region_boundary(EPS, BANDIT.fisher_information(THETA))
    line, dot = draw_circle(ax, THETA, circle)[:2]
    np.testing.assert_allclose(line.get_xydata(), THETA + circle)
    np.testing.assert_allclose(dot.get_xydata(), THETA[None, :])
    assert matplotlib.colors.same_color(line.get_color(), VANILLA)
    line = draw_ellipse(ax, THETA, ellipse)[0]
    np.testing.assert_allclose(line.get_xydata(), THETA + ellipse)
    assert matplotlib.colors.same_color(line.get_color(), NATURAL)
    assert line.get_linestyle() == "--"
    labels = ax.get_legend_handles_labels()[1]
    assert r"$\|d\|^2 = \epsilon$" in labels and r"$\frac{1}{2} d^\top F d = \epsilon$" in labels


def test_trust_region_fill_adds_a_polygon(ax):
    artists = draw_trust_region(ax, THETA, trust_region_boundary(EPS), fill=True, label="x")
    assert len(artists) == 3
    assert isinstance(artists[2], matplotlib.patches.Polygon)


def test_kl_region_contours_the_given_level_and_has_a_legend_entry(ax):
    t1, t2 = np.meshgrid(np.linspace(-3, 1, 81), np.linspace(-1, 3, 81))
    kl = BANDIT.kl(THETA, np.stack([t1, t2], axis=-1))
    artists = draw_kl_region(ax, t1, t2, kl, EPS, label="KL region")
    assert list(artists[0].levels) == [EPS]
    assert artists[1].levels[-1] == EPS  # the fill stops at eps
    assert "KL region" in ax.get_legend_handles_labels()[1]
    assert matplotlib.colors.same_color(artists[-1].get_facecolor()[:3], CONSTRAINT)
    outline = draw_kl_region(ax, t1, t2, kl, 2 * EPS, filled=False, label="outline")
    assert len(outline) == 2 and outline[-1].get_linestyle() == "-"


def test_step_arrow_goes_from_theta_to_theta_plus_d(ax):
    g, F = BANDIT.gradient(THETA), BANDIT.fisher_information(THETA)
    for d, color in [(vanilla_step(g, EPS), VANILLA), (natural_step(g, F, EPS), NATURAL)]:
        arrow, proxy = draw_step(ax, THETA, d, color=color, label="step")
        np.testing.assert_allclose(arrow.xy, THETA + d)
        np.testing.assert_allclose(arrow.xyann, THETA)
        assert matplotlib.colors.same_color(proxy.get_color(), color)
        assert proxy.get_xydata().size == 0  # the proxy carries only the legend entry


def test_path_draws_every_iterate(ax):
    path = ascent_path(BANDIT, THETA, EPS, 5, natural=True)
    line, start = draw_path(ax, path, color=NATURAL, label="natural")
    np.testing.assert_allclose(line.get_xydata(), path)
    np.testing.assert_allclose(start.get_xydata(), path[:1])


def test_objective_with_and_without_colorbar(ax):
    t1, t2 = np.meshgrid(np.linspace(-2, 2, 21), np.linspace(-2, 2, 21))
    J = BANDIT.expected_return(np.stack([t1, t2], axis=-1))
    assert len(draw_objective(ax, t1, t2, J, colorbar=False)) == 1
    artists = draw_objective(ax, t1, t2, J)
    assert isinstance(artists[1], matplotlib.colorbar.Colorbar)


def test_taylor_slice_draws_curve_tangent_box_and_best_point(ax):
    g = BANDIT.gradient(THETA)
    u = g / np.linalg.norm(g)
    t = np.linspace(-3, 3, 61)
    J = BANDIT.expected_return(THETA + t[:, None] * u)
    J_lin = float(BANDIT.expected_return(THETA)) + t * (g @ u)
    artists = draw_taylor_slice(ax, t, J, J_lin, t_max=1.0, t_best=1.0)
    assert set(artists) == {"curve", "tangent", "box", "best_model", "best_true"}
    np.testing.assert_allclose(artists["curve"].get_ydata(), J)
    np.testing.assert_allclose(artists["tangent"].get_ydata(), J_lin)
    i = int(np.argmin(np.abs(t - 1.0)))
    assert artists["best_true"].get_ydata()[0] == pytest.approx(J[i])
    assert set(draw_taylor_slice(ax, t, J, J_lin, t_max=0.5)) == {"curve", "tangent", "box"}


def test_label_theta_axes_uses_the_lecture_symbols_and_equal_units(ax):
    xlabel, ylabel = label_theta_axes(ax)
    assert xlabel.get_text() == r"$\theta_1$" and ylabel.get_text() == r"$\theta_2$"
    assert ax.get_aspect() == 1.0


# --- whole figures of notebooks 03-05: they draw exactly the arrays they are given ---

from course_utils.bandit import kl_along_line  # noqa: E402
from course_utils.plotting import OPTIMUM  # noqa: E402
from course_utils.plotting.trust_region import (  # noqa: E402
    plot_coordinate_paths,
    plot_invariance_paths,
    plot_kl_against_quadratic,
    plot_trust_regions,
)

A_REPARAM, B_REPARAM = np.diag([0.5, 2.0]), np.array([1.0, -1.0])


def _grid():
    t1, t2 = np.meshgrid(np.linspace(-2, 2, 21), np.linspace(-3, 1, 21))
    return t1, t2, BANDIT.expected_return(np.stack([t1, t2], axis=-1))


def _lines(ax):
    """The data lines of an axes (drawn paths and curves, not the empty legend proxies)."""
    return [line for line in ax.get_lines() if line.get_xydata().size]


def test_plot_coordinate_paths_draws_both_paths_regions_and_first_steps():
    path_theta = ascent_path(BANDIT, THETA, EPS, 4)
    path_phi = ascent_path(BANDIT, THETA, EPS, 4, A=A_REPARAM, b=B_REPARAM)
    tr = trust_region_boundary(EPS)
    fig, axes = plot_coordinate_paths(*_grid(), path_theta, path_phi, tr, tr @ A_REPARAM.T)
    left, right = axes[0]
    drawn = [line.get_xydata() for line in _lines(left)]
    assert any(np.array_equal(xy, path_theta) for xy in drawn)
    assert any(np.array_equal(xy, path_phi) for xy in drawn)
    regions = [line.get_xydata() for line in _lines(right) if len(line.get_xydata()) == len(tr)]
    np.testing.assert_allclose(regions[0], THETA + tr)
    np.testing.assert_allclose(regions[1], THETA + tr @ A_REPARAM.T)
    arrows = [child for child in right.get_children() if isinstance(child, plt.Annotation)]
    np.testing.assert_allclose([a.xy for a in arrows], [path_theta[1], path_phi[1]])
    assert right.get_xlim() == pytest.approx((THETA[0] - 0.35, THETA[0] + 0.35))
    assert fig.get_size_inches() == pytest.approx((12.5, 6.0))
    plt.close(fig)


def test_plot_coordinate_paths_rejects_bad_input():
    path, tr = ascent_path(BANDIT, THETA, EPS, 2), trust_region_boundary(EPS)
    with pytest.raises(ValueError, match=r"path_phi has shape \(3,\)"):
        plot_coordinate_paths(*_grid(), path, path[:, 0], tr, tr)
    with pytest.raises(ValueError, match="boundary_phi has shape"):
        plot_coordinate_paths(*_grid(), path, path, tr, tr[:, :1])
    with pytest.raises(ValueError, match=r"zoom=0.0 is out of range"):
        plot_coordinate_paths(*_grid(), path, path, tr, tr, zoom=0.0)
    plt.close("all")


def _invariance_paths(n_steps=3):
    paths = {
        (method, coords): ascent_path(
            BANDIT,
            THETA,
            EPS,
            n_steps,
            natural=method == "natural",
            A=A_REPARAM if coords == "phi" else None,
        )
        for method in ("vanilla", "natural")
        for coords in ("theta", "phi")
    }
    return paths, {key: BANDIT.expected_return(path) for key, path in paths.items()}


def test_plot_invariance_paths_draws_four_paths_and_their_returns():
    paths, returns = _invariance_paths()
    fig, axes = plot_invariance_paths(*_grid(), paths, returns, EPS, J_best=1.0)
    left, right = axes[0]
    path_lines = [line for line in _lines(left) if len(line.get_xydata()) == 4]
    curves = [line for line in _lines(right) if len(line.get_xydata()) == 4]
    for (method, coords), path_line, curve in zip(paths, path_lines, curves, strict=True):
        np.testing.assert_allclose(path_line.get_xydata(), paths[method, coords])
        np.testing.assert_allclose(curve.get_ydata(), returns[method, coords])
        # theta: the method's colour; phi: the phi colour, markers edged in the method's colour
        own = VANILLA if method == "vanilla" else NATURAL
        for line in (path_line, curve):
            if coords == "theta":
                assert matplotlib.colors.same_color(line.get_color(), own)
            else:
                assert matplotlib.colors.same_color(line.get_color(), REPARAMETRISED)
                assert matplotlib.colors.same_color(line.get_markeredgecolor(), own)
        assert curve.get_linestyle() == ("-" if coords == "theta" else ":")
    best = [line for line in right.get_lines() if line.get_label() == r"best possible $J$"]
    assert best[0].get_ydata()[0] == 1.0 and matplotlib.colors.same_color(
        best[0].get_color(), OPTIMUM
    )
    assert right.get_title() == r"Learning curves, $\epsilon = 0.05$"
    plt.close(fig)


def test_plot_invariance_paths_rejects_bad_input():
    paths, returns = _invariance_paths()
    incomplete = {key: path for key, path in paths.items() if key != ("natural", "phi")}
    with pytest.raises(ValueError, match=r"lacks the key \('natural', 'phi'\)"):
        plot_invariance_paths(*_grid(), incomplete, returns, EPS, 1.0)
    short = {**returns, ("vanilla", "phi"): returns["vanilla", "phi"][:2]}
    with pytest.raises(ValueError, match=r"returns\[\('vanilla', 'phi'\)\] has shape \(2,\)"):
        plot_invariance_paths(*_grid(), paths, short, EPS, 1.0)
    with pytest.raises(ValueError, match=r"eps=-0.1 is out of range"):
        plot_invariance_paths(*_grid(), paths, returns, -0.1, 1.0)
    plt.close("all")


def test_plot_kl_against_quadratic_draws_the_kl_the_model_and_both_ratios():
    line = kl_along_line(BANDIT, THETA, [1.0, -1.0], np.geomspace(1e-3, 10.0, 30))
    fig, axes = plot_kl_against_quadratic(line)
    left, right = axes[0]
    np.testing.assert_allclose(_lines(left)[0].get_ydata(), line.forward)
    np.testing.assert_allclose(_lines(left)[1].get_ydata(), line.quadratic)
    np.testing.assert_allclose(_lines(right)[0].get_ydata(), line.forward_ratio)
    np.testing.assert_allclose(_lines(right)[1].get_ydata(), line.reverse_ratio)
    assert left.get_xscale() == left.get_yscale() == "log" and right.get_xscale() == "log"
    assert "within 10%" in right.get_legend_handles_labels()[1]
    plt.close(fig)


def test_plot_kl_against_quadratic_rejects_a_tolerance_outside_0_1():
    line = kl_along_line(BANDIT, THETA, [1.0, -1.0], [0.1, 1.0])
    with pytest.raises(ValueError, match=r"tol=1.5 is out of range; valid range: \(0, 1\)"):
        plot_kl_against_quadratic(line, tol=1.5)
    with pytest.raises(ValueError, match=r"tol=0.0 is out of range; valid range: \(0, 1\)"):
        plot_kl_against_quadratic(line, tol=0.0)


def test_plot_trust_regions_draws_the_three_regions_and_both_steps():
    t1, t2, J = _grid()
    kl = BANDIT.kl(THETA, np.stack([t1, t2], axis=-1))
    g, F = BANDIT.gradient(THETA), BANDIT.fisher_information(THETA)
    circle, ellipse = trust_region_boundary(EPS), trust_region_boundary(EPS, F)
    d_v, d_n = vanilla_step(g, EPS), natural_step(g, F, EPS)
    fig, axes = plot_trust_regions(t1, t2, J, kl, THETA, EPS, circle, ellipse, d_v, d_n)
    ax = axes[0, 0]
    boundaries = [line for line in _lines(ax) if len(line.get_xydata()) == len(circle)]
    np.testing.assert_allclose(boundaries[0].get_xydata(), THETA + circle)
    np.testing.assert_allclose(boundaries[1].get_xydata(), THETA + ellipse)
    assert matplotlib.colors.same_color(boundaries[1].get_color(), NATURAL)
    arrows = [child for child in ax.get_children() if isinstance(child, plt.Annotation)]
    np.testing.assert_allclose([a.xy for a in arrows], [THETA + d_v, THETA + d_n])
    assert r"exact $D_{KL} \leq \epsilon$" in ax.get_legend_handles_labels()[1]
    assert ax.get_title() == r"Trust regions at $\theta_0 = (-1, 1)$, $\epsilon = 0.05$"
    plt.close(fig)


def test_plot_trust_regions_rejects_bad_input():
    t1, t2, J = _grid()
    circle, d = trust_region_boundary(EPS), np.ones(2)
    with pytest.raises(ValueError, match="d_natural has shape"):
        plot_trust_regions(t1, t2, J, J, THETA, EPS, circle, circle, d, np.ones(3))
    with pytest.raises(ValueError, match="ellipse has shape"):
        plot_trust_regions(t1, t2, J, J, THETA, EPS, circle, circle[:, 0], d, d)
    with pytest.raises(ValueError, match=r"eps=0.0 is out of range"):
        plot_trust_regions(t1, t2, J, J, THETA, 0.0, circle, circle, d, d)
    plt.close("all")
