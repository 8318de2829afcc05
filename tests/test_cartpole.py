"""Tests for course_utils.cartpole: the linear softmax policy, batch utilities, rollouts."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_utils import cartpole as cp
from course_utils import finite_diff
from course_utils.natural import fisher_vector_product
from course_utils.practical import UpdateSettings, policy_update

finite = st.floats(-3.0, 3.0, allow_nan=False)
thetas = arrays(float, cp.N_PARAMS, elements=finite)


def _states(rng, n):
    """Observations spread like CartPole's (x, x_dot, phi, phi_dot)."""
    return rng.normal(size=(n, cp.N_OBS)) * np.array([1.0, 1.0, 0.1, 1.0])


def _exact_fisher(theta, obs):
    """``(1/N) sum_i sum_a pi(a|s_i) psi(s_i, a) psi(s_i, a)^T``: exact over actions."""
    pi = cp.policy_probabilities(theta, obs)
    F = np.zeros((cp.N_PARAMS, cp.N_PARAMS))
    for a in range(cp.N_ACTIONS):
        psi = cp.score(theta, obs, np.full(obs.shape[0], a))
        F += (psi * pi[:, [a]]).T @ psi
    return F / obs.shape[0]


# --- the policy ---------------------------------------------------------------------------


def test_features_append_a_constant():
    obs = np.arange(8.0).reshape(2, 4)
    np.testing.assert_array_equal(cp.features(obs), [[0, 1, 2, 3, 1], [4, 5, 6, 7, 1]])


@given(thetas)
def test_probabilities_are_a_softmax_of_linear_logits(theta):
    obs = _states(np.random.default_rng(0), 5)
    pi = cp.policy_probabilities(theta, obs)
    logits = cp.features(obs) @ theta.reshape(cp.N_FEATURES, cp.N_ACTIONS)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(pi, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(pi.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_score_matches_finite_differences_of_log_prob(rng):
    theta = rng.normal(size=cp.N_PARAMS)
    obs = _states(rng, 7)
    actions = rng.integers(0, cp.N_ACTIONS, size=7)
    c = rng.normal(size=7)  # a random combination tests every row at once
    fd = finite_diff.gradient(lambda th: c @ cp.log_prob(th, obs, actions), theta)
    np.testing.assert_allclose(c @ cp.score(theta, obs, actions), fd, rtol=1e-7, atol=1e-8)


@given(thetas)
def test_score_sums_to_zero_over_actions(theta):
    """Adding the same number to both logits changes nothing: rank(F) <= 5."""
    rng = np.random.default_rng(1)
    obs = _states(rng, 6)
    psi = cp.score(theta, obs, rng.integers(0, 2, size=6))
    np.testing.assert_allclose(psi.reshape(6, cp.N_FEATURES, 2).sum(axis=2), 0.0, atol=1e-12)


def test_sampled_actions_follow_the_policy(rng):
    theta = np.array([0.0, 0.0, 0.0, 0.0, -3.0, 3.0, 0.0, 0.0, 0.0, 0.2])
    obs = np.tile([[0.0, 0.0, 0.1, 0.0]], (40_000, 1))
    p1 = cp.policy_probabilities(theta, obs[:1])[0, 1]
    freq = cp.sample_actions(theta, obs, rng).mean()
    se = np.sqrt(p1 * (1 - p1) / obs.shape[0])
    assert abs(freq - p1) < 4 * se


def test_sampling_is_reproducible():
    obs = _states(np.random.default_rng(2), 50)
    theta = np.random.default_rng(3).normal(size=cp.N_PARAMS)
    a1 = cp.sample_actions(theta, obs, np.random.default_rng(5))
    a2 = cp.sample_actions(theta, obs, np.random.default_rng(5))
    np.testing.assert_array_equal(a1, a2)


def test_fisher_vector_product_equals_dense_product(rng):
    theta = rng.normal(size=cp.N_PARAMS)
    obs = _states(rng, 300)
    psi = cp.score(theta, obs, cp.sample_actions(theta, obs, rng))
    v = rng.normal(size=cp.N_PARAMS)
    F = psi.T @ psi / psi.shape[0]
    np.testing.assert_allclose(fisher_vector_product(psi, v, 0.01), F @ v + 0.01 * v, rtol=1e-12)


def test_sampled_fisher_agrees_with_exact_fisher_within_standard_error(rng):
    theta = rng.normal(size=cp.N_PARAMS) * 0.5
    obs = _states(rng, 20_000)
    psi = cp.score(theta, obs, cp.sample_actions(theta, obs, rng))
    outer = psi[:, :, None] * psi[:, None, :]
    se = outer.std(axis=0, ddof=1) / np.sqrt(obs.shape[0])
    err = np.abs(outer.mean(axis=0) - _exact_fisher(theta, obs))
    assert np.all(err <= 4 * se + 1e-12)


@given(thetas, thetas)
def test_kl_is_nonnegative_and_zero_at_equal_parameters(theta, theta_new):
    obs = _states(np.random.default_rng(4), 8)
    assert cp.kl_divergence(theta, theta_new, obs) >= 0.0
    assert cp.kl_divergence(theta, theta, obs) == 0.0


def test_kl_hessian_at_equal_parameters_is_the_fisher(rng):
    theta = rng.normal(size=cp.N_PARAMS) * 0.5
    obs = _states(rng, 12)
    H = finite_diff.hessian(lambda th: cp.kl_divergence(theta, th, obs), theta)
    grad = finite_diff.gradient(lambda th: cp.kl_divergence(theta, th, obs), theta)
    np.testing.assert_allclose(H, _exact_fisher(theta, obs), atol=1e-6)
    np.testing.assert_allclose(grad, 0.0, atol=1e-9)


def test_kl_is_half_the_fisher_quadratic_for_small_steps(rng):
    theta = rng.normal(size=cp.N_PARAMS) * 0.5
    obs = _states(rng, 12)
    d = rng.normal(size=cp.N_PARAMS) * 1e-3
    quad = 0.5 * d @ _exact_fisher(theta, obs) @ d
    assert abs(cp.kl_divergence(theta, theta + d, obs) / quad - 1.0) < 1e-2


def test_surrogate_gradient_is_the_policy_gradient(rng):
    theta = rng.normal(size=cp.N_PARAMS) * 0.5
    obs = _states(rng, 30)
    actions = cp.sample_actions(theta, obs, rng)
    A = rng.normal(size=30)
    fd = finite_diff.gradient(lambda th: cp.surrogate(th, theta, obs, actions, A), theta)
    g = cp.policy_gradient(cp.score(theta, obs, actions), A)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)
    assert cp.surrogate(theta, theta, obs, actions, A) == pytest.approx(A.mean(), rel=1e-12)


# --- batch utilities ----------------------------------------------------------------------


def test_rewards_to_go_respect_episode_ends():
    rewards = np.array([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]])
    dones = np.array([[False, False], [True, False], [False, True], [False, False]])
    G = cp.rewards_to_go(rewards, dones, 0.5)
    expected = np.array(
        [
            [1 + 0.5 * 1, 1 + 0.5 * 2 + 0.25 * 3],
            [1.0, 2 + 0.5 * 3],
            [1 + 0.5 * 1, 3.0],
            [1.0, 4.0],
        ]
    )
    np.testing.assert_allclose(G, expected, rtol=1e-15)


