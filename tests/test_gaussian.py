"""Tests for course_utils.gaussian: closed forms, Monte Carlo estimators, optimal gain."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.optimize import minimize_scalar

from course_utils import finite_diff
from course_utils import natural as nat
from course_utils.gaussian import LinearGaussianLQR, angle_between, deviation_across, optimal_gain
from course_utils.kl import kl_gaussian

PETERS = LinearGaussianLQR()  # q = 1, R = 0.1, gamma = 0.9 (the course's reference setting)
LECTURE = LinearGaussianLQR(q=1.0, R=1.0)  # r = -s^2 - a^2
NO_ACTION_COST = LinearGaussianLQR(R=0.0)  # k* = -1 exactly
WIDE_START = LinearGaussianLQR(q=2.0, R=0.5, gamma=0.8, s0_mean=-1.0, s0_var=0.5)
SETTINGS = {"peters": PETERS, "lecture": LECTURE, "no_cost": NO_ACTION_COST, "wide": WIDE_START}
POINTS = [(-1.5, 0.2), (-0.9, 0.5), (-0.3, 0.8), (-1.2, 0.05), (-0.05, 1.0)]


def J_of(lqr):
    return lambda x: float(lqr.expected_return(x[0], x[1]))


def rel_err(a, b):
    return np.linalg.norm(np.ravel(a) - np.ravel(b)) / np.linalg.norm(np.ravel(b))


# --- closed forms -------------------------------------------------------------------------


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("k, sigma", POINTS)
def test_gradient_matches_finite_differences(name, k, sigma):
    lqr = SETTINGS[name]
    g = lqr.gradient(k, sigma)
    assert g.shape == (2,)
    g_fd = finite_diff.gradient(J_of(lqr), np.array([k, sigma]), h=1e-6)
    assert rel_err(g, g_fd) <= 1e-6
    # each component separately (dJ/dsigma is small next to dJ/dk near the optimum)
    np.testing.assert_allclose(g, g_fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", SETTINGS)
def test_discounted_second_moment_by_recursion(name):
    """S = sum_t gamma^t E[s_t^2] with E[s_{t+1}^2] = (1 + k)^2 E[s_t^2] + sigma^2."""
    lqr = SETTINGS[name]
    k, sigma = -0.6, 0.4
    m, S = lqr.m0, 0.0
    for t in range(2000):
        S += lqr.gamma**t * m
        m = (1 + k) ** 2 * m + sigma**2
    assert float(lqr.discounted_second_moment(k, sigma)) == pytest.approx(S, rel=1e-12)
    assert lqr.m0 == pytest.approx(lqr.s0_mean**2 + lqr.s0_var)


@pytest.mark.parametrize("name", SETTINGS)
def test_value_function_satisfies_the_bellman_equation(name):
    """V(s) = -(q s^2 + R E[a^2]) + gamma E[V(s + a)], expectations of quadratics exact."""
    lqr = SETTINGS[name]
    k, sigma = -0.7, 0.3
    s = np.linspace(-2.0, 2.0, 9)
    P = float(lqr.value_coefficient(k))
    const = -float(lqr.value_function(0.0, k, sigma))
    reward = -(lqr.q * s**2 + lqr.R * (k**2 * s**2 + sigma**2))
    next_value = -P * ((1 + k) ** 2 * s**2 + sigma**2) - const
    np.testing.assert_allclose(
        lqr.value_function(s, k, sigma), reward + lqr.gamma * next_value, rtol=1e-12
    )
    # J = E[V(s_0)]
    J = -P * lqr.m0 - const
    assert float(lqr.expected_return(k, sigma)) == pytest.approx(J, rel=1e-12)


def test_per_state_fisher_is_the_hessian_of_the_gaussian_kl():
    """Per state, the Fisher of N(k s, sigma^2) in (k, sigma) is diag(s^2, 2) / sigma^2."""
    s, k, sigma = 0.7, -0.4, 0.3

    def kl(x):
        return float(kl_gaussian(k * s, sigma, x[0] * s, x[1]))

    H = finite_diff.hessian(kl, np.array([k, sigma]))
    np.testing.assert_allclose(H, np.diag([s**2, 2.0]) / sigma**2, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("k, sigma", POINTS)
def test_fisher_and_natural_gradient_closed_forms(name, k, sigma):
    lqr = SETTINGS[name]
    F = lqr.fisher_information(k, sigma)
    g = lqr.gradient(k, sigma)
    w = lqr.natural_gradient(k, sigma)
    S = float(lqr.discounted_second_moment(k, sigma))
    np.testing.assert_allclose(
        F, np.diag([S / sigma**2, 2 / ((1 - lqr.gamma) * sigma**2)]), rtol=1e-14
    )
    np.testing.assert_allclose(F @ w, g, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(nat.natural_gradient(g, F), w, rtol=1e-12, atol=1e-15)


def test_natural_direction_does_not_depend_on_the_start_distribution():
    a = LinearGaussianLQR(s0_mean=0.3, s0_var=1e-4)
    b = LinearGaussianLQR(s0_mean=2.0, s0_var=0.5)
    np.testing.assert_allclose(a.natural_gradient(-1.5, 0.2), b.natural_gradient(-1.5, 0.2))
    ga, gb = a.gradient(-1.5, 0.2), b.gradient(-1.5, 0.2)
    assert abs(np.arctan2(ga[1], ga[0]) - np.arctan2(gb[1], gb[0])) > 0.1


def test_methods_broadcast_over_grids():
    lqr = PETERS
    k = np.linspace(-1.6, -0.2, 3)[:, None]
    sigma = np.linspace(0.1, 1.0, 4)
    J = lqr.expected_return(k, sigma)
    g = lqr.gradient(k, sigma)
    F = lqr.fisher_information(k, sigma)
    w = lqr.natural_gradient(k, sigma)
    assert J.shape == (3, 4) and g.shape == (3, 4, 2) and w.shape == (3, 4, 2)
    assert F.shape == (3, 4, 2, 2)
    i, j = 2, 1
    ki, sj = float(k[i, 0]), float(sigma[j])
    assert J[i, j] == pytest.approx(float(lqr.expected_return(ki, sj)), rel=1e-14)
    np.testing.assert_allclose(g[i, j], lqr.gradient(ki, sj), rtol=1e-14)
    np.testing.assert_allclose(F[i, j], lqr.fisher_information(ki, sj), rtol=1e-14)
    np.testing.assert_allclose(w[i, j], lqr.natural_gradient(ki, sj), rtol=1e-14)


# --- the optimum --------------------------------------------------------------------------


def test_optimal_gain_reference_values():
    assert PETERS.optimal_gain() == pytest.approx(-0.9076, abs=5e-5)
    assert LECTURE.optimal_gain() == pytest.approx(-0.588, abs=5e-4)
    assert NO_ACTION_COST.optimal_gain() == pytest.approx(-1.0, abs=1e-12)
    assert optimal_gain(1.0, 1.0, 1.0) == pytest.approx(-(np.sqrt(5) - 1) / 2, abs=1e-12)
    assert round(optimal_gain(1.0, 1.0, 1.0), 3) == -0.618


@pytest.mark.parametrize("name", SETTINGS)
def test_optimal_gain_is_a_stationary_point_of_J(name):
    lqr = SETTINGS[name]
    k_star = lqr.optimal_gain()
    assert float(lqr.greedy_gain(k_star)) == pytest.approx(k_star, abs=1e-12)
    for sigma in (1e-3, 0.1, 0.5):
        dJ_dk = finite_diff.gradient(J_of(lqr), np.array([k_star, sigma]), h=1e-6)[0]
        scale = np.abs(lqr.gradient(k_star + 0.1, sigma)[0])
        assert abs(dJ_dk) <= 1e-7 * scale
        assert abs(lqr.gradient(k_star, sigma)[0]) <= 1e-12 * scale


@pytest.mark.parametrize("name", ["peters", "lecture", "wide"])
def test_optimal_gain_maximises_J_by_brute_force(name):
    lqr = SETTINGS[name]
    lo, hi = lqr.stability_interval()
    res = minimize_scalar(
        lambda k: -float(lqr.expected_return(k, 1e-6)),
        bounds=(lo + 1e-3, hi - 1e-3),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert res.x == pytest.approx(lqr.optimal_gain(), abs=1e-6)


def test_optimal_gain_without_discount_solves_the_riccati_equation():
    for q, R in [(1.0, 1.0), (2.0, 0.3), (0.5, 4.0)]:
        k = optimal_gain(q, R, 1.0)
        P = (q + R * k * k) / (1 - (1 + k) ** 2)  # value of the undiscounted closed loop
        assert k == pytest.approx(-P / (R + P), rel=1e-12)


def test_angles_to_the_optimum_match_the_reference_figure():
    k, sigma = -1.5, 0.2
    vanilla = PETERS.angle_to_optimum(k, sigma, PETERS.gradient(k, sigma))
    natural = PETERS.angle_to_optimum(k, sigma, PETERS.natural_gradient(k, sigma))
    assert float(vanilla) == pytest.approx(62.0, abs=1.0)
    assert float(natural) == pytest.approx(9.0, abs=1.0)
    # pointing straight at the optimum gives 0, away from it 180
    target = np.array([PETERS.optimal_gain() - k, -sigma])
    assert float(PETERS.angle_to_optimum(k, sigma, target)) == pytest.approx(0.0, abs=1e-6)
    assert float(PETERS.angle_to_optimum(k, sigma, -target)) == pytest.approx(180.0, abs=1e-6)


# --- ascent paths -------------------------------------------------------------------------


@pytest.mark.parametrize("natural", [False, True])
def test_ascent_path_steps_meet_their_constraint_and_increase_J(natural):
    eps = 1e-3
    path = PETERS.ascent_path(-0.2, 0.5, eps, natural=natural, max_iter=300)
    pts = path.points
    d = np.diff(pts, axis=0)
    if natural:
        F = PETERS.fisher_information(pts[:-1, 0], pts[:-1, 1])
        np.testing.assert_allclose(0.5 * np.einsum("ni,nij,nj->n", d, F, d), eps, rtol=1e-10)
    else:
        np.testing.assert_allclose(np.sum(d * d, axis=1), eps, rtol=1e-12)
    J = PETERS.expected_return(pts[:, 0], pts[:, 1])
    assert np.all(np.diff(J) > 0)
    assert np.all(pts[:, 1] > 0) and np.all(PETERS.is_stable(pts[:, 0]))


def test_vanilla_path_collapses_sigma_far_from_k_star_natural_reaches_it():
    """MATH.md section 3: from (-0.2, 0.5) vanilla stops near k = -0.39, natural reaches k*."""
    k_star = PETERS.optimal_gain()
    vanilla = PETERS.ascent_path(-0.2, 0.5, 1e-4, natural=False, max_iter=2000)
    assert "sigma" in vanilla.stopped
    assert vanilla.points[-1, 0] == pytest.approx(-0.39, abs=0.02)
    assert vanilla.points[-1, 1] < 1e-2
    assert vanilla.iterations_to(k_star) is None
    natural = PETERS.ascent_path(-0.2, 0.5, 1e-4, natural=True, max_iter=2000)
    assert natural.stopped == "max_iter" and len(natural.points) == 2001
    assert natural.points[-1, 0] == pytest.approx(k_star, abs=1e-3)
    assert natural.points[-1, 1] < 5e-3
    n = natural.iterations_to(k_star, tol=0.01)
    assert n is not None and abs(natural.points[n, 0] - k_star) < 0.01
    assert np.all(np.abs(natural.points[:n, 0] - k_star) >= 0.01)


# --- sampling -----------------------------------------------------------------------------


def test_sample_trajectories_follow_the_dynamics():
    lqr = WIDE_START
    k, sigma = -0.6, 0.4
    traj = lqr.sample_trajectories(k, sigma, 5000, 6, np.random.default_rng(0))
    assert traj.states.shape == traj.actions.shape == traj.rewards.shape == (5000, 6)
    np.testing.assert_allclose(traj.states[:, 1:], traj.states[:, :-1] + traj.actions[:, :-1])
    np.testing.assert_allclose(
        traj.rewards, -(lqr.q * traj.states**2 + lqr.R * traj.actions**2), rtol=1e-14
    )
    xi = (traj.actions - k * traj.states) / sigma
    n = xi.size
    assert abs(xi.mean()) <= 4 / np.sqrt(n)
    assert abs(xi.var() - 1.0) <= 4 * np.sqrt(2.0 / n)
    s0 = traj.states[:, 0]
    assert abs(s0.mean() - lqr.s0_mean) <= 4 * np.sqrt(lqr.s0_var / s0.size)
    assert abs(s0.var() - lqr.s0_var) <= 4 * lqr.s0_var * np.sqrt(2.0 / s0.size)


@pytest.mark.parametrize("name", ["peters", "lecture"])
@pytest.mark.parametrize("k, sigma", [(-1.5, 0.2), (-0.5, 0.6), (-1.0, 0.1)])
def test_monte_carlo_return_gradient_and_fisher_within_four_standard_errors(name, k, sigma, rng):
    lqr = SETTINGS[name]
    # horizon 200 at gamma 0.9: truncation bias ~ 0.9^200 ~ 7e-10 of J, far below the SE
    n, horizon = 4000, 200
    returns = lqr.sample_trajectories(k, sigma, n, horizon, rng).discounted_return()
    se = returns.std(ddof=1) / np.sqrt(n)
    assert abs(returns.mean() - float(lqr.expected_return(k, sigma))) <= 4 * se
    g = lqr.gradient(k, sigma)
    for baseline in (True, False):
        est, se = lqr.estimate_gradient(k, sigma, n, horizon, rng, baseline=baseline)
        assert est.shape == se.shape == (2,)
        assert np.all(np.abs(est - g) <= 4 * se), (baseline, est, g, se)
    est, se = lqr.estimate_fisher(k, sigma, n, horizon, rng)
    assert est.shape == se.shape == (2, 2)
    np.testing.assert_array_equal(est, est.T)
    assert np.all(np.abs(est - lqr.fisher_information(k, sigma)) <= 4 * se)


def test_baseline_reduces_the_spread_and_it_grows_like_one_over_sigma_without():
    lqr = PETERS
    se_b, se_n = {}, {}
    for sigma in (0.01, 0.0025):
        _, se_b[sigma] = lqr.estimate_gradient(-1.0, sigma, 3000, 100, np.random.default_rng(1))
        _, se_n[sigma] = lqr.estimate_gradient(
            -1.0, sigma, 3000, 100, np.random.default_rng(1), baseline=False
        )
        assert np.all(se_b[sigma] < se_n[sigma])
    # sigma / 4: the spread without baseline grows about 4x (the t = 0 term, score ~ 1/sigma,
    # dominates once sigma^2 / (1 - gamma) << m0)
    assert 3.0 < se_n[0.0025][1] / se_n[0.01][1] < 5.0
    assert 3.0 < se_n[0.0025][0] / se_n[0.01][0] < 5.0


@pytest.mark.parametrize("baseline", [True, False])
def test_estimators_use_the_trajectories_of_sample_trajectories(baseline):
    """Same seed, same trajectories: recompute the estimates with plain formulas.

    5000 trajectories is more than one internal block, so the blocking is exercised too.
    """
    lqr, k, sigma, n, horizon = WIDE_START, -0.8, 0.3, 5000, 15
    traj = lqr.sample_trajectories(k, sigma, n, horizon, np.random.default_rng(42))
    est, se = lqr.estimate_gradient(
        k, sigma, n, horizon, np.random.default_rng(42), baseline=baseline
    )
    F_est, F_se = lqr.estimate_fisher(k, sigma, n, horizon, np.random.default_rng(42))
    discount = lqr.gamma ** np.arange(horizon)
    u = traj.actions - k * traj.states
    psi = np.stack([u * traj.states / sigma**2, (u**2 - sigma**2) / sigma**3], axis=-1)
    target = traj.rewards_to_go()
    if baseline:
        target = target - lqr.value_function(traj.states, k, sigma)
    per_traj = np.einsum("t,nt,nti->ni", discount, target, psi)
    np.testing.assert_allclose(est, per_traj.mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(se, per_traj.std(axis=0, ddof=1) / np.sqrt(n), rtol=1e-8)
    per_traj_F = np.einsum("t,nti,ntj->nij", discount, psi, psi)
    np.testing.assert_allclose(F_est, per_traj_F.mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(F_se, per_traj_F.std(axis=0, ddof=1) / np.sqrt(n), rtol=1e-8)


@pytest.mark.parametrize("target", ["advantage", "q"])
@pytest.mark.parametrize("name, k, sigma", [("peters", -1.5, 0.2), ("lecture", -0.4, 0.5)])
def test_natural_gradient_equals_compatible_least_squares_weights(target, name, k, sigma, rng):
    """Kakade's theorem: w = argmin E_{rho, pi}[(psi^T w - A)^2] = F^-1 g.

    The least squares uses every sampled step with weight gamma^t (the visitation) and the
    sampled reward to go as the regression target (its mean given (s, a) is Q; subtracting
    V(s), or not, moves nothing since E[psi | s] = 0). The tolerance is 4 standard errors
    of w from the sandwich (delta-method) covariance over independent trajectories:
    w_hat - w ~ F^-1 (1/n) sum_i sum_t gamma^t psi_t (y_t - psi_t^T w).
    """
    lqr = SETTINGS[name]
    n, horizon = 3000, 120  # gamma^120 ~ 3e-6: truncation far below the SE (~1%)
    traj = lqr.sample_trajectories(k, sigma, n, horizon, rng)
    u = traj.actions - k * traj.states
    psi = np.stack([u * traj.states / sigma**2, (u**2 - sigma**2) / sigma**3], axis=-1)
    y = traj.rewards_to_go()
    if target == "advantage":
        y = y - lqr.value_function(traj.states, k, sigma)
    root_w = np.sqrt(lqr.gamma ** np.arange(horizon))
    X = (root_w[None, :, None] * psi).reshape(-1, 2)
    Y = (root_w[None, :] * y).ravel()
    w_hat, *_ = np.linalg.lstsq(X, Y, rcond=None)
    discount = root_w**2
    F_hat = np.einsum("t,nti,ntj->ij", discount, psi, psi) / n
    influence = np.linalg.solve(F_hat, np.einsum("t,nti,nt->in", discount, psi, y - psi @ w_hat)).T
    se = influence.std(axis=0, ddof=1) / np.sqrt(n)
    w = lqr.natural_gradient(k, sigma)
    assert np.all(np.abs(w_hat - w) <= 4 * se), (w_hat, w, se)
    assert np.all(se < 0.2 * np.abs(w))  # the test has power: w is resolved to < 20%


# --- edges: no NaN, -inf on request --------------------------------------------------------


def test_expected_return_minus_inf_outside_the_stable_region():
    k = np.array([-3.0, -1.0, 0.5, PETERS.stability_interval()[1]])
    J = PETERS.expected_return(k, 0.3, unstable="-inf")
    assert J.shape == (4,)
    assert not np.any(np.isnan(J))
    assert J[0] == J[2] == J[3] == -np.inf
    assert J[1] == pytest.approx(float(PETERS.expected_return(-1.0, 0.3)))
    grid = PETERS.expected_return(np.linspace(-2.5, 0.5, 7)[:, None], [0.1, 0.5], unstable="-inf")
    assert grid.shape == (7, 2) and not np.any(np.isnan(grid))


def test_stability_interval_and_is_stable_agree():
    lo, hi = PETERS.stability_interval()
    assert PETERS.gamma * (1 + lo) ** 2 == pytest.approx(1.0)
    assert PETERS.gamma * (1 + hi) ** 2 == pytest.approx(1.0)
    assert PETERS.is_stable([lo + 1e-9, -1.0, hi - 1e-9]).all()
    assert not PETERS.is_stable([lo - 1e-9, hi + 1e-9]).any()
    undiscounted_step = LinearGaussianLQR(gamma=0.0)
    assert undiscounted_step.stability_interval() == (-np.inf, np.inf)
    assert np.isfinite(undiscounted_step.expected_return(5.0, 0.3))


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("where", ["low_edge", "high_edge", "tiny_sigma", "huge_sigma"])
def test_no_nan_at_valid_edge_inputs(name, where):
    lqr = SETTINGS[name]
    lo, hi = lqr.stability_interval()
    k, sigma = {
        "low_edge": (lo + 1e-9, 0.3),
        "high_edge": (hi - 1e-9, 0.3),
        "tiny_sigma": (lqr.optimal_gain(), 1e-8),
        "huge_sigma": (-1.0, 1e3),
    }[where]
    out = [
        lqr.expected_return(k, sigma),
        lqr.gradient(k, sigma),
        lqr.fisher_information(k, sigma),
        lqr.natural_gradient(k, sigma),
        lqr.angle_to_optimum(k, sigma, lqr.natural_gradient(k, sigma)),
    ]
    for x in out:
        assert np.all(np.isfinite(x))
    F, g = out[2], out[1]
    assert np.all(np.diag(F) > 0)
    assert np.all(np.isfinite(nat.natural_gradient(g, F)))


def test_tiny_sigma_scalings():
    """As sigma -> 0: dJ/dsigma = O(sigma), natural components O(sigma^2) and O(sigma^3)."""
    lqr, k = PETERS, -1.5
    a, b = lqr.gradient(k, 1e-3), lqr.gradient(k, 1e-4)
    assert b[1] / a[1] == pytest.approx(0.1, rel=1e-12)
    assert b[0] / a[0] == pytest.approx(1.0, rel=1e-3)  # S depends on sigma^2 only a little
    wa, wb = lqr.natural_gradient(k, 1e-3), lqr.natural_gradient(k, 1e-4)
    assert wb[0] / wa[0] == pytest.approx(1e-2, rel=1e-12)
    assert wb[1] / wa[1] == pytest.approx(1e-3, rel=1e-12)


def test_score_has_the_minus_one_over_sigma_term():
    """d/dsigma log N(a; k s, sigma^2) = ((a - k s)^2 - sigma^2) / sigma^3, with the -1/sigma."""
    from course_utils.gaussian import gaussian_score

    k, sigma, s, a = -0.4, 0.3, 0.8, 0.1

    def log_pi(x):
        return -0.5 * ((a - x[0] * s) / x[1]) ** 2 - np.log(x[1]) - 0.5 * np.log(2 * np.pi)

    psi = gaussian_score(k, sigma, s, a)
    np.testing.assert_allclose(psi, finite_diff.gradient(log_pi, np.array([k, sigma])), rtol=1e-8)
    # vectorised
    s_arr = np.linspace(-1, 1, 5)
    assert gaussian_score(k, sigma, s_arr, 0.2 * s_arr).shape == (5, 2)


# --- notebook 06 additions: log sigma coordinates, unit fields, flows, angles (helper N3) ---------

GRID_K, GRID_SIGMA = np.meshgrid(np.linspace(-1.7, -0.1, 5), np.linspace(0.05, 0.95, 4))


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("k, sigma", POINTS)
def test_log_sigma_gradient_matches_finite_differences(name, k, sigma):
    lqr = SETTINGS[name]

    def J_log(x):
        return float(lqr.expected_return(x[0], np.exp(x[1])))

    g_fd = finite_diff.gradient(J_log, np.array([k, np.log(sigma)]), h=1e-6)
    np.testing.assert_allclose(lqr.gradient_log_sigma(k, sigma), g_fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", SETTINGS)
def test_log_sigma_fisher_and_natural_gradient_transform_as_the_chain_rule_says(name):
    lqr = SETTINGS[name]
    K, S = GRID_K, GRID_SIGMA
    D = np.zeros(K.shape + (2, 2))  # d(k, sigma) / d(k, log sigma)
    D[..., 0, 0], D[..., 1, 1] = 1.0, S
    F_log = lqr.fisher_information_log_sigma(K, S)
    np.testing.assert_allclose(F_log, D @ lqr.fisher_information(K, S) @ D, rtol=1e-12)
    np.testing.assert_allclose(F_log[..., 1, 1], 2.0 / (1.0 - lqr.gamma), rtol=1e-12)
    x_log = np.linalg.solve(F_log, lqr.gradient_log_sigma(K, S)[..., None])[..., 0]
    np.testing.assert_allclose(lqr.natural_gradient_log_sigma(K, S), x_log, rtol=1e-10)
    # mapped back to (k, sigma) it is the natural gradient: reparametrisation invariance
    np.testing.assert_allclose(
        (D @ x_log[..., None])[..., 0], lqr.natural_gradient(K, S), rtol=1e-10
    )


@given(
    k=st.floats(-2.0, 0.0),
    sigma=st.floats(1e-4, 3.0),
    mu0=st.floats(-2.0, 2.0),
)
def test_natural_field_is_the_same_in_sigma_and_log_sigma(k, sigma, mu0):
    lqr = LinearGaussianLQR(s0_mean=mu0)
    vanilla, natural = lqr.unit_fields(k, sigma)
    vanilla_log, natural_log = lqr.unit_fields(k, sigma, parametrisation="log_sigma")
    assert angle_between(natural, natural_log) < 1e-9
    np.testing.assert_allclose(np.linalg.norm(vanilla_log), 1.0, rtol=1e-12)
    g = lqr.gradient(k, sigma)
    expected = np.array([g[0], sigma**2 * g[1]])  # D D^T g
    assert angle_between(vanilla_log, expected) < 1e-9


def test_unit_fields_are_unit_and_parallel_to_the_gradients():
    lqr = PETERS
    vanilla, natural = lqr.unit_fields(GRID_K, GRID_SIGMA)
    assert vanilla.shape == natural.shape == GRID_K.shape + (2,)
    np.testing.assert_allclose(np.linalg.norm(vanilla, axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(natural, axis=-1), 1.0, rtol=1e-12)
    assert np.all(angle_between(vanilla, lqr.gradient(GRID_K, GRID_SIGMA)) < 1e-9)
    assert np.all(angle_between(natural, lqr.natural_gradient(GRID_K, GRID_SIGMA)) < 1e-9)
    # the picture's numbers: 62 and 9 degrees at (-1.5, 0.2); vanilla much worse near sigma = 0
    assert lqr.angle_to_optimum(-1.5, 0.2, lqr.unit_fields(-1.5, 0.2)[0]) == pytest.approx(
        62.0, abs=0.5
    )
    K, S = np.meshgrid(np.linspace(-1.7, -0.1, 17), np.linspace(0.05, 0.95, 10))
    v, n = lqr.unit_fields(K, S)
    assert np.all(lqr.angle_to_optimum(K, S, n) < 45.0)
    assert np.mean(lqr.angle_to_optimum(K, S, v) < 45.0) < 0.8
    with pytest.raises(ValueError, match="parametrisation"):
        lqr.unit_fields(-1.0, 0.5, parametrisation="variance")
    with pytest.raises(ValueError, match="unstable"):
        lqr.unit_fields(-2.5, 0.5)


@pytest.mark.parametrize("baseline", [True, False])
def test_estimate_unit_fields_normalise_the_pointwise_estimates(baseline):
    lqr, n, horizon = PETERS, 300, 60
    K, S = GRID_K[:2, :3], GRID_SIGMA[:2, :3]
    vanilla, natural = lqr.estimate_unit_fields(
        K, S, n, horizon, np.random.default_rng(3), baseline=baseline
    )
    rng = np.random.default_rng(3)  # same stream, point after point in C order
    for idx in np.ndindex(K.shape):
        g = lqr.estimate_gradient(K[idx], S[idx], n, horizon, rng, baseline=baseline)[0]
        x = np.linalg.solve(lqr.fisher_information(K[idx], S[idx]), g)
        np.testing.assert_allclose(vanilla[idx], g / np.linalg.norm(g), rtol=1e-10)
        np.testing.assert_allclose(natural[idx], x / np.linalg.norm(x), rtol=1e-10)


def test_estimated_arrows_point_like_the_exact_ones_within_four_standard_errors():
    lqr, n, horizon = PETERS, 4000, 100
    for k, sigma in [(-1.5, 0.2), (-0.5, 0.6)]:
        g_hat, se = lqr.estimate_gradient(k, sigma, n, horizon, np.random.default_rng(11))
        v_hat = lqr.estimate_unit_fields(k, sigma, n, horizon, np.random.default_rng(11))[0]
        g = lqr.gradient(k, sigma)
        # an error of at most 4 SE per component turns the direction by at most this angle
        bound = np.degrees(
            np.arctan(4.0 * np.linalg.norm(se) / (np.linalg.norm(g) - 4.0 * np.linalg.norm(se)))
        )
        assert angle_between(v_hat, g) <= bound
        assert angle_between(v_hat, g_hat) < 1e-9


@pytest.mark.parametrize("natural", [False, True])
def test_gradient_flow_follows_the_time_flow(natural):
    """The log-sigma clock traces the same curve as d theta/dt = g (or F^-1 g) in time."""
    lqr, k0, sigma0, sigma_end = PETERS, -0.2, 0.5, 0.05
    flow = lqr.gradient_flow(k0, sigma0, natural=natural, sigma_min=1e-3)
    field = lqr.natural_gradient if natural else lqr.gradient

    def reach(t, y):
        return y[1] - sigma_end

    reach.terminal = True
    sol = solve_ivp(
        lambda t, y: field(y[0], y[1]),
        (0.0, 1e6),
        [k0, sigma0],
        events=reach,
        rtol=1e-10,
        atol=1e-12,
    )
    k_time = sol.y_events[0][0][0]
    assert float(flow.k_at_sigma(sigma_end)) == pytest.approx(k_time, abs=1e-7)


def test_gradient_flow_reference_numbers_and_stops():
    lqr, k_star = PETERS, PETERS.optimal_gain()
    van = lqr.gradient_flow(-0.2, 0.5, natural=False, sigma_min=1e-3)
    nat_flow = lqr.gradient_flow(-0.2, 0.5, natural=True, sigma_min=1e-3)
    # MATH.md section 3: vanilla collapses sigma while k is still about -0.39; natural at k*
    assert float(van.k_at_sigma(1e-3)) == pytest.approx(-0.39, abs=0.01)
    assert abs(nat_flow.points[-1, 0] - k_star) < 1e-3
    assert van.points[-1, 1] == pytest.approx(1e-3, rel=1e-9)
    assert "sigma_min" in van.stopped
    assert np.all(np.diff(van.points[:, 1]) < 0)  # sigma decreases along the path
    np.testing.assert_allclose(van.points[:, 1], np.exp(van.log_sigma), rtol=1e-12)
    # the k_tol event: natural arrives early, vanilla only at an astronomically small sigma
    near = lqr.gradient_flow(-0.2, 0.5, natural=True, sigma_min=1e-300, k_tol=0.01)
    assert abs(near.points[-1, 0] - k_star) == pytest.approx(0.01, abs=1e-6)
    assert near.stopped.startswith("|k - k*| < 0.01")
    far = lqr.gradient_flow(-0.2, 0.5, natural=False, sigma_min=1e-300, k_tol=0.01)
    assert far.log_sigma[-1] / np.log(10) < -100


def test_gradient_flow_right_hand_sides():
    """dk/du = 2 (k_g - k) (natural), (1 - gamma) S (k_g - k) (vanilla), u = -log sigma."""
    lqr, h = LECTURE, 1e-5
    for natural in (False, True):
        flow = lqr.gradient_flow(-0.3, 0.8, natural=natural, sigma_min=1e-4)
        for sigma in (0.5, 0.05, 0.005):
            u = -np.log(sigma)
            dk_du = (flow.k_of_u(u + h)[0] - flow.k_of_u(u - h)[0]) / (2 * h)
            k = float(flow.k_at_sigma(sigma))
            rate = 2.0 if natural else (1 - lqr.gamma) * lqr.discounted_second_moment(k, sigma)
            # abs: near k* the rate is ~1e-5 and the dense output's derivative is good to ~1e-10
            assert dk_du == pytest.approx(rate * (lqr.greedy_gain(k) - k), rel=1e-5, abs=1e-8)


def test_gradient_flow_validates_its_arguments():
    lqr = PETERS
    with pytest.raises(ValueError, match="sigma_min"):
        lqr.gradient_flow(-0.5, 0.5, natural=True, sigma_min=0.6)
    with pytest.raises(ValueError, match="sigma_min"):
        lqr.gradient_flow(-0.5, 0.5, natural=True, sigma_min=1e-320)
    with pytest.raises(ValueError, match="unstable"):
        lqr.gradient_flow(0.5, 0.5, natural=True)
    with pytest.raises(ValueError, match="k_tol"):
        lqr.gradient_flow(-0.5, 0.5, natural=True, k_tol=0.0)
    flow = lqr.gradient_flow(-0.5, 0.5, natural=True, sigma_min=0.1)
    with pytest.raises(ValueError, match="sigma"):
        flow.k_at_sigma(0.01)


def test_ascent_path_first_below():
    path = PETERS.ascent_path(-0.2, 0.5, 1e-3, natural=False)
    i = path.first_below(0.01)
    assert i is not None and path.points[i, 1] < 0.01 <= path.points[i - 1, 1]
    assert path.first_below(1e-9) is None
    with pytest.raises(ValueError, match="sigma_level"):
        path.first_below(0.0)


def test_angle_between_known_values_and_accuracy():
    assert float(angle_between([1.0, 0.0], [0.0, 2.0])) == pytest.approx(90.0, abs=1e-12)
    assert float(angle_between([1.0, 1.0], [-3.0, -3.0])) == pytest.approx(180.0, abs=1e-12)
    tiny = 1e-9  # radians: arccos of the cosine would return 0 here
    u = [np.cos(tiny), np.sin(tiny)]
    assert float(angle_between([1.0, 0.0], u)) == pytest.approx(np.degrees(tiny), rel=1e-6)
    assert angle_between(np.ones((3, 4, 2)), [1.0, 0.0]).shape == (3, 4)
    with pytest.raises(ValueError, match="zero vector"):
        angle_between([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        angle_between([1.0, 0.0, 0.0], [1.0, 0.0, 0.0])


@given(
    a=st.floats(-np.pi, np.pi),
    b=st.floats(-np.pi, np.pi),
    r1=st.floats(1e-3, 1e3),
    r2=st.floats(1e-3, 1e3),
)
def test_angle_between_is_symmetric_scale_free_and_matches_the_polar_angles(a, b, r1, r2):
    u = r1 * np.array([np.cos(a), np.sin(a)])
    v = r2 * np.array([np.cos(b), np.sin(b)])
    angle = float(angle_between(u, v))
    assert angle == pytest.approx(float(angle_between(v, u)), abs=1e-12)
    diff = abs((a - b + np.pi) % (2 * np.pi) - np.pi)  # wrapped to [0, pi]
    assert angle == pytest.approx(np.degrees(diff), abs=1e-9)


# --- fast ascent paths, truncation horizon, discounted KL (the widgets' math) ---------------

import warnings  # noqa: E402

from course_utils.gaussian import (  # noqa: E402
    discount_horizon,
    discounted_kl,
    natural_step_kl,
)


def reference_path(lqr, k0, sigma0, eps, natural, n):
    """The trust-region iteration written with the validated array methods."""
    points = [np.array([k0, sigma0])]
    for _ in range(n):
        g = lqr.gradient(*points[-1])
        x = lqr.natural_gradient(*points[-1]) if natural else g
        points.append(points[-1] + np.sqrt((2.0 if natural else 1.0) * eps / (g @ x)) * x)
    return np.array(points)


@pytest.mark.parametrize("natural", [False, True])
@pytest.mark.parametrize("lqr", [PETERS, WIDE_START], ids=["peters", "wide"])
def test_ascent_path_equals_the_array_method_iteration(lqr, natural):
    path = lqr.ascent_path(-0.3, 0.7, 0.01, natural=natural, max_iter=40)
    n = path.points.shape[0] - 1
    np.testing.assert_allclose(
        path.points, reference_path(lqr, -0.3, 0.7, 0.01, natural, n), rtol=1e-12, atol=1e-15
    )


def test_ascent_path_stops_cleanly_when_the_gradient_underflows():
    """Natural steps from a big eps drive sigma towards 1e-300; no overflow, no NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = PETERS.ascent_path(-0.2, 0.5, 1.0, natural=True)
    assert np.all(np.isfinite(path.points)) and np.all(path.points[:, 1] > 0)
    assert "not finite" in path.stopped
    assert path.iterations_to(PETERS.optimal_gain()) == 6


