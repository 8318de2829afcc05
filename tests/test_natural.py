"""Tests for course_utils.natural: step constraints, invariance, CG, FVP, line search."""

import numpy as np
import pytest
import scipy.sparse.linalg
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_utils import natural as nat

# --- strategies ---------------------------------------------------------------------------

finite = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False)
eps_strategy = st.floats(1e-6, 10.0)


@st.composite
def gradient_and_fisher(draw, min_n=1, max_n=6):
    """A nonzero g of shape (n,) and a well-conditioned SPD F = B B^T + c I."""
    n = draw(st.integers(min_n, max_n))
    g = draw(arrays(float, n, elements=finite))
    assume(np.linalg.norm(g) > 1e-3)
    B = draw(arrays(float, (n, n), elements=st.floats(-1.0, 1.0)))
    c = draw(st.floats(0.1, 5.0))
    return g, B @ B.T + c * np.eye(n)


@st.composite
def invertible_matrix(draw, n):
    A = draw(arrays(float, (n, n), elements=st.floats(-2.0, 2.0)))
    A = A + draw(st.floats(0.5, 3.0)) * np.eye(n)
    assume(np.linalg.cond(A) < 50.0)
    return A


def spd_matrix(rng, n, cond=100.0):
    """Random SPD matrix with eigenvalues log-spaced in [1, cond]."""
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return (Q * np.geomspace(1.0, cond, n)) @ Q.T


# --- the two steps meet their constraints -------------------------------------------------


@given(g=arrays(float, st.integers(1, 8), elements=finite), eps=eps_strategy)
def test_vanilla_step_has_squared_norm_eps(g, eps):
    assume(np.linalg.norm(g) > 1e-3)
    d = nat.vanilla_step(g, eps)
    assert d.shape == g.shape
    assert d @ d == pytest.approx(eps, rel=1e-12)
    assert d @ g > 0  # ascent: parallel to g
    np.testing.assert_allclose(d / np.linalg.norm(d), g / np.linalg.norm(g), rtol=1e-12, atol=1e-15)


@given(gF=gradient_and_fisher(), eps=eps_strategy)
def test_natural_step_has_half_quadratic_form_eps(gF, eps):
    g, F = gF
    d = nat.natural_step(g, F, eps)
    assert d.shape == g.shape
    assert 0.5 * d @ F @ d == pytest.approx(eps, rel=1e-12)
    assert d @ g > 0


@given(gF=gradient_and_fisher(), eps=eps_strategy)
def test_natural_step_maximises_g_dot_d_on_the_ellipsoid(gF, eps):
    """No other direction on 1/2 d^T F d = eps gains more: g^T d = sqrt(2 eps g^T F^-1 g)."""
    g, F = gF
    d = nat.natural_step(g, F, eps)
    best = np.sqrt(2 * eps * g @ np.linalg.solve(F, g))
    assert g @ d == pytest.approx(best, rel=1e-10)
    rng = np.random.default_rng(0)
    for _ in range(5):
        v = rng.normal(size=g.shape)
        v *= np.sqrt(2 * eps / (v @ F @ v))
        assert g @ v <= g @ d * (1 + 1e-12)


@pytest.mark.parametrize("scale", [1e-300, 1e-200, 1.0, 1e200, 1e300])
def test_steps_do_not_depend_on_the_scale_of_g_even_at_float_extremes(scale):
    """Both steps are unchanged by g -> c g; g^T g must not overflow or underflow to 0."""
    g = np.array([3.0, -4.0, 1.0])
    F = np.diag([2.0, 1.0, 0.5])
    d = nat.vanilla_step(scale * g, 0.1)
    n = nat.natural_step(scale * g, F, 0.1)
    np.testing.assert_allclose(d, nat.vanilla_step(g, 0.1), rtol=1e-14)
    np.testing.assert_allclose(n, nat.natural_step(g, F, 0.1), rtol=1e-14)
    assert d @ d == pytest.approx(0.1, rel=1e-12)
    assert 0.5 * n @ F @ n == pytest.approx(0.1, rel=1e-12)


