"""Tests for course_utils.checks: right answers pass, each common mistake gets its own message.

Every check is called with a correct student function (a pass line is printed), with the
course's common mistakes (the AssertionError names the mistake), and with nbgrader's stub, a
``None`` and a wrong shape (feedback, never a crash inside the check). The references the checks
use are compared with independent computations (finite differences, course_utils estimators).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from course_utils import checks, finite_diff, mdp
from course_utils.gaussian import LinearGaussianLQR, gaussian_score
from course_utils.kl import kl_gaussian
from course_utils.mdp import Trajectories

# --- correct student answers -----------------------------------------------------------------


def score(k, sigma, s, a):
    u = np.asarray(a) - k * np.asarray(s)
    return np.stack([u * s / sigma**2, (u * u - sigma**2) / sigma**3], axis=-1)


def sampled_fisher(scores):
    return scores.T @ scores / scores.shape[0]


def policy_kl(k, sigma, k_new, sigma_new, s):
    return float(np.mean(kl_gaussian(k * s, sigma, k_new * s, sigma_new)))


def kl_quadratic(d, F):
    return float(0.5 * d @ F @ d)


def vanilla_step(g, eps):
    return np.sqrt(eps / (g @ g)) * g


def natural_step(g, F, eps):
    x = np.linalg.solve(F, g)
    return np.sqrt(2 * eps / (g @ x)) * x


def fisher_vector_product(scores, v, weights):
    return scores.T @ (weights * (scores @ v))


def conjugate_gradient(matvec, b, iters=10, tol=1e-10):
    x = np.zeros_like(b)
    r = b.copy()
    p = b.copy()
    rr = r @ r
    for _ in range(iters):
        if rr < tol:
            break
        Ap = matvec(p)
        alpha = rr / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = r @ r
        p = r + rr_new / rr * p
        rr = rr_new
    return x


def steepest_descent(matvec, b, iters=10, tol=1e-10):
    x = np.zeros_like(b)
    r = b.copy()
    for _ in range(iters):
        Ar = matvec(r)
        x = x + (r @ r) / (r @ Ar) * r
        r = r - (r @ r) / (r @ Ar) * Ar
    return x


def reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline, use_baseline=True):
    G = Trajectories(states, actions, rewards, gamma).rewards_to_go()
    discount = gamma ** np.arange(states.shape[1])
    b = baseline if use_baseline else 0.0
    return np.einsum("nt,ntk->nk", discount * (G - b), gaussian_score(k, sigma, states, actions))


def natural_direction(g, F, damping):
    return np.linalg.solve(F + damping * np.eye(len(g)), g)


def run(x0, n_iter, natural, lr=1.0, damping=1e-3):
    return checks.plateau_run(x0, n_iter, natural, lr, damping)


def stub(*args, **kwargs):
    raise NotImplementedError()


def returns_none(*args, **kwargs):
    return None


CORRECT = [
    (checks.check_score, score),
    (checks.check_sampled_fisher, sampled_fisher),
    (checks.check_policy_kl, policy_kl),
    (checks.check_kl_quadratic, kl_quadratic),
    (checks.check_vanilla_step, vanilla_step),
    (checks.check_natural_step, natural_step),
    (checks.check_fisher_vector_product, fisher_vector_product),
    (checks.check_conjugate_gradient, conjugate_gradient),
    (checks.check_reinforce_terms, reinforce_terms),
    (checks.check_natural_direction, natural_direction),
    (checks.check_plateau_run, run),
]
IDS = [check.__name__ for check, _ in CORRECT]


@pytest.mark.parametrize(("check", "answer"), CORRECT, ids=IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_correct_answer_passes_with_a_friendly_line(check, answer, seed, capsys):
    kwargs = {"seed": seed} if check is not checks.check_plateau_run else {"n_iter": 5 + seed}
    check(answer, **kwargs)
    out = capsys.readouterr().out
    assert out.startswith(checks.PASS) and out.count("\n") == 1


@pytest.mark.parametrize(("check", "answer"), CORRECT, ids=IDS)
def test_stub_none_and_non_function_are_feedback_not_crashes(check, answer):
    with pytest.raises(AssertionError, match="not written yet: replace `raise NotImplementedError"):
        check(stub)
    with pytest.raises(AssertionError, match="None"):
        check(returns_none)
    with pytest.raises(AssertionError, match="is not a function"):
        check(3.0)


def test_student_errors_are_reported_with_their_cause():
    def broken(k, sigma, s, a):
        return undefined_name  # noqa: F821

    with pytest.raises(AssertionError, match="score raised NameError") as info:
        checks.check_score(broken)
    assert isinstance(info.value.__cause__, NameError)  # the student's traceback is kept


def test_memory_error_is_feedback_and_frees_the_memory():
    def hoarding(k, sigma, s, a):
        raise MemoryError("Unable to allocate")

    with pytest.raises(AssertionError, match="ran out of memory") as info:
        checks.check_score(hoarding)
    assert info.value.__cause__ is None and info.value.__context__ is None


# --- hw1 ---------------------------------------------------------------------------------------


def _score_variant(k_part, sigma_part):
    def variant(k, sigma, s, a):
        u = np.asarray(a) - k * np.asarray(s)
        return np.stack([k_part(u, s, sigma), sigma_part(u, s, sigma)], axis=-1)

    return variant


def _k_ok(u, s, sigma):
    return u * s / sigma**2


def _sigma_ok(u, s, sigma):
    return (u * u - sigma**2) / sigma**3


SCORE_MISTAKES = [
    (
        _score_variant(_k_ok, lambda u, s, sg: u * u / sg**3),
        r"misses its -1/sigma term.*common mistake",
    ),
    (_score_variant(lambda u, s, sg: -u * s / sg**2, _sigma_ok), "k-component: wrong sign"),
    (_score_variant(lambda u, s, sg: u / sg**2, _sigma_ok), "the factor s is missing"),
    (
        _score_variant(_k_ok, lambda u, s, sg: (u * u - sg**2) / (2 * sg**4)),
        "derivative in the variance",
    ),
    (_score_variant(_k_ok, lambda u, s, sg: (u * u - sg**2) / sg**2), "derivative in log sigma"),
    (_score_variant(_sigma_ok, _k_ok), "components are swapped"),
    (lambda k, sigma, s, a: score(k, sigma, s, a).T, "on the LAST axis"),
]


@pytest.mark.parametrize(("answer", "message"), SCORE_MISTAKES)
def test_score_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_score(answer)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda S: S.T @ S, "summed over the samples.*divide by N"),
        (lambda S: S.T @ S / (S.shape[0] - 1), "not N - 1"),
        (lambda S: np.cov(S.T), "centred the scores"),
        (lambda S: np.mean(S**2, axis=0), "outer product"),
        (lambda S: S @ S.T / S.shape[0], r"\(N, N\) matrix"),
    ],
)
def test_sampled_fisher_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_sampled_fisher(answer)


@pytest.fixture
def samples(rng):
    k, sigma = -0.6, 0.5
    s = rng.normal(0.3, 1.0, size=20_000)
    a = k * s + sigma * rng.normal(size=s.size)
    return k, sigma, s, a


def test_fisher_estimate_passes_and_names_the_sigma_score_mistake(samples, capsys):
    k, sigma, s, a = samples
    checks.check_fisher_estimate(sampled_fisher(score(k, sigma, s, a)), k, sigma, s, a)
    assert capsys.readouterr().out.startswith(checks.PASS)
    wrong = SCORE_MISTAKES[0][0](k, sigma, s, a)
    with pytest.raises(AssertionError, match=r"about 3/sigma\^2.*-1/sigma term"):
        checks.check_fisher_estimate(sampled_fisher(wrong), k, sigma, s, a)
    with pytest.raises(AssertionError, match="F_hat is None"):
        checks.check_fisher_estimate(None, k, sigma, s, a)
    with pytest.raises(AssertionError, match=r"shape \(3,\)"):
        checks.check_fisher_estimate(np.ones(3), k, sigma, s, a)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda k, sg, kn, sn, s: policy_kl(kn, sn, k, sg, s), r"KL\(pi_new \|\| pi_old\)"),
        (
            lambda k, sg, kn, sn, s: float(
                np.mean(np.log(sn / sg) + (sg**2 + ((k - kn) * s) ** 2) / sn**2 - 0.5)
            ),
            "the 1/2 in",
        ),
        (lambda k, sg, kn, sn, s: policy_kl(k, sg, kn, sn, s) + 0.5, "constant -1/2"),
        (lambda k, sg, kn, sn, s: policy_kl(k, sg**2, kn, sn**2, s), "variance"),
        (lambda k, sg, kn, sn, s: policy_kl(k, sg, kn, sn, s) * s.size, "do not sum"),
    ],
)
def test_policy_kl_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_policy_kl(answer)


def test_kl_hessian_is_the_fisher_and_a_doubled_kl_is_named(samples, capsys):
    k, sigma, s, _ = samples
    H = finite_diff.hessian(lambda x: policy_kl(k, sigma, x[0], x[1], s), np.array([k, sigma]))
    checks.check_kl_hessian(H, k, sigma, s)
    assert capsys.readouterr().out.startswith(checks.PASS)
    with pytest.raises(AssertionError, match=r"H = 2 F.*drop the 1/2"):
        checks.check_kl_hessian(2 * H, k, sigma, s)
    with pytest.raises(AssertionError, match="at d = 0"):
        checks.check_kl_hessian(H + np.array([[0.0, 1.0], [1.0, 0.0]]), k, sigma, s)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda d, F: float(d @ F @ d), r"d\^T F d.*tends to 1/2.*drop the 1/2.*erratum 2"),
        (lambda d, F: float(0.5 * d @ np.linalg.solve(F, d)), "not F\\^-1"),
        (lambda d, F: float(0.5 * d @ d), "F is missing"),
        (lambda d, F: np.array([0.5 * d @ F @ d]), r"shape \(1,\)"),
    ],
)
def test_kl_quadratic_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_kl_quadratic(answer)


# --- hw2 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda g, eps: eps * g / np.linalg.norm(g), r"\|\|d\|\| = eps, so \|\|d\|\|\^2 = eps\^2"),
        (lambda g, eps: eps * g, "not normalised"),
        (lambda g, eps: np.sqrt(eps) * g, "divide by \\|\\|g\\|\\|"),
        (lambda g, eps: np.sqrt(2 * eps / (g @ g)) * g, "the 2 belongs to the natural step"),
        (lambda g, eps: np.sqrt(eps / (2 * g @ g)) * g, r"\|\|d\|\|\^2 = eps / 2"),
        (lambda g, eps: -vanilla_step(g, eps), "downhill"),
        (lambda g, eps: 0.3 * vanilla_step(g, eps), r"along g but has \|\|d\|\|\^2 = 0.09 eps"),
        (lambda g, eps: vanilla_step(g[::-1].copy(), eps), "not parallel to g"),
    ],
)
def test_vanilla_step_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_vanilla_step(answer)


def _solve(g, F):
    return np.linalg.solve(F, g)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            lambda g, F, eps: np.sqrt(2 * eps / (g @ F @ g)) * _solve(g, F),
            r"along F\^-1 g \(good\), but 1/2 d\^T F d = .* eps.*g\^T F g.*erratum 1",
        ),
        (
            lambda g, F, eps: np.sqrt(eps / (g @ _solve(g, F))) * _solve(g, F),
            r"1/2 d\^T F d = 0.5 eps.*drop the 1/2",
        ),
        (
            lambda g, F, eps: np.sqrt(4 * eps / (g @ _solve(g, F))) * _solve(g, F),
            r"your step has 1/2 d\^T F d = 2 eps: it is sqrt\(2\) times too long",
        ),
        (lambda g, F, eps: np.sqrt(2 * eps / (g @ g)) * g, "parallel to g, the vanilla direction"),
        (lambda g, F, eps: F @ g, "multiplied by F instead of solving"),
        (lambda g, F, eps: -natural_step(g, F, eps), "downhill"),
        (lambda g, F, eps: 1.1 * natural_step(g, F, eps), r"1/2 d\^T F d = 1.21 eps"),
    ],
)
def test_natural_step_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_natural_step(answer)


def test_erratum_1_ratio_in_the_message_is_the_measured_one():
    with pytest.raises(AssertionError) as info:
        checks.check_natural_step(lambda g, F, eps: np.sqrt(2 * eps / (g @ F @ g)) * _solve(g, F))
    ratio = float(str(info.value).split("1/2 d^T F d = ")[1].split(" eps")[0])
    rng = np.random.default_rng(0)
    g = rng.normal(size=3)
    F = checks._spd(rng, [4.0, 0.05, 1.0])
    x = _solve(g, F)
    assert ratio == pytest.approx((g @ x) / (g @ F @ g), rel=1e-3)
    assert not 0.5 < ratio < 2.0  # far from eps, as erratum 1 says


def test_step_angles(capsys):
    lqr = LinearGaussianLQR()
    g, F = lqr.gradient(-1.5, 0.2), lqr.fisher_information(-1.5, 0.2)
    a_v = float(lqr.angle_to_optimum(-1.5, 0.2, vanilla_step(g, 1e-3)))
    a_n = float(lqr.angle_to_optimum(-1.5, 0.2, natural_step(g, F, 1e-3)))
    assert a_v == pytest.approx(62.0, abs=0.5) and a_n == pytest.approx(8.6, abs=0.5)  # MATH.md
    checks.check_step_angles(a_v, a_n)
    assert "62.0" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="radians"):
        checks.check_step_angles(np.radians(a_v), np.radians(a_n))
    with pytest.raises(AssertionError, match="swapped"):
        checks.check_step_angles(a_n, a_v)
    with pytest.raises(AssertionError, match="angle_natural = 30.00"):
        checks.check_step_angles(a_v, 30.0)
    with pytest.raises(AssertionError, match="angle_vanilla is None"):
        checks.check_step_angles(None, a_n)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda S, v, w: S.T @ (S @ v) / S.shape[0], "ignored the weights"),
        (lambda S, v, w: S.T @ (w * (S @ v)) / S.shape[0], "already carry the 1/N"),
        (lambda S, v, w: (S.T * w) @ S, "returned a matrix"),
    ],
)
def test_fisher_vector_product_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_fisher_vector_product(answer)


def test_conjugate_gradient_mistakes_are_named():
    with pytest.raises(AssertionError, match="steepest-descent iterate"):
        checks.check_conjugate_gradient(steepest_descent)

    def forms_the_matrix(matvec, b, iters=10, tol=1e-10):
        A = np.column_stack([matvec(e) for e in np.eye(b.size)])
        return np.linalg.solve(A, b)

    with pytest.raises(AssertionError, match="called matvec 8 times for iters=3"):
        checks.check_conjugate_gradient(forms_the_matrix)

    def one_iteration_short(matvec, b, iters=10, tol=1e-10):
        return conjugate_gradient(matvec, b, max(iters - 1, 1), tol)

    with pytest.raises(AssertionError, match="differs from 3 iterations of conjugate gradient"):
        checks.check_conjugate_gradient(one_iteration_short)


def test_reinforce_reference_is_course_utils_estimator():
    """The check's reference, averaged, is LinearGaussianLQR.estimate_gradient on the same draws."""
    lqr = LinearGaussianLQR()
    k, sigma, n, horizon = -0.7, 0.3, 200, 30
    est, _ = lqr.estimate_gradient(k, sigma, n, horizon, np.random.default_rng(5))
    traj = lqr.sample_trajectories(k, sigma, n, horizon, np.random.default_rng(5))
    baseline = lqr.value_function(traj.states, k, sigma)
    terms = checks._reinforce_reference(
        traj.states, traj.actions, traj.rewards, lqr.gamma, k, sigma, baseline
    )
    np.testing.assert_allclose(terms.mean(axis=0), est, rtol=1e-8)


