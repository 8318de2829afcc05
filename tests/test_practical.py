"""Tests for course_utils.practical: PPO / penalty objectives, batches, update rules, plateau."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_utils import finite_diff, mdp
from course_utils import natural as nat
from course_utils import practical as pr
from course_utils.gaussian import LinearGaussianLQR

# --- shared problems ------------------------------------------------------------------------

MAZE = mdp.random_mdp(4, 3, 0.8, np.random.default_rng(11))
LQR = LinearGaussianLQR()


def lqr_valid(th):
    return bool(th[1] > 0 and LQR.is_stable(th[0]))


def maze_problem(n=8, horizon=15):
    S, A = MAZE.n_states, MAZE.n_actions
    return {
        "theta0": np.zeros(S * A),
        "sample": lambda th, r: pr.tabular_batch(MAZE, th, n, horizon, r),
        "evaluate": lambda th: mdp.expected_return(MAZE, th.reshape(S, A)),
        "exact_fisher": lambda th: mdp.fisher_information(MAZE, th.reshape(S, A)),
    }


# --- PPO's clipped surrogate and the KL penalty ------------------------------------------------

ratios = arrays(float, 7, elements=st.floats(0.0, 3.0))
advantages = arrays(float, 7, elements=st.floats(-5.0, 5.0))


@given(ratios, advantages, st.floats(0.05, 0.5))
def test_clipped_surrogate_is_a_lower_bound_of_the_surrogate(r, adv, c):
    unclipped = np.mean(r * adv)
    assert pr.ppo_clip_objective(r, adv, c) <= unclipped + 1e-12


@given(arrays(float, 7, elements=st.floats(0.81, 1.19)), advantages)
def test_clipped_surrogate_equals_the_surrogate_inside_the_clip_range(r, adv):
    assert pr.ppo_clip_objective(r, adv, 0.2) == pytest.approx(np.mean(r * adv), abs=1e-12)


@given(ratios, advantages, st.floats(0.05, 0.5))
def test_clip_coefficients_are_the_derivative_in_log_ratio(r, adv, c):
    # d/du of min(e^u A, clip(e^u) A) at u = log r is r A on the active branch, 0 when clipped
    r = np.clip(r, 1e-3, None)
    keep = (np.abs(r - (1 + c)) > 1e-4) & (np.abs(r - (1 - c)) > 1e-4)  # away from the kinks
    coef = pr.ppo_clip_coefficients(r, adv, c)
    h = 1e-7

    def f(u):
        return np.minimum(np.exp(u) * adv, np.clip(np.exp(u), 1 - c, 1 + c) * adv)

    fd = (f(np.log(r) + h) - f(np.log(r) - h)) / (2 * h)
    np.testing.assert_allclose(coef[keep], fd[keep], atol=1e-5 * (1 + np.abs(adv[keep]).max()))


def test_clip_objective_example_and_validation():
    assert pr.ppo_clip_objective([1.5, 0.5], [1.0, -1.0], 0.2) == pytest.approx(0.2)
    np.testing.assert_array_equal(pr.ppo_clip_coefficients([1.5, 0.5], [1.0, -1.0]), [0.0, 0.0])
    np.testing.assert_allclose(pr.ppo_clip_coefficients([1.1, 1.1], [1.0, -1.0]), [1.1, -1.1])
    with pytest.raises(ValueError, match="clip"):
        pr.ppo_clip_objective([1.0], [1.0], clip=1.5)
    with pytest.raises(ValueError, match="ratio"):
        pr.ppo_clip_objective([-1.0], [1.0])
    with pytest.raises(ValueError, match="advantages"):
        pr.ppo_clip_objective([1.0, 1.0], [1.0])
    assert pr.kl_penalty_objective(1.0, 0.25, 2.0) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="kl_value"):
        pr.kl_penalty_objective(1.0, -0.1, 1.0)


@pytest.mark.parametrize(
    "kind, kw", [("surrogate", {}), ("clip", {"clip": 0.2}), ("penalty", {"beta": 2.0})]
)
def test_tabular_first_order_gradients_match_finite_differences(kind, kw):
    rng = np.random.default_rng(3)
    S, A = MAZE.n_states, MAZE.n_actions
    theta_old = rng.normal(size=(S, A))
    theta_new = theta_old + 0.6 * rng.normal(size=(S, A))

    def value(th):
        return pr.tabular_first_order_objective(MAZE, theta_old, th.reshape(S, A), kind, **kw)[0]

    _, grad = pr.tabular_first_order_objective(MAZE, theta_old, theta_new, kind, **kw)
    fd = finite_diff.gradient(value, theta_new.ravel())
    np.testing.assert_allclose(grad.ravel(), fd, atol=1e-8)


def test_tabular_first_order_values_are_the_surrogate_and_the_penalised_surrogate():
    rng = np.random.default_rng(4)
    theta_old, theta_new = rng.normal(size=(2, MAZE.n_states, MAZE.n_actions))
    surr = mdp.surrogate(MAZE, theta_old, theta_new)
    kl = mdp.visitation_kl(MAZE, theta_old, theta_new)
    v, _ = pr.tabular_first_order_objective(MAZE, theta_old, theta_new, "surrogate")
    assert v == pytest.approx(surr, abs=1e-12)
    v, _ = pr.tabular_first_order_objective(MAZE, theta_old, theta_new, "penalty", beta=3.0)
    assert v == pytest.approx(surr - 3.0 * kl, abs=1e-12)
    # at theta_new = theta_old every objective's gradient is the policy gradient
    for kind in ("surrogate", "clip", "penalty"):
        _, grad = pr.tabular_first_order_objective(MAZE, theta_old, theta_old, kind)
        np.testing.assert_allclose(grad, mdp.policy_gradient(MAZE, theta_old), atol=1e-12)
    with pytest.raises(ValueError, match="kind"):
        pr.tabular_first_order_objective(MAZE, theta_old, theta_new, "trpo")


def test_gradient_ascent_on_a_concave_quadratic():
    def f(th):
        return -np.sum((th - 1.0) ** 2), -2.0 * (th - 1.0)

    thetas, values = pr.gradient_ascent(f, np.zeros(3), lr=0.25, n_steps=30)
    assert thetas.shape == (31, 3) and values.shape == (31,)
    np.testing.assert_allclose(thetas[-1], 1.0, atol=1e-8)  # contraction factor 1/2 per step
    assert np.all(np.diff(values) > 0)


# --- linear softmax --------------------------------------------------------------------------


def test_linear_softmax_scores_and_fvp():
    rng = np.random.default_rng(5)
    N, d, A = 40, 3, 4
    X = rng.normal(size=(N, d))
    theta = rng.normal(size=(d, A))
    actions = rng.integers(0, A, N)
    psi = pr.linear_softmax_scores(theta, X, actions)

    def log_pi(th, i):
        return np.log(pr.linear_softmax_policy(th.reshape(d, A), X[i : i + 1])[0, actions[i]])

    for i in (0, 7):
        fd = finite_diff.gradient(lambda th, i=i: log_pi(th, i), theta.ravel())
        np.testing.assert_allclose(psi[i], fd, atol=1e-8)
    v = rng.normal(size=d * A)
    w = rng.random(N)
    for weights, damping in ((None, 0.0), (w, 0.3)):
        fvp = pr.linear_softmax_fvp(theta, X, actions, weights, damping)
        expected = nat.fisher_vector_product(psi, v, damping, weights)
        np.testing.assert_allclose(fvp(v), expected, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="actions"):
        pr.linear_softmax_fvp(theta, X, np.full(N, A))
    with pytest.raises(ValueError, match="theta"):
        pr.linear_softmax_scores(theta[:2], X, actions)
    with pytest.raises(ValueError, match="v has shape"):
        pr.linear_softmax_fvp(theta, X, actions)(v[:3])


# --- sampled batches ---------------------------------------------------------------------------


def test_tabular_batch_matches_the_package_estimator_and_its_own_identities():
    theta = np.random.default_rng(6).normal(size=(MAZE.n_states, MAZE.n_actions))
    batch = pr.tabular_batch(MAZE, theta, 50, 20, np.random.default_rng(9))
    g_ref, _ = mdp.estimate_policy_gradient(MAZE, theta, 50, 20, np.random.default_rng(9))
    np.testing.assert_allclose(batch.g, g_ref.ravel(), atol=1e-12)  # same rollouts, same g
    F_hat = batch.scores.T @ (batch.weights[:, None] * batch.scores)
    v = np.arange(theta.size, dtype=float)
    np.testing.assert_allclose(batch.fvp(v), F_hat @ v, atol=1e-12)
    assert batch.n_samples == 50 * 20
    # the importance-sampled surrogate has gradient g at theta; the KL is 0 there and >= 0
    fd = finite_diff.gradient(batch.surrogate, theta.ravel())
    np.testing.assert_allclose(fd, batch.g, atol=1e-8)
    assert batch.kl(theta.ravel()) == pytest.approx(0.0, abs=1e-14)
    assert batch.kl(theta.ravel() + 0.3) == pytest.approx(0.0, abs=1e-12)  # constant logits
    assert batch.kl(theta.ravel() + np.linspace(0, 1, theta.size)) > 0


def test_tabular_batch_estimates_are_unbiased_within_four_standard_errors():
    rng = np.random.default_rng(7)
    mdp_short = mdp.random_mdp(3, 2, 0.5, np.random.default_rng(1))  # gamma^30 ~ 1e-9
    theta = rng.normal(size=(3, 2))
    gs, Fs = [], []
    for _ in range(200):
        b = pr.tabular_batch(mdp_short, theta, 20, 30, rng)
        gs.append(b.g)
        Fs.append((b.scores.T @ (b.weights[:, None] * b.scores)).ravel())
    for est, exact in (
        (np.array(gs), mdp.policy_gradient(mdp_short, theta).ravel()),
        (np.array(Fs), mdp.fisher_information(mdp_short, theta).ravel()),
    ):
        se = est.std(axis=0, ddof=1) / np.sqrt(len(est))
        assert np.all(np.abs(est.mean(axis=0) - exact) <= 4 * se + 1e-12)


def test_lqr_batch_uses_the_same_rollouts_as_the_package_estimators():
    k, sigma = -0.6, 0.4
    batch = pr.lqr_batch(LQR, [k, sigma], 300, 25, np.random.default_rng(2))
    g_ref, _ = LQR.estimate_gradient(k, sigma, 300, 25, np.random.default_rng(2))
    F_ref, _ = LQR.estimate_fisher(k, sigma, 300, 25, np.random.default_rng(2))
    np.testing.assert_allclose(batch.g, g_ref, rtol=1e-10, atol=1e-12)
    F_hat = batch.scores.T @ (batch.weights[:, None] * batch.scores)
    np.testing.assert_allclose(F_hat, F_ref, rtol=1e-10)
    np.testing.assert_allclose(
        finite_diff.gradient(batch.surrogate, [k, sigma]), batch.g, rtol=1e-6, atol=1e-9
    )
    assert batch.kl(np.array([k, sigma])) == pytest.approx(0.0, abs=1e-14)
    assert batch.kl(np.array([k, -0.1])) == np.inf
    assert batch.kl(np.array([-3.5, sigma])) == np.inf  # unstable gain
    assert batch.surrogate(np.array([k, 0.0])) == -np.inf
    with pytest.raises(ValueError, match="theta"):
        pr.lqr_batch(LQR, [k, sigma, 1.0], 10, 5, np.random.default_rng(0))


# --- update rules and the driver ----------------------------------------------------------------


def test_each_update_rule_meets_its_constraint():
    theta = np.random.default_rng(8).normal(size=(MAZE.n_states, MAZE.n_actions))
    batch = pr.tabular_batch(MAZE, theta, 30, 20, np.random.default_rng(1))
    s = pr.UpdateSettings(eps=0.04, delta=0.02, damping=0.1)
    F = mdp.fisher_information(MAZE, theta)
    n = theta.size

    new, info = pr.policy_update("vanilla", batch, s)
    assert np.sum((new - batch.theta) ** 2) == pytest.approx(s.eps) and info.accepted
    new, _ = pr.policy_update("natural", batch, s, exact_fisher=lambda th: F)
    d = new - batch.theta
    assert 0.5 * d @ (F + s.damping * np.eye(n)) @ d == pytest.approx(s.delta)
    new, _ = pr.policy_update("natural_cg", batch, s)
    d = new - batch.theta
    assert 0.5 * d @ (batch.fvp(d) + s.damping * d) == pytest.approx(s.delta, rel=1e-9)
    new, info = pr.policy_update("trpo", batch, s)
    assert info.accepted and info.kl <= s.delta
    assert batch.surrogate(new) >= batch.surrogate(batch.theta)
    assert info.kl == pytest.approx(batch.kl(new))
    with pytest.raises(ValueError, match="method"):
        pr.policy_update("adam", batch, s)
    with pytest.raises(ValueError, match="exact_fisher"):
        pr.policy_update("natural", batch, s)


def test_steps_leaving_the_domain_are_halved_and_zero_gradients_do_nothing():
    batch = pr.lqr_batch(LQR, [-0.5, 0.05], 20, 20, np.random.default_rng(0))
    s = pr.UpdateSettings(eps=1.0)  # a unit-norm step from sigma = 0.05 would cross sigma = 0
    new, info = pr.policy_update("vanilla", batch, s, valid=lqr_valid)
    assert lqr_valid(new) and 0.0 < info.step_fraction < 1.0
    zero = pr.PolicyBatch(np.ones(2), np.zeros(2), lambda v: v, lambda t: 0.0, lambda t: 0.0, 1)
    for method in pr.METHODS:
        new, info = pr.policy_update(method, zero, s, exact_fisher=lambda th: np.eye(2))
        assert not info.accepted
        np.testing.assert_array_equal(new, np.ones(2))


def test_driver_is_reproducible_and_spends_equal_budgets():
    p = maze_problem()
    s = pr.UpdateSettings(eps=0.5, delta=0.05, damping=0.1)
    runs = pr.learning_curves(
        p["theta0"],
        p["sample"],
        pr.METHODS,
        2,
        4,
        np.random.default_rng(0),
        s,
        p["evaluate"],
        p["exact_fisher"],
    )
    again = pr.learning_curves(
        p["theta0"],
        p["sample"],
        pr.METHODS,
        2,
        4,
        np.random.default_rng(0),
        s,
        p["evaluate"],
        p["exact_fisher"],
    )
    for m in pr.METHODS:
        assert len(runs[m]) == 2
        for a, b in zip(runs[m], again[m], strict=True):
            np.testing.assert_array_equal(a.returns, b.returns)
            assert a.theta.shape == (5, p["theta0"].size) and a.kl.shape == (4,)
            assert a.n_samples == 4 * 8 * 15
            assert a.returns[0] == pytest.approx(p["evaluate"](p["theta0"]))
        assert not np.array_equal(runs[m][0].returns, runs[m][1].returns)  # independent seeds
    with pytest.raises(ValueError, match="methods"):
        pr.learning_curves(
            p["theta0"], p["sample"], ["sgd"], 1, 1, np.random.default_rng(0), s, p["evaluate"]
        )


def test_natural_rules_improve_the_maze_on_average():
    p = maze_problem(n=20, horizon=20)
    s = pr.UpdateSettings(delta=0.1, damping=0.1)
    runs = pr.learning_curves(
        p["theta0"],
        p["sample"],
        ("natural", "natural_cg", "trpo"),
        2,
        10,
        np.random.default_rng(1),
        s,
        p["evaluate"],
        p["exact_fisher"],
    )
    for rs in runs.values():
        assert np.mean([r.returns[-1] - r.returns[0] for r in rs]) > 0


def test_step_size_sweep_and_curve_band():
    p = maze_problem()
    out = pr.step_size_sweep(
        p["theta0"],
        p["sample"],
        "vanilla",
        "eps",
        [0.01, 1.0],
        2,
        3,
        np.random.default_rng(0),
        pr.UpdateSettings(),
        p["evaluate"],
    )
    assert out.shape == (2, 2)
    with pytest.raises(ValueError, match="field"):
        pr.step_size_sweep(
            p["theta0"],
            p["sample"],
            "vanilla",
            "lr",
            [1.0],
            1,
            1,
            np.random.default_rng(0),
            pr.UpdateSettings(),
            p["evaluate"],
        )
    curves = np.array([[0.0, 1.0, 2.0], [2.0, 3.0, 6.0]])
    band = pr.curve_band(curves)
    np.testing.assert_allclose(band.mean, [1.0, 2.0, 4.0])
    np.testing.assert_allclose(band.upper - band.mean, curves.std(axis=0, ddof=1))
    band = pr.curve_band(curves, spread="minmax")
    np.testing.assert_allclose(band.lower, curves[0])
    np.testing.assert_allclose(band.upper, curves[1])
    np.testing.assert_array_equal(band.iterations, [0, 1, 2])
    with pytest.raises(ValueError, match="spread"):
        pr.curve_band(curves, spread="iqr")


def test_update_settings_validate():
    with pytest.raises(ValueError, match="delta"):
        pr.UpdateSettings(delta=0.0)
    with pytest.raises(ValueError, match="backtrack_coeff"):
        pr.UpdateSettings(backtrack_coeff=1.0)


# --- Kakade's plateau ----------------------------------------------------------------------------

TWO_STATE = mdp.two_state_mdp()


@given(arrays(float, 2, elements=st.floats(-8.0, 8.0)))
def test_plateau_closed_forms_equal_the_general_average_reward_functions(x):
    theta = mdp.sigmoid_theta(x)
    assert pr.plateau_average_reward(x) == pytest.approx(
        mdp.average_reward(TWO_STATE, theta), abs=1e-10
    )
    np.testing.assert_allclose(
        pr.plateau_gradient(x), mdp.average_reward_gradient(TWO_STATE, theta)[:, 0], atol=1e-10
    )
    np.testing.assert_allclose(
        pr.plateau_fisher(x), mdp.average_reward_fisher(TWO_STATE, theta)[::2, ::2], atol=1e-10
    )
    pi = mdp.softmax_policy(theta)
    np.testing.assert_allclose(
        pr.plateau_visitation(x), mdp.stationary_distribution(TWO_STATE, pi), atol=1e-10
    )


def test_plateau_gradient_and_natural_gradient():
    rng = np.random.default_rng(0)
    for x in rng.uniform(-5, 5, size=(5, 2)):
        np.testing.assert_allclose(
            pr.plateau_gradient(x),
            finite_diff.gradient(pr.plateau_average_reward, x),
            atol=1e-9,
        )
        F = pr.plateau_fisher(x)
        np.testing.assert_allclose(
            pr.plateau_natural_gradient(x, 1e-3),
            np.linalg.solve(F + 1e-3 * np.eye(2), pr.plateau_gradient(x)),
        )
    xs = rng.uniform(-5, 5, size=(3, 4, 2))  # batched
    assert pr.plateau_gradient(xs).shape == (3, 4, 2)
    assert pr.plateau_fisher(xs).shape == (3, 4, 2, 2)
    np.testing.assert_allclose(pr.plateau_visitation(xs).sum(axis=-1), 1.0)
    with pytest.raises(ValueError, match="x has shape"):
        pr.plateau_average_reward([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="ergodic"):
        pr.plateau_average_reward([800.0, 800.0])


def test_plateau_ascent_is_the_unit_step_iteration():
    x = np.array(mdp.PLATEAU_START)
    path = pr.plateau_ascent(x, 50)
    for t in range(50):  # x_{t+1} = x_t + g(x_t), one step at a time
        x = x + pr.plateau_gradient(x)
        np.testing.assert_allclose(path.x[t + 1], x, rtol=1e-12)
    np.testing.assert_allclose(path.eta, pr.plateau_average_reward(path.x))
    sub = pr.plateau_ascent(mdp.PLATEAU_START, 50, record=[0, 7, 50])
    np.testing.assert_allclose(sub.x, path.x[[0, 7, 50]])
    x = np.array(mdp.PLATEAU_START)
    nat_path = pr.plateau_ascent(x, 6, natural=True, damping=1e-3)
    for t in range(6):
        x = x + pr.plateau_natural_gradient(x, 1e-3)
        np.testing.assert_allclose(nat_path.x[t + 1], x, rtol=1e-12)
    with pytest.raises(ValueError, match="record"):
        pr.plateau_ascent(mdp.PLATEAU_START, 5, record=[6])


def test_natural_gradient_leaves_the_plateau_in_a_few_steps():
    path = pr.plateau_ascent(mdp.PLATEAU_START, 20, natural=True, damping=1e-3, level=1.5)
    assert path.first_above is not None and path.first_above <= 5
    assert path.eta[-1] == pytest.approx(2.0, abs=1e-6)


def test_vanilla_sits_on_the_plateau_for_millions_of_unit_steps():
    """The exact iteration (about 2.6 million steps, a few seconds) against the gradient flow."""
    flow = pr.plateau_flow(mdp.PLATEAU_START, 1e8, level=1.5)
    assert flow.first_above is not None and flow.first_above > 1e6
    steps = pr.plateau_ascent(mdp.PLATEAU_START, 2_700_000, record=[0, 10**6, 2_700_000], level=1.5)
    assert steps.first_above is not None and steps.first_above > 10**6
    assert np.all(np.abs(steps.eta[1] - 1.0) < 1e-5)  # still on the plateau at 10^6
    # Euler with unit steps and the flow agree on the escape time to within 10 %
    assert abs(steps.first_above - flow.first_above) < 0.1 * flow.first_above


def test_plateau_flow_reports_and_validates():
    flow = pr.plateau_flow(mdp.PLATEAU_START, 100.0, t_eval=[0.0, 10.0, 100.0])
    np.testing.assert_allclose(flow.t, [0.0, 10.0, 100.0])
    assert flow.first_above is None  # vanilla is still below 1.5 at t = 100
    natural = pr.plateau_flow(mdp.PLATEAU_START, 100.0, natural=True)
    assert natural.first_above is not None and natural.first_above < 10
    with pytest.raises(ValueError, match="t_max"):
        pr.plateau_flow(mdp.PLATEAU_START, 0.0)


# --- the KL penalty with a multiplier adapted by dual gradient descent ---------------------------


def test_dual_kl_penalty_finds_the_multiplier_of_the_constrained_problem():
    """Linear g.theta, KL = 1/2 theta^T M theta: beta* = sqrt(g M^-1 g / (2 delta))."""
    g = np.array([1.0, -2.0])
    M = np.array([[2.0, 0.5], [0.5, 1.0]])
    delta = 0.3

    def penalised(th, beta):
        return g @ th - beta * 0.5 * th @ M @ th, g - beta * M @ th

    run = pr.dual_kl_penalty(
        penalised,
        lambda th: 0.5 * th @ M @ th,
        np.zeros(2),
        delta,
        beta0=2.0,
        beta_lr=1.0,
        n_rounds=60,
        lr=0.1,
        n_steps=300,
    )
    beta_star = np.sqrt(g @ np.linalg.solve(M, g) / (2 * delta))
    assert run.beta[-1] == pytest.approx(beta_star, rel=1e-4)
    assert run.kl[-1] == pytest.approx(delta, rel=1e-4)
    np.testing.assert_allclose(run.theta[-1], np.linalg.solve(M, g) / beta_star, rtol=1e-4)


def test_dual_kl_penalty_drops_the_penalty_when_the_constraint_is_slack():
    # a bounded objective whose maximiser has KL below delta: beta is driven to 0
    run = pr.dual_kl_penalty(
        lambda th, b: (
            -((th[0] - 0.1) ** 2) - b * th[0] ** 2 / 2,
            np.array([-2 * (th[0] - 0.1) - b * th[0]]),
        ),
        lambda th: th[0] ** 2 / 2,
        np.zeros(1),
        delta=1.0,
        beta0=1.0,
        beta_lr=1.0,
        n_rounds=10,
        lr=0.2,
        n_steps=200,
    )
    assert run.beta[-1] == 0.0 and run.kl[-1] < 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"delta": 0.0}, "delta"),
        ({"beta0": -1.0}, "beta0"),
        ({"beta_lr": 0.0}, "beta_lr"),
        ({"n_rounds": 0}, "n_rounds"),
    ],
)
def test_dual_kl_penalty_rejects_bad_settings(kwargs, match):
    args = {"delta": 0.1, **kwargs}
    with pytest.raises(ValueError, match=match):
        pr.dual_kl_penalty(lambda th, b: (0.0, th * 0), lambda th: 0.0, np.zeros(1), **args)


# --- TRPO's Fisher: the Hessian of the batch's mean KL, the expectation over actions exact -----


def test_kl_hessian_products_are_the_hessian_of_the_batch_kl():
    """kl_hvp of every batch = finite-difference Hessian of its own mean KL at theta."""
    theta = np.random.default_rng(3).normal(size=(MAZE.n_states, MAZE.n_actions))
    tab = pr.tabular_batch(MAZE, theta, 20, 10, np.random.default_rng(4))
    lqr = pr.lqr_batch(LQR, [-0.6, 0.4], 50, 10, np.random.default_rng(5))
    for batch in (tab, lqr):
        H = finite_diff.hessian(batch.kl, batch.theta)
        n = batch.theta.size
        H_op = np.column_stack([batch.kl_hvp(e) for e in np.eye(n)])
        np.testing.assert_allclose(H_op, H, atol=1e-6 * max(1.0, np.abs(H).max()))


def test_linear_softmax_kl_hvp_is_the_kl_hessian_and_the_action_average_of_fvp():
    rng = np.random.default_rng(6)
    N, d, A = 30, 3, 3
    X, theta, w = rng.normal(size=(N, d)), rng.normal(size=(d, A)), rng.random(N)
    hvp = pr.linear_softmax_kl_hvp(theta, X, w)

    def mean_kl(th):
        p, q = pr.linear_softmax_policy(theta, X), pr.linear_softmax_policy(th.reshape(d, A), X)
        return float(w @ np.sum(p * (np.log(p) - np.log(q)), axis=1))

    H = finite_diff.hessian(mean_kl, theta.ravel())
    H_op = np.column_stack([hvp(e) for e in np.eye(d * A)])
    np.testing.assert_allclose(H_op, H, atol=1e-6)
    # the expectation over actions of the empirical operator, done exactly action by action
    pi = pr.linear_softmax_policy(theta, X)
    v = rng.normal(size=d * A)
    average = sum(pr.linear_softmax_fvp(theta, X, np.full(N, a), w * pi[:, a])(v) for a in range(A))
    np.testing.assert_allclose(hvp(v), average, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="v has shape"):
        hvp(v[:2])
    with pytest.raises(ValueError, match="weights"):
        pr.linear_softmax_kl_hvp(theta, X, w[:3])


def test_trpo_uses_the_analytic_fisher_and_natural_cg_the_empirical_one():
    """Each rule's step meets 1/2 d^T (M + lambda I) d = delta with its own M only."""
    theta = np.random.default_rng(8).normal(size=(MAZE.n_states, MAZE.n_actions))
    batch = pr.tabular_batch(MAZE, theta, 30, 20, np.random.default_rng(1))
    s = pr.UpdateSettings(delta=1e-4, damping=0.1)  # small: TRPO's full step passes its check
    n = theta.size
    H = np.column_stack([batch.kl_hvp(e) for e in np.eye(n)]) + s.damping * np.eye(n)
    F_emp = batch.scores.T @ (batch.weights[:, None] * batch.scores) + s.damping * np.eye(n)
    for method, own, other in (("trpo", H, F_emp), ("natural_cg", F_emp, H)):
        new, info = pr.policy_update(method, batch, s)
        d = new - batch.theta
        assert info.step_fraction == 1.0
        assert 0.5 * d @ own @ d == pytest.approx(s.delta, rel=1e-9)
        assert abs(0.5 * d @ other @ d / s.delta - 1) > 0.01


