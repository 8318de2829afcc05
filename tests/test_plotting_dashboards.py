"""Tests for course_utils.plotting.dashboards: draw-only helpers that update artists in place."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.bandit import reparametrisation_grid  # noqa: E402
from course_utils.plotting import dashboards as draw  # noqa: E402


@pytest.fixture
def ax():
    return Figure().add_subplot()


def test_return_levels_are_increasing_negative_and_ignore_unstable_points():
    J = -np.geomspace(0.1, 100.0, 200)
    J[:20] = -np.inf
    levels = draw.return_levels(J, n=8)
    assert levels.shape == (8,)
    assert np.all(np.diff(levels) > 0) and np.all(levels < 0) and np.all(np.isfinite(levels))
    assert draw.return_levels(np.full(5, -np.inf)).shape == (2,)  # nothing finite: a fallback


def test_stability_shading_moves_to_the_interval(ax):
    artists = draw.draw_stability_shading(ax, (-2.0, 0.1))
    left, right, line_lo, line_hi = artists
    assert left.get_x() + left.get_width() == pytest.approx(-2.0)
    assert right.get_x() == pytest.approx(0.1)
    draw.move_stability_shading(artists, (-np.inf, np.inf))  # gamma = 0: no unstable gains
    assert np.isfinite(left.get_x()) and line_hi.get_xdata()[0] == pytest.approx(1e3)


def test_masked_directions_leave_no_arrow_outside_the_mask():
    mask = np.array([[True, False], [False, True]])
    u, v = draw.masked_directions(np.array([[1.0, 0.0], [0.0, 1.0]]), mask, mask.shape)
    np.testing.assert_array_equal(np.ma.getmaskarray(u), ~mask)
    assert u[0, 0] == 1.0 and v[1, 1] == 1.0


def test_arrow_lines_markers_and_hiding(ax):
    arrow = draw.draw_arrow(ax, "red")
    draw.move_arrow(arrow, [1.0, 2.0], [0.5, -0.5])
    np.testing.assert_allclose(arrow.get_offsets(), [[1.0, 2.0]])
    assert (arrow.U[0], arrow.V[0]) == (0.5, -0.5)
    line = draw.draw_curve(ax, "blue")
    draw.set_line(line, [0.0, 1.0], [2.0, 3.0])
    assert line.get_visible()
    draw.hide(line, arrow)
    assert not line.get_visible() and not arrow.get_visible()
    draw.set_line(line, [0.0], [1.0])
    assert line.get_visible()


def test_coordinate_grid_follows_the_reparametrisation(ax):
    collections = draw.draw_coordinate_grid(ax, reparametrisation_grid())
    A = np.array([[2.0, 1.0], [0.0, 1.0]])
    lines = reparametrisation_grid(A)
    draw.move_coordinate_grid(collections, lines)
    for family, collection in enumerate(collections):
        np.testing.assert_allclose(np.array(collection.get_segments()), lines[family])


def test_light_log_axes_drop_minor_ticks(ax):
    ax.set_xscale("log")
    ax.set_xlim(1e-4, 10.0)
    draw.light_log_axes(ax)
    assert len(ax.xaxis.get_minorticklocs()) == 0
    assert 0 < len(ax.xaxis.get_majorticklocs()) <= 8
