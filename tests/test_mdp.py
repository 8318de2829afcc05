"""Tests for course_utils.mdp: exact tabular identities and the sampled estimators."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import finite_diff
from course_utils import mdp as M

# 20+ random MDPs of assorted sizes and discounts: (seed, n_states, n_actions, gamma)
MDP_CASES = [
    (seed, 1 + seed % 4, 2 + seed % 3, (0.0, 0.5, 0.9, 0.95)[seed % 4]) for seed in range(24)
]


def make_case(seed, n_states, n_actions, gamma):
    """A random MDP and random logits, reproducible from the case tuple."""
    rng = np.random.default_rng(1000 + seed)
    mdp = M.random_mdp(n_states, n_actions, gamma, rng)
    theta = rng.normal(size=(n_states, n_actions))
    return mdp, theta, rng


def brute_force_fisher(mdp, theta, weights):
    """``sum_s weights[s] sum_a pi(a|s) psi psi^T`` by enumeration, psi from score_softmax."""
    pi = M.softmax_policy(theta)
    n = theta.size
    F = np.zeros((n, n))
    for s in range(mdp.n_states):
        for a in range(mdp.n_actions):
            psi = M.score_softmax(theta, s, a).ravel()
            F += weights[s] * pi[s, a] * np.outer(psi, psi)
    return F


def rel_err(a, b):
    return np.linalg.norm(np.ravel(a) - np.ravel(b)) / np.linalg.norm(np.ravel(b))


# --- construction -------------------------------------------------------------------------


def test_tabular_mdp_is_frozen_and_read_only():
    mdp = M.two_state_mdp(0.9)
    with pytest.raises(AttributeError):
        mdp.gamma = 0.5
    with pytest.raises(ValueError):
        mdp.P[0, 0, 0] = 0.5
    assert (mdp.n_states, mdp.n_actions) == (2, 2)


def test_random_mdp_is_valid_and_seeded():
    a = M.random_mdp(4, 3, 0.9, np.random.default_rng(7))
    b = M.random_mdp(4, 3, 0.9, np.random.default_rng(7))
    assert a.P.shape == (4, 3, 4) and a.R.shape == (4, 3) and a.p0.shape == (4,)
    np.testing.assert_allclose(a.P.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(a.P, b.P)
    np.testing.assert_array_equal(a.R, b.R)


def test_softmax_policy_rows_and_stability():
    theta = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    pi = M.softmax_policy(theta)
    assert np.all(np.isfinite(pi))
    np.testing.assert_allclose(pi.sum(axis=-1), 1.0)
    np.testing.assert_allclose(pi[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(pi[1], 1 / 3)
    # invariant to adding a constant per state
    theta = np.random.default_rng(0).normal(size=(3, 4))
    np.testing.assert_allclose(
        M.softmax_policy(theta), M.softmax_policy(theta + np.arange(3)[:, None]), rtol=1e-12
    )


# --- exact evaluation ---------------------------------------------------------------------


@pytest.mark.parametrize("case", MDP_CASES[:6])
def test_policy_evaluation_bellman_equations(case):
    mdp, theta, _ = make_case(*case)
    pi = M.softmax_policy(theta)
    V, Q, A = M.policy_evaluation(mdp, pi)
    # V = r_pi + gamma P_pi V, Q = R + gamma P V, V = sum_a pi Q, sum_a pi A = 0
    np.testing.assert_allclose(Q, mdp.R + mdp.gamma * np.einsum("sat,t->sa", mdp.P, V))
    np.testing.assert_allclose(V, np.sum(pi * Q, axis=1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.sum(pi * A, axis=1), 0.0, atol=1e-12)
    assert M.expected_return(mdp, theta) == pytest.approx(mdp.p0 @ V, rel=1e-12)


def test_expected_return_matches_long_rollout_of_the_distribution():
    mdp, theta, _ = make_case(3, 3, 2, 0.9)
    pi = M.softmax_policy(theta)
    P_pi = np.einsum("sa,sat->st", pi, mdp.P)
    r_pi = np.sum(pi * mdp.R, axis=1)
    p, J = mdp.p0.copy(), 0.0
    for t in range(400):  # sum_t gamma^t p_t . r_pi, truncated where gamma^t < 1e-18
        J += mdp.gamma**t * (p @ r_pi)
        p = p @ P_pi
    assert M.expected_return(mdp, theta) == pytest.approx(J, rel=1e-12)


@pytest.mark.parametrize("case", MDP_CASES)
def test_visitation_has_mass_one_over_one_minus_gamma(case):
    mdp, theta, _ = make_case(*case)
    rho = M.discounted_visitation(mdp, M.softmax_policy(theta))
    assert np.all(rho >= 0)
    assert rho.sum() == pytest.approx(1.0 / (1.0 - mdp.gamma), rel=1e-12)


def test_visitation_is_the_discounted_sum_of_state_distributions():
    mdp, theta, _ = make_case(5, 4, 3, 0.9)
    pi = M.softmax_policy(theta)
    P_pi = np.einsum("sa,sat->st", pi, mdp.P)
    p, rho = mdp.p0.copy(), np.zeros(4)
    for t in range(400):
        rho += mdp.gamma**t * p
        p = p @ P_pi
    np.testing.assert_allclose(M.discounted_visitation(mdp, pi), rho, rtol=1e-12)


# --- policy gradient theorem ---------------------------------------------------------------


@pytest.mark.parametrize("case", MDP_CASES)
def test_policy_gradient_theorem_matches_finite_differences(case):
    mdp, theta, _ = make_case(*case)
    g = M.policy_gradient(mdp, theta)
    g_fd = finite_diff.gradient(lambda th: M.expected_return(mdp, th), theta)
    assert g.shape == theta.shape
    assert rel_err(g, g_fd) <= 1e-6


@pytest.mark.parametrize("case", MDP_CASES[:8])
def test_fisher_equals_brute_force_expectation_of_score_outer_products(case):
    mdp, theta, _ = make_case(*case)
    rho = M.discounted_visitation(mdp, M.softmax_policy(theta))
    F = M.fisher_information(mdp, theta)
    assert F.shape == (theta.size, theta.size)
    np.testing.assert_allclose(F, brute_force_fisher(mdp, theta, rho), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(F, F.T)
    # singular along "add a constant to the logits of one state"
    ones_state0 = np.zeros_like(theta)
    ones_state0[0] = 1.0
    np.testing.assert_allclose(F @ ones_state0.ravel(), 0.0, atol=1e-12)


def test_score_softmax_matches_finite_differences_of_log_pi():
    rng = np.random.default_rng(3)
    theta = rng.normal(size=(3, 4))
    for s, a in [(0, 0), (1, 3), (2, 1)]:
        psi_fd = finite_diff.gradient(
            lambda th, s=s, a=a: np.log(M.softmax_policy(th)[s, a]), theta
        )
        np.testing.assert_allclose(M.score_softmax(theta, s, a), psi_fd, atol=1e-9)
    # vectorised over arbitrary sample shapes
    states = rng.integers(0, 3, size=(5, 7))
    actions = rng.integers(0, 4, size=(5, 7))
    scores = M.score_softmax(theta, states, actions)
    assert scores.shape == (5, 7, 3, 4)
    np.testing.assert_allclose(scores[2, 4], M.score_softmax(theta, states[2, 4], actions[2, 4]))


@pytest.mark.parametrize("case", MDP_CASES[:8])
def test_natural_policy_gradient_is_pinv_fisher_times_gradient(case):
    mdp, theta, _ = make_case(*case)
    F = M.fisher_information(mdp, theta)
    g = M.policy_gradient(mdp, theta).ravel()
    w = M.natural_policy_gradient(mdp, theta)
    np.testing.assert_allclose(w.ravel(), np.linalg.pinv(F) @ g, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(F @ w.ravel(), g, atol=1e-10)


# --- surrogate and performance difference -------------------------------------------------


@pytest.mark.parametrize("case", MDP_CASES[:10])
def test_surrogate_vanishes_and_has_the_policy_gradient_at_theta_old(case):
    mdp, theta, _ = make_case(*case)
    assert M.surrogate(mdp, theta, theta) == pytest.approx(0.0, abs=1e-12)
    grad = finite_diff.gradient(lambda th: M.surrogate(mdp, theta, th), theta)
    assert rel_err(grad, M.policy_gradient(mdp, theta)) <= 1e-6


@pytest.mark.parametrize("case", MDP_CASES)
def test_performance_difference_lemma_is_exact(case):
    mdp, theta_old, rng = make_case(*case)
    theta_new = theta_old + rng.normal(scale=2.0, size=theta_old.shape)
    exact = M.expected_return(mdp, theta_new) - M.expected_return(mdp, theta_old)
    assert M.performance_difference(mdp, theta_old, theta_new) == pytest.approx(exact, abs=1e-10)


def test_surrogate_is_first_order_accurate_only():
    """Abar - (J' - J) = O(|d|^2): the error ratio at steps t and t/2 is about 4."""
    mdp, theta, rng = make_case(11, 4, 3, 0.9)
    u = rng.normal(size=theta.shape)
    errs = []
    for t in (1e-2, 5e-3):
        new = theta + t * u
        errs.append(M.surrogate(mdp, theta, new) - M.performance_difference(mdp, theta, new))
    assert errs[0] / errs[1] == pytest.approx(4.0, rel=0.05)


@pytest.mark.parametrize("case", MDP_CASES[:8])
def test_visitation_kl_is_half_d_fisher_d_to_second_order(case):
    mdp, theta, rng = make_case(*case)
    F = M.fisher_information(mdp, theta)
    u = rng.normal(size=theta.shape)
    ratios, errs = [], []
    for t in (1e-2, 5e-3, 2.5e-3):
        d = t * u
        kl = M.visitation_kl(mdp, theta, theta + d)
        quad = 0.5 * d.ravel() @ F @ d.ravel()
        ratios.append(kl / quad)
        errs.append(abs(kl - quad))
    assert ratios[-1] == pytest.approx(1.0, abs=0.02)
    # the error is third order: halving d divides it by about 8 (at most 8 and a bit)
    assert errs[1] / errs[0] < 0.15 and errs[2] / errs[1] < 0.15


def test_max_total_variation_of_identical_and_extreme_policies():
    mdp = M.random_mdp(3, 2, 0.9, np.random.default_rng(0))
    theta = np.zeros((3, 2))
    assert M.max_total_variation(mdp, theta, theta) == 0.0
    far = np.array([[50.0, -50.0], [0.0, 0.0], [0.0, 0.0]])
    assert M.max_total_variation(mdp, theta, far) == pytest.approx(0.5)


# --- sampling -----------------------------------------------------------------------------


def test_sample_trajectories_shapes_and_seed():
    mdp, theta, _ = make_case(2, 3, 4, 0.9)
    a = M.sample_trajectories(mdp, theta, 50, 20, np.random.default_rng(5))
    b = M.sample_trajectories(mdp, theta, 50, 20, np.random.default_rng(5))
    for x in (a.states, a.actions, a.rewards):
        assert x.shape == (50, 20)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.actions, b.actions)
    np.testing.assert_array_equal(a.rewards, mdp.R[a.states, a.actions])
    assert a.states.min() >= 0 and a.states.max() < 3
    assert a.actions.min() >= 0 and a.actions.max() < 4