# --- damping, the line-search table, the first-order table, the equal-budget comparison ------


def test_damping_sweep_matches_closed_forms_on_a_diagonal_fisher():
    mu = np.array([0.0, 0.0, 0.01, 0.1, 1.0])  # two zero eigenvalues, like a sampled Fisher
    F = np.diag(mu)
    g = np.array([0.0, 0.0, 1.0, -2.0, 0.5])  # in the range of F
    lams = np.array([0.0, 1e-3, 0.1, 1e6])
    out = pr.damping_sweep(F, g, lams, cg_iters=10)
    assert out.n_zero == 2
    np.testing.assert_allclose(out.condition, [100.0, 1.001 / 1e-3, 1.1 / 0.1, 1.0], rtol=1e-6)
    x_pinv = g / np.where(mu > 0, mu, np.inf)
    for lam, cu, cg_ in zip(lams, out.cos_undamped, out.cos_gradient, strict=True):
        x = x_pinv if lam == 0 else g / (mu + lam)
        assert cu == pytest.approx(x @ x_pinv / np.linalg.norm(x) / np.linalg.norm(x_pinv))
        assert cg_ == pytest.approx(x @ g / np.linalg.norm(x) / np.linalg.norm(g))
    assert out.cos_undamped[0] == pytest.approx(1.0) and out.cos_gradient[-1] == pytest.approx(1.0)
    assert np.all(out.residual < 1e-6)  # three distinct nonzero eigenvalues: exact in 3 steps
    short = pr.damping_sweep(F, g, [0.0], cg_iters=1)
    assert short.residual[0] > 0.1  # one CG step cannot solve a spread spectrum
    same = pr.damping_sweep(F, g, lams, cg_iters=10, fvp=lambda v: mu * v)
    np.testing.assert_allclose(same.residual, out.residual, atol=1e-14)


