"""Tests for course_utils.plotting.gaussian: it draws exactly what the math layer returns."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.gaussian import LinearGaussianLQR
from course_utils.plotting import NATURAL, VANILLA
from course_utils.plotting.gaussian import draw_k_sigma_panel, draw_path, draw_unit_field

LQR = LinearGaussianLQR()
K, SIGMA = np.meshgrid(np.linspace(-1.7, -0.1, 5), np.linspace(0.05, 0.95, 4))


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_panel_draws_the_fields_it_is_given_and_returns_updatable_artists(ax):
    vanilla, natural = LQR.unit_fields(K, SIGMA)
    k_fine, s_fine = np.meshgrid(np.linspace(-2.2, 0.2, 60), np.linspace(0.01, 1.0, 30))
    J = LQR.expected_return(k_fine, s_fine, unstable="-inf")
    assert np.isinf(J).any()  # the grid crosses the stability boundary
    artists = draw_k_sigma_panel(
        ax,
        K,
        SIGMA,
        vanilla=vanilla,
        natural=natural,
        contours=(k_fine, s_fine, J, -np.geomspace(30, 0.2, 6)),
        interval=LQR.stability_interval(),
        k_star=LQR.optimal_gain(),
    )
    assert set(artists) == {"contours", "boundary", "vanilla", "natural", "optimum"}
    np.testing.assert_allclose(artists["vanilla"].U, vanilla[..., 0].ravel())
    np.testing.assert_allclose(artists["natural"].V, natural[..., 1].ravel())
    assert matplotlib.colors.same_color(artists["vanilla"].get_facecolor()[0], VANILLA)
    assert matplotlib.colors.same_color(artists["natural"].get_facecolor()[0], NATURAL)
    np.testing.assert_allclose(artists["optimum"].get_xdata(), [LQR.optimal_gain()])
    # in-place update, as a widget does it
    v_log, _ = LQR.unit_fields(K, SIGMA, parametrisation="log_sigma")
    artists["vanilla"].set_UVC(v_log[..., 0], v_log[..., 1])
    np.testing.assert_allclose(artists["vanilla"].U, v_log[..., 0].ravel())
    ax.figure.canvas.draw()


def test_unit_field_and_path_draw_their_data(ax):
    _, natural = LQR.unit_fields(K, SIGMA)
    quiver = draw_unit_field(ax, K, SIGMA, natural, color=NATURAL, length=0.1)
    np.testing.assert_allclose(quiver.X, K.ravel())
    np.testing.assert_allclose(quiver.Y, SIGMA.ravel())
    path = LQR.ascent_path(-0.2, 0.5, 1e-3, natural=True, max_iter=20)
    line, start = draw_path(ax, path.points, color=NATURAL, label="natural steps")
    np.testing.assert_allclose(line.get_xydata(), path.points)
    np.testing.assert_allclose(start.get_xydata(), path.points[:1])
    ax.figure.canvas.draw()
