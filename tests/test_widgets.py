"""Tests for course_utils.widgets: the dashboards, headless (Agg), driven programmatically.

Each dashboard must (1) draw exactly what the math layer computes, (2) change its artists when
a control moves, (3) survive every control swept over its whole range, both ends included,
with nothing NaN drawn, (4) explain invalid settings in a message instead of raising, and
(5) redraw by blitting to the same pixels as a full redraw.
"""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402

from course_utils.bandit import (  # noqa: E402
    SoftmaxBandit,
    equal_kl_gains,
    kl_region_boundary,
    reparametrisation_grid,
    reparametrised_paths,
    trust_region_steps,
)
from course_utils.gaussian import LinearGaussianLQR, discount_horizon, natural_step_kl  # noqa: E402
from course_utils.natural import trust_region_boundary  # noqa: E402
from course_utils.plotting import FIGURE_DPI  # noqa: E402
from course_utils.widgets import (  # noqa: E402
    KLQuadraticExplorer,
    KSigmaExplorer,
    ReparametrisationExplorer,
    TrustRegionExplorer,
    k_sigma_explorer,
    kl_quadratic_explorer,
    reparametrisation_explorer,
    trust_region_explorer,
)
from course_utils.widgets import kl_quadratic as klq_module  # noqa: E402
from course_utils.widgets import trust_region as tr_module  # noqa: E402

# ipympl's toolbar passes an argument traitlets no longer wants (ipympl's issue, not ours)
pytestmark = pytest.mark.filterwarnings(
    "ignore:Passing unrecognized arguments to super\\(Toolbar\\):DeprecationWarning"
)

DASHBOARDS = [KSigmaExplorer, TrustRegionExplorer, ReparametrisationExplorer, KLQuadraticExplorer]
#: interior points per slider in the sweeps (plus both ends)
SWEEP_POINTS = 5


# --- helpers ----------------------------------------------------------------------------------


def drawn_arrays(fig):
    """Every coordinate array a visible artist of ``fig`` would draw (masked points dropped)."""
    out = []
    for artist in fig.findobj():
        if not artist.get_visible():
            continue
        if isinstance(artist, Quiver):
            drawn = ~np.broadcast_to(np.asarray(artist.Umask), np.shape(artist.U))
            out += [np.asarray(artist.U)[drawn], np.asarray(artist.V)[drawn]]
            out.append(np.asarray(artist.get_offsets()))
        elif isinstance(artist, Line2D):
            x, y = artist.get_data()
            for v in (x, y):
                v = np.ma.asarray(v, dtype=float)
                out.append(v.compressed())
        elif isinstance(artist, LineCollection):
            out.extend(np.asarray(seg) for seg in artist.get_segments())
        elif isinstance(artist, PolyCollection):
            out.extend(np.asarray(p.vertices) for p in artist.get_paths())
        elif isinstance(artist, Patch):
            out.append(np.asarray(artist.get_path().vertices))
        elif isinstance(artist, Text):
            out.append(np.array([0.0 if "nan" not in artist.get_text().lower() else np.nan]))
    return out


def assert_nothing_nan_drawn(dash):
    for arr in drawn_arrays(dash.fig):
        assert np.all(np.isfinite(np.asarray(arr, dtype=float))), (
            f"{type(dash).__name__}: a NaN or inf is drawn"
        )


def assert_no_internal_error(dash):
    internal = [text for level, text in dash.messages if text.startswith("Internal error")]
    assert not internal, internal


def sweep_values(control):
    """Both ends of a control's range and evenly spaced values between (snapped to steps)."""
    if isinstance(control, widgets.FloatLogSlider):
        exps = np.linspace(control.min, control.max, SWEEP_POINTS + 2)
        exps = control.min + np.round((exps - control.min) / control.step) * control.step
        return [float(control.base**e) for e in np.clip(exps, control.min, control.max)]
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        values = np.linspace(control.min, control.max, SWEEP_POINTS + 2)
        values = control.min + np.round((values - control.min) / control.step) * control.step
        values = np.clip(values, control.min, control.max)
        if isinstance(control, widgets.IntSlider):
            return [int(v) for v in values]
        return [float(v) for v in values]
    if isinstance(control, widgets.Checkbox):
        return [True, False]
    return list(control.options)