def test_damping_sweep_agrees_with_a_sampled_batch_loop():
    rng = np.random.default_rng(3)
    batch = pr.tabular_batch(MAZE, np.zeros((4, 3)), 6, 10, rng)
    F_hat = batch.scores.T @ (batch.weights[:, None] * batch.scores)
    out = pr.damping_sweep(F_hat, batch.g, [0.1, 1.0], fvp=batch.fvp)
    for lam, res in zip((0.1, 1.0), out.residual, strict=True):
        x, info = nat.conjugate_gradient(lambda v, lam=lam: batch.fvp(v) + lam * v, batch.g, 10)
        assert res == pytest.approx(info.residual_norm / np.linalg.norm(batch.g))


@pytest.mark.parametrize(
    "args, match",
    [
        ((np.ones((2, 3)), np.ones(2), [0.1]), "F"),
        ((np.array([[1.0, 1.0], [0.0, 1.0]]), np.ones(2), [0.1]), "symmetric"),
        ((np.eye(2), np.ones(3), [0.1]), "g"),
        ((np.eye(2), np.zeros(2), [0.1]), "g is zero"),
        ((np.eye(2), np.ones(2), [-0.1]), "damping"),
        ((np.eye(2), np.ones(2), [[0.1]]), "damping"),
        ((np.eye(2), np.ones(2), 0.1), "damping"),
    ],
)
def test_damping_sweep_validates(args, match):
    with pytest.raises(ValueError, match=match):
        pr.damping_sweep(*args)
    with pytest.raises(ValueError, match="cg_iters"):
        pr.damping_sweep(np.eye(2), np.ones(2), [0.1], cg_iters=0)


