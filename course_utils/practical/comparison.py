"""The equal-budget comparison of the four update rules (notebook 07, section 6).

A :class:`PolicyProblem` (start, sampler, evaluator) and :func:`compare_at_equal_budget`:
vanilla's ``eps`` tuned on seeds of its own, then every rule of :data:`.updates.METHODS` run
on fresh seeds at the same number of rollouts per iteration.

Derived in ``notebooks/07_practical_npg.ipynb``, section 6.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .._validation import check_int, check_positive, check_rng
from .updates import METHODS, UpdateSettings, learning_curves, step_size_sweep

# --- the equal-budget comparison of notebook 07, section 6 -----------------------------------


@dataclass(frozen=True)
class PolicyProblem:
    """A policy-optimisation problem as the drivers need it: a start, a sampler, an evaluator.

    Attributes
    ----------
    theta0 : ndarray of shape (n,)
        Start parameters.
    sample : callable
        ``(theta, rng) -> PolicyBatch``, the same number of rollouts per call.
    evaluate : callable
        ``theta -> float``, the return recorded at every iterate (e.g. the exact ``J``).
    exact_fisher : callable, optional
        ``theta -> F`` of shape (n, n), for the ``"natural"`` rule.
    valid : callable, optional
        ``theta -> bool``, the policy's domain (e.g. ``sigma > 0`` and a stable gain).
    """

    theta0: np.ndarray
    sample: Callable
    evaluate: Callable
    exact_fisher: Callable | None = None
    valid: Callable | None = None


@dataclass(frozen=True)
class BudgetComparison:
    """Result of :func:`compare_at_equal_budget`.

    Attributes
    ----------
    sweep : ndarray of shape (len(eps_grid),)
        Vanilla's mean return over the run, averaged over the sweep's seeds, per ``eps``.
    eps : float
        The ``eps`` of ``eps_grid`` with the largest ``sweep`` (vanilla's tuned step size).
    runs : dict
        ``{method: list of n_seeds OptimisationRun}`` for every method of :data:`METHODS`.
    """

    sweep: np.ndarray
    eps: float
    runs: dict


def compare_at_equal_budget(
    problem: PolicyProblem,
    eps_grid: Sequence[float],
    n_seeds: int,
    n_iter: int,
    rng: np.random.Generator,
    settings: UpdateSettings,
    n_sweep_seeds: int = 3,
) -> BudgetComparison:
    """Tune vanilla's ``eps`` on seeds of its own, then run the four rules on fresh seeds.

    The generator is split as ``sweep_rng, curve_rng = rng.spawn(2)``: the sweep
    (:func:`step_size_sweep` over ``eps_grid`` on ``n_sweep_seeds`` seeds, scored by the mean
    return over the run) uses the first, the runs of every rule of :data:`METHODS`
    (:func:`learning_curves`, ``n_seeds`` seeds) the second. Vanilla runs with the tuned
    ``eps``, the natural rules and TRPO with ``settings`` unchanged (their ``delta`` is not
    tuned), so the comparison favours vanilla. Every rule samples the same number of
    state-action pairs per iteration: an equal sample budget.

    Parameters
    ----------
    problem : PolicyProblem
    eps_grid : sequence of float
        Vanilla step sizes to try, each > 0; at least one.
    n_seeds : int
        Seeds of the comparison, >= 1.
    n_iter : int
        Iterations per run, >= 1.
    rng : numpy.random.Generator
    settings : UpdateSettings
        Settings of the natural rules and TRPO (and vanilla's, except ``eps``).
    n_sweep_seeds : int, default 3
        Seeds per ``eps`` of the sweep, >= 1.

    Returns
    -------
    BudgetComparison

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``, section 6.
    """
    if not isinstance(problem, PolicyProblem):
        raise ValueError(f"problem={problem!r} is invalid; valid: a PolicyProblem")
    eps_grid = check_positive(eps_grid, "eps_grid")
    if eps_grid.ndim != 1 or eps_grid.size == 0:
        raise ValueError(f"eps_grid has shape {eps_grid.shape}; valid: a 1-D grid, >= 1 value")
    rng = check_rng(rng)
    if not isinstance(settings, UpdateSettings):
        raise ValueError(f"settings={settings!r} is invalid; valid: an UpdateSettings")
    n_seeds = check_int(n_seeds, "n_seeds")
    n_sweep_seeds = check_int(n_sweep_seeds, "n_sweep_seeds")
    p = problem
    sweep_rng, curve_rng = rng.spawn(2)
    sweep = step_size_sweep(
        p.theta0,
        p.sample,
        "vanilla",
        "eps",
        tuple(eps_grid),
        n_sweep_seeds,
        n_iter,
        sweep_rng,
        settings,
        p.evaluate,
        valid=p.valid,
    ).mean(axis=1)
    eps = float(eps_grid[int(np.argmax(sweep))])
    rules = {m: replace(settings, eps=eps) if m == "vanilla" else settings for m in METHODS}
    runs = learning_curves(
        p.theta0,
        p.sample,
        METHODS,
        n_seeds,
        n_iter,
        curve_rng,
        rules,
        p.evaluate,
        p.exact_fisher,
        p.valid,
    )
    return BudgetComparison(sweep, eps, runs)