@pytest.mark.parametrize("gamma", [0.3, 0.9, 0.99])
@pytest.mark.parametrize("tol", [1e-2, 1e-4])
def test_discount_horizon_is_the_smallest_sufficient_horizon(gamma, tol):
    H = discount_horizon(gamma, tol)
    assert gamma**H <= tol < gamma ** (H - 1)


def test_discount_horizon_edge_cases():
    assert discount_horizon(0.0) == 1
    assert discount_horizon(0.9) == 44
    with pytest.raises(ValueError, match="gamma"):
        discount_horizon(1.0)
    with pytest.raises(ValueError, match="tol"):
        discount_horizon(0.9, 0.0)


@pytest.mark.parametrize("k, sigma", POINTS[:3])
def test_discounted_kl_hessian_is_the_fisher(k, sigma):
    """Second-order Taylor: KL(theta, theta + d) = 1/2 d^T F d + O(|d|^3), zero at d = 0."""
    assert float(discounted_kl(PETERS, k, sigma, k, sigma)) == 0.0
    H = finite_diff.hessian(
        lambda x: float(discounted_kl(PETERS, k, sigma, x[0], x[1])), np.array([k, sigma])
    )
    np.testing.assert_allclose(H, PETERS.fisher_information(k, sigma), rtol=1e-5, atol=1e-6)