def _maze_line_search():
    S, A = MAZE.n_states, MAZE.n_actions
    theta = np.random.default_rng(5).standard_normal((S, A))
    F = mdp.fisher_information(MAZE, theta)
    full = nat.natural_step(mdp.policy_gradient(MAZE, theta).ravel(), F, 0.5, damping=1e-3)

    def surrogate(th):
        return mdp.surrogate(MAZE, theta, th.reshape(S, A))

    def kl(th):
        return mdp.visitation_kl(MAZE, theta, th.reshape(S, A))

    def J(th):
        return mdp.expected_return(MAZE, th.reshape(S, A))

    return theta.ravel(), full, surrogate, kl, J, F


def test_line_search_candidates_spell_out_the_line_search():
    theta, full, surrogate, kl, J, F = _maze_line_search()
    for delta in (0.05, 0.3, 0.5):
        t = pr.line_search_candidates(theta, full, surrogate, kl, J, F, delta, n_tries=10)
        np.testing.assert_allclose(t.fraction, 0.8 ** np.arange(10))
        np.testing.assert_allclose(t.quadratic, 0.5 * t.fraction**2 * (full @ F @ full))
        for f, kl_f, pred, true in zip(t.fraction, t.kl, t.predicted, t.true, strict=True):
            assert kl_f == pytest.approx(kl(theta + f * full))
            assert pred == pytest.approx(surrogate(theta + f * full) - surrogate(theta))
            assert true == pytest.approx(J(theta + f * full) - J(theta))
        result = nat.backtracking_line_search(theta, full, surrogate, kl, delta)
        assert result.accepted == bool(t.accepted.any())
        if result.accepted:
            assert result.backtracks == int(np.argmax(t.accepted))
    # the quadratic model is the KL's second-order Taylor expansion: close for small steps
    t = pr.line_search_candidates(theta, 0.01 * full, surrogate, kl, J, F, 0.5, n_tries=1)
    assert t.kl[0] == pytest.approx(t.quadratic[0], rel=0.05)