def line_xy(line):
    x, y = line.get_data()
    return np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])


@pytest.fixture(params=DASHBOARDS, ids=lambda cls: cls.__name__)
def dashboard(request):
    dash = request.param(backend="agg")
    yield dash
    dash.close()


# --- common behaviour -------------------------------------------------------------------------


def test_import_is_lazy():
    """``import course_utils.widgets`` loads neither ipywidgets nor matplotlib."""
    code = (
        "import sys, course_utils.widgets as w; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules)); "
        "w.KSigmaExplorer; print('ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True"]


def test_unknown_name_raises_attribute_error():
    import course_utils.widgets as w

    with pytest.raises(AttributeError, match="no attribute"):
        w.no_such_dashboard  # noqa: B018


@pytest.mark.parametrize(
    "factory, cls",
    [
        (k_sigma_explorer, KSigmaExplorer),
        (trust_region_explorer, TrustRegionExplorer),
        (reparametrisation_explorer, ReparametrisationExplorer),
        (kl_quadratic_explorer, KLQuadraticExplorer),
    ],
)
def test_one_line_factories_return_a_displayable_dashboard(factory, cls):
    dash = factory(backend="agg")
    assert isinstance(dash, cls)
    bundle = dash._repr_mimebundle_()
    # a stable text (nbval compares it) and the widget view (nbval skips it)
    assert bundle["text/plain"] == (
        f"{cls.title} (interactive: run the notebook in JupyterLab or Voila to use it)"
    )
    assert "application/vnd.jupyter.widget-view+json" in bundle
    # and a static picture of the figure, for readers without a kernel
    png = base64.b64decode(bundle["image/png"])
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and min(image.info["dpi"]) >= FIGURE_DPI - 0.01
    assert image.size == tuple(round(v * FIGURE_DPI) for v in dash.figsize)
    # the picture is what the live canvas shows (up to the layout, which the dashboard fixes
    # once): less than 1 % of the pixels differ
    live = np.asarray(dash.fig.canvas.buffer_rgba())[..., :3]
    picture = np.asarray(image.convert("RGB"))
    assert picture.shape == live.shape
    assert np.mean(np.any(picture != live, axis=-1)) < 0.01
    # a frontend that excludes images gets none
    assert "image/png" not in dash._repr_mimebundle_(exclude={"image/png"})
    dash.close()


def test_initial_state_is_clean(dashboard):
    """The default settings draw a finite figure without errors or warnings."""
    assert_nothing_nan_drawn(dashboard)
    assert [level for level, _ in dashboard.messages if level != "info"] == []
    assert dashboard.summary
    assert dashboard.last_update_seconds > 0


def test_unknown_control_is_rejected(dashboard):
    with pytest.raises(ValueError, match="unknown control"):
        dashboard.set(no_such_control=1)
    with pytest.raises(ValueError, match="unknown control"):
        type(dashboard)(backend="agg", no_such_control=1)


def test_bad_backend_is_rejected():
    with pytest.raises(ValueError, match="backend='svg' is invalid"):
        KSigmaExplorer(backend="svg")


def test_sweep_every_control_over_its_whole_range(dashboard):
    """Each control from one end of its range to the other: never an exception, never NaN."""
    for name, control in dashboard.controls.items():
        initial = control.value
        for value in sweep_values(control):
            dashboard.set(**{name: value})
            assert_no_internal_error(dashboard)
            assert_nothing_nan_drawn(dashboard)
        dashboard.set(**{name: initial})