def test_sample_trajectories_frequencies_match_p0_pi_and_P():
    """Empirical start, action and transition frequencies within 4 binomial standard errors."""
    mdp, theta, rng = make_case(4, 3, 2, 0.9)
    pi = M.softmax_policy(theta)
    traj = M.sample_trajectories(mdp, theta, 4000, 10, rng)

    def check(counts, probs):
        n = counts.sum()
        freq = counts / n
        se = np.sqrt(probs * (1 - probs) / n)
        assert np.all(np.abs(freq - probs) <= 4 * se + 1e-12), (freq, probs)

    check(np.bincount(traj.states[:, 0], minlength=3), mdp.p0)
    s, a = traj.states.ravel(), traj.actions.ravel()
    for state in range(3):
        check(np.bincount(a[s == state], minlength=2), pi[state])
    s_now, a_now, s_next = traj.states[:, :-1], traj.actions[:, :-1], traj.states[:, 1:]
    for state in range(3):
        for action in range(2):
            mask = (s_now == state) & (a_now == action)
            assert mask.sum() > 200
            check(np.bincount(s_next[mask], minlength=3), mdp.P[state, action])


def test_discounted_return_and_rewards_to_go_by_plain_loops():
    mdp, theta, rng = make_case(6, 3, 2, 0.8)
    traj = M.sample_trajectories(mdp, theta, 7, 9, rng)
    G = traj.rewards_to_go()
    for i in range(7):
        for t in range(9):
            expected = sum(mdp.gamma ** (u - t) * traj.rewards[i, u] for u in range(t, 9))
            assert G[i, t] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(traj.discounted_return(), G[:, 0], rtol=1e-12)
    # gamma = 0: the reward to go is the reward
    mdp0, theta0, rng0 = make_case(0, 1, 2, 0.0)
    traj0 = M.sample_trajectories(mdp0, theta0, 3, 4, rng0)
    np.testing.assert_array_equal(traj0.rewards_to_go(), traj0.rewards)