def test_line_search_candidates_validate():
    theta, full, surrogate, kl, J, F = _maze_line_search()
    args = (theta, full, surrogate, kl, J, F)
    with pytest.raises(ValueError, match="delta"):
        pr.line_search_candidates(*args, 0.0)
    with pytest.raises(ValueError, match="n_tries"):
        pr.line_search_candidates(*args, 0.1, n_tries=0)
    with pytest.raises(ValueError, match="backtrack_coeff"):
        pr.line_search_candidates(*args, 0.1, backtrack_coeff=1.0)
    with pytest.raises(ValueError, match="full_step"):
        pr.line_search_candidates(theta, full[:-1], surrogate, kl, J, F, 0.1)
    with pytest.raises(ValueError, match="F"):
        pr.line_search_candidates(theta, full, surrogate, kl, J, F[:-1], 0.1)


def test_first_order_outcomes_are_the_ascent_it_replaced():
    theta = np.random.default_rng(2).standard_normal((MAZE.n_states, MAZE.n_actions))
    objectives = {"free": ("surrogate", {}), "clip": ("clip", {"clip": 0.2})}
    out = pr.first_order_outcomes(MAZE, theta, objectives, lr=0.5, n_steps=30)
    assert list(out) == ["free", "clip"]
    for name, (kind, kw) in objectives.items():
        path, _ = pr.gradient_ascent(
            lambda th, k=kind, a=kw: pr.tabular_first_order_objective(MAZE, theta, th, k, **a),
            theta,
            lr=0.5,
            n_steps=30,
        )
        th = path[-1]
        expected = (
            mdp.visitation_kl(MAZE, theta, th),
            mdp.surrogate(MAZE, theta, th),
            mdp.expected_return(MAZE, th) - mdp.expected_return(MAZE, theta),
        )
        np.testing.assert_allclose(out[name], expected, rtol=1e-12, atol=1e-14)
    # the predicted gain agrees with the true one to first order in the step
    step = 1e-3 * mdp.policy_gradient(MAZE, theta)
    kl_, pred, true = pr.tabular_step_outcome(MAZE, theta, theta + step)
    assert pred == pytest.approx(true, rel=1e-2) and kl_ >= 0.0
    assert pr.tabular_step_outcome(MAZE, theta, theta) == pytest.approx((0.0, 0.0, 0.0), abs=1e-12)
    flat = pr.tabular_step_outcome(MAZE, theta.ravel(), (theta + step).ravel())
    assert flat == pytest.approx((kl_, pred, true))