def test_blitting_draws_the_same_pixels_as_a_full_redraw(dashboard):
    """A move of a 'dynamic' control redraws by blitting: the result must equal a full render."""
    name = sorted(dashboard.dynamic_controls)[0]
    control = dashboard.controls[name]
    values = sweep_values(control)
    dashboard.set(**{name: values[len(values) // 2 + 1]})
    blitted = np.asarray(dashboard.fig.canvas.buffer_rgba()).copy()
    dashboard.fig.canvas.draw()
    full = np.asarray(dashboard.fig.canvas.buffer_rgba())
    assert np.array_equal(blitted, full)


def test_render_from_scratch_draws_the_same_figure(dashboard):
    """The naive re-plot of the benchmark draws what the dashboard shows (up to the layout,
    which the dashboard fixes once): less than 1 % of the pixels differ."""
    live = np.asarray(dashboard.fig.canvas.buffer_rgba()).copy()
    scratch = np.asarray(dashboard.render_from_scratch().canvas.buffer_rgba())
    assert scratch.shape == live.shape
    assert np.mean(np.any(scratch != live, axis=-1)) < 0.01
    # the live figure was not touched
    assert np.array_equal(np.asarray(dashboard.fig.canvas.buffer_rgba()), live)


def test_image_backend_sends_a_new_png_on_each_move():
    dash = KLQuadraticExplorer(backend="image")
    first = dash._figure_widget.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    dash.set(eps=1.0)
    assert dash._figure_widget.value != first
    dash.close()


def test_ipympl_backend_builds_without_a_frontend():
    pytest.importorskip("ipympl")
    dash = ReparametrisationExplorer(backend="ipympl")
    assert type(dash.fig.canvas).__name__ == "Canvas"
    dash.set(scale=0.5)
    assert_no_internal_error(dash)
    dash.close()


def test_ipympl_does_not_switch_the_users_backend():
    """``import ipympl`` would switch pyplot to the widget backend; the dashboards must not."""
    pytest.importorskip("ipympl")
    code = (
        "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; "
        "from course_utils.widgets import KLQuadraticExplorer; "
        "KLQuadraticExplorer(backend='ipympl'); print(matplotlib.get_backend())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1].lower() == "agg"


def test_internal_errors_become_messages(monkeypatch):
    dash = KLQuadraticExplorer(backend="agg")

    def broken(changed, report):
        raise RuntimeError("boom")

    monkeypatch.setattr(dash, "_update", broken)
    dash.set(eps=1.0)  # no exception escapes
    assert dash.messages[0][0] == "error"
    assert dash.messages[0][1].startswith("Internal error (RuntimeError: boom)")
    assert "cu-msg-internal" in dash._message_html.value


# --- k / sigma explorer -------------------------------------------------------------------------


def test_k_sigma_draws_what_the_lqr_computes():
    dash = KSigmaExplorer(backend="agg", eps=0.1, R=0.3, gamma=0.8, k0=-0.5, sigma0=0.6)
    lqr = LinearGaussianLQR(R=0.3, gamma=0.8)
    for name in ("vanilla", "natural"):
        path = lqr.ascent_path(-0.5, 0.6, 0.1, natural=name == "natural")
        np.testing.assert_allclose(line_xy(dash.paths[name][0]), path.points, rtol=0, atol=0)
    k, sigma = dash._k_arrows, dash._sigma_arrows
    stable = lqr.is_stable(k)
    vanilla, natural = lqr.unit_fields(k[stable], sigma[stable])
    for name, expected in (("vanilla", vanilla), ("natural", natural)):
        quiver = dash.quiver[name]
        drawn = ~np.broadcast_to(np.asarray(quiver.Umask), np.shape(quiver.U))
        assert np.array_equal(drawn, stable.ravel())  # no arrow in the unstable region
        np.testing.assert_allclose(quiver.U[drawn], expected[:, 0], atol=1e-15)
        np.testing.assert_allclose(quiver.V[drawn], expected[:, 1], atol=1e-15)
    k_star = lqr.optimal_gain()
    assert dash.k_star_line.get_xdata()[0] == pytest.approx(k_star, abs=1e-15)
    lo, hi = lqr.stability_interval()
    assert dash.stability[2].get_xdata()[0] == pytest.approx(lo)
    assert dash.stability[3].get_xdata()[0] == pytest.approx(hi)
    assert dash.readout[0] == ("k* (optimal gain)", f"{k_star:.4f}")
    J0 = float(lqr.expected_return(-0.5, 0.6))
    assert ("J at the start", f"{J0:.6f}") in dash.readout


def test_k_sigma_eps_moves_only_the_paths():
    dash = KSigmaExplorer(backend="agg")
    before = line_xy(dash.paths["natural"][0])
    contours, misses = dash.contours, dash._fields.misses
    u_before = np.ma.copy(dash.quiver["vanilla"].U)
    dash.set(eps=0.1)
    after = line_xy(dash.paths["natural"][0])
    assert before.shape != after.shape or not np.allclose(before, after)
    lqr = LinearGaussianLQR()
    np.testing.assert_array_equal(after, lqr.ascent_path(-0.2, 0.5, 0.1, natural=True).points)
    # nothing else was recomputed or redrawn from scratch
    assert dash.contours is contours
    assert dash._fields.misses == misses
    np.testing.assert_array_equal(np.ma.getdata(dash.quiver["vanilla"].U), np.ma.getdata(u_before))


def test_k_sigma_setting_change_is_cached():
    dash = KSigmaExplorer(backend="agg")
    dash.set(gamma=0.8)
    misses = dash._fields.misses
    dash.set(gamma=0.9)  # back to the start: fields and contours come from the cache
    assert dash._fields.misses == misses
    assert dash._contours.hits >= 1


def test_k_sigma_monte_carlo_arrows_are_the_seeded_estimates():
    dash = KSigmaExplorer(backend="agg", arrows="Monte Carlo", n=20, seed=3, baseline=False)
    lqr = LinearGaussianLQR()
    stable = lqr.is_stable(dash._k_arrows)
    vanilla, natural = lqr.estimate_unit_fields(
        dash._k_arrows[stable],
        dash._sigma_arrows[stable],
        20,
        discount_horizon(0.9),
        np.random.default_rng(3),
        baseline=False,
    )
    drawn = stable.ravel()
    np.testing.assert_allclose(dash.quiver["vanilla"].U[drawn], vanilla[:, 0])
    np.testing.assert_allclose(dash.quiver["natural"].V[drawn], natural[:, 1])
    assert not dash.controls["n"].disabled
    assert any("without a baseline" in text for _, text in dash.messages)
    dash.set(arrows="exact")
    assert dash.controls["n"].disabled


def test_k_sigma_show_hides_the_other_field_and_path():
    dash = KSigmaExplorer(backend="agg", show="natural")
    assert not dash.quiver["vanilla"].get_visible()
    assert not dash.paths["vanilla"][0].get_visible()
    assert dash.quiver["natural"].get_visible() and dash.paths["natural"][0].get_visible()
    assert "vanilla" not in dash.summary


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"sigma0": 0.0}, "σ₀ = 0 is a deterministic policy"),
        ({"k0": 0.4, "gamma": 0.9}, "is unstable"),
        ({"sigma0": 0.02}, "is near 0"),
        ({"eps": 1.0}, "the very first step"),
        ({"eps": 1e-4}, "is small"),
    ],
)
def test_k_sigma_explains_degenerate_settings(values, expected):
    dash = KSigmaExplorer(backend="agg", **values)
    assert any(expected in text for _, text in dash.messages), dash.messages
    assert_nothing_nan_drawn(dash)