def test_batched_steps_equal_one_at_a_time():
    rng = np.random.default_rng(1)
    g = rng.normal(size=(4, 3))
    F = np.stack([spd_matrix(rng, 3) for _ in range(4)])
    eps = np.array([0.1, 0.2, 0.3, 0.4])
    d = nat.natural_step(g, F, eps[:, None][:, 0])
    dv = nat.vanilla_step(g, eps)
    for i in range(4):
        np.testing.assert_allclose(d[i], nat.natural_step(g[i], F[i], eps[i]), rtol=1e-12)
        np.testing.assert_allclose(dv[i], nat.vanilla_step(g[i], eps[i]), rtol=1e-12)


def test_erratum_1_F_instead_of_F_inverse_misses_eps():
    """With g^T F g in the step size (seed 002), 1/2 d^T F d is far from eps."""
    rng = np.random.default_rng(2)
    F = spd_matrix(rng, 4, cond=1e3)
    g = rng.normal(size=4)
    eps = 0.01
    x = np.linalg.solve(F, g)
    d_wrong = np.sqrt(2 * eps / (g @ F @ g)) * x
    d = nat.natural_step(g, F, eps)
    assert 0.5 * d @ F @ d == pytest.approx(eps, rel=1e-12)
    assert abs(0.5 * d_wrong @ F @ d_wrong / eps - 1) > 0.5


# --- reparametrisation ----------------------------------------------------------------------


@given(data=st.data(), eps=eps_strategy)
def test_natural_step_is_invariant_under_affine_reparametrisation(data, eps):
    """theta = A phi + b: g_phi = A^T g, F_phi = A^T F A, and A d_phi = d_theta."""
    g, F = data.draw(gradient_and_fisher())
    A = data.draw(invertible_matrix(g.size))
    d_theta = nat.natural_step(g, F, eps)
    d_phi = nat.natural_step(A.T @ g, A.T @ F @ A, eps)
    np.testing.assert_allclose(A @ d_phi, d_theta, rtol=1e-7, atol=1e-9 * np.linalg.norm(d_theta))


def test_vanilla_step_is_not_invariant_under_reparametrisation():
    g, eps = np.array([1.0, 1.0]), 0.01
    A = np.diag([2.0, 1.0])  # theta_1 = 2 phi_1
    d_theta = nat.vanilla_step(g, eps)
    mapped = A @ nat.vanilla_step(A.T @ g, eps)
    np.testing.assert_allclose(d_theta, np.sqrt(eps / 2) * np.array([1.0, 1.0]))
    np.testing.assert_allclose(mapped, np.sqrt(eps / 5) * np.array([4.0, 1.0]))
    cos = mapped @ d_theta / (np.linalg.norm(mapped) * np.linalg.norm(d_theta))
    assert np.degrees(np.arccos(cos)) > 30.0
    # while the natural step (any SPD F) comes back the same
    F = np.array([[2.0, 0.3], [0.3, 1.0]])
    np.testing.assert_allclose(
        A @ nat.natural_step(A.T @ g, A.T @ F @ A, eps), nat.natural_step(g, F, eps), rtol=1e-12
    )


# --- natural gradient and damping ---------------------------------------------------------


@given(gF=gradient_and_fisher(), damping=st.floats(0.0, 1.0))
def test_natural_gradient_solves_the_damped_system(gF, damping):
    g, F = gF
    x = nat.natural_gradient(g, F, damping=damping)
    np.testing.assert_allclose((F + damping * np.eye(g.size)) @ x, g, rtol=1e-9, atol=1e-9)


def test_damping_makes_a_singular_fisher_usable():
    psi = np.array([[1.0, -1.0], [-0.5, 0.5]])  # all scores along (1, -1): rank 1
    F = psi.T @ psi / 2
    g = np.array([1.0, 0.5])
    with pytest.raises(ValueError, match="damping"):
        nat.natural_step(g, F, 0.1)
    d = nat.natural_step(g, F, 0.1, damping=1e-3)
    Fd = F + 1e-3 * np.eye(2)
    assert 0.5 * d @ Fd @ d == pytest.approx(0.1, rel=1e-12)


# --- conjugate gradient -------------------------------------------------------------------


