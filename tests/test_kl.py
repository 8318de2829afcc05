"""Tests for course_utils.kl: divergences, the Bernoulli Fisher and the second-order KL."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.integrate import quad

from course_utils import finite_diff
from course_utils.kl import (
    bernoulli_fisher,
    kl_bernoulli,
    kl_categorical,
    kl_gaussian,
    total_variation,
)

logits = st.integers(2, 6).flatmap(lambda K: arrays(float, K, elements=st.floats(-5.0, 5.0)))
means = st.floats(-10.0, 10.0)
stds = st.floats(0.05, 20.0)
directions = arrays(float, 2, elements=st.floats(-1.0, 1.0)).filter(
    lambda u: np.linalg.norm(u) > 0.1
)


def softmax(x):
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# --- categorical --------------------------------------------------------------------------


@given(a=logits, data=st.data())
def test_kl_categorical_nonnegative_and_zero_only_when_equal(a, data):
    b = data.draw(arrays(float, a.size, elements=st.floats(-5.0, 5.0)))
    p, q = softmax(a), softmax(b)
    kl = float(kl_categorical(p, q))
    assert kl >= 0.0
    assert float(kl_categorical(p, p)) == 0.0
    tv = float(total_variation(p, q))
    if tv > 1e-4:
        assert kl > 0.0
    # Pinsker: TV <= sqrt(KL / 2), i.e. 2 TV^2 <= KL, up to the KL's rounding (~1e-15 absolute)
    assert 2 * tv**2 <= kl + 4e-15


def test_kl_categorical_against_the_definition():
    p = np.array([0.2, 0.5, 0.3])
    q = np.array([0.4, 0.4, 0.2])
    expected = sum(pi * np.log(pi / qi) for pi, qi in zip(p, q, strict=True))
    assert float(kl_categorical(p, q)) == pytest.approx(expected, rel=1e-14)
    # not symmetric
    assert float(kl_categorical(q, p)) != pytest.approx(expected, rel=1e-3)


def test_kl_categorical_zeros_give_zero_terms_or_inf_never_nan():
    assert float(kl_categorical([0.5, 0.5, 0.0], [0.5, 0.5, 0.0])) == 0.0
    assert float(kl_categorical([0.5, 0.5, 0.0], [0.25, 0.25, 0.5])) == pytest.approx(np.log(2))
    inf = kl_categorical([0.5, 0.5, 0.0], [1.0, 0.0, 0.0])
    assert np.isinf(inf) and inf > 0
    batch = kl_categorical([[0.5, 0.5], [1.0, 0.0]], [1.0, 0.0])
    assert batch.shape == (2,)
    assert np.isinf(batch[0]) and batch[1] == 0.0


def test_kl_categorical_broadcasts():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(4), size=(3, 5))
    q = rng.dirichlet(np.ones(4))
    out = kl_categorical(P, q)
    assert out.shape == (3, 5)
    assert out[2, 1] == pytest.approx(float(kl_categorical(P[2, 1], q)), rel=1e-14)


# --- gaussian -----------------------------------------------------------------------------


@given(m1=means, s1=stds, m2=means, s2=stds)
def test_kl_gaussian_nonnegative_and_zero_only_when_equal(m1, s1, m2, s2):
    kl = float(kl_gaussian(m1, s1, m2, s2))
    assert kl >= 0.0
    assert float(kl_gaussian(m1, s1, m1, s1)) == 0.0
    if abs(m1 - m2) > 1e-3 * s2 or abs(np.log(s1 / s2)) > 1e-3:
        assert kl > 0.0


@pytest.mark.parametrize("m1, s1, m2, s2", [(0.0, 1.0, 1.0, 2.0), (0.3, 0.5, -0.2, 0.4)])
def test_kl_gaussian_against_numerical_integration(m1, s1, m2, s2):
    def log_pdf(x, m, s):
        return -0.5 * ((x - m) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)

    integrand = lambda x: np.exp(log_pdf(x, m1, s1)) * (log_pdf(x, m1, s1) - log_pdf(x, m2, s2))  # noqa: E731
    value, _ = quad(integrand, m1 - 20 * s1, m1 + 20 * s1, epsabs=1e-13, epsrel=1e-12)
    assert float(kl_gaussian(m1, s1, m2, s2)) == pytest.approx(value, rel=1e-9)


def test_kl_gaussian_broadcasts_and_takes_std_not_variance():
    out = kl_gaussian(np.zeros((2, 1)), 1.0, np.array([0.0, 1.0, 2.0]), 1.0)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out[0], [0.0, 0.5, 2.0])
    # std 2 vs std 1, same mean: log 2 + 1/8 - 1/2 the other way round
    assert float(kl_gaussian(0.0, 1.0, 0.0, 2.0)) == pytest.approx(np.log(2) + 1 / 8 - 1 / 2)


# --- bernoulli and its Fisher -------------------------------------------------------------


@given(t1=st.floats(-30.0, 30.0), t2=st.floats(-30.0, 30.0))
def test_kl_bernoulli_matches_categorical_and_is_nonnegative(t1, t2):
    kl = float(kl_bernoulli(t1, t2))
    assert kl >= 0.0
    assert float(kl_bernoulli(t1, t1)) == 0.0
    p, q = sigmoid(t1), sigmoid(t2)
    # beyond |theta| ~ 15, 1 - sigmoid(theta) in floating point loses digits; the logit form
    # of kl_bernoulli does not, so compare only where the probability form is accurate
    assume(max(abs(t1), abs(t2)) <= 15.0)
    expected = float(kl_categorical([p, 1 - p], [q, 1 - q]))
    assert kl == pytest.approx(expected, rel=1e-8, abs=1e-12)
    if abs(t1 - t2) > 1e-3 and abs(t1) < 20:
        assert kl > 0.0


def test_kl_bernoulli_is_finite_for_huge_logits():
    out = kl_bernoulli(np.array([800.0, -800.0, 800.0]), np.array([-800.0, 800.0, 800.0]))
    assert np.all(np.isfinite(out))
    assert out[0] == pytest.approx(800.0, rel=1e-12)
    assert out[2] == 0.0


@pytest.mark.parametrize("theta", [-4.0, -1.0, 0.0, 0.5, 3.0])
def test_bernoulli_fisher_formula_hessian_and_score_variance(theta):
    F = float(bernoulli_fisher(theta))
    assert F == pytest.approx(np.exp(theta) / (1 + np.exp(theta)) ** 2, rel=1e-14)
    H = finite_diff.hessian(lambda x: float(kl_bernoulli(theta, x[0])), np.array([theta]))
    assert F == pytest.approx(H[0, 0], rel=1e-6)
    # E[(y - p)^2] with y ~ Bernoulli(p): the score of the logit is y - p
    p = sigmoid(theta)
    assert F == pytest.approx(p * (1 - p) ** 2 + (1 - p) * p**2, rel=1e-12)
    # gradient of the KL vanishes at theta' = theta
    grad = finite_diff.gradient(lambda x: float(kl_bernoulli(theta, x[0])), np.array([theta]))
    assert abs(grad[0]) < 1e-9


def test_bernoulli_fisher_is_finite_and_vanishes_for_large_logits():
    F = bernoulli_fisher(np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0]))
    assert np.all(np.isfinite(F)) and np.all(F >= 0)
    assert F[2] == 0.25 and F[0] == F[4] == 0.0
    assert F[1] == F[3] == pytest.approx(np.exp(-40.0), rel=1e-12)


# --- second-order expansion: 1/2 d^T F d, error of third order ------------------------------


@given(theta=logits, data=st.data())
def test_categorical_kl_is_half_d_fisher_d_with_a_cubic_error(theta, data):
    """KL(p_theta || p_theta+td) = 1/2 t^2 u^T F u + kappa3 t^3 / 6 + O(t^4).

    For softmax logits the KL is the Bregman divergence of log-sum-exp; its third derivative
    along u is the third central moment kappa3 of u under p, its fourth is bounded by 12 for
    |u| = 1, so |err / t^3 - kappa3 / 6| <= 12 t / 24. The reverse order has kappa3 / 3 and
    remainder <= 12 t / 8.
    """
    u = data.draw(arrays(float, theta.size, elements=st.floats(-1.0, 1.0)))
    assume(np.linalg.norm(u) > 0.1)
    u = u / np.linalg.norm(u)
    p = softmax(theta)
    F = np.diag(p) - np.outer(p, p)
    centred = u - p @ u
    kappa3 = p @ centred**3
    for t in (1e-2, 5e-3):
        q = softmax(theta + t * u)
        quad_form = 0.5 * t**2 * u @ F @ u
        forward = float(kl_categorical(p, q)) - quad_form
        reverse = float(kl_categorical(q, p)) - quad_form
        assert abs(forward / t**3 - kappa3 / 6) <= 0.5 * t + 1e-6
        assert abs(reverse / t**3 - kappa3 / 3) <= 1.5 * t + 1e-6


def test_categorical_kl_error_ratio_is_eight_for_a_generic_direction():
    theta = np.array([0.3, -1.2, 0.8])
    u = np.array([1.0, 0.2, -0.5])
    p = softmax(theta)
    F = np.diag(p) - np.outer(p, p)
    errs = [
        float(kl_categorical(p, softmax(theta + t * u))) - 0.5 * t**2 * u @ F @ u
        for t in (0.02, 0.01)
    ]
    assert errs[0] / errs[1] == pytest.approx(8.0, rel=0.05)
    # erratum 2: without the 1/2 the ratio KL / d^T F d tends to 1/2, not 1
    d = 1e-4 * u
    assert float(kl_categorical(p, softmax(theta + d))) / (d @ F @ d) == pytest.approx(0.5, 1e-3)


@given(m=means, s=stds, u=directions)
def test_gaussian_kl_is_half_d_fisher_d_with_a_cubic_error(m, s, u):
    """In units of the std (a = dmean / s, b = dstd / s), F = diag(1, 2) / s^2 and

    KL(N(m, s) || N(m + s a, s + s b)) = (a^2 + 2 b^2) / 2 - 5/3 b^3 - a^2 b + O(4) (quartic
    part <= 9/4 for |(a, b)| = 1); the reverse order has cubic part -b^3 / 3 (quartic <= 1/4).
    """
    u = u / np.linalg.norm(u)
    F = np.diag([1.0, 2.0]) / s**2
    for t in (1e-2, 5e-3):
        a, b = t * u
        d = s * t * u
        quad_form = 0.5 * d @ F @ d
        forward = float(kl_gaussian(m, s, m + s * a, s + s * b)) - quad_form
        reverse = float(kl_gaussian(m + s * a, s + s * b, m, s)) - quad_form
        au, bu = u
        assert abs(forward / t**3 - (-5 / 3 * bu**3 - au**2 * bu)) <= 3.0 * t + 1e-6
        assert abs(reverse / t**3 - (-(bu**3) / 3)) <= 0.5 * t + 1e-6


@given(theta=st.floats(-8.0, 8.0), sign=st.sampled_from([-1.0, 1.0]))
def test_bernoulli_kl_is_half_fisher_d_squared_with_a_cubic_error(theta, sign):
    F = float(bernoulli_fisher(theta))
    p = sigmoid(theta)
    kappa3 = p * (1 - p) * (1 - 2 * p)
    for t in (1e-2, 5e-3):
        d = sign * t
        err = float(kl_bernoulli(theta, theta + d)) - 0.5 * F * d**2
        assert abs(err / t**3 - sign * kappa3 / 6) <= 0.5 * t + 1e-6


# --- total variation ----------------------------------------------------------------------


@given(a=logits, data=st.data())
def test_total_variation_is_half_l1_and_the_largest_event_difference(a, data):
    b = data.draw(arrays(float, a.size, elements=st.floats(-5.0, 5.0)))
    p, q = softmax(a), softmax(b)
    tv = float(total_variation(p, q))
    assert tv == pytest.approx(0.5 * np.abs(p - q).sum(), abs=1e-15)
    assert 0.0 <= tv <= 1.0
    events = itertools.chain.from_iterable(
        itertools.combinations(range(a.size), r) for r in range(a.size + 1)
    )
    largest = max(abs(p[list(e)].sum() - q[list(e)].sum()) for e in events)
    assert tv == pytest.approx(largest, abs=1e-12)


def test_total_variation_extremes():
    assert float(total_variation([1.0, 0.0], [0.0, 1.0])) == 1.0
    assert float(total_variation([0.3, 0.7], [0.3, 0.7])) == 0.0
    assert total_variation(np.full((4, 3), 1 / 3), [1.0, 0.0, 0.0]).shape == (4,)
