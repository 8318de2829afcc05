"""Practical natural policy gradients: sampled batches, the four update rules, PPO, the plateau.

Everything ``notebooks/07_practical_npg.ipynb`` runs, in six modules, one per concept
(``notebooks/MATH.md`` sections 1, 2 and 4; seed 001's practical notes); this package re-exports
their public names, so ``from course_utils import practical as pr; pr.policy_update`` works:

- :mod:`.objectives`, **first-order alternatives** to the trust region: the KL-penalised
  surrogate and PPO's clipped surrogate, with their gradients (:func:`ppo_clip_objective`,
  :func:`ppo_clip_coefficients`, :func:`tabular_first_order_objective`,
  :func:`gradient_ascent`), the penalty whose multiplier is adapted by dual gradient
  descent (:func:`dual_kl_penalty`), and what each objective's maximiser does
  (:func:`first_order_outcomes`, :func:`tabular_step_outcome`);
- :mod:`.batches`, **sampled batches** (:class:`PolicyBatch`): the gradient estimate, a
  Fisher-vector product, the sampled surrogate and the sampled KL of one batch of rollouts, for
  the tabular softmax (:func:`tabular_batch`) and the k / sigma Gaussian (:func:`lqr_batch`);
- :mod:`.updates`, **the update rules and a driver**: vanilla (``||d||^2 = eps``), natural
  with an exact Fisher, natural with conjugate gradient on sampled Fisher-vector products, and
  TRPO (the CG step plus the backtracking line search), run for ``n_iter`` iterations at a
  fixed number of rollouts per iteration (:func:`policy_update`,
  :func:`run_policy_optimisation`, :func:`learning_curves`, :func:`curve_band`). They take
  callables, so any policy with a batch sampler can use them;
- :mod:`.comparison`, **the equal-budget comparison** of the four rules
  (:func:`compare_at_equal_budget` on a :class:`PolicyProblem`);
- :mod:`.diagnostics`, **damping and TRPO's line search laid out as tables**
  (:func:`damping_sweep`, :func:`line_search_candidates`);
- :mod:`.plateau`, **Kakade's two-state plateau** in closed form (:func:`plateau_average_reward`,
  :func:`plateau_gradient`, :func:`plateau_fisher`, :func:`plateau_visitation`), iterated
  exactly (:func:`plateau_ascent`) or integrated as a gradient flow (:func:`plateau_flow`).

Derived in ``notebooks/07_practical_npg.ipynb``.
"""

from .batches import (
    PolicyBatch,
    linear_softmax_fvp,
    linear_softmax_kl_hvp,
    linear_softmax_policy,
    linear_softmax_scores,
    lqr_batch,
    tabular_batch,
)
from .comparison import BudgetComparison, PolicyProblem, compare_at_equal_budget
from .diagnostics import (
    DampingSweep,
    LineSearchCandidates,
    damping_sweep,
    line_search_candidates,
)
from .objectives import (
    DualPenaltyRun,
    dual_kl_penalty,
    first_order_outcomes,
    gradient_ascent,
    kl_penalty_objective,
    ppo_clip_coefficients,
    ppo_clip_objective,
    tabular_first_order_objective,
    tabular_step_outcome,
)
from .plateau import (
    PlateauPath,
    plateau_ascent,
    plateau_average_reward,
    plateau_fisher,
    plateau_flow,
    plateau_gradient,
    plateau_natural_gradient,
    plateau_visitation,
)
from .updates import (
    METHODS,
    CurveBand,
    OptimisationRun,
    StepInfo,
    UpdateSettings,
    curve_band,
    learning_curves,
    policy_update,
    run_policy_optimisation,
    step_size_sweep,
)

__all__ = [
    "ppo_clip_objective",
    "ppo_clip_coefficients",
    "kl_penalty_objective",
    "tabular_first_order_objective",
    "gradient_ascent",
    "DualPenaltyRun",
    "dual_kl_penalty",
    "tabular_step_outcome",
    "first_order_outcomes",
    "linear_softmax_policy",
    "linear_softmax_scores",
    "linear_softmax_fvp",
    "linear_softmax_kl_hvp",
    "PolicyBatch",
    "tabular_batch",
    "lqr_batch",
    "UpdateSettings",
    "METHODS",
    "StepInfo",
    "policy_update",
    "OptimisationRun",
    "run_policy_optimisation",
    "learning_curves",
    "step_size_sweep",
    "CurveBand",
    "curve_band",
    "DampingSweep",
    "damping_sweep",
    "LineSearchCandidates",
    "line_search_candidates",
    "PolicyProblem",
    "BudgetComparison",
    "compare_at_equal_budget",
    "plateau_visitation",
    "plateau_average_reward",
    "plateau_gradient",
    "plateau_fisher",
    "plateau_natural_gradient",
    "PlateauPath",
    "plateau_ascent",
    "plateau_flow",
]