@pytest.mark.parametrize("n, cond", [(2, 10.0), (5, 100.0), (12, 1e3), (30, 50.0)])
def test_conjugate_gradient_matches_solve_and_scipy(n, cond):
    rng = np.random.default_rng(n)
    A = spd_matrix(rng, n, cond)
    b = rng.normal(size=n)
    x, info = nat.conjugate_gradient(lambda v: A @ v, b, iters=10 * n, tol=1e-28)
    x_np = np.linalg.solve(A, b)
    x_sp, code = scipy.sparse.linalg.cg(A, b, rtol=1e-13, atol=0.0, maxiter=10 * n)
    assert code == 0
    np.testing.assert_allclose(x, x_np, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(x, x_sp, rtol=1e-8, atol=1e-10)
    assert info.converged
    assert info.xAx == pytest.approx(x @ A @ x, rel=1e-10)
    assert info.residual_norm == pytest.approx(np.linalg.norm(b - A @ x), abs=1e-12)


def test_conjugate_gradient_iterations_equal_the_number_of_distinct_eigenvalues():
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    A = (Q * np.array([1.0, 1.0, 1.0, 4.0, 4.0, 9.0, 9.0, 9.0])) @ Q.T
    b = rng.normal(size=8)
    calls = []

    def matvec(v):
        calls.append(1)
        return A @ v

    x, info = nat.conjugate_gradient(matvec, b, iters=20, tol=1e-20)
    assert info.iterations == 3
    assert len(calls) == info.iterations
    assert info.converged
    np.testing.assert_allclose(x, np.linalg.solve(A, b), rtol=1e-9)


def test_conjugate_gradient_stops_at_iters_and_reports_the_true_residual():
    rng = np.random.default_rng(4)
    A = spd_matrix(rng, 10, 1e3)
    b = rng.normal(size=10)
    x, info = nat.conjugate_gradient(lambda v: A @ v, b, iters=3)
    assert info.iterations == 3 and not info.converged
    assert info.residual_norm == pytest.approx(np.linalg.norm(b - A @ x), rel=1e-8)
    assert info.residual_norm > 1e-5
    assert info.xAx == pytest.approx(x @ A @ x, rel=1e-10)
    # more iterations never increase the A-norm error (CG minimises it over a growing space)
    x_star = np.linalg.solve(A, b)
    errors = [
        (lambda e: e @ A @ e)(nat.conjugate_gradient(lambda v: A @ v, b, iters=i)[0] - x_star)
        for i in range(1, 11)
    ]
    assert all(e2 <= e1 * (1 + 1e-9) for e1, e2 in zip(errors, errors[1:], strict=False))


def test_conjugate_gradient_zero_right_hand_side_and_identity():
    x, info = nat.conjugate_gradient(lambda v: v, np.zeros(3))
    np.testing.assert_array_equal(x, 0.0)
    assert info.iterations == 0 and info.converged and info.xAx == 0.0
    b = np.array([1.0, -2.0, 3.0])
    x, info = nat.conjugate_gradient(lambda v: 2.0 * v, b)
    assert info.iterations == 1
    np.testing.assert_allclose(x, b / 2)


def test_conjugate_gradient_refuses_an_indefinite_operator():
    A = np.diag([1.0, -1.0])
    with pytest.raises(ValueError, match="matvec.*damping"):
        nat.conjugate_gradient(lambda v: A @ v, np.array([0.0, 1.0]))


# --- Fisher-vector products ---------------------------------------------------------------


@pytest.mark.parametrize("damping", [0.0, 0.1])
@pytest.mark.parametrize("weighted", [False, True])
def test_fisher_vector_product_equals_dense_F_times_v(damping, weighted):
    rng = np.random.default_rng(5)
    scores = rng.normal(size=(300, 6))
    v = rng.normal(size=6)
    if weighted:
        weights = rng.uniform(0.0, 1.0, size=300)
        F = scores.T @ (weights[:, None] * scores)
        out = nat.fisher_vector_product(scores, v, damping=damping, weights=weights)
    else:
        F = np.mean(scores[:, :, None] * scores[:, None, :], axis=0)
        out = nat.fisher_vector_product(scores, v, damping=damping)
    np.testing.assert_allclose(out, (F + damping * np.eye(6)) @ v, rtol=1e-12)


@pytest.mark.parametrize("damping", [1e-5, 0.1])
def test_natural_step_cg_equals_natural_step_with_dense_fisher(damping):
    rng = np.random.default_rng(6)
    scores = rng.normal(size=(200, 5)) * np.array([1.0, 2.0, 0.5, 3.0, 1.0])
    g = rng.normal(size=5)
    F = scores.T @ scores / 200 + damping * np.eye(5)
    d, info = nat.natural_step_cg(
        g, lambda v: nat.fisher_vector_product(scores, v, damping), 0.05, iters=50, tol=1e-28
    )
    assert info.converged
    np.testing.assert_allclose(d, nat.natural_step(g, F, 0.05), rtol=1e-8)
    assert 0.5 * d @ F @ d == pytest.approx(0.05, rel=1e-10)


def test_natural_step_cg_with_few_iterations_still_meets_the_constraint():
    """x^T F x from CG is exact for the x CG returns, so 1/2 d^T F d = eps at any iteration."""
    rng = np.random.default_rng(7)
    F = spd_matrix(rng, 10, 1e3)
    g = rng.normal(size=10)
    d, info = nat.natural_step_cg(g, lambda v: F @ v, 0.01, iters=2)
    assert info.iterations == 2 and not info.converged
    assert 0.5 * d @ F @ d == pytest.approx(0.01, rel=1e-10)


# --- TRPO line search ---------------------------------------------------------------------


def test_line_search_accepts_the_full_step_when_it_passes():
    theta, step = np.zeros(2), np.array([0.1, 0.0])
    res = nat.backtracking_line_search(
        theta, step, surrogate=lambda th: th.sum(), kl=lambda th: th @ th, delta=0.05
    )
    assert res.accepted and res.backtracks == 0 and res.step_fraction == 1.0
    np.testing.assert_array_equal(res.theta, step)
    assert res.kl == pytest.approx(0.01) and res.improvement == pytest.approx(0.1)


@pytest.mark.parametrize("c, delta, expected_j", [(0.5, 0.02, 3), (0.8, 0.2, 4), (0.5, 0.3, 1)])
def test_line_search_backtracks_until_the_kl_fits(c, delta, expected_j):
    """KL(c^j s) = c^(2j) |s|^2 with |s| = 1: the first j with c^(2j) <= delta is accepted."""
    theta, step = np.array([1.0, -1.0]), np.array([0.6, 0.8])
    assert expected_j == int(np.ceil(np.log(delta) / (2 * np.log(c))))
    res = nat.backtracking_line_search(
        theta,
        step,
        surrogate=lambda th: th @ step,
        kl=lambda th: (th - theta) @ (th - theta),
        delta=delta,
        backtrack_coeff=c,
    )
    assert res.accepted and res.backtracks == expected_j
    assert res.step_fraction == pytest.approx(c**expected_j)
    np.testing.assert_allclose(res.theta, theta + c**expected_j * step)


def test_line_search_backtracks_until_the_surrogate_improves():
    """Abar(theta) = -(theta - 0.3)^2 from 0 with step 1: needs 0.8^j <= 0.6, i.e. j = 3."""
    res = nat.backtracking_line_search(
        np.array([0.0]),
        np.array([1.0]),
        surrogate=lambda th: -float((th[0] - 0.3) ** 2),
        kl=lambda th: 0.0,
        delta=1.0,
    )
    assert res.accepted and res.backtracks == 3
    np.testing.assert_allclose(res.theta, [0.8**3])
    assert res.improvement >= 0


def test_line_search_rejects_and_keeps_theta_when_nothing_passes():
    theta = np.array([0.5, 0.5])
    res = nat.backtracking_line_search(
        theta,
        np.array([1.0, 0.0]),
        surrogate=lambda th: -th[0],  # every step loses
        kl=lambda th: 0.0,
        delta=0.1,
        max_backtracks=7,
    )
    assert not res.accepted and res.backtracks == 7 and res.step_fraction == 0.0
    np.testing.assert_array_equal(res.theta, theta)
    assert res.theta is not theta  # a copy: callers may mutate it
    # a NaN KL never counts as "within the trust region"
    res = nat.backtracking_line_search(
        theta, np.ones(2), surrogate=lambda th: th.sum(), kl=lambda th: np.nan, delta=0.1
    )
    assert not res.accepted


# --- drawable trust regions and the sigmoid example (appended by helper N2) ----------------


@given(eps=eps_strategy)
def test_trust_region_boundary_circle_has_squared_norm_eps(eps):
    d = nat.trust_region_boundary(eps, n_points=73)
    assert d.shape == (73, 2)
    np.testing.assert_allclose(np.sum(d * d, axis=1), eps, rtol=1e-12)
    np.testing.assert_allclose(d[0], d[-1], atol=1e-12 * np.sqrt(eps))  # closed curve


@given(gF=gradient_and_fisher(min_n=2, max_n=2), eps=eps_strategy)
def test_trust_region_boundary_ellipse_is_the_natural_constraint(gF, eps):
    g, F = gF
    d = nat.trust_region_boundary(eps, F, n_points=4001)
    np.testing.assert_allclose(0.5 * np.einsum("ni,ij,nj->n", d, F, d), eps, rtol=1e-10)
    # the natural step is (up to the grid spacing) the best point of the boundary
    best = np.max(d @ g)
    step = nat.natural_step(g, F, eps)
    assert best <= g @ step * (1 + 1e-12)
    assert best >= g @ step * (1 - 1e-5)


def test_trust_region_boundary_validates():
    with pytest.raises(ValueError, match="eps"):
        nat.trust_region_boundary(0.0)
    with pytest.raises(ValueError, match="n_points"):
        nat.trust_region_boundary(1.0, n_points=2)
    with pytest.raises(ValueError, match="positive definite"):
        nat.trust_region_boundary(1.0, np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="F"):
        nat.trust_region_boundary(1.0, np.eye(3))


def test_sigmoid_ascent_path_vanilla_constant_speed_natural_matches_natural_step():
    from course_utils.kl import bernoulli_fisher

    eps = 0.02
    van = nat.sigmoid_ascent_path(-2.0, eps, 20, natural=False)
    np.testing.assert_allclose(np.diff(van), np.sqrt(eps), rtol=1e-12)
    path = nat.sigmoid_ascent_path(-2.0, eps, 8, natural=True)
    for theta, theta_next in zip(path[:-1], path[1:], strict=True):
        f = bernoulli_fisher(theta)  # J' = f for J = sigmoid: g = F = f
        expected = nat.natural_step(np.array([f]), np.array([[f]]), eps)[0]
        assert theta_next - theta == pytest.approx(expected, rel=1e-10)
    # slowest where f is largest (theta = 0), then faster and faster
    steps = np.diff(path)
    assert np.all(np.diff(steps[path[:-1] >= 0]) > 0)
    assert np.all(np.diff(steps[path[1:] <= 0]) < 0)


def test_sigmoid_ascent_path_natural_reaches_infinity_without_nan():
    path = nat.sigmoid_ascent_path(0.0, 0.02, 30, natural=True)
    assert not np.any(np.isnan(path))
    assert np.isposinf(path[-1])
    assert np.all(np.diff(path[np.isfinite(path)]) > 0)


def test_sigmoid_ascent_path_validates():
    with pytest.raises(ValueError, match="eps"):
        nat.sigmoid_ascent_path(0.0, -1.0, 3, natural=True)
    with pytest.raises(ValueError, match="n_steps"):
        nat.sigmoid_ascent_path(0.0, 0.1, 0, natural=False)
    with pytest.raises(ValueError, match="theta0"):
        nat.sigmoid_ascent_path(np.nan, 0.1, 3, natural=False)


# --- where the quadratic KL model breaks down --------------------------------------------------


def test_quadratic_model_breakdown_finds_the_first_violation():
    eps = np.array([0.01, 0.1, 1.0, 10.0])
    assert nat.quadratic_model_breakdown(eps, [0.0101, 0.105, 0.6, 12.0]) == 1.0
    assert nat.quadratic_model_breakdown(eps, eps * 1.05) is None
    assert nat.quadratic_model_breakdown(eps, [0.01, 0.1, np.inf, np.inf]) == 1.0
    assert nat.quadratic_model_breakdown(eps, eps * 1.05, tol=0.01) == 0.01


def test_quadratic_model_breakdown_validates():
    with pytest.raises(ValueError, match="increasing"):
        nat.quadratic_model_breakdown([0.1, 0.01], [0.1, 0.01])
    with pytest.raises(ValueError, match="kl"):
        nat.quadratic_model_breakdown([0.01, 0.1], [0.01, np.nan])
    with pytest.raises(ValueError, match="kl"):
        nat.quadratic_model_breakdown([0.01, 0.1], [0.01])
    with pytest.raises(ValueError, match="eps"):
        nat.quadratic_model_breakdown([0.0, 0.1], [0.0, 0.1])
