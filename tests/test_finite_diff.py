"""Tests for course_utils.finite_diff: exact on low-degree polynomials, predictable otherwise."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_utils import finite_diff

coefficients = st.floats(-3.0, 3.0)
points = st.integers(1, 5).flatmap(lambda n: arrays(float, n, elements=st.floats(-2.0, 2.0)))


@given(x=points, data=st.data())
def test_gradient_is_exact_on_quadratics(x, data):
    """f = 1/2 x^T A x + b^T x + c: central differences have no truncation error."""
    n = x.size
    A = data.draw(arrays(float, (n, n), elements=coefficients))
    A = A + A.T
    b = data.draw(arrays(float, n, elements=coefficients))

    def f(v):
        return 0.5 * v @ A @ v + b @ v + 1.5

    np.testing.assert_allclose(finite_diff.gradient(f, x), A @ x + b, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(finite_diff.hessian(f, x), A, rtol=1e-6, atol=1e-6)


@given(x=points, data=st.data())
def test_gradient_of_a_cubic_has_exactly_the_predicted_truncation_error(x, data):
    """For f = sum c_i x_i^3, (f(x + h) - f(x - h)) / 2h = 3 c x^2 + c h^2 exactly."""
    c = data.draw(arrays(float, x.size, elements=coefficients))
    h = 1e-3

    def f(v):
        return np.sum(c * v**3)

    g = finite_diff.gradient(f, x, h=h)
    np.testing.assert_allclose(g, 3 * c * x**2 + c * h**2, rtol=1e-9, atol=1e-9)
    # the hessian of a cubic is also exact (the 4-point rule is centred)
    np.testing.assert_allclose(finite_diff.hessian(f, x), np.diag(6 * c * x), atol=1e-6)


def test_hessian_is_exact_on_mixed_cubic_terms_and_symmetric():
    def f(v):
        return v[0] ** 2 * v[1] + 2 * v[0] * v[1] * v[2] - v[2] ** 3

    x = np.array([0.5, -1.0, 2.0])
    H = finite_diff.hessian(f, x)
    expected = np.array(
        [
            [2 * x[1], 2 * x[0] + 2 * x[2], 2 * x[1]],
            [2 * x[0] + 2 * x[2], 0.0, 2 * x[0]],
            [2 * x[1], 2 * x[0], -6 * x[2]],
        ]
    )
    np.testing.assert_allclose(H, expected, atol=1e-7)
    np.testing.assert_array_equal(H, H.T)


def test_smooth_function_to_about_1e_9():
    x = np.array([0.3, -0.7])

    def f(v):
        return np.sin(v[0]) * np.exp(v[1])

    g = finite_diff.gradient(f, x)
    exact = np.array([np.cos(x[0]) * np.exp(x[1]), np.sin(x[0]) * np.exp(x[1])])
    np.testing.assert_allclose(g, exact, rtol=1e-9)
    H = finite_diff.hessian(f, x)
    exact_H = np.array([[-np.sin(x[0]), np.cos(x[0])], [np.cos(x[0]), np.sin(x[0])]]) * np.exp(x[1])
    np.testing.assert_allclose(H, exact_H, rtol=1e-6, atol=1e-7)


def test_gradient_keeps_the_shape_of_x_and_calls_f_on_that_shape():
    shapes = []

    def f(m):
        shapes.append(m.shape)
        return np.sum(m * np.arange(6).reshape(2, 3))

    g = finite_diff.gradient(f, np.ones((2, 3)))
    assert g.shape == (2, 3)
    assert set(shapes) == {(2, 3)}
    np.testing.assert_allclose(g, np.arange(6).reshape(2, 3), atol=1e-9)
    assert finite_diff.hessian(f, np.ones((2, 3))).shape == (6, 6)


def test_input_is_not_modified():
    x = np.array([1.0, 2.0])
    finite_diff.gradient(lambda v: v @ v, x)
    finite_diff.hessian(lambda v: v @ v, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


@pytest.mark.parametrize("h", [0.0, -1e-5, np.nan])
def test_step_must_be_positive(h):
    with pytest.raises(ValueError, match="h"):
        finite_diff.gradient(lambda v: v @ v, np.ones(2), h=h)
    with pytest.raises(ValueError, match="h"):
        finite_diff.hessian(lambda v: v @ v, np.ones(2), h=h)