def test_discounted_kl_matches_monte_carlo(rng):
    """Closed form vs sum_t gamma^t KL(N(k s_t, sigma^2) || N(k' s_t, sigma'^2)) over rollouts."""
    lqr, (k, sigma), (k_new, sigma_new) = WIDE_START, (-0.8, 0.4), (-0.5, 0.6)
    traj = lqr.sample_trajectories(k, sigma, 4000, 120, rng)
    per_step = kl_gaussian(k * traj.states, sigma, k_new * traj.states, sigma_new)
    per_traj = per_step @ (lqr.gamma ** np.arange(120))
    se = per_traj.std(ddof=1) / np.sqrt(per_traj.size)
    exact = float(discounted_kl(lqr, k, sigma, k_new, sigma_new))
    assert abs(per_traj.mean() - exact) < 4 * se + 1e-9


def test_natural_step_kl_quadratic_model_and_its_limits():
    eps = np.array([1e-6, 1e-3, 1.0])
    result = natural_step_kl(PETERS, -1.5, 0.2, eps)
    F = PETERS.fisher_information(-1.5, 0.2)
    quad = 0.5 * np.einsum("ni,ij,nj->n", result.step, F, result.step)
    np.testing.assert_allclose(quad, eps, rtol=1e-12)
    assert result.kl[0] / eps[0] == pytest.approx(1.0, abs=1e-2)
    assert np.all(result.valid)
    # at k* (= k_g there) the sigma step is -sqrt(eps (1 - gamma)) sigma: sigma <= 0 past eps = 10
    past = natural_step_kl(PETERS, PETERS.optimal_gain(), 0.2, np.array([5.0, 20.0]))
    np.testing.assert_array_equal(past.valid, [True, False])
    assert np.isinf(past.kl[1]) and np.isfinite(past.kl[0])
    with pytest.raises(ValueError, match="sigma"):
        natural_step_kl(PETERS, -1.5, 0.0, 0.1)