def test_monte_carlo_return_within_four_standard_errors():
    mdp, theta, rng = make_case(8, 3, 3, 0.9)
    returns = M.sample_trajectories(mdp, theta, 4000, 200, rng).discounted_return()
    se = returns.std(ddof=1) / np.sqrt(returns.size)
    assert abs(returns.mean() - M.expected_return(mdp, theta)) <= 4 * se


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reinforce_within_four_standard_errors_and_baseline_helps(seed):
    mdp, theta, rng = make_case(seed, 3, 2, 0.8)
    g = M.policy_gradient(mdp, theta)
    # horizon 150 at gamma 0.8: truncation bias < 0.8^150 / 0.2 ~ 1e-14, far below the SE
    est_b, se_b = M.estimate_policy_gradient(mdp, theta, 2000, 150, rng, baseline=True)
    est_n, se_n = M.estimate_policy_gradient(mdp, theta, 2000, 150, rng, baseline=False)
    assert est_b.shape == se_b.shape == theta.shape
    assert np.all(np.abs(est_b - g) <= 4 * se_b)
    assert np.all(np.abs(est_n - g) <= 4 * se_n)
    assert np.all(se_b < se_n)


def test_reinforce_matches_plain_formula_on_the_same_trajectories():
    mdp, theta, _ = make_case(9, 3, 3, 0.9)
    est, se = M.estimate_policy_gradient(mdp, theta, 40, 12, np.random.default_rng(1))
    traj = M.sample_trajectories(mdp, theta, 40, 12, np.random.default_rng(1))
    V, _, _ = M.policy_evaluation(mdp, M.softmax_policy(theta))
    psi = M.score_softmax(theta, traj.states, traj.actions)  # (n, T, S, A)
    weight = mdp.gamma ** np.arange(12) * (traj.rewards_to_go() - V[traj.states])
    per_traj = np.einsum("nt,ntsa->nsa", weight, psi)
    np.testing.assert_allclose(est, per_traj.mean(axis=0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(se, per_traj.std(axis=0, ddof=1) / np.sqrt(40), rtol=1e-8)


# --- average reward (Kakade's plateau MDP) ------------------------------------------------


def test_two_state_mdp_structure():
    mdp = M.two_state_mdp()
    np.testing.assert_array_equal(mdp.R, [[1.0, 0.0], [2.0, 0.0]])
    assert mdp.P[0, 0, 0] == mdp.P[1, 0, 1] == 1.0  # stay
    assert mdp.P[0, 1, 1] == mdp.P[1, 1, 0] == 1.0  # switch
    pi = M.softmax_policy(M.sigmoid_theta(M.PLATEAU_START))
    np.testing.assert_allclose(pi[:, 0], [0.8, 0.1])


@pytest.mark.parametrize("seed", range(5))
def test_stationary_distribution_is_stationary(seed):
    mdp, theta, _ = make_case(seed, 2 + seed, 3, 0.9)
    pi = M.softmax_policy(theta)
    d = M.stationary_distribution(mdp, pi)
    P_pi = np.einsum("sa,sat->st", pi, mdp.P)
    assert np.all(d >= -1e-14)
    assert d.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(d @ P_pi, d, atol=1e-12)


def test_plateau_stationary_distribution_closed_form():
    mdp = M.two_state_mdp()
    pi = M.softmax_policy(M.sigmoid_theta(M.PLATEAU_START))
    # leave i w.p. 0.2, leave j w.p. 0.9: d = (0.9, 0.2) / 1.1
    np.testing.assert_allclose(M.stationary_distribution(mdp, pi), np.array([0.9, 0.2]) / 1.1)
    assert M.average_reward(mdp, M.sigmoid_theta(M.PLATEAU_START)) == pytest.approx(
        (0.9 * 0.8 * 1.0 + 0.2 * 0.1 * 2.0) / 1.1
    )


@pytest.mark.parametrize(
    "theta",
    [
        M.sigmoid_theta(M.PLATEAU_START),
        M.sigmoid_theta([2.0, -3.0]),
        np.array([[0.3, -0.2], [1.0, 0.5]]),
    ],
)
def test_average_reward_gradient_matches_finite_differences(theta):
    mdp = M.two_state_mdp()
    g = M.average_reward_gradient(mdp, theta)
    g_fd = finite_diff.gradient(lambda th: M.average_reward(mdp, th), theta)
    assert rel_err(g, g_fd) <= 1e-6


def test_average_reward_gradient_on_random_ergodic_mdps():
    for seed in range(4):
        mdp, theta, _ = make_case(seed, 4, 3, 0.9)
        g = M.average_reward_gradient(mdp, theta)
        g_fd = finite_diff.gradient(lambda th, mdp=mdp: M.average_reward(mdp, th), theta)
        assert rel_err(g, g_fd) <= 1e-6


def test_average_reward_fisher_is_stationary_weighted_score_expectation():
    mdp = M.two_state_mdp()
    theta = M.sigmoid_theta(M.PLATEAU_START)
    d = M.stationary_distribution(mdp, M.softmax_policy(theta))
    F = M.average_reward_fisher(mdp, theta)
    np.testing.assert_allclose(F, brute_force_fisher(mdp, theta, d), atol=1e-14)
    # the sigmoid parameter of each state (column 0): F = d(s) p(1 - p)
    p = np.array([0.8, 0.1])
    np.testing.assert_allclose(np.diag(F)[[0, 2]], d * p * (1 - p))


# --- valid edge inputs never give NaN -----------------------------------------------------


def test_no_nan_for_nearly_deterministic_policies():
    """Logits of +-800 make some pi(a|s) underflow to exactly 0: still no NaN anywhere."""
    mdp, _, _ = make_case(7, 3, 2, 0.9)
    extreme = np.array([[800.0, -800.0], [0.0, 0.0], [-800.0, 800.0]])
    mild = np.zeros((3, 2))
    values = [
        M.expected_return(mdp, extreme),
        M.policy_gradient(mdp, extreme),
        M.fisher_information(mdp, extreme),
        M.natural_policy_gradient(mdp, extreme),
        M.surrogate(mdp, extreme, mild),
        M.surrogate(mdp, mild, extreme),
        M.surrogate(mdp, extreme, extreme),
        M.performance_difference(mdp, extreme, mild),
        M.visitation_kl(mdp, mild, extreme),
        M.visitation_kl(mdp, extreme, mild),
        M.max_total_variation(mdp, extreme, mild),
        M.score_softmax(extreme, [0, 2], [1, 0]),
        M.average_reward(mdp, extreme),
        M.average_reward_gradient(mdp, extreme),
    ]
    for v in values:
        assert np.all(np.isfinite(v))
    assert M.surrogate(mdp, extreme, extreme) == pytest.approx(0.0, abs=1e-12)
    # the surrogate (old visitation) and the lemma (new visitation) agree when rho is shared
    exact = M.expected_return(mdp, mild) - M.expected_return(mdp, extreme)
    assert M.performance_difference(mdp, extreme, mild) == pytest.approx(exact, abs=1e-10)


def test_rewards_to_go_survive_gamma_power_underflow():
    """gamma = 0.5 and 1100 steps: gamma^t underflows to 0, the reward to go must not be 0/0."""
    mdp, theta, _ = make_case(1, 2, 3, 0.5)
    traj = M.sample_trajectories(mdp, theta, 3, 1100, np.random.default_rng(0))
    G = traj.rewards_to_go()
    assert np.all(np.isfinite(G))
    np.testing.assert_allclose(G[:, -1], traj.rewards[:, -1])
    np.testing.assert_allclose(G[:, :-1], traj.rewards[:, :-1] + 0.5 * G[:, 1:], rtol=1e-12)
    est, se = M.estimate_policy_gradient(mdp, theta, 3, 1100, np.random.default_rng(0))
    assert np.all(np.isfinite(est)) and np.all(np.isfinite(se))


def test_gamma_zero_is_the_immediate_reward_problem():
    mdp, theta, _ = make_case(0, 3, 2, 0.0)
    pi = M.softmax_policy(theta)
    assert M.expected_return(mdp, theta) == pytest.approx(mdp.p0 @ np.sum(pi * mdp.R, axis=1))
    np.testing.assert_allclose(M.discounted_visitation(mdp, pi), mdp.p0)


# --- deterministic MDPs, state distributions, compatible critic (notebooks 01 and 02) -------


def test_random_deterministic_mdp_is_one_hot_and_seeded():
    a = M.random_deterministic_mdp(5, 3, 0.9, np.random.default_rng(0))
    b = M.random_deterministic_mdp(5, 3, 0.9, np.random.default_rng(0))
    assert a.P.shape == (5, 3, 5)
    np.testing.assert_array_equal(a.P.sum(axis=2), 1.0)
    assert set(np.unique(a.P).tolist()) == {0.0, 1.0}
    for name in ("P", "R", "p0"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_random_deterministic_mdp_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="n_states"):
        M.random_deterministic_mdp(bad, 2, 0.9, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        M.random_deterministic_mdp(3, 2, 0.9, rng=0)


@pytest.mark.parametrize("case", MDP_CASES[:8])
def test_state_distributions_are_powers_of_the_chain(case):
    mdp, theta, _ = make_case(*case)
    pi = M.softmax_policy(theta)
    p = M.state_distributions(mdp, pi, horizon=300)
    assert p.shape == (301, mdp.n_states)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(p[0], mdp.p0)
    P_pi = np.einsum("sa,sat->st", pi, mdp.P)
    np.testing.assert_allclose(p[7], mdp.p0 @ np.linalg.matrix_power(P_pi, 7), atol=1e-14)
    # sum_t gamma^t p_t is the visitation; the tail after t = 300 is below gamma^301 / (1 - gamma)
    rho = (mdp.gamma ** np.arange(301)) @ p
    tail = mdp.gamma**301 / (1 - mdp.gamma)
    np.testing.assert_allclose(rho, M.discounted_visitation(mdp, pi), rtol=0, atol=tail + 1e-12)


def test_state_distributions_match_sampled_state_frequencies():
    mdp, theta, rng = make_case(3, 4, 3, 0.9)
    n = 20_000
    p = M.state_distributions(mdp, M.softmax_policy(theta), horizon=5)
    traj = M.sample_trajectories(mdp, theta, n=n, horizon=6, rng=rng)
    freq = np.bincount(traj.states[:, 5], minlength=mdp.n_states) / n
    se = np.sqrt(p[5] * (1 - p[5]) / n)
    assert np.all(np.abs(freq - p[5]) <= 4 * se + 1e-12)


def test_state_distributions_validation():
    mdp, theta, _ = make_case(0, 3, 2, 0.9)
    pi = M.softmax_policy(theta)
    np.testing.assert_array_equal(M.state_distributions(mdp, pi, 0), mdp.p0[None, :])
    with pytest.raises(ValueError, match="horizon"):
        M.state_distributions(mdp, pi, -1)
    with pytest.raises(ValueError, match="pi"):
        M.state_distributions(mdp, np.full((3, 3), 1 / 3), 4)


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 3.0))
def test_state_mismatch_is_bounded_in_total_variation(seed, scale):
    """Erratum 3 of MATH.md: TV(p_new(s_t), p_old(s_t)) <= 1 - (1 - eps)^t <= eps t."""
    rng = np.random.default_rng(seed)
    mdp = M.random_deterministic_mdp(4, 3, 0.9, rng)
    th_old = rng.normal(size=(4, 3))
    th_new = th_old + scale * rng.normal(size=(4, 3))
    eps = M.max_total_variation(mdp, th_old, th_new)
    p_old = M.state_distributions(mdp, M.softmax_policy(th_old), 15)
    p_new = M.state_distributions(mdp, M.softmax_policy(th_new), 15)
    tv = 0.5 * np.abs(p_old - p_new).sum(axis=1)
    t = np.arange(16)
    assert np.all(tv <= 1 - (1 - eps) ** t + 1e-12)
    assert np.all(tv <= eps * t + 1e-12)


def test_l1_state_mismatch_can_reach_two_eps_t():
    """The L1 version of seed 002's bound needs the factor 2: a two-state counterexample."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = 1.0
    P[1, :, 1] = 1.0
    mdp = M.TabularMDP(P=P, R=np.zeros((2, 2)), gamma=0.9, p0=np.array([1.0, 0.0]))
    eps = 0.1
    p_old = M.state_distributions(mdp, np.full((2, 2), 0.5), 1)[1]
    p_new = M.state_distributions(mdp, np.array([[0.5 + eps, 0.5 - eps], [0.5, 0.5]]), 1)[1]
    assert np.abs(p_old - p_new).sum() == pytest.approx(2 * eps, abs=1e-12)


@pytest.mark.parametrize("case", MDP_CASES)
def test_compatible_critic_is_the_natural_gradient(case):
    mdp, theta, _ = make_case(*case)
    w = M.compatible_critic(mdp, theta)
    np.testing.assert_allclose(M.compatible_critic(mdp, theta, target="q"), w, atol=1e-10)
    g = M.policy_gradient(mdp, theta)
    F = M.fisher_information(mdp, theta)
    np.testing.assert_allclose(F @ w.ravel(), g.ravel(), atol=1e-10 * max(1.0, np.abs(g).max()))
    np.testing.assert_allclose(w, M.natural_policy_gradient(mdp, theta), atol=1e-9)


def test_compatible_critic_minimises_the_weighted_error():
    mdp, theta, rng = make_case(7, 4, 3, 0.9)
    pi = M.softmax_policy(theta)
    _, Q, _ = M.policy_evaluation(mdp, pi)
    weight = M.discounted_visitation(mdp, pi)[:, None] * pi
    psi = M.score_softmax(theta, *np.indices(theta.shape)).reshape(theta.size, theta.size)

    def loss(w):
        return np.sum(weight.ravel() * (Q.ravel() - psi @ w) ** 2)

    w = M.compatible_critic(mdp, theta, target="q").ravel()
    np.testing.assert_allclose(
        w,
        np.linalg.pinv(M.fisher_information(mdp, theta)) @ M.policy_gradient(mdp, theta).ravel(),
        atol=1e-9,
    )
    for _ in range(20):
        assert loss(w) <= loss(w + 1e-3 * rng.normal(size=w.size)) + 1e-12


def test_compatible_critic_rejects_unknown_target():
    mdp, theta, _ = make_case(0, 3, 2, 0.9)
    with pytest.raises(ValueError, match="target"):
        M.compatible_critic(mdp, theta, target="value")


# --- the optimum and trust-region ascent (appended by helper N2) ---------------------------


@pytest.mark.parametrize("case", MDP_CASES[:12])
def test_value_iteration_matches_brute_force_over_deterministic_policies(case):
    import itertools

    mdp, _, _ = make_case(*case)
    V_star, pi_star = M.value_iteration(mdp)
    # Bellman optimality and the greedy policy's own values
    np.testing.assert_allclose(
        V_star, np.max(mdp.R + mdp.gamma * mdp.P @ V_star, axis=1), atol=1e-10
    )
    np.testing.assert_allclose(M.policy_evaluation(mdp, pi_star)[0], V_star, rtol=1e-12, atol=1e-12)
    assert np.all(pi_star.sum(axis=1) == 1.0) and set(np.unique(pi_star)) <= {0.0, 1.0}
    # every deterministic policy is worse or equal, state by state; the best one ties
    best = np.full(mdp.n_states, -np.inf)
    for actions in itertools.product(range(mdp.n_actions), repeat=mdp.n_states):
        V, _, _ = M.policy_evaluation(mdp, np.eye(mdp.n_actions)[list(actions)])
        assert np.all(V <= V_star + 1e-10)
        best = np.maximum(best, V)
    np.testing.assert_allclose(best, V_star, rtol=1e-10, atol=1e-10)
    assert M.optimal_return(mdp) == pytest.approx(float(mdp.p0 @ V_star), rel=1e-14)


@given(seed=st.integers(0, 10_000))
@settings(max_examples=20)
def test_softmax_policies_never_beat_the_optimal_return(seed):
    rng = np.random.default_rng(seed)
    mdp = M.random_mdp(3, 2, 0.9, rng)
    assert M.expected_return(mdp, 3.0 * rng.normal(size=(3, 2))) <= M.optimal_return(mdp) + 1e-12


def test_value_iteration_validates():
    mdp, _, _ = make_case(3, 3, 2, 0.95)
    with pytest.raises(ValueError, match="max_iter"):
        M.value_iteration(mdp, max_iter=3)
    with pytest.raises(ValueError, match="tol"):
        M.value_iteration(mdp, tol=0.0)
    with pytest.raises(ValueError, match="TabularMDP"):
        M.value_iteration("not an mdp")


@pytest.mark.parametrize("natural", [False, True])
def test_trust_region_ascent_steps_meet_their_constraints(natural):
    mdp, theta, _ = make_case(5, 3, 3, 0.9)
    eps = 0.05
    run = M.trust_region_ascent(mdp, theta, eps, 10, natural=natural)
    assert run.thetas.shape == (11, 3, 3) and run.returns.shape == (11,)
    np.testing.assert_allclose(run.thetas[0], theta)
    for t in range(10):
        d = (run.thetas[t + 1] - run.thetas[t]).ravel()
        if natural:
            F = M.fisher_information(mdp, run.thetas[t])
            assert 0.5 * d @ F @ d == pytest.approx(eps, rel=1e-9)
        else:
            assert d @ d == pytest.approx(eps, rel=1e-12)
        assert run.returns[t] == pytest.approx(M.expected_return(mdp, run.thetas[t]), rel=1e-14)


def test_natural_ascent_reaches_the_optimum_faster_and_stays_finite():
    mdp, _, rng = make_case(7, 4, 3, 0.9)
    theta0 = 3.0 * rng.normal(size=(4, 3))
    J_star = M.optimal_return(mdp)
    natural = M.trust_region_ascent(mdp, theta0, 0.1, 300, natural=True)
    vanilla = M.trust_region_ascent(mdp, theta0, 0.1, 300, natural=False)
    assert np.all(np.isfinite(natural.thetas)) and np.all(np.isfinite(natural.returns))
    assert natural.returns[-1] == pytest.approx(J_star, rel=1e-10)
    assert np.all(natural.returns <= J_star + 1e-10)
    level = natural.returns[0] + 0.95 * (J_star - natural.returns[0])
    n_nat, n_van = natural.iterations_to(level), vanilla.iterations_to(level)
    assert n_nat is not None and (n_van is None or n_nat < n_van)
    assert vanilla.iterations_to(J_star + 1.0) is None


# --- the surrogate's error bound and the state-mismatch bounds (notebook 02) ---------------


def test_surrogate_error_bound_is_the_formula_and_holds(rng):
    for _ in range(20):
        mdp = M.random_deterministic_mdp(4, 3, gamma=float(rng.uniform(0.3, 0.95)), rng=rng)
        th_old, th_new = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
        A = M.policy_evaluation(mdp, M.softmax_policy(th_old))[2]
        alpha = M.max_total_variation(mdp, th_old, th_new)
        expected = 4 * np.abs(A).max() * mdp.gamma / (1 - mdp.gamma) ** 2 * alpha**2
        bound = M.surrogate_error_bound(mdp, th_old, th_new)
        assert bound == pytest.approx(expected, rel=1e-12)
        gain = M.expected_return(mdp, th_new) - M.expected_return(mdp, th_old)
        assert abs(gain - M.surrogate(mdp, th_old, th_new)) <= bound


def test_surrogate_path_matches_the_pointwise_functions(rng):
    mdp = M.random_deterministic_mdp(5, 3, gamma=0.9, rng=rng)
    theta = rng.normal(size=(5, 3))
    w = M.natural_policy_gradient(mdp, theta)
    u = w / np.linalg.norm(w)
    steps = np.geomspace(0.01, 10, 9)
    path = M.surrogate_path(mdp, theta, u, steps)
    J, pi = M.expected_return(mdp, theta), M.softmax_policy(theta)
    g = M.policy_gradient(mdp, theta)
    A_max = np.abs(M.policy_evaluation(mdp, pi)[2]).max()
    for i, t in enumerate(steps):  # the loop the notebook cell used to run
        th = theta + t * u
        pi_new = M.softmax_policy(th)
        kl_max = np.max(np.sum(pi * np.log(pi / pi_new), axis=1))
        alpha = M.max_total_variation(mdp, theta, th)
        assert path.gain[i] == pytest.approx(M.expected_return(mdp, th) - J, abs=1e-12)
        assert path.surrogate[i] == pytest.approx(M.surrogate(mdp, theta, th), abs=1e-12)
        assert path.linear[i] == pytest.approx(t * np.sum(g * u), rel=1e-12)
        assert path.max_tv[i] == pytest.approx(alpha, rel=1e-12)
        assert path.max_kl[i] == pytest.approx(kl_max, rel=1e-9)
        assert path.rho_kl[i] == pytest.approx(M.visitation_kl(mdp, theta, th), rel=1e-12)
        scale = A_max * mdp.gamma / (1 - mdp.gamma) ** 2
        assert path.bound_tv[i] == pytest.approx(4 * scale * alpha**2, rel=1e-12)
        assert path.bound_kl[i] == pytest.approx(2 * scale * kl_max, rel=1e-9)
    np.testing.assert_allclose(path.error, np.abs(path.gain - path.surrogate), rtol=0, atol=0)
    assert np.all(path.error <= path.bound_tv) and np.all(path.bound_tv <= path.bound_kl * 1.000001)
    # the error is second order in the step: slope 2 on log-log axes for small t
    small = steps <= 0.3
    slope = np.polyfit(np.log(steps[small]), np.log(path.error[small]), 1)[0]
    assert slope == pytest.approx(2.0, abs=0.05)


def test_surrogate_path_validation():
    mdp, theta = M.two_state_mdp(0.9), np.zeros((2, 2))
    with pytest.raises(ValueError, match="direction"):
        M.surrogate_path(mdp, theta, np.zeros(4), [0.1])
    with pytest.raises(ValueError, match="steps"):
        M.surrogate_path(mdp, theta, np.ones((2, 2)), [-0.1, 0.2])
    with pytest.raises(ValueError, match="steps"):
        M.surrogate_path(mdp, theta, np.ones((2, 2)), [[0.1, 0.2]])
    with pytest.raises(ValueError, match="theta"):
        M.surrogate_path(mdp, np.zeros(3), np.ones((2, 2)), [0.1])


def test_random_surrogate_bound_ratios_repeat_the_plain_loop():
    ratios = M.random_surrogate_bound_ratios(30, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    for r in ratios:  # the notebook's former loop, drawing in the same order
        n_s, n_a = int(rng.integers(2, 7)), int(rng.integers(2, 5))
        case = M.random_deterministic_mdp(n_s, n_a, gamma=float(rng.uniform(0.5, 0.99)), rng=rng)
        th_old = 2 * rng.normal(size=(n_s, n_a))
        th_new = th_old + rng.uniform(0.01, 3) * rng.normal(size=(n_s, n_a))
        adv = M.policy_evaluation(case, M.softmax_policy(th_old))[2]
        err = abs(
            M.expected_return(case, th_new)
            - M.expected_return(case, th_old)
            - M.surrogate(case, th_old, th_new)
        )
        alpha = M.max_total_variation(case, th_old, th_new)
        bound = 4 * np.abs(adv).max() * case.gamma / (1 - case.gamma) ** 2 * alpha**2
        assert r == pytest.approx(err / bound, rel=1e-9)
    assert np.all(ratios <= 1.0)


@pytest.mark.parametrize("bad", [{"n_cases": 0}, {"n_cases": 2.5}, {"rng": 3}])
def test_random_surrogate_bound_ratios_validation(bad):
    args = {"n_cases": 3, "rng": np.random.default_rng(0)} | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        M.random_surrogate_bound_ratios(**args)


@pytest.mark.parametrize("family", ["deterministic", "dense"])
def test_mismatch_bound_failures_repeat_the_plain_loop(family):
    frac = M.mismatch_bound_failures(family, 60, np.random.default_rng(3), horizon=12)
    rng, t = np.random.default_rng(3), np.arange(1, 13)
    make = {"deterministic": M.random_deterministic_mdp, "dense": M.random_mdp}[family]
    fails = dict.fromkeys(M.MISMATCH_BOUNDS, 0)
    for _ in range(60):  # the notebook's former loop
        case = make(5, 3, gamma=0.9, rng=rng)
        th_old = rng.normal(size=(5, 3))
        th_new = th_old + 0.5 * rng.normal(size=(5, 3))
        e = M.max_total_variation(case, th_old, th_new)
        p_old, p_new = (
            M.state_distributions(case, M.softmax_policy(x), horizon=12)[1:]
            for x in (th_old, th_new)
        )
        tv_t = 0.5 * np.abs(p_old - p_new).sum(axis=1)
        fails["TV <= eps t"] += np.any(tv_t > e * t + 1e-12)
        fails["TV <= 1-(1-eps)^t"] += np.any(tv_t > 1 - (1 - e) ** t + 1e-12)
        fails["L1 <= 2 eps t"] += np.any(2 * tv_t > 2 * e * t + 1e-12)
        fails["L1 <= eps t"] += np.any(2 * tv_t > e * t + 1e-12)
    assert frac == {k: v / 60 for k, v in fails.items()}
    # the true bounds never fail (erratum 3: only L1 <= eps t can)
    assert frac["TV <= eps t"] == frac["TV <= 1-(1-eps)^t"] == frac["L1 <= 2 eps t"] == 0.0


def test_mismatch_bound_failures_finds_the_l1_erratum_with_deterministic_moves():
    frac = M.mismatch_bound_failures("deterministic", 200, np.random.default_rng(1))
    assert 0.0 < frac["L1 <= eps t"] < 1.0


@pytest.mark.parametrize(
    "bad",
    [{"family": "maze"}, {"n_cases": 0}, {"rng": None}, {"horizon": 0}, {"scale": 0.0}],
)
def test_mismatch_bound_failures_validation(bad):
    args = {"family": "dense", "n_cases": 2, "rng": np.random.default_rng(0)} | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        M.mismatch_bound_failures(**args)


def test_plateau_start_is_read_only():
    """A caller's in-place update (``x = M.PLATEAU_START; x += step``) raises instead of
    changing the start for every later use (the homework checks included)."""
    start = M.PLATEAU_START.copy()
    x = M.PLATEAU_START
    with pytest.raises(ValueError, match="read-only"):
        x += 1.0
    np.testing.assert_array_equal(M.PLATEAU_START, start)
    y = np.array(M.PLATEAU_START)  # a copy is writable
    y += 1.0
    assert np.all(y == start + 1.0)