def test_k_sigma_invalid_start_hides_the_paths():
    dash = KSigmaExplorer(backend="agg", k0=0.4)
    assert dash.messages[0][0] == "error"
    assert not any(line.get_visible() for line, _ in dash.paths.values())
    dash.set(k0=-0.5)
    assert all(line.get_visible() for line, _ in dash.paths.values())
    assert dash.messages == [] or dash.messages[0][0] != "error"


def test_k_sigma_click_sets_the_start_point():
    dash = KSigmaExplorer(backend="agg")

    class Event:
        inaxes = dash.ax
        xdata, ydata = -1.234, 0.456

    dash._on_click(Event())
    assert dash.value("k0") == pytest.approx(-1.24)
    assert dash.value("sigma0") == pytest.approx(0.46)
    start = line_xy(dash.paths["natural"][1])
    np.testing.assert_allclose(start, [[-1.24, 0.46]])

    class Outside(Event):
        inaxes = None

    dash._on_click(Outside())
    assert dash.value("k0") == pytest.approx(-1.24)


# --- trust-region explorer ----------------------------------------------------------------------


def test_trust_region_draws_what_the_bandit_computes():
    dash = TrustRegionExplorer(backend="agg", eps=0.2, theta1=0.5, theta2=-1.0)
    bandit, theta = SoftmaxBandit(), np.array([0.5, -1.0])
    F = bandit.fisher_information(theta)
    np.testing.assert_allclose(line_xy(dash.circle), theta + trust_region_boundary(0.2))
    np.testing.assert_allclose(line_xy(dash.ellipse), theta + trust_region_boundary(0.2, F))
    np.testing.assert_allclose(
        line_xy(dash.kl_line), theta + kl_region_boundary(bandit, theta, 0.2)
    )
    steps = trust_region_steps(bandit, theta, 0.2)
    for arrow, d in ((dash.arrow_vanilla, steps.vanilla), (dash.arrow_natural, steps.natural)):
        np.testing.assert_allclose(arrow.get_offsets(), [theta])
        np.testing.assert_allclose([arrow.U[0], arrow.V[0]], d)
    # right panel: gain against the exact KL along each direction (equal eps is no common
    # ground: ||d||^2 for one step, a KL for the other)
    curves = equal_kl_gains(bandit, theta, tr_module.KL_CURVE)
    for name in ("vanilla", "natural"):
        actual = getattr(curves, f"actual_{name}")
        np.testing.assert_allclose(
            np.ma.compressed(dash.curves[(name, "actual")].get_ydata()), actual[actual > 0]
        )
    for name in ("vanilla", "natural"):
        marker = dash.markers[(name, "predicted")]
        kl, predicted = getattr(steps, f"kl_{name}"), getattr(steps, f"predicted_{name}")
        np.testing.assert_allclose(line_xy(marker), [[float(kl), float(predicted)]])
    equal = equal_kl_gains(bandit, theta, steps.kl_natural)
    np.testing.assert_allclose(
        line_xy(dash.equal_kl_marker), [[float(steps.kl_natural), float(equal.actual_vanilla)]]
    )
    assert f"natural / vanilla = {float(equal.natural_over_vanilla):.3f}" in dash.summary


