"""Tests for course_utils._validation and for every bad input of issue 2, section 4.

Each public function must refuse bad input with ``ValueError`` whose message names the
argument (checked with ``match``), and says what is valid. The table below is parametrised
over the whole package; module-specific behaviour lives in the module's own test file.
"""

import re

import numpy as np
import pytest

from course_utils import _validation as V
from course_utils import kl, natural
from course_utils import mdp as M
from course_utils.gaussian import LinearGaussianLQR, gaussian_score, optimal_gain

LQR = LinearGaussianLQR()
UNSTABLE_K = 0.5  # gamma (1 + k)^2 = 2.025 >= 1 at gamma = 0.9
MDP = M.random_mdp(3, 2, 0.9, np.random.default_rng(0))
THETA = np.zeros((3, 2))
GEN = np.random.default_rng(0)
F_SPD = np.array([[2.0, 0.5], [0.5, 1.0]])
G2 = np.array([1.0, -1.0])
UNSTABLE = r"k=.*unstable.*J is infinite"


def _P_rows_not_summing():
    P = np.full((2, 2, 2), 0.5)
    P[1, 0] = [0.7, 0.7]
    return P


BAD_INPUTS = {
    # --- sigma <= 0 or NaN ----------------------------------------------------------------
    "J sigma=0": (lambda: LQR.expected_return(-1.0, 0.0), r"sigma=0\.0"),
    "J sigma<0": (lambda: LQR.expected_return(-1.0, -0.5), r"sigma=-0\.5"),
    "J sigma nan": (lambda: LQR.expected_return(-1.0, np.nan), r"sigma=nan"),
    "J -inf mode sigma=0": (lambda: LQR.expected_return(0.5, 0.0, unstable="-inf"), "sigma"),
    "gradient sigma grid": (lambda: LQR.gradient(-1.0, [0.1, 0.0]), "sigma"),
    "fisher sigma": (lambda: LQR.fisher_information(-1.0, -1.0), "sigma"),
    "natural gradient sigma": (lambda: LQR.natural_gradient(-1.0, 0.0), "sigma"),
    "S sigma": (lambda: LQR.discounted_second_moment(-1.0, 0.0), "sigma"),
    "V sigma": (lambda: LQR.value_function(0.1, -1.0, 0.0), "sigma"),
    "angle sigma": (lambda: LQR.angle_to_optimum(-1.0, 0.0, G2), "sigma"),
    "angle zero direction": (lambda: LQR.angle_to_optimum(-1.0, 0.3, [0.0, 0.0]), "direction"),
    "angle direction shape": (
        lambda: LQR.angle_to_optimum(-1.0, 0.3, [1.0, 0.0, 0.0]),
        "direction",
    ),
    "ascent sigma0": (lambda: LQR.ascent_path(-1.0, 0.0, 0.1, True), "sigma"),
    "sample sigma": (lambda: LQR.sample_trajectories(-1.0, 0.0, 10, 5, GEN), "sigma"),
    "estimate_gradient sigma": (lambda: LQR.estimate_gradient(-1.0, -1.0, 10, 5, GEN), "sigma"),
    "estimate_fisher sigma": (lambda: LQR.estimate_fisher(-1.0, np.nan, 10, 5, GEN), "sigma"),
    "score sigma": (lambda: gaussian_score(-1.0, 0.0, 0.1, 0.1), "sigma"),
    "kl_gaussian std1": (lambda: kl.kl_gaussian(0.0, 0.0, 0.0, 1.0), "std1"),
    "kl_gaussian std2": (lambda: kl.kl_gaussian(0.0, 1.0, 0.0, -1.0), "std2"),
    "kl_gaussian mean nan": (lambda: kl.kl_gaussian(np.nan, 1.0, 0.0, 1.0), "mean1"),
    # --- eps <= 0 -------------------------------------------------------------------------
    "vanilla eps=0": (lambda: natural.vanilla_step(G2, 0.0), r"eps=0\.0"),
    "vanilla eps<0": (lambda: natural.vanilla_step(G2, -0.1), r"eps=-0\.1"),
    "vanilla eps nan": (lambda: natural.vanilla_step(G2, np.nan), "eps"),
    "natural eps=0": (lambda: natural.natural_step(G2, F_SPD, 0.0), "eps"),
    "natural eps<0": (lambda: natural.natural_step(G2, F_SPD, -1.0), "eps"),
    "natural_step_cg eps": (lambda: natural.natural_step_cg(G2, lambda v: v, 0.0), "eps"),
    "ascent eps": (lambda: LQR.ascent_path(-1.0, 0.5, 0.0, False), "eps"),
    "line search delta": (
        lambda: natural.backtracking_line_search(G2, G2, np.sum, np.sum, 0.0),
        "delta",
    ),
    # --- gamma outside [0, 1) -------------------------------------------------------------
    "LQR gamma=1": (lambda: LinearGaussianLQR(gamma=1.0), r"gamma=1\.0.*\[0, 1\)"),
    "LQR gamma<0": (lambda: LinearGaussianLQR(gamma=-0.1), "gamma"),
    "LQR gamma nan": (lambda: LinearGaussianLQR(gamma=np.nan), "gamma"),
    "MDP gamma=1": (lambda: M.TabularMDP(MDP.P, MDP.R, 1.0, MDP.p0), r"gamma=1\.0.*\[0, 1\)"),
    "MDP gamma<0": (lambda: M.TabularMDP(MDP.P, MDP.R, -0.5, MDP.p0), "gamma"),
    "random_mdp gamma": (lambda: M.random_mdp(2, 2, 1.2, GEN), "gamma"),
    "two_state gamma": (lambda: M.two_state_mdp(1.0), "gamma"),
    "optimal_gain gamma": (lambda: optimal_gain(1.0, 0.1, 1.5), "gamma"),
    # --- other LQR settings ---------------------------------------------------------------
    "LQR q=0": (lambda: LinearGaussianLQR(q=0.0), "q"),
    "LQR R<0": (lambda: LinearGaussianLQR(R=-0.1), "R"),
    "LQR s0_var<0": (lambda: LinearGaussianLQR(s0_var=-1.0), "s0_var"),
    "LQR R=0 gamma=0": (lambda: LinearGaussianLQR(R=0.0, gamma=0.0), "R=0.0 with gamma=0.0"),
    "optimal_gain q": (lambda: optimal_gain(-1.0, 0.1, 0.9), "q"),
    "J unstable option": (lambda: LQR.expected_return(-1.0, 0.3, unstable="nan"), "unstable="),
    # --- unstable gain gamma (1 + k)^2 >= 1 -----------------------------------------------
    "J unstable k": (lambda: LQR.expected_return(UNSTABLE_K, 0.3), UNSTABLE),
    "J unstable k on a grid": (lambda: LQR.expected_return([-1.0, -2.5], 0.3), UNSTABLE),
    "J at the boundary": (lambda: LQR.expected_return(LQR.stability_interval()[1], 0.3), UNSTABLE),
    "gradient unstable": (lambda: LQR.gradient(UNSTABLE_K, 0.3), UNSTABLE),
    "fisher unstable": (lambda: LQR.fisher_information(UNSTABLE_K, 0.3), UNSTABLE),
    "natural gradient unstable": (lambda: LQR.natural_gradient(UNSTABLE_K, 0.3), UNSTABLE),
    "P(k) unstable": (lambda: LQR.value_coefficient(UNSTABLE_K), UNSTABLE),
    "ascent unstable": (lambda: LQR.ascent_path(UNSTABLE_K, 0.3, 0.1, True), UNSTABLE),
    "sample unstable": (lambda: LQR.sample_trajectories(UNSTABLE_K, 0.3, 5, 5, GEN), UNSTABLE),
    "estimate unstable": (lambda: LQR.estimate_gradient(-3.0, 0.3, 5, 5, GEN), UNSTABLE),
    "fisher estimate unstable": (lambda: LQR.estimate_fisher(-3.0, 0.3, 5, 5, GEN), UNSTABLE),
    "k nan": (lambda: LQR.gradient(np.nan, 0.3), "k="),
    # --- P rows, p0, shapes of the MDP ----------------------------------------------------
    "P rows": (lambda: M.TabularMDP(_P_rows_not_summing(), np.zeros((2, 2)), 0.9, [0.5, 0.5]), "P"),
    "P negative": (
        lambda: M.TabularMDP(
            np.array([[[1.5, -0.5]], [[0.0, 1.0]]]), np.zeros((2, 1)), 0.9, [0.5, 0.5]
        ),
        "P has negative",
    ),
    "P not (S, A, S)": (
        lambda: M.TabularMDP(np.full((2, 3), 1 / 3), np.zeros((2, 3)), 0.9, [1, 0]),
        "P",
    ),
    "R shape": (lambda: M.TabularMDP(MDP.P, np.zeros((2, 3)), 0.9, MDP.p0), "R has shape"),
    "R nan": (lambda: M.TabularMDP(MDP.P, np.full((3, 2), np.nan), 0.9, MDP.p0), "R"),
    "p0 shape": (lambda: M.TabularMDP(MDP.P, MDP.R, 0.9, [0.5, 0.5]), "p0 has shape"),
    "p0 sum": (lambda: M.TabularMDP(MDP.P, MDP.R, 0.9, [0.5, 0.5, 0.5]), "p0"),
    "theta shape J": (lambda: M.expected_return(MDP, np.zeros((2, 3))), "theta has shape"),
    "theta shape g": (lambda: M.policy_gradient(MDP, np.zeros(6)), "theta has shape"),
    "theta shape F": (lambda: M.fisher_information(MDP, np.zeros((3, 3))), "theta"),
    "theta shape npg": (lambda: M.natural_policy_gradient(MDP, np.zeros((3, 1))), "theta"),
    "theta nan": (lambda: M.expected_return(MDP, np.full((3, 2), np.nan)), "theta"),
    "theta_new shape": (lambda: M.surrogate(MDP, THETA, np.zeros((3, 3))), "theta_new"),
    "theta_old shape": (lambda: M.performance_difference(MDP, np.zeros(2), THETA), "theta_old"),
    "visitation_kl shape": (lambda: M.visitation_kl(MDP, THETA, np.zeros((2, 2))), "theta_new"),
    "pi not distribution": (lambda: M.policy_evaluation(MDP, np.ones((3, 2))), "pi"),
    "pi shape": (lambda: M.discounted_visitation(MDP, np.full((2, 2), 0.5)), "pi has shape"),
    "mdp type": (lambda: M.expected_return("mdp", THETA), "mdp="),
    "score shapes": (lambda: M.score_softmax(THETA, [0, 1], [0]), "states"),
    "average reward theta": (lambda: M.average_reward_gradient(MDP, np.zeros(3)), "theta"),
    "sigmoid_theta 2-D": (lambda: M.sigmoid_theta(np.zeros((2, 2))), "x"),
    # --- natural: g vs F, SPD, damping ----------------------------------------------------
    "g vs F shapes": (lambda: natural.natural_step(np.ones(3), F_SPD, 0.1), "F has shape"),
    "g vs F natural gradient": (lambda: natural.natural_gradient(np.ones(3), F_SPD), "F has shape"),
    "F not symmetric": (
        lambda: natural.natural_step(G2, [[1.0, 0.5], [0.0, 1.0]], 0.1),
        "F is not symmetric",
    ),
    "F indefinite": (
        lambda: natural.natural_step(G2, np.diag([1.0, -1.0]), 0.1),
        r"F is not positive definite.*damping",
    ),
    "F singular": (
        lambda: natural.natural_step(G2, np.ones((2, 2)), 0.1),
        r"F is not positive definite.*damping",
    ),
    "F nan": (lambda: natural.natural_step(G2, np.full((2, 2), np.nan), 0.1), "F"),
    "damping < 0": (lambda: natural.natural_gradient(G2, F_SPD, damping=-1.0), "damping"),
    "g zero vanilla": (lambda: natural.vanilla_step(np.zeros(2), 0.1), "g is the zero vector"),
    "g zero natural": (lambda: natural.natural_step(np.zeros(2), F_SPD, 0.1), "g is the zero"),
    "g scalar": (lambda: natural.vanilla_step(1.0, 0.1), "g has shape"),
    "g nan": (lambda: natural.vanilla_step([np.nan, 1.0], 0.1), "g"),
    "cg b 2-D": (lambda: natural.conjugate_gradient(lambda v: v, np.ones((2, 2))), "b has shape"),
    "cg iters": (lambda: natural.conjugate_gradient(lambda v: v, G2, iters=0), "iters"),
    "cg tol": (lambda: natural.conjugate_gradient(lambda v: v, G2, tol=0.0), "tol"),
    "fvp v shape": (lambda: natural.fisher_vector_product(np.ones((5, 2)), np.ones(3)), "v has"),
    "fvp scores 1-D": (lambda: natural.fisher_vector_product(np.ones(5), np.ones(5)), "scores"),
    "fvp weights": (
        lambda: natural.fisher_vector_product(np.ones((5, 2)), G2, weights=np.ones(4)),
        "weights",
    ),
    "fvp damping": (lambda: natural.fisher_vector_product(np.ones((5, 2)), G2, -1.0), "damping"),
    "line search step shape": (
        lambda: natural.backtracking_line_search(G2, np.ones(3), np.sum, np.sum, 0.1),
        "full_step",
    ),
    "line search coeff 1": (
        lambda: natural.backtracking_line_search(G2, G2, np.sum, np.sum, 0.1, 1.0),
        "backtrack_coeff",
    ),
    "line search coeff 0": (
        lambda: natural.backtracking_line_search(G2, G2, np.sum, np.sum, 0.1, 0.0),
        "backtrack_coeff",
    ),
    "line search max_backtracks": (
        lambda: natural.backtracking_line_search(G2, G2, np.sum, np.sum, 0.1, 0.8, 0),
        "max_backtracks",
    ),
    # --- KL -------------------------------------------------------------------------------
    "kl p sum": (lambda: kl.kl_categorical([0.5, 0.6], [0.5, 0.5]), "p does not sum"),
    "kl q negative": (lambda: kl.kl_categorical([0.5, 0.5], [1.5, -0.5]), "q has negative"),
    "kl outcomes": (lambda: kl.kl_categorical([0.5, 0.5], [0.2, 0.3, 0.5]), "p has 2 outcomes"),
    "kl scalar": (lambda: kl.kl_categorical(1.0, 1.0), "p="),
    "tv outcomes": (lambda: kl.total_variation([1.0], [0.5, 0.5]), "outcomes"),
    "kl_bernoulli nan": (lambda: kl.kl_bernoulli(np.nan, 0.0), "theta1"),
    "bernoulli_fisher inf": (lambda: kl.bernoulli_fisher(np.inf), "theta"),
    # --- n / horizon / rng ----------------------------------------------------------------
    "mdp n=0": (lambda: M.sample_trajectories(MDP, THETA, 0, 5, GEN), r"n=0"),
    "mdp n float": (lambda: M.sample_trajectories(MDP, THETA, 2.0, 5, GEN), r"n=2\.0.*integer"),
    "mdp n bool": (lambda: M.sample_trajectories(MDP, THETA, True, 5, GEN), "n=True"),
    "mdp horizon=0": (lambda: M.sample_trajectories(MDP, THETA, 5, 0, GEN), "horizon=0"),
    "mdp horizon<0": (lambda: M.estimate_policy_gradient(MDP, THETA, 5, -2, GEN), "horizon"),
    "mdp n estimate": (lambda: M.estimate_policy_gradient(MDP, THETA, 0, 5, GEN), "n="),
    "random_mdp n_states": (lambda: M.random_mdp(0, 2, 0.9, GEN), "n_states"),
    "random_mdp n_actions": (lambda: M.random_mdp(2, 1.5, 0.9, GEN), "n_actions"),
    "lqr n_trajectories=0": (lambda: LQR.estimate_gradient(-1.0, 0.3, 0, 5, GEN), "n_trajectories"),
    "lqr n_trajectories float": (
        lambda: LQR.sample_trajectories(-1.0, 0.3, 10.5, 5, GEN),
        "n_trajectories",
    ),
    "lqr horizon=0": (lambda: LQR.estimate_fisher(-1.0, 0.3, 5, 0, GEN), "horizon"),
    "lqr max_iter": (lambda: LQR.ascent_path(-1.0, 0.3, 0.1, True, max_iter=0), "max_iter"),
    "mdp rng None": (lambda: M.sample_trajectories(MDP, THETA, 5, 5, None), "rng=None"),
    "mdp rng int": (lambda: M.random_mdp(2, 2, 0.9, 0), "rng=0"),
    "mdp rng RandomState": (
        lambda: M.estimate_policy_gradient(MDP, THETA, 5, 5, np.random.RandomState(0)),
        "rng=.*Generator",
    ),
    "lqr rng RandomState": (
        lambda: LQR.sample_trajectories(-1.0, 0.3, 5, 5, np.random.RandomState(0)),
        "rng=.*Generator",
    ),
    "lqr rng int": (lambda: LQR.estimate_gradient(-1.0, 0.3, 5, 5, 42), "rng=42"),
    "lqr rng None": (lambda: LQR.estimate_fisher(-1.0, 0.3, 5, 5, None), "rng=None"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_raises_value_error_naming_the_argument(case):
    call, pattern = BAD_INPUTS[case]
    with pytest.raises(ValueError, match=pattern) as err:
        call()
    assert "valid" in str(err.value).lower()  # says what would be right


def test_unstable_gain_message_teaches():
    with pytest.raises(ValueError) as err:
        LQR.gradient(UNSTABLE_K, 0.3)
    msg = str(err.value)
    assert "k=0.5" in msg and "unstable" in msg and "infinite" in msg
    lo, hi = LQR.stability_interval()
    assert f"{lo:.6g}" in msg and f"{hi:.6g}" in msg  # the valid range


def test_not_positive_definite_message_suggests_damping():
    with pytest.raises(ValueError) as err:
        natural.natural_step(G2, np.diag([1.0, 0.0]), 0.1)
    msg = str(err.value)
    assert "positive definite" in msg and "damping" in msg and "smallest eigenvalue" in msg


def test_expected_return_minus_inf_mode_returns_minus_inf_not_nan():
    out = LQR.expected_return(np.array([UNSTABLE_K, -1.0]), 0.3, unstable="-inf")
    assert out[0] == -np.inf and np.isfinite(out[1])
    assert float(LQR.expected_return(UNSTABLE_K, 0.3, unstable="-inf")) == -np.inf


def test_valid_edge_inputs_are_accepted():
    """The boundaries of the valid ranges are accepted, not refused."""
    M.TabularMDP(MDP.P, MDP.R, 0.0, MDP.p0)  # gamma = 0
    LinearGaussianLQR(gamma=0.0)  # R > 0
    LinearGaussianLQR(R=0.0, s0_var=0.0)
    assert optimal_gain(1.0, 1.0, 1.0) < 0  # gamma = 1 is allowed for the gain
    assert np.isfinite(natural.vanilla_step(G2, 1e-300)).all()
    M.sample_trajectories(MDP, THETA, np.int64(1), 1, GEN)  # numpy ints are ints
    # P rows that sum to 1 up to rounding
    P = np.full((3, 1, 3), 1 / 3)
    M.TabularMDP(P, np.zeros((3, 1)), 0.5, np.full(3, 1 / 3))


# --- the helpers themselves ---------------------------------------------------------------


def test_as_array_converts_and_rejects():
    np.testing.assert_array_equal(V.as_array([1, 2], "x"), [1.0, 2.0])
    assert V.as_array(3, "x").dtype == float
    with pytest.raises(ValueError, match=r"x=.*not numeric"):
        V.as_array("abc", "x")
    with pytest.raises(ValueError, match=r"x=.*NaN or infinity"):
        V.as_array([1.0, np.inf], "x")
    with pytest.raises(ValueError, match=r"x has shape \(2,\) \(1-D\); valid: a 2-D array"):
        V.as_array([1.0, 2.0], "x", ndim=2)
    with pytest.raises(ValueError, match=re.escape("x has shape (2,); valid: shape (3,)")):
        V.as_array([1.0, 2.0], "x", shape=(3,))


def test_check_in_range_open_and_closed_ends():
    assert float(V.check_in_range(0.0, "a", 0.0, 1.0)) == 0.0
    assert float(V.check_in_range(1.0, "a", 0.0, 1.0)) == 1.0
    with pytest.raises(ValueError, match=re.escape("a=0.0 is out of range; valid range: (0, 1]")):
        V.check_in_range(0.0, "a", 0.0, 1.0, low_open=True)
    with pytest.raises(ValueError, match=re.escape("valid range: [0, 1)")):
        V.check_in_range(1.0, "a", 0.0, 1.0, high_open=True)
    with pytest.raises(ValueError, match=r"a=\[-1\.\]"):
        V.check_in_range([0.5, -1.0], "a", 0.0, 1.0)  # names the offending entries


def test_check_positive():
    np.testing.assert_array_equal(V.check_positive([1e-300, 5.0], "s"), [1e-300, 5.0])
    for bad in (0.0, -1.0, np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match="s="):
            V.check_positive(bad, "s")


def test_check_int():
    assert V.check_int(3, "n") == 3 and isinstance(V.check_int(np.int32(3), "n"), int)
    assert V.check_int(0, "n", low=0) == 0
    for bad in (0, -1, 2.0, "3", None, True):
        with pytest.raises(ValueError, match="n="):
            V.check_int(bad, "n")
    with pytest.raises(ValueError, match="<= 5"):
        V.check_int(6, "n", high=5)


def test_check_rng():
    g = np.random.default_rng(0)
    assert V.check_rng(g) is g
    for bad in (None, 0, np.random.RandomState(0), np.random):
        with pytest.raises(ValueError, match=r"rng=.*default_rng"):
            V.check_rng(bad)


def test_check_distribution():
    V.check_distribution([[0.2, 0.8], [1.0, 0.0]], "P")
    V.check_distribution([[0.5, 0.5], [0.5, 0.5]], "P", axis=0)
    with pytest.raises(ValueError, match="P does not sum to 1"):
        V.check_distribution([[0.2, 0.7], [1.0, 0.0]], "P")
    with pytest.raises(ValueError, match="P has negative entries"):
        V.check_distribution([1.2, -0.2], "P")
    with pytest.raises(ValueError, match="P=.*scalar"):
        V.check_distribution(1.0, "P")
    with pytest.raises(ValueError, match="P=.*NaN"):
        V.check_distribution([np.nan, 1.0], "P")