# --- notebook 06 thinned (issue 10 item 20): the plumbing its cells call ----------------------


def test_monte_carlo_comparison_is_the_three_estimators_in_order():
    """Same seed: exactly what the notebook's former cell computed by hand."""
    k, sigma, n, horizon = -0.6, 0.6, 300, 60
    rows = PETERS.monte_carlo_comparison(k, sigma, n, horizon, np.random.default_rng(3))
    rng = np.random.default_rng(3)
    traj = PETERS.sample_trajectories(k, sigma, n, horizon, rng)
    G = traj.discounted_return()
    S = (traj.states**2) @ PETERS.gamma ** np.arange(horizon)
    g_hat, g_se = PETERS.estimate_gradient(k, sigma, n, horizon, rng)
    F_hat, F_se = PETERS.estimate_fisher(k, sigma, n, horizon, rng)
    expected = {
        "J": (PETERS.expected_return(k, sigma), G.mean(), G.std(ddof=1) / np.sqrt(n)),
        "S": (PETERS.discounted_second_moment(k, sigma), S.mean(), S.std(ddof=1) / np.sqrt(n)),
        "dJ/dk": (PETERS.gradient(k, sigma)[0], g_hat[0], g_se[0]),
        "dJ/dsigma": (PETERS.gradient(k, sigma)[1], g_hat[1], g_se[1]),
        "F_kk": (PETERS.fisher_information(k, sigma)[0, 0], F_hat[0, 0], F_se[0, 0]),
        "F_sigsig": (PETERS.fisher_information(k, sigma)[1, 1], F_hat[1, 1], F_se[1, 1]),
    }
    assert list(rows) == list(expected)
    for name, row in rows.items():
        assert all(isinstance(v, float) for v in row)
        np.testing.assert_allclose(row, expected[name], rtol=1e-12, err_msg=name)
        exact, estimate, se = row
        assert abs(estimate - exact) / se < 4.5, name  # horizon 60: bias ~ 0.9^60, negligible