@given(arrays(float, (6, 3), elements=st.floats(-5, 5)), st.floats(0.0, 1.0))
def test_rewards_to_go_without_ends_is_the_discounted_tail(rewards, gamma):
    G = cp.rewards_to_go(rewards, np.zeros(rewards.shape, dtype=bool), gamma)
    discounts = gamma ** np.arange(6)
    expected = np.array([discounts[: 6 - t] @ rewards[t:] for t in range(6)])
    np.testing.assert_allclose(G, expected, rtol=1e-12, atol=1e-12)


def test_per_step_baseline_is_leave_one_out_mean():
    G = np.array([[1.0, 2.0, 6.0], [4.0, 8.0, 0.0]])
    valid = np.array([[True, True, True], [True, False, True]])
    b = cp.per_step_baseline(G, valid)
    np.testing.assert_allclose(b, [[4.0, 3.5, 1.5], [0.0, 2.0, 4.0]])


@given(arrays(float, (4, 5), elements=st.floats(-10, 10)), st.integers(0, 4))
def test_per_step_baseline_ignores_the_own_environment(G, i):
    """b^i may not depend on env i's returns (its actions), or the gradient would be biased."""
    G2 = G.copy()
    G2[:, i] += 7.0
    np.testing.assert_allclose(
        cp.per_step_baseline(G)[:, i], cp.per_step_baseline(G2)[:, i], atol=1e-12
    )