@pytest.mark.parametrize("theta, ahead", [((-1.0, 0.0), "natural"), ((2.0, -2.0), "vanilla")])
def test_trust_region_says_which_direction_gains_more_at_equal_exact_kl(theta, ahead):
    dash = TrustRegionExplorer(backend="agg", eps=0.1, theta1=theta[0], theta2=theta[1])
    assert f"({ahead} ahead)" in dash.summary


def test_trust_region_eps_changes_the_regions():
    dash = TrustRegionExplorer(backend="agg")
    before = line_xy(dash.kl_line).copy()
    dash.set(eps=0.5)
    assert np.abs(line_xy(dash.kl_line)).max() > np.abs(before).max()


def test_trust_region_zoom_fits_the_view():
    dash = TrustRegionExplorer(backend="agg", eps=1e-3, zoom=True)
    lo, hi = dash.ax.get_xlim()
    assert hi - lo < 1.0
    assert dash.dynamic_controls == frozenset()
    dash.set(zoom=False)
    assert dash.ax.get_xlim() == tr_module.VIEW


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"eps": 1e-3}, "tiny at this scale"),
        ({"eps": 10.0}, "quadratic model of the KL is off"),
        ({"eps": 3.0}, "beyond the view"),
    ],
)
def test_trust_region_explains_extreme_eps(values, expected):
    dash = TrustRegionExplorer(backend="agg", **values)
    assert any(expected in text for _, text in dash.messages), dash.messages


