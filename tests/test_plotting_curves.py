"""Tests for course_utils.plotting.curves: it draws exactly what the math layer returns."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from course_utils import evidence, mdp
from course_utils import practical as pr
from course_utils.plotting import NATURAL, VANILLA
from course_utils.plotting.curves import (
    METHOD_STYLES,
    plot_first_reach,
    plot_gap_and_gain,
    plot_learning_curves,
    plot_plateau,
)


@pytest.fixture
def axes():
    fig, axes = plt.subplots(1, 2)
    yield axes
    plt.close(fig)


def test_learning_curves_draw_the_mean_and_the_band(axes):
    ax = axes[0]
    curves = np.array([[1.0, 2.0, 4.0], [3.0, 4.0, 4.0]])
    band = pr.curve_band(curves)
    plot_learning_curves(ax, {"vanilla": band, "natural": band}, reference=5.0, title="t")
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_xydata(), np.c_[[0, 1, 2], band.mean])
    assert to_hex(lines[0].get_color()) == VANILLA and to_hex(lines[1].get_color()) == NATURAL
    poly = ax.collections[0].get_paths()[0].vertices
    assert poly[:, 1].min() == pytest.approx(band.lower.min())
    assert poly[:, 1].max() == pytest.approx(band.upper.max())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert METHOD_STYLES["vanilla"]["label"] in labels and "optimum" in labels
    plot_learning_curves(axes[1], {"custom": band}, log=True)
    assert axes[1].get_yscale() == "log"
    assert axes[1].get_legend().get_texts()[0].get_text() == "custom"


def test_plateau_draws_eta_and_the_visitation_on_log_axes(axes):
    flow = pr.plateau_flow(mdp.PLATEAU_START, 1e3, t_eval=[0.0, 1.0, 10.0, 1e3])
    natural = pr.plateau_ascent(mdp.PLATEAU_START, 5, natural=True)
    plot_plateau(axes, flow, natural, vanilla_steps=natural, level=1.5)
    first = axes[0].get_lines()[0]
    np.testing.assert_allclose(first.get_xdata(), [1.0, 10.0, 1e3])  # t = 0 is dropped
    np.testing.assert_allclose(first.get_ydata(), flow.eta[1:])
    np.testing.assert_allclose(axes[1].get_lines()[0].get_ydata(), flow.visitation_j[1:])
    assert axes[0].get_xscale() == "log" and axes[1].get_yscale() == "log"


def test_first_reach_draws_what_evidence_computes_and_skips_never(axes):
    curves = {"vanilla": np.array([[0.0, 1.0, 2.0, 3.0]]), "natural": np.array([[0.0, 3.0, 3, 3]])}
    levels = (1.0, 2.0, 3.0, 4.0)
    reach = {m: [evidence.first_reach(c, lv) for lv in levels] for m, c in curves.items()}
    plot_first_reach(axes[0], levels, reach)
    van, nat = axes[0].get_lines()
    np.testing.assert_array_equal(van.get_ydata(), [1.0, 2.0, 3.0, np.nan])
    np.testing.assert_array_equal(nat.get_ydata(), [1.0, 1.0, 1.0, np.nan])
    assert to_hex(van.get_color()) == VANILLA and to_hex(nat.get_color()) == NATURAL


def test_gap_and_gain_draw_the_bands_on_a_log_and_a_linear_axis(axes):
    gaps = pr.curve_band(np.array([[1.0, 0.1, 0.01], [2.0, 0.2, 0.02]]), spread="minmax")
    gains = pr.curve_band(np.array([[-0.2, -0.8, -0.9], [-0.2, -0.6, -0.9]]))
    plot_gap_and_gain(axes, {"natural": gaps}, {"vanilla": gains, "natural": gains}, k_star=-0.9)
    np.testing.assert_allclose(axes[0].get_lines()[0].get_ydata(), gaps.mean)
    assert axes[0].get_yscale() == "log" and axes[1].get_yscale() == "linear"
    van, nat, ref = axes[1].get_lines()
    np.testing.assert_allclose(van.get_ydata(), gains.mean)
    assert to_hex(van.get_color()) == VANILLA and to_hex(nat.get_color()) == NATURAL
    np.testing.assert_allclose(ref.get_ydata(), [-0.9, -0.9])
    labels = [t.get_text() for t in axes[1].get_legend().get_texts()]
    assert labels[-1] == "$k^*$"