def test_first_order_outcomes_validate():
    theta = np.zeros((MAZE.n_states, MAZE.n_actions))
    with pytest.raises(ValueError, match="kind"):
        pr.first_order_outcomes(MAZE, theta, {"x": ("sgd", {})})
    with pytest.raises(ValueError, match="theta_old"):
        pr.first_order_outcomes(MAZE, theta[:-1], {"x": ("surrogate", {})})
    with pytest.raises(ValueError, match="lr"):
        pr.first_order_outcomes(MAZE, theta, {"x": ("surrogate", {})}, lr=0.0)
    with pytest.raises(ValueError, match="theta_new"):
        pr.tabular_step_outcome(MAZE, theta, np.zeros(5))
    with pytest.raises(ValueError, match="TabularMDP"):
        pr.tabular_step_outcome("maze", theta, theta)


def test_compare_at_equal_budget_is_the_sweep_then_the_curves():
    p = maze_problem()
    problem = pr.PolicyProblem(p["theta0"], p["sample"], p["evaluate"], p["exact_fisher"])
    s = pr.UpdateSettings(delta=0.05, damping=0.1)
    grid = (0.01, 1.0)
    out = pr.compare_at_equal_budget(problem, grid, 2, 3, np.random.default_rng(4), s)
    sweep_rng, curve_rng = np.random.default_rng(4).spawn(2)
    sweep = pr.step_size_sweep(
        p["theta0"], p["sample"], "vanilla", "eps", grid, 3, 3, sweep_rng, s, p["evaluate"]
    ).mean(axis=1)
    np.testing.assert_array_equal(out.sweep, sweep)
    assert out.eps == grid[int(np.argmax(sweep))]
    rules = {m: s if m != "vanilla" else pr.UpdateSettings(eps=out.eps) for m in pr.METHODS}
    runs = pr.learning_curves(
        p["theta0"],
        p["sample"],
        pr.METHODS,
        2,
        3,
        curve_rng,
        rules,
        p["evaluate"],
        p["exact_fisher"],
    )
    assert set(out.runs) == set(pr.METHODS)
    for m in pr.METHODS:
        for a, b in zip(out.runs[m], runs[m], strict=True):
            np.testing.assert_array_equal(a.returns, b.returns)
            assert a.n_samples == 3 * 8 * 15  # the same budget for every rule