def test_monte_carlo_comparison_validates_its_arguments(rng):
    with pytest.raises(ValueError, match="sigma"):
        PETERS.monte_carlo_comparison(-0.6, 0.0, 10, 10, rng)
    with pytest.raises(ValueError, match="n_trajectories"):
        PETERS.monte_carlo_comparison(-0.6, 0.5, 0, 10, rng)
    with pytest.raises(ValueError, match="rng"):
        PETERS.monte_carlo_comparison(-0.6, 0.5, 10, 10, 42)


def test_gradient_spread_is_sqrt_n_times_the_standard_error_and_scales_like_one_over_sigma():
    sigmas = np.array([0.02, 0.01, 0.005])
    spread = PETERS.gradient_spread(-1.5, sigmas, 400, 60, np.random.default_rng(5), baseline=False)
    rng = np.random.default_rng(5)
    expected = [
        PETERS.estimate_gradient(-1.5, s, 400, 60, rng, baseline=False)[1] * np.sqrt(400)
        for s in sigmas
    ]
    assert spread.shape == (3, 2)
    np.testing.assert_allclose(spread, expected, rtol=1e-12)
    slope = np.polyfit(np.log(sigmas), np.log(spread[:, 1]), 1)[0]
    assert abs(slope + 1) < 0.2  # no baseline: ~ 1/sigma
    single = PETERS.gradient_spread(-1.5, 0.02, 400, 60, np.random.default_rng(5), baseline=False)
    np.testing.assert_allclose(single, spread[0], rtol=1e-12)
    assert single.shape == (2,)


