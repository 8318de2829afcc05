"""Finite (tabular) MDPs with softmax policies, computed exactly.

Everything here is a small linear-algebra problem, so the course can check the policy
gradient theorem, the performance difference lemma and the surrogate to machine precision
instead of to Monte Carlo noise. Conventions follow ``notebooks/MATH.md`` section 2:

- ``P[s, a, s']`` transition probabilities, ``R[s, a]`` expected rewards, ``gamma`` in [0, 1),
  ``p0[s]`` the start distribution;
- ``theta[s, a]`` softmax logits, ``pi[s, a] = softmax(theta[s, :])[a]``;
- ``V = (I - gamma P_pi)^-1 r_pi``, ``Q = R + gamma P V``, ``A = Q - V``, ``J = p0 . V``;
- ``rho = p0^T (I - gamma P_pi)^-1``, the *unnormalised* discounted state visitation
  (total mass ``1 / (1 - gamma)``); the gradient and the Fisher matrix use the same weights.

One module per concept; this package re-exports their public names (``mdp.policy_gradient``):

- :mod:`.core`: the MDP (:class:`TabularMDP`, random and two-state ones), softmax policies,
  exact policy evaluation, the discounted visitation and ``J``;
- :mod:`.gradients`: the policy gradient theorem, the Fisher matrix, the natural gradient, the
  score and the compatible critic;
- :mod:`.improvement`: the performance difference lemma, the surrogate, the visitation-weighted
  KL and the state mismatch, with the experiments that check their bounds;
- :mod:`.sampling`: trajectories and the REINFORCE estimate;
- :mod:`.stationary`: the average-reward criterion (stationary distribution) of Kakade's plateau;
- :mod:`.optimal`: value iteration and trust-region ascent.

Derived in ``notebooks/01_policy_gradient_theorem.ipynb`` (theorem, visitation, Fisher) and
``notebooks/02_surrogate_and_importance_sampling.ipynb`` (performance difference, surrogate).
"""

from .core import (  # noqa: F401  (the private helpers are used by other modules)
    PLATEAU_START,
    TabularMDP,
    Trajectories,
    _categorical,
    _check_pi,
    _check_theta,
    _log_softmax,
    _markov_chain,
    discounted_visitation,
    expected_return,
    policy_evaluation,
    random_deterministic_mdp,
    random_mdp,
    sigmoid_theta,
    softmax_policy,
    two_state_mdp,
)
from .gradients import (  # noqa: F401  (the private helpers are used by other modules)
    _block_fisher,
    compatible_critic,
    fisher_information,
    natural_policy_gradient,
    policy_gradient,
    score_softmax,
)
from .improvement import (
    MISMATCH_BOUNDS,
    SurrogatePath,
    max_total_variation,
    mismatch_bound_failures,
    performance_difference,
    random_surrogate_bound_ratios,
    state_distributions,
    surrogate,
    surrogate_error_bound,
    surrogate_path,
    visitation_kl,
)
from .optimal import (
    AscentHistory,
    optimal_return,
    trust_region_ascent,
    value_iteration,
)
from .sampling import (
    estimate_policy_gradient,
    sample_trajectories,
)
from .stationary import (
    average_reward,
    average_reward_fisher,
    average_reward_gradient,
    stationary_distribution,
)

__all__ = [
    "TabularMDP",
    "Trajectories",
    "random_mdp",
    "two_state_mdp",
    "softmax_policy",
    "policy_evaluation",
    "discounted_visitation",
    "expected_return",
    "policy_gradient",
    "fisher_information",
    "natural_policy_gradient",
    "score_softmax",
    "surrogate",
    "performance_difference",
    "visitation_kl",
    "max_total_variation",
    "surrogate_error_bound",
    "SurrogatePath",
    "surrogate_path",
    "random_surrogate_bound_ratios",
    "MISMATCH_BOUNDS",
    "mismatch_bound_failures",
    "sample_trajectories",
    "estimate_policy_gradient",
    "stationary_distribution",
    "average_reward",
    "average_reward_gradient",
    "average_reward_fisher",
    "sigmoid_theta",
    "PLATEAU_START",
    "random_deterministic_mdp",
    "state_distributions",
    "compatible_critic",
    "value_iteration",
    "optimal_return",
    "AscentHistory",
    "trust_region_ascent",
]