# --- reparametrisation explorer ------------------------------------------------------------------


def test_reparametrisation_draws_the_four_paths_and_the_grid():
    dash = ReparametrisationExplorer(backend="agg", scale=0.5, shear=1.0, eps=0.02, n_steps=12)
    A = np.array([[0.5, 1.0], [0.0, 1.0]])
    paths = reparametrised_paths(SoftmaxBandit(), np.array([-1.0, 1.0]), 0.02, 12, A=A)
    for name, line in dash.paths.items():
        np.testing.assert_allclose(line_xy(line), getattr(paths, name), atol=1e-12)
    lines = reparametrisation_grid(A, theta_lim=(-4.0, 4.0))
    for family, collection in enumerate(dash.grid):
        np.testing.assert_allclose(np.array(collection.get_segments()), lines[family])
    # the natural path does not move, the vanilla one does
    assert paths.natural_deviation.max() < 1e-9 < paths.vanilla_deviation.max()
    assert "rounding error" in dash.summary


def test_reparametrisation_scale_moves_only_the_vanilla_path():
    dash = ReparametrisationExplorer(backend="agg")
    vanilla, natural = line_xy(dash.paths["vanilla"]), line_xy(dash.paths["natural"])
    dash.set(scale=0.2)
    assert not np.allclose(line_xy(dash.paths["vanilla"]), vanilla)
    np.testing.assert_allclose(line_xy(dash.paths["natural"]), natural, atol=1e-12)


def test_reparametrisation_explains_a_runaway_natural_path(monkeypatch):
    dash = ReparametrisationExplorer(backend="agg", eps=0.1, n_steps=30)
    assert_no_internal_error(dash)
    assert any("the view" in text for _, text in dash.messages)


# --- KL vs quadratic explorer -------------------------------------------------------------------


def test_kl_quadratic_draws_the_exact_kl_bandit():
    dash = KLQuadraticExplorer(backend="agg", eps=0.3, theta1=0.5, theta2=0.5)
    kl = trust_region_steps(SoftmaxBandit(), np.array([0.5, 0.5]), klq_module.EPS_CURVE)
    np.testing.assert_allclose(dash.kl_curve.get_ydata(), kl.kl_natural)
    np.testing.assert_allclose(dash.ratio_curve.get_ydata(), kl.kl_natural / klq_module.EPS_CURVE)
    kl_eps = float(trust_region_steps(SoftmaxBandit(), np.array([0.5, 0.5]), 0.3).kl_natural)
    np.testing.assert_allclose(line_xy(dash.kl_marker), [[0.3, kl_eps]])


def test_kl_quadratic_draws_the_exact_kl_gaussian_and_hides_bandit_sliders():
    policy = klq_module.POLICIES[1]
    dash = KLQuadraticExplorer(backend="agg", policy=policy, k0=-1.0, sigma0=0.3, eps=0.5)
    result = natural_step_kl(LinearGaussianLQR(), -1.0, 0.3, klq_module.EPS_CURVE)
    np.testing.assert_allclose(np.ma.compressed(dash.kl_curve.get_ydata()), result.kl[result.valid])
    assert dash.controls["theta1"].layout.display == "none"
    assert dash.controls["k0"].layout.display is None


def test_kl_quadratic_explains_a_huge_model_error():
    """Near k* the natural step of the largest eps sends sigma almost to 0: the KL explodes."""
    policy = klq_module.POLICIES[1]
    dash = KLQuadraticExplorer(backend="agg", policy=policy, k0=-0.9, sigma0=0.2, eps=10.0)
    assert any("times too small" in text for _, text in dash.messages), dash.messages
    assert_nothing_nan_drawn(dash)


def test_kl_quadratic_sigma_zero_is_an_error_message():
    dash = KLQuadraticExplorer(backend="agg", policy=klq_module.POLICIES[1], sigma0=0.0)
    assert dash.messages[0][0] == "error"
    assert "deterministic policy" in dash.messages[0][1]
    assert not dash.kl_curve.get_visible()