def _reinforce_variant(**change):
    def variant(states, actions, rewards, gamma, k, sigma, baseline):
        if change.get("sign"):
            baseline = -baseline
        G = Trajectories(states, actions, rewards, gamma).rewards_to_go()
        if change.get("whole_return"):
            G = np.repeat(G[:, :1], G.shape[1], axis=1)
        discount = gamma ** np.arange(states.shape[1])
        if change.get("no_discount"):
            discount = np.ones_like(discount)
        b = 0.0 if change.get("no_baseline") else baseline
        psi = gaussian_score(k, sigma, states, actions)
        if change.get("sigma_score_mistake"):
            u = actions - k * states
            psi = np.stack([psi[..., 0], u * u / sigma**3], axis=-1)
        terms = np.einsum("nt,ntk->nk", discount * (G - b), psi)
        return terms.mean(axis=0) if change.get("mean") else terms

    return variant


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no_baseline", r"baseline is missing.*grows like 1/sigma"),
        ("sign", "added the baseline"),
        ("whole_return", "whole return G_0"),
        ("no_discount", "discount gamma\\^t is missing"),
        ("sigma_score_mistake", "-1/sigma term"),
        ("mean", "one row per trajectory"),
    ],
)
def test_reinforce_mistakes_are_named(change, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_reinforce_terms(_reinforce_variant(**{change: True}))


def test_sampled_natural_gradient(rng, capsys):
    scores = rng.normal(size=(100, 2)) * np.array([1.0, 5.0])
    weights = np.full(100, 0.01)
    g_hat = np.array([0.4, -1.0])
    damping = 1e-3
    F = scores.T @ (weights[:, None] * scores)
    x = conjugate_gradient(lambda v: fisher_vector_product(scores, v, weights) + damping * v, g_hat)
    checks.check_sampled_natural_gradient(x, scores, weights, g_hat, damping)
    assert capsys.readouterr().out.startswith(checks.PASS)
    for wrong, message in [
        (g_hat, "vanilla direction"),
        ((F + damping * np.eye(2)) @ g_hat, "multiplied by F"),
        (np.linalg.solve(F, g_hat), "damping is missing"),
        (None, "x_hat is None"),
    ]:
        with pytest.raises(AssertionError, match=message):
            checks.check_sampled_natural_gradient(wrong, scores, weights, g_hat, damping)
    with pytest.raises(AssertionError, match=r"g_hat \(the mean of your reinforce_terms\) is None"):
        checks.check_sampled_natural_gradient(x, scores, weights, None, damping)


# --- hw3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda g, F, lam: (F + lam * np.eye(2)) @ g, "multiplied by F \\+ damping I"),
        (lambda g, F, lam: F @ g, "you multiplied by F;"),
        (lambda g, F, lam: np.linalg.solve(F + lam, g), "diagonal only"),
        (lambda g, F, lam: np.linalg.pinv(F) @ g, "damping is missing"),
        (lambda g, F, lam: g, "vanilla direction"),
    ],
)
def test_natural_direction_mistakes_are_named(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_natural_direction(answer)


def test_plateau_reference_gradient_matches_finite_differences():
    plateau = mdp.two_state_mdp()
    for x in (mdp.PLATEAU_START, np.array([0.3, -0.7])):
        g, F = checks.plateau_gradient_and_fisher(x)
        fd = finite_diff.gradient(lambda y: mdp.average_reward(plateau, mdp.sigmoid_theta(y)), x)
        np.testing.assert_allclose(g, fd, rtol=1e-6)
        p = 1.0 / (1.0 + np.exp(-x))
        d = mdp.stationary_distribution(plateau, mdp.softmax_policy(mdp.sigmoid_theta(x)))
        np.testing.assert_allclose(F, np.diag(d * p * (1 - p)), rtol=1e-10)


def test_plateau_reference_run_shows_the_plateau():
    """MATH.md §2: vanilla sits near eta = 1, natural (F + 1e-3 I) leaves in a few steps."""
    eta_v, visit_v = checks.plateau_run(mdp.PLATEAU_START, 200, natural=False)
    eta_n, _ = checks.plateau_run(mdp.PLATEAU_START, 10, natural=True)
    assert eta_v[-1] < 1.0 and visit_v[-1] < 0.02 * visit_v[0]
    assert eta_n[-1] > 1.99 and np.flatnonzero(eta_n >= 1.9)[0] <= 5


def test_plateau_run_mistakes_are_named():
    def off_by_one(x0, n_iter, natural, lr=1.0, damping=1e-3):
        eta, visit = run(x0, n_iter, natural, lr, damping)
        return eta[1:], visit[1:]

    def product(x0, n_iter, natural, lr=1.0, damping=1e-3):
        return checks.plateau_run(x0, n_iter, natural, lr, damping, product_with_F=natural)

    def always_natural(x0, n_iter, natural, lr=1.0, damping=1e-3):
        return run(x0, n_iter, True, lr, damping)

    for answer, message in [
        (off_by_one, "eta\\[0\\] must be the average reward at the start"),
        (product, "multiplies by F"),
        (always_natural, "natural=False must be plain gradient ascent"),
        (lambda x0, n, natural: run(x0, n, natural)[0], "must return a pair"),
    ]:
        with pytest.raises(AssertionError, match=message):
            checks.check_plateau_run(answer, n_iter=6)


def test_escape_iterations(capsys):
    dampings = [1e-3, 0.1]
    checks.check_escape_iterations({1e-3: 4, 0.1: None}, dampings, n_iter=30)
    assert capsys.readouterr().out.startswith(checks.PASS)
    with pytest.raises(AssertionError, match="never reaches"):
        checks.check_escape_iterations({1e-3: 4, 0.1: 12}, dampings, n_iter=30)
    with pytest.raises(AssertionError, match="different one"):
        checks.check_escape_iterations({1e-3: 5, 0.1: None}, dampings, n_iter=30)
    with pytest.raises(AssertionError, match="no entry for damping = 0.1"):
        checks.check_escape_iterations({1e-3: 4}, dampings, n_iter=30)
    with pytest.raises(AssertionError, match="must be a dict"):
        checks.check_escape_iterations(None, dampings, n_iter=30)


# --- layering ----------------------------------------------------------------------------------


def test_checks_import_only_the_math_layer():
    code = (
        "import sys, course_utils.checks; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'nbgrader', 'gymnasium') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