def test_compare_at_equal_budget_validates():
    p = maze_problem()
    problem = pr.PolicyProblem(p["theta0"], p["sample"], p["evaluate"], p["exact_fisher"])
    rng, s = np.random.default_rng(0), pr.UpdateSettings()
    with pytest.raises(ValueError, match="PolicyProblem"):
        pr.compare_at_equal_budget(p, (1.0,), 1, 1, rng, s)
    with pytest.raises(ValueError, match="eps_grid"):
        pr.compare_at_equal_budget(problem, (1.0, -1.0), 1, 1, rng, s)
    with pytest.raises(ValueError, match="eps_grid"):
        pr.compare_at_equal_budget(problem, (), 1, 1, rng, s)
    with pytest.raises(ValueError, match="n_seeds"):
        pr.compare_at_equal_budget(problem, (1.0,), 0, 1, rng, s)
    with pytest.raises(ValueError, match="n_sweep_seeds"):
        pr.compare_at_equal_budget(problem, (1.0,), 1, 1, rng, s, n_sweep_seeds=0)
    with pytest.raises(ValueError, match="rng"):
        pr.compare_at_equal_budget(problem, (1.0,), 1, 1, 0, s)
    with pytest.raises(ValueError, match="settings"):
        pr.compare_at_equal_budget(problem, (1.0,), 1, 1, rng, {"eps": 1.0})