def test_gradient_spread_validates_its_arguments(rng):
    with pytest.raises(ValueError, match="sigma"):
        PETERS.gradient_spread(-1.5, [0.1, -0.1], 10, 10, rng)
    with pytest.raises(ValueError, match="n_trajectories"):
        PETERS.gradient_spread(-1.5, [0.1], 1, 10, rng)


def test_deviation_across_known_values_and_invariances():
    # across (1, 0) is the sigma axis: |0.3| / 0.1
    np.testing.assert_allclose(deviation_across([1.0, 0.3], [0.1, 0.1], [1.0, 0.0]), 3.0)
    np.testing.assert_allclose(deviation_across([2.0, 2.0], [0.1, 0.5], [3.0, 3.0]), 0.0)
    # the reference's length and sign do not matter
    est, se, ref = np.array([0.7, -0.2]), np.array([0.05, 0.08]), np.array([1.0, 0.4])
    z = deviation_across(est, se, ref)
    np.testing.assert_allclose(deviation_across(est, se, -5.0 * ref), z, rtol=1e-14)
    # the formula of the notebook cell it replaced
    across = np.array([-ref[1], ref[0]]) / np.linalg.norm(ref)
    np.testing.assert_allclose(z, abs(est @ across) / (np.abs(across) @ se), rtol=1e-14)
    # broadcasts over a stack of estimates
    zs = deviation_across(np.stack([est, 2 * est]), se, ref)
    np.testing.assert_allclose(zs, [z, 2 * z], rtol=1e-14)


