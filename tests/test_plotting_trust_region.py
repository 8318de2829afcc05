"""Tests for course_utils.plotting.trust_region: it draws exactly what the math layer returns."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.bandit import SoftmaxBandit, ascent_path
from course_utils.natural import natural_step, trust_region_boundary, vanilla_step
from course_utils.plotting import CONSTRAINT, NATURAL, VANILLA
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
