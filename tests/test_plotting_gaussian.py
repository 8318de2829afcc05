"""Tests for course_utils.plotting.gaussian: it draws exactly what the math layer returns."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.gaussian import LinearGaussianLQR
from course_utils.plotting import NATURAL, VANILLA
from course_utils.plotting.gaussian import (
    draw_estimated_fields,
    draw_flows_log_sigma,
    draw_k_sigma_panel,
    draw_path,
    draw_reparametrised_fields,
    draw_steps_and_flows,
    draw_unit_field,
)

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


# --- the multi-panel figures of notebook 06 (issue 10 item 20) -----------------------------


def test_steps_and_flows_draw_the_paths_and_fade_the_fields(ax):
    vanilla, natural = LQR.unit_fields(K, SIGMA)
    artists = draw_k_sigma_panel(ax, K, SIGMA, vanilla=vanilla, natural=natural, legend=False)
    van = [LQR.ascent_path(-0.2, 0.5, 1e-2, natural=False, max_iter=30).points]
    nat = [LQR.ascent_path(s, 0.5, 1e-2, natural=True, max_iter=30).points for s in (-0.2, -1.5)]
    flow = LQR.gradient_flow(-0.2, 0.5, natural=True, sigma_min=1e-2).points
    lines = draw_steps_and_flows(ax, van, nat, [flow], fields_alpha=0.3)
    assert len(lines) == 4
    for (line, _), points in zip(lines, [*van, *nat, flow], strict=True):
        np.testing.assert_allclose(line.get_xydata(), points)
    assert matplotlib.colors.same_color(lines[0][0].get_color(), VANILLA)
    assert matplotlib.colors.same_color(lines[1][0].get_color(), NATURAL)
    assert lines[3][0].get_linestyle() == ":"
    assert artists["vanilla"].get_alpha() == artists["natural"].get_alpha() == 0.3
    ax.figure.canvas.draw()


def test_steps_and_flows_validate_their_arguments(ax):
    with pytest.raises(ValueError, match="fields_alpha"):
        draw_steps_and_flows(ax, [], [], fields_alpha=1.5)
    with pytest.raises(ValueError, match=r"natural_paths\[0\] has shape"):
        draw_steps_and_flows(ax, [], [np.zeros((4, 3))])


def test_flows_log_sigma_draws_the_flows_on_a_log_axis(ax):
    van = LQR.gradient_flow(-0.2, 0.5, natural=False, sigma_min=1e-60).points
    nat = LQR.gradient_flow(-0.2, 0.5, natural=True, sigma_min=1e-60).points
    (v_line, _), (n_line, _), k_line = draw_flows_log_sigma(
        ax, van, nat, LQR.optimal_gain(), sigma_floor=1e-60
    )
    np.testing.assert_allclose(v_line.get_xydata(), van)
    np.testing.assert_allclose(n_line.get_xydata(), nat)
    np.testing.assert_allclose(k_line.get_xdata(), [LQR.optimal_gain()] * 2)
    assert ax.get_yscale() == "log"
    np.testing.assert_allclose(ax.get_ylim(), (1e-60, 1.0))
    np.testing.assert_allclose(ax.get_yticks(), [1e-50, 1.0])
    with pytest.raises(ValueError, match="sigma_floor"):
        draw_flows_log_sigma(ax, van, nat, -0.9, sigma_floor=0.0)
    with pytest.raises(ValueError, match="vanilla_flow has shape"):
        draw_flows_log_sigma(ax, van[:, 0], nat, -0.9)


def test_estimated_fields_one_panel_per_estimate():
    _, exact = LQR.unit_fields(K, SIGMA)
    rng = np.random.default_rng(0)
    estimates = {f"N = {n}": LQR.estimate_unit_fields(K, SIGMA, n, 30, rng)[1] for n in (5, 50)}
    fig, axes = plt.subplots(1, 2)
    try:
        quivers = draw_estimated_fields(axes, K, SIGMA, exact, estimates, LQR.optimal_gain())
        for ax, quiver, (title, field) in zip(axes, quivers, estimates.items(), strict=True):
            assert ax.get_title() == title
            np.testing.assert_allclose(quiver.U, field[..., 0].ravel())
            assert matplotlib.colors.same_color(quiver.get_facecolor()[0], NATURAL)
        with pytest.raises(ValueError, match="one per estimate"):
            draw_estimated_fields(axes[:1], K, SIGMA, exact, estimates, LQR.optimal_gain())
        with pytest.raises(ValueError, match="length"):
            draw_estimated_fields(axes, K, SIGMA, exact, estimates, -0.9, length=0.0)
        fig.canvas.draw()
    finally:
        plt.close(fig)


def test_reparametrised_fields_draw_both_parametrisations():
    fields = LQR.unit_fields(K, SIGMA)
    fields_log = LQR.unit_fields(K, SIGMA, parametrisation="log_sigma")
    fig, axes = plt.subplots(1, 2)
    try:
        drawn = draw_reparametrised_fields(
            axes, K, SIGMA, fields, fields_log, k_star=LQR.optimal_gain()
        )
        for artists, field, field_log, color in zip(
            drawn, fields, fields_log, (VANILLA, NATURAL), strict=True
        ):
            np.testing.assert_allclose(artists["sigma"].V, field[..., 1].ravel())
            np.testing.assert_allclose(artists["log_sigma"].V, field_log[..., 1].ravel())
            assert matplotlib.colors.same_color(artists["sigma"].get_facecolor()[0], color)
            assert "optimum" in artists
        with pytest.raises(ValueError, match="two each"):
            draw_reparametrised_fields(axes, K, SIGMA, fields[:1], fields_log)
        fig.canvas.draw()
    finally:
        plt.close(fig)