def test_deviation_across_is_a_few_units_for_unbiased_estimates(rng):
    ref, se = np.array([0.6, -0.8]), np.array([0.02, 0.05])
    z = deviation_across(ref + se * rng.standard_normal((2000, 2)), se, ref)
    assert np.mean(z < 3) > 0.99  # a conservative bound: |N(0, s)| / (bound >= s)


def test_deviation_across_validates_its_arguments():
    with pytest.raises(ValueError, match="standard_error"):
        deviation_across([1.0, 0.0], [0.1, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="reference contains a zero vector"):
        deviation_across([1.0, 0.0], [0.1, 0.1], [0.0, 0.0])
    with pytest.raises(ValueError, match="estimate has shape"):
        deviation_across([1.0, 0.0, 2.0], [0.1, 0.1], [1.0, 0.0])
    with pytest.raises(ValueError, match="reference has shape"):
        deviation_across([1.0, 0.0], [0.1, 0.1], 1.0)
    with pytest.raises(ValueError, match="estimate"):
        deviation_across([np.nan, 0.0], [0.1, 0.1], [1.0, 0.0])


@pytest.mark.parametrize("name", SETTINGS)
def test_numerical_optimal_gain_is_the_riccati_optimal_gain(name):
    lqr = SETTINGS[name]
    assert abs(lqr.numerical_optimal_gain() - lqr.optimal_gain()) < 1e-7


def test_numerical_optimal_gain_without_discount_and_validation():
    myopic = LinearGaussianLQR(R=0.5, gamma=0.0)  # P(k) = q + R k^2: k* = 0
    assert abs(myopic.numerical_optimal_gain()) < 1e-7
    with pytest.raises(ValueError, match="xatol"):
        PETERS.numerical_optimal_gain(xatol=0.0)


def test_ascent_path_describe_agrees_with_its_queries():
    k_star = PETERS.optimal_gain()
    for natural in (False, True):
        path = PETERS.ascent_path(-0.2, 0.5, 1e-3, natural=natural, max_iter=400)
        reached, k_low, end = path.describe(k_star, tol=0.01, sigma_level=0.01)
        n_hit, i_low = path.iterations_to(k_star, 0.01), path.first_below(0.01)
        if n_hit is None:
            assert reached == f"not reached in {len(path.points) - 1} steps"
        else:
            assert reached == f"after {n_hit} steps"
        if i_low is None:
            assert k_low == "sigma stays >= 0.01"
        else:
            assert k_low == f"{path.points[i_low, 0]:+.3f} (step {i_low})"
        assert end.endswith(path.stopped) and end.startswith(f"({path.points[-1, 0]:+.4f}, ")
    vanilla = PETERS.ascent_path(-0.2, 0.5, 1e-3, natural=False, max_iter=400)
    assert vanilla.describe(k_star)[0].startswith("not reached")  # the lecture's point
    assert PETERS.ascent_path(-0.2, 0.5, 1e-3, True, 400).describe(k_star)[0].startswith("after")


def test_ascent_path_describe_validates_its_arguments():
    path = PETERS.ascent_path(-0.2, 0.5, 1e-3, natural=True, max_iter=5)
    with pytest.raises(ValueError, match="tol"):
        path.describe(-0.9, tol=0.0)
    with pytest.raises(ValueError, match="sigma_level"):
        path.describe(-0.9, sigma_level=-1.0)
    with pytest.raises(ValueError, match="k_target"):
        path.describe(np.nan)


def test_max_k_deviation_is_the_former_cell_and_shrinks_with_eps():
    flow = PETERS.gradient_flow(-0.2, 0.5, natural=True, sigma_min=1e-3)
    devs = []
    for eps in (1e-3, 1e-4):
        pts = PETERS.ascent_path(-0.2, 0.5, eps, natural=True, max_iter=1500).points
        kept = pts[pts[:, 1] >= 0.01]
        expected = np.max(np.abs(kept[:, 0] - flow.k_at_sigma(kept[:, 1])))
        devs.append(flow.max_k_deviation(pts, sigma_min=0.01))
        assert devs[-1] == pytest.approx(expected, rel=1e-12)
    assert devs[1] < 0.5 * devs[0]  # error ~ step length ~ sqrt(eps)
    assert flow.max_k_deviation(flow.points, sigma_min=0.01) < 1e-8  # the flow itself


def test_max_k_deviation_validates_its_arguments():
    flow = PETERS.gradient_flow(-0.2, 0.5, natural=True, sigma_min=1e-2)
    with pytest.raises(ValueError, match="points has shape"):
        flow.max_k_deviation(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="sigma_min"):
        flow.max_k_deviation(flow.points, sigma_min=1e-3)  # below the flow's range
    with pytest.raises(ValueError, match="leaves no point"):
        flow.max_k_deviation(np.array([[-0.2, 0.05]]), sigma_min=0.4)