# --- rollouts (gymnasium) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_batches():
    pytest.importorskip("gymnasium")
    theta = np.array([0.0, 0.0, 0.0, 0.0, -1.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    out = []
    for _ in range(2):
        sampler = cp.CartPoleSampler(4, seed=11)
        out.append(sampler.sample(theta, 60, np.random.default_rng(9)))
        sampler.close()
    return out


def test_rollout_is_deterministic_given_seeds(two_batches):
    b1, b2 = two_batches
    for name in ("obs", "actions", "rewards", "dones", "terminated", "valid", "episode_returns"):
        np.testing.assert_array_equal(getattr(b1, name), getattr(b2, name))


def test_rollout_marks_autoreset_steps_invalid(two_batches):
    b = two_batches[0]
    assert b.obs.shape == (60, 4, 4) and b.actions.shape == (60, 4)
    np.testing.assert_array_equal(b.valid[1:], ~b.dones[:-1])
    assert np.all(b.valid[0])
    np.testing.assert_array_equal(b.rewards, b.valid.astype(float))  # 1 per real step
    assert b.episode_returns.size == b.dones.sum() > 0
    assert b.n_samples == b.valid.sum()


def test_episode_returns_are_episode_lengths(two_batches):
    b = two_batches[0]
    # the first episode of env 0 starts at t = 0: its return is the step of its first end + 1
    first_end = int(np.argmax(b.dones[:, 0]))
    assert b.dones[first_end, 0]
    assert float(b.rewards[: first_end + 1, 0].sum()) in b.episode_returns


def test_policy_batch_and_update_steps(two_batches):
    theta = np.array([0.0, 0.0, 0.0, 0.0, -1.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    batch = cp.policy_batch(theta, two_batches[0], gamma=0.99)
    assert batch.n_samples == two_batches[0].n_samples
    settings = UpdateSettings(eps=0.5, delta=0.01, damping=0.01)
    theta_v, _ = policy_update("vanilla", batch, settings)
    assert np.sum((theta_v - theta) ** 2) == pytest.approx(0.5, rel=1e-12)
    theta_n, _ = policy_update("natural_cg", batch, settings)
    d = theta_n - theta
    assert 0.5 * d @ (batch.fvp(d) + 0.01 * d) == pytest.approx(0.01, rel=1e-6)
    theta_t, info = policy_update("trpo", batch, settings)
    assert info.accepted and batch.kl(theta_t) <= 0.01


def test_train_is_deterministic_and_counts_the_budget():
    pytest.importorskip("gymnasium")
    settings = UpdateSettings(eps=1.0, delta=0.01, damping=0.01)
    runs = [
        cp.train(
            "trpo",
            settings,
            np.random.default_rng(3),
            env_seed=5,
            n_iterations=3,
            n_envs=2,
            n_steps=40,
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].returns, runs[1].returns)
    np.testing.assert_array_equal(runs[0].theta, runs[1].theta)
    assert runs[0].samples == 3 * 2 * 40
    assert runs[0].theta.shape == (4, cp.N_PARAMS)


def test_import_does_not_load_gymnasium():
    import subprocess
    import sys

    code = "import sys, course_utils.cartpole; print('gymnasium' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- errors that teach ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: cp.policy_probabilities(np.zeros(9), np.zeros((1, 4))), "theta"),
        (lambda: cp.policy_probabilities(np.zeros(10), np.zeros((1, 3))), "obs"),
        (lambda: cp.score(np.zeros(10), np.zeros((2, 4)), np.array([0, 2])), "actions"),
        (lambda: cp.score(np.zeros(10), np.zeros((2, 4)), np.array([0.0, 1.0])), "actions"),
        (lambda: cp.rewards_to_go(np.ones((3, 2)), np.zeros((3, 2)), 0.9), "dones"),
        (lambda: cp.rewards_to_go(np.ones((3, 2)), np.zeros((3, 2), bool), 1.5), "gamma"),
        (lambda: cp.per_step_baseline(np.ones((3, 1))), "returns"),
        (lambda: cp.sample_actions(np.zeros(10), np.zeros((1, 4)), 0), "rng"),
        (lambda: cp.CartPoleSampler(1, seed=0), "n_envs"),
        (lambda: cp.CartPoleSampler(2, seed=0, vectorization_mode="async"), "vectorization_mode"),
        (
            lambda: cp.train("natural", UpdateSettings(), np.random.default_rng(0), 0),
            "method",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_rounding_theta_is_an_option_not_the_default():
    """Rounding theta after each update (decimals) removes differences in theta only if asked."""
    pytest.importorskip("gymnasium")
    settings = UpdateSettings(eps=1.0, delta=0.01, damping=0.01)
    kwargs = dict(n_iterations=3, n_envs=2, n_steps=40)
    base = cp.train("natural_cg", settings, np.random.default_rng(3), 5, decimals=8, **kwargs)
    nudged = cp.train(
        "natural_cg",
        settings,
        np.random.default_rng(3),
        5,
        theta0=np.full(10, 1e-15),
        decimals=8,
        **kwargs,
    )
    np.testing.assert_array_equal(base.theta[1:], nudged.theta[1:])
    np.testing.assert_array_equal(base.theta[1:], np.round(base.theta[1:], 8))
    raw = cp.train("natural_cg", settings, np.random.default_rng(3), 5, **kwargs)  # the default
    assert not np.array_equal(raw.theta[1:], np.round(raw.theta[1:], 8))


def test_groups_of_a_sampler_are_slices_of_one_vector():
    """Two groups with the same policy see exactly what one sampler of twice the size sees."""
    pytest.importorskip("gymnasium")
    theta = np.random.default_rng(0).normal(size=cp.N_PARAMS)
    grouped = cp.CartPoleSampler(3, seed=7, n_groups=2)
    single = cp.CartPoleSampler(6, seed=7)
    try:
        for _ in range(2):  # episodes run on across batches
            parts = grouped.sample_groups(np.stack([theta, theta]), 30, np.random.default_rng(1))
            whole = single.sample(theta, 30, np.random.default_rng(1))
            for field in ("obs", "actions", "rewards", "dones", "valid"):
                joined = np.concatenate([getattr(b, field) for b in parts], axis=1)
                np.testing.assert_array_equal(joined, getattr(whole, field))
            np.testing.assert_array_equal(
                np.sort(np.concatenate([b.episode_returns for b in parts])),
                np.sort(whole.episode_returns),
            )
    finally:
        grouped.close()
        single.close()


def test_train_runs_are_independent_runs_with_their_own_budget():
    pytest.importorskip("gymnasium")
    settings = UpdateSettings(eps=1.0, delta=0.01, damping=0.01)
    kwargs = dict(n_iterations=4, n_envs=2, n_steps=40, vectorization_mode="vector_entry_point")
    runs = cp.train_runs("vanilla", settings, np.random.default_rng(3), 5, 3, **kwargs)
    again = cp.train_runs("vanilla", settings, np.random.default_rng(3), 5, 3, **kwargs)
    assert len(runs) == 3
    for a, b in zip(runs, again, strict=True):
        np.testing.assert_array_equal(a.theta, b.theta)  # deterministic given the seeds
        assert a.samples == 4 * 2 * 40 and a.theta.shape == (5, cp.N_PARAMS)
    assert not np.array_equal(runs[0].theta[-1], runs[1].theta[-1])  # different batches
    # the first batch of run j does not depend on the method (common random numbers)
    nat = cp.train_runs("natural_cg", settings, np.random.default_rng(3), 5, 3, **kwargs)
    for a, b in zip(runs, nat, strict=True):
        assert a.returns[0] == b.returns[0] or (np.isnan(a.returns[0]) and np.isnan(b.returns[0]))
    starts = np.arange(3 * cp.N_PARAMS, dtype=float).reshape(3, cp.N_PARAMS) * 1e-3
    per_run = cp.train_runs(
        "vanilla", settings, np.random.default_rng(3), 5, 3, theta0=starts, **kwargs
    )
    np.testing.assert_array_equal(np.stack([r.theta[0] for r in per_run]), starts)


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda s: s.sample_groups(np.zeros((3, cp.N_PARAMS)), 5, np.random.default_rng(0)),
            "thetas",
        ),
        (lambda s: s.sample(np.zeros(cp.N_PARAMS), 5, np.random.default_rng(0)), "n_groups"),
    ],
)
def test_grouped_sampler_rejects_the_wrong_number_of_policies(call, match):
    pytest.importorskip("gymnasium")
    sampler = cp.CartPoleSampler(2, seed=0, n_groups=2)
    try:
        with pytest.raises(ValueError, match=match):
            call(sampler)
    finally:
        sampler.close()


def test_train_runs_rejects_a_start_of_the_wrong_shape():
    with pytest.raises(ValueError, match="theta0"):
        cp.train_runs(
            "vanilla", UpdateSettings(), np.random.default_rng(0), 0, 2, theta0=np.zeros((3, 10))
        )
    with pytest.raises(ValueError, match="n_runs"):
        cp.train_runs("vanilla", UpdateSettings(), np.random.default_rng(0), 0, 0)


def test_policy_batch_gives_trpo_the_fisher_with_the_action_expectation_exact():
    """kl_hvp = E_s[f f^T kron (diag pi - pi pi^T)] on the batch's states (notebook 08)."""
    pytest.importorskip("gymnasium")
    theta = np.random.default_rng(2).normal(size=cp.N_PARAMS)
    sampler = cp.CartPoleSampler(3, seed=4)
    try:
        batch = sampler.sample(theta, 40, np.random.default_rng(5))
    finally:
        sampler.close()
    pb = cp.policy_batch(theta, batch)
    obs = batch.obs[batch.valid]
    f, p = cp.features(obs), cp.policy_probabilities(theta, obs)
    blocks = [np.diag(pi) - np.outer(pi, pi) for pi in p]
    F = np.mean([np.kron(np.outer(fi, fi), b) for fi, b in zip(f, blocks, strict=True)], axis=0)
    H = np.column_stack([pb.kl_hvp(e) for e in np.eye(cp.N_PARAMS)])
    np.testing.assert_allclose(H, F, rtol=1e-10, atol=1e-12)
