"""Tests for course_utils.actor_critic: TD fixed points (identities), sampled TD (Monte Carlo)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils import actor_critic as AC
from course_utils import mdp as M

cases = st.tuples(
    st.integers(0, 10_000),  # seed
    st.integers(1, 5),  # n_states
    st.integers(2, 4),  # n_actions
    st.sampled_from([0.0, 0.5, 0.9, 0.95]),  # gamma
)


def make_case(seed, n_states, n_actions, gamma):
    rng = np.random.default_rng(seed)
    mdp = M.random_mdp(n_states, n_actions, gamma, rng)
    theta = 2.0 * rng.normal(size=(n_states, n_actions))
    return mdp, theta


@given(cases)
def test_fixed_point_with_value_features_is_the_natural_gradient(case):
    """Compatible function approximation: the TD fixed point's w is F^+ g (centred advantage)."""
    mdp, theta = make_case(*case)
    w = AC.td_fixed_point(mdp, theta)
    F = M.fisher_information(mdp, theta)
    g = M.policy_gradient(mdp, theta).ravel()
    scale = 1.0 + np.max(np.abs(w))
    np.testing.assert_allclose(w, M.natural_policy_gradient(mdp, theta), atol=1e-9 * scale)
    # the defining equations: F w = g, and w orthogonal to the null space of F (rows sum to 0)
    np.testing.assert_allclose(F @ w.ravel(), g, atol=1e-9 * scale * (1.0 + np.max(np.abs(F))))
    np.testing.assert_allclose(w.sum(axis=1), 0.0, atol=1e-9 * scale)


@given(cases)
def test_fixed_point_of_the_compatible_features_alone_is_the_centred_reward(case):
    """Without value features E[psi(s', a')] = 0 kills the bootstrap: w = R - mean_b R(s, b)."""
    mdp, theta = make_case(*case)
    w = AC.td_fixed_point(mdp, theta, value_features=False)
    R_centred = mdp.R - mdp.R.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(w, R_centred, atol=1e-9)


def test_fixed_points_agree_when_gamma_is_zero():
    """With gamma = 0, Q = R, so both critics learn the same w."""
    mdp, theta = make_case(3, 4, 3, 0.0)
    np.testing.assert_allclose(
        AC.td_fixed_point(mdp, theta),
        AC.td_fixed_point(mdp, theta, value_features=False),
        atol=1e-12,
    )


@pytest.mark.parametrize("value_features", [True, False])
def test_sampled_td_mean_matches_fixed_point_within_standard_error(value_features):
    """The mean over independent learners is unbiased for the expected recursion; its limit is
    the fixed point. Tolerance: 4.5 standard errors of the mean, per entry."""
    mdp, theta = make_case(7, 3, 3, 0.9)
    theta = 0.25 * theta  # no action so rare that TD needs far more steps to learn its value
    rng = np.random.default_rng(11)
    n_learners = 400
    W = AC.td_compatible_critic(mdp, theta, 3000, 0.2, n_learners, rng, value_features)
    se = W.std(axis=0, ddof=1) / np.sqrt(n_learners)
    z = np.abs(W.mean(axis=0) - AC.td_fixed_point(mdp, theta, value_features)) / se
    assert np.max(z) < 4.5


def test_sampled_td_keeps_every_state_row_summing_to_zero(rng):
    """Updates add multiples of e_a - pi(.|s): no drift along directions that leave pi unchanged."""
    mdp, theta = make_case(5, 4, 3, 0.9)
    W = AC.td_compatible_critic(mdp, theta, 200, 0.3, 50, rng)
    assert np.max(np.abs(W.sum(axis=2))) < 1e-12


def test_sampled_td_is_reproducible_from_the_generator():
    mdp, theta = make_case(5, 2, 2, 0.5)
    W1 = AC.td_compatible_critic(mdp, theta, 50, 0.1, 10, np.random.default_rng(3))
    W2 = AC.td_compatible_critic(mdp, theta, 50, 0.1, 10, np.random.default_rng(3))
    np.testing.assert_array_equal(W1, W2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alpha": 0.0}, "alpha=0.0 is out of range; valid range: (0, 1]"),
        ({"alpha": 1.5}, "alpha=1.5 is out of range; valid range: (0, 1]"),
        ({"alpha": np.nan}, "alpha=nan contains NaN"),
        ({"n_steps": 0}, "n_steps=0 is out of range"),
        ({"n_learners": 2.5}, "n_learners=2.5 is not an integer"),
        ({"rng": 42}, "rng=42 is not a numpy.random.Generator"),
        ({"theta": np.zeros((3, 2))}, "theta has shape (3, 2); valid: shape (2, 2)"),
        ({"theta": np.full((2, 2), np.inf)}, "theta="),
        ({"mdp": "not an mdp"}, "mdp='not an mdp' is not a TabularMDP"),
    ],
)
def test_invalid_inputs_raise_messages_that_name_the_argument(kwargs, message):
    mdp, theta = make_case(5, 2, 2, 0.5)
    args = dict(
        mdp=mdp, theta=theta, n_steps=10, alpha=0.1, n_learners=5, rng=np.random.default_rng(0)
    )
    args.update(kwargs)
    with pytest.raises(ValueError, match=None) as info:
        AC.td_compatible_critic(**args)
    assert message in str(info.value)


def test_fixed_point_validates_its_inputs():
    mdp, _ = make_case(5, 2, 2, 0.5)
    with pytest.raises(ValueError, match="theta has shape"):
        AC.td_fixed_point(mdp, np.zeros(4))
