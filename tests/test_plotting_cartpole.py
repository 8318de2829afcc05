"""Tests for course_utils.plotting.cartpole: it draws exactly what the math layer returns."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from course_utils import evidence
from course_utils import practical as pr
from course_utils.plotting import NATURAL, OPTIMUM, VANILLA
from course_utils.plotting.cartpole import plot_training_comparison

RETURNS = {
    "vanilla": np.array([[10.0, 50.0, 120.0, 200.0], [20.0, 70.0, 100.0, 220.0]]),
    "natural_cg": np.array([[10.0, 150.0, 300.0, 500.0], [30.0, 170.0, 340.0, 480.0]]),
}
KL = {
    "vanilla": np.array([[0.2, 0.1, 0.3, 0.15], [0.1, 0.4, 0.2, 0.2]]),
    "natural_cg": np.array([[0.009, 0.008, 0.0095, 0.007], [0.0085, 0.009, 0.008, 0.006]]),
}
LEVELS = (100.0, 200.0, 300.0, 400.0)


@pytest.fixture
def figure():
    returns = {m: pr.curve_band(c, spread="minmax") for m, c in RETURNS.items()}
    kls = {m: pr.curve_band(c, spread="minmax") for m, c in KL.items()}
    reach = {m: [evidence.first_reach(c, lv) for lv in LEVELS] for m, c in RETURNS.items()}
    fig = plot_training_comparison(
        returns, kls, LEVELS, reach, delta=0.01, batch_steps=3200, n_runs=2
    )
    yield fig, returns, kls
    plt.close(fig)


def test_left_panel_draws_the_mean_returns_and_the_cap(figure):
    fig, returns, _ = figure
    left = fig.axes[0]
    van, nat, cap = left.get_lines()
    np.testing.assert_allclose(van.get_ydata(), RETURNS["vanilla"].mean(axis=0))
    np.testing.assert_allclose(nat.get_ydata(), returns["natural_cg"].mean)
    assert to_hex(van.get_color()) == VANILLA and to_hex(nat.get_color()) == NATURAL
    assert to_hex(cap.get_color()) == OPTIMUM and cap.get_ydata()[0] == 500
    assert "2 runs" in left.get_title() and "3200 env steps" in left.get_xlabel()


def test_middle_panel_draws_the_kl_on_a_log_axis_against_delta(figure):
    fig, _, kls = figure
    middle = fig.axes[1]
    assert middle.get_yscale() == "log"
    van, nat, ref = middle.get_lines()
    np.testing.assert_allclose(van.get_ydata(), KL["vanilla"].mean(axis=0))
    np.testing.assert_allclose(nat.get_ydata(), kls["natural_cg"].mean)
    assert ref.get_ydata()[0] == 0.01
    assert r"$\delta = 0.01$" in [t.get_text() for t in middle.get_legend().get_texts()]


def test_right_panel_draws_what_first_reach_computes(figure):
    fig, _, _ = figure
    van, nat = fig.axes[2].get_lines()
    # vanilla's mean curve 15, 60, 110, 210; natural's 20, 160, 320, 490
    np.testing.assert_array_equal(van.get_ydata(), [2.0, 3.0, np.nan, np.nan])
    np.testing.assert_array_equal(nat.get_ydata(), [1.0, 2.0, 2.0, 3.0])
    np.testing.assert_array_equal(van.get_xdata(), LEVELS)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"delta": 0.0}, "delta"),
        ({"delta": np.nan}, "delta"),
        ({"batch_steps": 0}, "batch_steps"),
        ({"batch_steps": 3.5}, "batch_steps"),
        ({"n_runs": 0}, "n_runs"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(kwargs, match):
    settings = {"delta": 0.01, "batch_steps": 3200, "n_runs": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        plot_training_comparison({}, {}, LEVELS, {}, **settings)
    plt.close("all")
