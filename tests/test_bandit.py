"""Tests for course_utils.bandit: the 2-parameter softmax bandit behind the pictures."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_utils import finite_diff
from course_utils.bandit import SoftmaxBandit

BANDITS = [SoftmaxBandit(), SoftmaxBandit((0.0, 2.0, -1.0)), SoftmaxBandit((3.0, 3.0, 0.0))]
THETAS = [np.zeros(2), np.array([1.5, -0.7]), np.array([-3.0, 2.0]), np.array([6.0, 5.0])]
thetas = arrays(float, 2, elements=st.floats(-6.0, 6.0))


def brute_force_fisher(bandit, theta):
    """sum_a pi_a psi_a psi_a^T with psi_a = grad log pi_a by finite differences."""
    pi = bandit.probabilities(theta)
    F = np.zeros((2, 2))
    for a in range(3):
        psi = finite_diff.gradient(lambda th, a=a: bandit.log_probabilities(th)[a], theta)
        F += pi[a] * np.outer(psi, psi)
    return F


def test_probabilities_and_expected_return():
    bandit = SoftmaxBandit()
    theta = np.array([np.log(2.0), 0.0])
    np.testing.assert_allclose(bandit.probabilities(theta), [0.5, 0.25, 0.25])
    assert float(bandit.expected_return(theta)) == pytest.approx(0.5 * 1 + 0.25 * 0.5)
    assert bandit.optimum() == 0
    assert bandit.r.shape == (3,)
    assert np.all(np.isfinite(bandit.probabilities(np.array([800.0, -800.0]))))


@pytest.mark.parametrize("bandit", BANDITS)
@pytest.mark.parametrize("theta", THETAS)
def test_gradient_matches_finite_differences(bandit, theta):
    g = bandit.gradient(theta)
    g_fd = finite_diff.gradient(lambda th: float(bandit.expected_return(th)), theta)
    np.testing.assert_allclose(g, g_fd, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("theta", THETAS)
def test_fisher_is_the_hessian_of_the_kl_and_the_score_covariance(theta):
    bandit = SoftmaxBandit()
    F = bandit.fisher_information(theta)
    H = finite_diff.hessian(lambda th: float(bandit.kl(theta, th)), theta)
    np.testing.assert_allclose(F, H, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(F, brute_force_fisher(bandit, theta), rtol=1e-8, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(F) > 0)
    # the KL's gradient vanishes at theta' = theta
    grad = finite_diff.gradient(lambda th: float(bandit.kl(theta, th)), theta)
    np.testing.assert_allclose(grad, 0.0, atol=1e-9)


@given(theta=thetas, other=thetas)
def test_kl_nonnegative_zero_at_equal_and_matches_the_definition(theta, other):
    bandit = SoftmaxBandit()
    kl = float(bandit.kl(theta, other))
    assert kl >= 0.0
    assert float(bandit.kl(theta, theta)) == 0.0
    p, q = bandit.probabilities(theta), bandit.probabilities(other)
    assert kl == pytest.approx(float(np.sum(p * np.log(p / q))), rel=1e-9, abs=1e-14)


def test_methods_broadcast_over_grids():
    bandit = SoftmaxBandit()
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 4), np.linspace(-1, 1, 3)), axis=-1)
    assert grid.shape == (3, 4, 2)
    J = bandit.expected_return(grid)
    g = bandit.gradient(grid)
    F = bandit.fisher_information(grid)
    kl = bandit.kl(np.zeros(2), grid)
    assert J.shape == (3, 4) and g.shape == (3, 4, 2) and F.shape == (3, 4, 2, 2)
    assert kl.shape == (3, 4)
    np.testing.assert_allclose(g[1, 2], bandit.gradient(grid[1, 2]), rtol=1e-14)
    np.testing.assert_allclose(F[2, 3], bandit.fisher_information(grid[2, 3]), rtol=1e-14)


def test_rewards_are_validated():
    with pytest.raises(ValueError, match="rewards"):
        SoftmaxBandit((1.0, 2.0))
    with pytest.raises(ValueError, match="rewards"):
        SoftmaxBandit((1.0, np.nan, 0.0))
    with pytest.raises(ValueError, match="theta"):
        SoftmaxBandit().gradient(np.zeros(3))


# --- sampling, score, closed-form natural gradient, ascent paths (appended by helper N2) ---

from course_utils.bandit import (  # noqa: E402
    ascent_path,
    estimate_gradient_and_fisher,
    natural_gradient,
    sample_arms,
    score,
)


def test_sample_arms_frequencies_match_the_policy_within_4_se(rng):
    bandit, theta, n = SoftmaxBandit(), np.array([0.7, -1.2]), 200_000
    arms = sample_arms(bandit, theta, n, rng)
    assert arms.shape == (n,) and set(np.unique(arms)) <= {0, 1, 2}
    pi = bandit.probabilities(theta)
    freq = np.bincount(arms, minlength=3) / n
    se = np.sqrt(pi * (1 - pi) / n)
    assert np.all(np.abs(freq - pi) < 4 * se)


@pytest.mark.parametrize("theta", THETAS)
def test_score_matches_finite_differences_and_has_mean_zero_and_covariance_F(theta):
    bandit = SoftmaxBandit()
    psi = score(bandit, theta, np.arange(3))
    for a in range(3):
        fd = finite_diff.gradient(lambda th, a=a: float(bandit.log_probabilities(th)[a]), theta)
        np.testing.assert_allclose(psi[a], fd, rtol=1e-6, atol=1e-9)
    pi = bandit.probabilities(theta)
    np.testing.assert_allclose(pi @ psi, 0.0, atol=1e-15)
    F = np.einsum("a,ai,aj->ij", pi, psi, psi)
    np.testing.assert_allclose(F, bandit.fisher_information(theta), rtol=1e-12, atol=1e-15)


def test_score_rejects_bad_arms():
    with pytest.raises(ValueError, match="arms"):
        score(SoftmaxBandit(), np.zeros(2), np.array([0, 3]))
    with pytest.raises(ValueError, match="arms"):
        score(SoftmaxBandit(), np.zeros(2), np.array([0.5]))


def test_estimate_gradient_and_fisher_within_4_se_and_se_shrinks(rng):
    bandit, theta = SoftmaxBandit(), np.array([-1.0, 1.0])
    g, F = bandit.gradient(theta), bandit.fisher_information(theta)
    g_hat, g_se, F_hat, F_se = estimate_gradient_and_fisher(bandit, theta, 50_000, rng)
    assert np.all(np.abs(g_hat - g) < 4 * g_se)
    assert np.all(np.abs(F_hat - F) < 4 * F_se)
    np.testing.assert_allclose(F_hat, F_hat.T)
    *_, F_se_small = estimate_gradient_and_fisher(bandit, theta, 500, rng)
    assert np.all(F_se < F_se_small)  # 100x the samples: SE about 10x smaller
    with pytest.raises(ValueError, match="n"):
        estimate_gradient_and_fisher(bandit, theta, 1, rng)


@given(
    theta=thetas,
    rewards=arrays(float, 3, elements=st.floats(-3.0, 3.0)),
)
def test_natural_gradient_closed_form_solves_F_x_equals_g(theta, rewards):
    bandit = SoftmaxBandit(tuple(rewards))
    x = natural_gradient(bandit, theta)
    np.testing.assert_allclose(x, bandit.r[:2] - bandit.r[2])
    F, g = bandit.fisher_information(theta), bandit.gradient(theta)
    np.testing.assert_allclose(F @ x, g, rtol=1e-9, atol=1e-12)


def test_ascent_path_steps_meet_their_trust_regions():
    bandit, theta0, eps = SoftmaxBandit(), np.array([-1.0, 1.0]), 0.02
    path = ascent_path(bandit, theta0, eps, 10)
    assert path.shape == (11, 2)
    np.testing.assert_allclose(path[0], theta0)
    np.testing.assert_allclose(np.sum(np.diff(path, axis=0) ** 2, axis=1), eps, rtol=1e-12)
    path = ascent_path(bandit, theta0, eps, 10, natural=True)
    d = np.diff(path, axis=0)
    F = bandit.fisher_information(path[:-1])
    np.testing.assert_allclose(0.5 * np.einsum("ni,nij,nj->n", d, F, d), eps, rtol=1e-10)
    # the natural direction of this bandit never changes: the path is a straight line
    np.testing.assert_allclose(d[:, 0], -d[:, 1], rtol=1e-10)
    J = bandit.expected_return(path)
    assert np.all(np.diff(J) > 0)


@pytest.mark.parametrize(
    "A",
    [np.diag([0.5, 2.0]), np.array([[1.0, 1.0], [0.0, 1.0]]), np.array([[0.3, -1.0], [2.0, 0.4]])],
)
def test_natural_path_is_invariant_and_vanilla_path_is_not(A):
    bandit, theta0, eps, n = SoftmaxBandit(), np.array([-1.0, 1.0]), 0.02, 12
    b = np.array([1.0, -2.0])
    nat_theta = ascent_path(bandit, theta0, eps, n, natural=True)
    nat_phi = ascent_path(bandit, theta0, eps, n, natural=True, A=A, b=b)
    np.testing.assert_allclose(nat_phi, nat_theta, rtol=1e-9, atol=1e-9)
    van_theta = ascent_path(bandit, theta0, eps, n)
    van_phi = ascent_path(bandit, theta0, eps, n, A=A, b=b)
    assert np.max(np.abs(van_phi - van_theta)) > 0.05
    # Kakade & Brantley: each step in theta is parallel to A A^T g(theta_t)
    steps = np.diff(van_phi, axis=0)
    pred = bandit.gradient(van_phi[:-1]) @ (A @ A.T).T
    cross = steps[:, 0] * pred[:, 1] - steps[:, 1] * pred[:, 0]
    assert np.all(
        np.abs(cross) < 1e-12 * np.linalg.norm(steps, axis=1) * np.linalg.norm(pred, axis=1)
    )
    assert np.all(np.sum(steps * pred, axis=1) > 0)
    # the translation b changes nothing
    np.testing.assert_allclose(ascent_path(bandit, theta0, eps, n, A=A), van_phi, atol=1e-12)


def test_ascent_path_stays_put_once_the_policy_is_deterministic():
    bandit = SoftmaxBandit()
    path = ascent_path(bandit, np.array([-1.0, 1.0]), 0.05, 60, natural=True)
    assert path.shape == (61, 2) and np.all(np.isfinite(path))
    np.testing.assert_array_equal(path[-1], path[-2])
    assert float(bandit.expected_return(path[-1])) == pytest.approx(1.0)


def test_ascent_path_validates_its_arguments():
    bandit = SoftmaxBandit()
    with pytest.raises(ValueError, match="singular"):
        ascent_path(bandit, np.zeros(2), 0.1, 3, A=np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(ValueError, match="eps"):
        ascent_path(bandit, np.zeros(2), 0.0, 3)
    with pytest.raises(ValueError, match="n_steps"):
        ascent_path(bandit, np.zeros(2), 0.1, 0)
    with pytest.raises(ValueError, match="theta0"):
        ascent_path(bandit, np.zeros(3), 0.1, 3)
    with pytest.raises(ValueError, match="b"):
        ascent_path(bandit, np.zeros(2), 0.1, 3, b=np.zeros(3))


# --- drawable regions and step summaries (trust-region / reparametrisation widgets) ----------

from course_utils.bandit import (  # noqa: E402
    equal_kl_gains,
    kl_region_boundary,
    reparametrisation_grid,
    reparametrised_paths,
    trust_region_steps,
)
from course_utils.natural import natural_step, vanilla_step  # noqa: E402


@pytest.mark.parametrize("eps", [1e-4, 0.1, 3.0])
@pytest.mark.parametrize("theta", THETAS[:3], ids=["origin", "interior", "corner"])
def test_kl_region_boundary_lies_on_the_level_set(theta, eps):
    bandit = SoftmaxBandit()
    d = kl_region_boundary(bandit, theta, eps, n_points=91)
    np.testing.assert_allclose(bandit.kl(theta, theta + d), eps, rtol=1e-9)
    np.testing.assert_allclose(d[0], d[-1], atol=1e-12)  # closed curve
    # star-shaped around theta: points ordered by angle, one per direction
    angles = np.unwrap(np.arctan2(d[:, 1], d[:, 0]))
    assert np.all(np.diff(angles) > 0)


def test_kl_region_tends_to_the_quadratic_ellipse():
    """KL = 1/2 d^T F d + O(|d|^3): the relative gap to the ellipse shrinks like sqrt(eps)."""
    bandit, theta = SoftmaxBandit(), np.array([0.3, -0.6])
    F = bandit.fisher_information(theta)
    gaps = []
    for eps in (1e-2, 1e-4):
        exact = kl_region_boundary(bandit, theta, eps, n_points=73)
        r = np.linalg.norm(exact, axis=1)
        u = exact / r[:, None]
        r_model = np.sqrt(2.0 * eps / np.einsum("ni,ij,nj->n", u, F, u))  # ellipse, same ray
        gaps.append(np.max(np.abs(r / r_model - 1.0)))
    assert gaps[1] < gaps[0] / 5  # sqrt(100) = 10 in theory
    assert gaps[1] < 0.01


def test_kl_region_boundary_validates():
    with pytest.raises(ValueError, match="eps"):
        kl_region_boundary(SoftmaxBandit(), np.zeros(2), 0.0)
    with pytest.raises(ValueError, match="theta"):
        kl_region_boundary(SoftmaxBandit(), np.zeros(3), 0.1)


@pytest.mark.parametrize("bandit", BANDITS[:2])
def test_trust_region_steps_meet_their_constraints_and_report_outcomes(bandit):
    theta = np.array([0.4, -1.1])
    eps = np.array([1e-3, 0.1, 2.0])
    steps = trust_region_steps(bandit, theta, eps)
    g, F = bandit.gradient(theta), bandit.fisher_information(theta)
    np.testing.assert_allclose(np.sum(steps.vanilla**2, axis=-1), eps, rtol=1e-12)
    np.testing.assert_allclose(steps.quadratic_natural, eps, rtol=1e-12)
    for i, e in enumerate(eps):  # the vectorised call equals the step functions one by one
        np.testing.assert_allclose(steps.vanilla[i], vanilla_step(g, e), rtol=1e-13)
        np.testing.assert_allclose(steps.natural[i], natural_step(g, F, e), rtol=1e-12)
        for name in ("vanilla", "natural"):
            d = getattr(steps, name)[i]
            assert getattr(steps, f"predicted_{name}")[i] == pytest.approx(g @ d, rel=1e-12)
            actual = bandit.expected_return(theta + d) - bandit.expected_return(theta)
            assert getattr(steps, f"actual_{name}")[i] == pytest.approx(actual, rel=1e-12)
            assert getattr(steps, f"kl_{name}")[i] == pytest.approx(
                float(bandit.kl(theta, theta + d)), rel=1e-12
            )
    scalar = trust_region_steps(bandit, theta, 0.1)
    assert scalar.vanilla.shape == (2,) and np.ndim(scalar.kl_natural) == 0
    # first-order model: predicted / actual -> 1 as eps -> 0
    small = trust_region_steps(bandit, theta, 1e-8)
    assert small.actual_natural / small.predicted_natural == pytest.approx(1.0, abs=1e-3)


def test_equal_kl_gains_scale_both_directions_to_the_exact_kl():
    bandit, theta = SoftmaxBandit(), np.array([0.4, -1.1])
    kl = np.array([1e-4, 0.05, 2.0])
    gains = equal_kl_gains(bandit, theta, kl)
    g = bandit.gradient(theta)
    x = np.linalg.solve(bandit.fisher_information(theta), g)
    for name, u in (("vanilla", g), ("natural", x)):
        d = getattr(gains, name)
        np.testing.assert_allclose(bandit.kl(theta, theta + d), kl, rtol=1e-10)
        np.testing.assert_allclose(d[:, 0] * u[1], d[:, 1] * u[0], rtol=1e-12)  # along u
        assert np.all(d @ u > 0)  # uphill, not backwards
        actual = bandit.expected_return(theta + d) - bandit.expected_return(theta)
        np.testing.assert_allclose(getattr(gains, f"actual_{name}"), actual, rtol=1e-12)
        np.testing.assert_allclose(getattr(gains, f"predicted_{name}"), d @ g, rtol=1e-12)
    np.testing.assert_allclose(
        gains.natural_over_vanilla, gains.actual_natural / gains.actual_vanilla
    )
    assert np.ndim(equal_kl_gains(bandit, theta, 0.1).natural_over_vanilla) == 0
    with pytest.raises(ValueError, match="kl"):
        equal_kl_gains(bandit, theta, 0.0)


def test_equal_kl_gains_small_kl_ratio_is_the_quadratic_models():
    """As KL -> 0: ratio -> sqrt(g^T F^-1 g g^T F g) / g^T g >= 1 (Cauchy-Schwarz)."""
    bandit, theta = SoftmaxBandit(), np.array([-1.0, 0.0])
    g, F = bandit.gradient(theta), bandit.fisher_information(theta)
    limit = np.sqrt(g @ np.linalg.solve(F, g) * (g @ F @ g)) / (g @ g)
    assert float(equal_kl_gains(bandit, theta, 1e-8).natural_over_vanilla) == pytest.approx(
        limit, rel=1e-3
    )
    assert limit > 1.0


def test_equal_kl_gains_at_the_natural_steps_kl_match_the_explorer_text():
    """The numbers quoted in notebooks/explorers/trust_region_explorer.ipynb (eps = 0.1)."""
    bandit = SoftmaxBandit()
    default, corner = np.array([-1.0, 0.0]), np.array([2.0, -2.0])
    steps = trust_region_steps(bandit, default, 0.1)
    # at equal eps the vanilla step gains more per unit of exact KL ...
    assert steps.actual_vanilla / steps.kl_vanilla > 2.5 * steps.actual_natural / steps.kl_natural
    # ... but at equal exact KL the natural direction is a few per cent ahead
    ratio = float(equal_kl_gains(bandit, default, steps.kl_natural).natural_over_vanilla)
    assert 1.03 < ratio < 1.06
    # and at theta = (2, -2) the vanilla direction is ahead
    kl_corner = trust_region_steps(bandit, corner, 0.1).kl_natural
    assert float(equal_kl_gains(bandit, corner, kl_corner).natural_over_vanilla) < 1.0


def test_reparametrisation_grid_lines_have_constant_phi():
    A, b = np.array([[2.0, 0.5], [-0.3, 1.0]]), np.array([0.5, -1.0])
    lines = reparametrisation_grid(A, b, theta_lim=(-3.0, 3.0), n_lines=5)
    assert lines.shape == (2, 5, 2, 2)
    phi = np.linalg.solve(A, (lines.reshape(-1, 2) - b).T).T.reshape(lines.shape)
    np.testing.assert_allclose(phi[0, :, 0, 0], phi[0, :, 1, 0])  # phi_1 constant on family 0
    np.testing.assert_allclose(phi[1, :, 0, 1], phi[1, :, 1, 1])  # phi_2 constant on family 1
    plain = reparametrisation_grid(theta_lim=(-3.0, 3.0), n_lines=3)
    np.testing.assert_allclose(plain[0, :, 0, 0], [-3.0, 0.0, 3.0])
    with pytest.raises(ValueError, match="singular"):
        reparametrisation_grid(np.ones((2, 2)))
    with pytest.raises(ValueError, match="theta_lim"):
        reparametrisation_grid(theta_lim=(1.0, 1.0))


@given(
    scale=st.floats(0.1, 10.0),
    shear=st.floats(-2.0, 2.0),
    eps=st.floats(1e-3, 0.05),
)
def test_reparametrised_natural_path_does_not_move(scale, shear, eps):
    bandit = SoftmaxBandit()
    A = np.array([[scale, shear], [0.0, 1.0]])
    paths = reparametrised_paths(bandit, np.array([-1.0, 1.0]), eps, 6, A=A)
    assert paths.natural_deviation.max() < 1e-9
    np.testing.assert_allclose(
        paths.natural, ascent_path(bandit, np.array([-1.0, 1.0]), eps, 6, natural=True, A=A)
    )
    np.testing.assert_array_equal(
        paths.vanilla_deviation, np.linalg.norm(paths.vanilla - paths.vanilla_plain, axis=1)
    )


def test_reparametrised_vanilla_path_moves_unless_a_is_orthogonal():
    bandit, theta0 = SoftmaxBandit(), np.array([-1.0, 1.0])
    moved = reparametrised_paths(bandit, theta0, 0.01, 10, A=np.diag([3.0, 1.0]))
    assert moved.vanilla_deviation[-1] > 0.1
    rotation = np.array([[0.6, -0.8], [0.8, 0.6]])  # A A^T = I: gradient ascent unchanged
    same = reparametrised_paths(bandit, theta0, 0.01, 10, A=rotation, b=np.array([2.0, 1.0]))
    assert same.vanilla_deviation.max() < 1e-12


# --- the exact KL against its quadratic model along a line (notebook 04, section 4) ---

from course_utils.bandit import kl_along_line  # noqa: E402


@pytest.mark.parametrize("bandit", BANDITS)
@pytest.mark.parametrize("theta", THETAS[:3])
def test_kl_along_line_matches_the_kl_and_the_fisher_quadratic(bandit, theta):
    u, t = np.array([0.6, -0.8]), np.array([1e-3, 0.1, 1.0, 5.0])
    line = kl_along_line(bandit, theta, u, t)
    d = t[:, None] * u
    F = brute_force_fisher(bandit, theta)  # finite differences, not the closed form
    np.testing.assert_allclose(line.quadratic, 0.5 * np.einsum("ni,ij,nj->n", d, F, d), rtol=1e-6)
    np.testing.assert_allclose(line.forward, bandit.kl(theta, theta + d), rtol=1e-12)
    np.testing.assert_allclose(line.reverse, bandit.kl(theta + d, theta), rtol=1e-12)
    np.testing.assert_allclose(line.forward_ratio, line.forward / line.quadratic)
    np.testing.assert_array_equal(line.t, t)


def test_kl_along_line_ratios_tend_to_one_linearly_in_t():
    """KL = 1/2 d^T F d + O(t^3): the ratio's deviation from 1 shrinks tenfold with t."""
    line = kl_along_line(SoftmaxBandit(), np.array([-1.0, 1.0]), [1.0, -1.0], [1e-4, 1e-3])
    for ratio in (line.forward_ratio, line.reverse_ratio):
        deviation = np.abs(ratio - 1.0)
        assert deviation[1] < 1e-2
        assert deviation[1] / deviation[0] == pytest.approx(10.0, rel=0.05)


def test_kl_along_line_matches_the_table_of_notebook_04():
    u = np.array([1.0, -1.0]) / np.sqrt(2.0)
    line = kl_along_line(SoftmaxBandit(), np.array([-1.0, 1.0]), u, [0.5, 1.0])
    np.testing.assert_allclose(line.forward_ratio, [1.0969, 1.1888], atol=5e-5)


def test_kl_along_line_rejects_bad_input():
    bandit, theta = SoftmaxBandit(), np.zeros(2)
    with pytest.raises(ValueError, match=r"u=\[0. 0.\] is the zero vector"):
        kl_along_line(bandit, theta, [0.0, 0.0], [1.0])
    with pytest.raises(ValueError, match="u has shape"):
        kl_along_line(bandit, theta, [1.0, 0.0, 0.0], [1.0])
    with pytest.raises(ValueError, match="theta has shape"):
        kl_along_line(bandit, [0.0], [1.0, 0.0], [1.0])
    with pytest.raises(ValueError, match=r"t=.* valid range: \(0, inf\)"):
        kl_along_line(bandit, theta, [1.0, 0.0], [0.5, 0.0])
    with pytest.raises(ValueError, match="t has shape"):
        kl_along_line(bandit, theta, [1.0, 0.0], 0.5)
