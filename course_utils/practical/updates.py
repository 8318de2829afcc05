"""The four update rules and the drivers that run them at an equal sample budget.

Vanilla (``||d||^2 = eps``), natural with an exact Fisher, natural with conjugate gradient on
sampled Fisher-vector products, and TRPO (the CG step plus the backtracking line search)
(:func:`policy_update`); runs, learning curves over seeds and step-size sweeps
(:func:`run_policy_optimisation`, :func:`learning_curves`, :func:`step_size_sweep`,
:func:`curve_band`). They take callables, so any policy with a batch sampler can use them.

Derived in ``notebooks/07_practical_npg.ipynb``, section 6 (MATH.md section 4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .._validation import as_array, check_in_range, check_int, check_positive, check_rng
from ..natural import (
    backtracking_line_search,
    conjugate_gradient,
    natural_step,
    vanilla_step,
)
from .batches import PolicyBatch

# --- update rules and the driver -------------------------------------------------------------

#: the four update rules compared in notebooks 07 and 08
METHODS = ("vanilla", "natural", "natural_cg", "trpo")


@dataclass(frozen=True)
class UpdateSettings:
    """Step sizes and solver settings of the four update rules (MATH.md section 4 defaults).

    Attributes
    ----------
    eps : float
        Vanilla trust region, ``||d||^2 = eps``.
    delta : float
        Natural trust region, ``1/2 d^T F d = delta``; TRPO's KL limit.
    damping : float
        ``lambda`` in ``F + lambda I`` for both natural rules and TRPO (MATH.md: 1e-5 to 0.1).
    cg_iters : int
        Conjugate-gradient iterations (10).
    backtrack_coeff : float
        TRPO's ``c`` (Spinning Up 0.8).
    max_backtracks : int
        TRPO's tries (10).
    """

    eps: float = 0.01
    delta: float = 0.01
    damping: float = 1e-3
    cg_iters: int = 10
    backtrack_coeff: float = 0.8
    max_backtracks: int = 10

    def __post_init__(self):
        check_positive(self.eps, "eps")
        check_positive(self.delta, "delta")
        check_in_range(self.damping, "damping", 0.0)
        check_int(self.cg_iters, "cg_iters")
        check_in_range(
            self.backtrack_coeff, "backtrack_coeff", 0.0, 1.0, low_open=True, high_open=True
        )
        check_int(self.max_backtracks, "max_backtracks")


@dataclass(frozen=True)
class StepInfo:
    """What one update did.

    Attributes
    ----------
    accepted : bool
        False if TRPO's line search rejected every candidate, the gradient estimate was zero
        or below conjugate gradient's tolerance (``g^T g < 1e-10``: nothing left to do), or
        no halving of the step stayed inside the domain.
    kl : float
        Sampled KL of the step on its own batch (0.0 if not accepted).
    step_fraction : float
        Fraction of the full step taken (TRPO's ``c^j``, or ``1/2^m`` after domain halvings).
    """

    accepted: bool
    kl: float
    step_fraction: float


def _natural_cg_direction(
    batch: PolicyBatch, settings: UpdateSettings, delta: float, analytic: bool = False
):
    fvp = batch.kl_hvp if analytic and batch.kl_hvp is not None else batch.fvp

    def matvec(v):
        return fvp(v) + settings.damping * v

    x, info = conjugate_gradient(matvec, batch.g, settings.cg_iters)
    if info.xAx <= 0.0:  # g below CG's tolerance: no usable direction
        return None
    return np.sqrt(2.0 * delta / info.xAx) * x


def policy_update(
    method: str,
    batch: PolicyBatch,
    settings: UpdateSettings,
    exact_fisher: Callable | None = None,
    valid: Callable | None = None,
):
    """One update of ``batch.theta`` by one of the four rules of :data:`METHODS`.

    - ``"vanilla"``: ``d = sqrt(eps / g^T g) g`` (:func:`course_utils.natural.vanilla_step`);
    - ``"natural"``: ``d = sqrt(2 delta / g^T x) x``, ``x = (F + lambda I)^-1 g`` with the exact
      Fisher ``exact_fisher(theta)`` (:func:`course_utils.natural.natural_step`);
    - ``"natural_cg"``: the same with ``x`` from 10 CG iterations on sampled Fisher-vector
      products and ``x^T F x`` from CG's by-product; the full step is taken unchecked;
    - ``"trpo"``: as TRPO (Schulman et al. 2015): CG on the Hessian of the batch's mean KL
      (``batch.kl_hvp``, the Fisher with the expectation over actions done exactly; ``fvp``
      where the batch has none), then :func:`course_utils.natural.backtracking_line_search`
      with the batch's surrogate and KL (accept ``KL <= delta`` and improvement ``>= 0``).

    ``g`` is always the batch estimate. A step that leaves the policy's domain
    (``valid(theta) is False``) is halved until it does not (at most 30 times), except TRPO's,
    whose KL check already rejects such candidates.

    Parameters
    ----------
    method : {"vanilla", "natural", "natural_cg", "trpo"}
    batch : PolicyBatch
    settings : UpdateSettings
    exact_fisher : callable, optional
        ``theta -> F`` of shape (n, n); required for ``"natural"``.
    valid : callable, optional
        ``theta -> bool``; default: every theta is valid.

    Returns
    -------
    theta_new : ndarray of shape (n,)
    info : StepInfo

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``.
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} is invalid; valid: one of {METHODS}")
    theta = batch.theta
    if not np.any(batch.g != 0.0):
        return theta.copy(), StepInfo(False, 0.0, 0.0)
    if method == "trpo":
        full = _natural_cg_direction(batch, settings, settings.delta, analytic=True)
        if full is None:
            return theta.copy(), StepInfo(False, 0.0, 0.0)
        result = backtracking_line_search(
            theta,
            full,
            batch.surrogate,
            batch.kl,
            settings.delta,
            settings.backtrack_coeff,
            settings.max_backtracks,
        )
        return result.theta, StepInfo(result.accepted, result.kl, result.step_fraction)
    if method == "vanilla":
        d = vanilla_step(batch.g, settings.eps)
    elif method == "natural":
        if exact_fisher is None:
            raise ValueError("exact_fisher=None; valid: a callable theta -> F for 'natural'")
        d = natural_step(batch.g, exact_fisher(theta), settings.delta, settings.damping)
    else:
        d = _natural_cg_direction(batch, settings, settings.delta)
        if d is None:
            return theta.copy(), StepInfo(False, 0.0, 0.0)
    fraction = 1.0
    for _ in range(30):  # halvings of a step that left the domain
        if valid is None or valid(theta + fraction * d):
            theta_new = theta + fraction * d
            return theta_new, StepInfo(True, float(batch.kl(theta_new)), fraction)
        fraction *= 0.5
    return theta.copy(), StepInfo(False, 0.0, 0.0)


@dataclass(frozen=True)
class OptimisationRun:
    """Iterates of one run of :func:`run_policy_optimisation`.

    Attributes
    ----------
    theta : ndarray of shape (n_iter + 1, n)
    returns : ndarray of shape (n_iter + 1,)
        ``evaluate(theta)`` at every iterate (exact evaluation, not counted as samples).
    kl : ndarray of shape (n_iter,)
        Sampled KL of each step on its batch.
    accepted : ndarray of shape (n_iter,), bool
    step_fraction : ndarray of shape (n_iter,)
        Fraction of the full step taken (TRPO's ``c^j``; 1.0 for an unchecked step).
    n_samples : int
        State-action samples used in total: the sample budget.
    """

    theta: np.ndarray
    returns: np.ndarray
    kl: np.ndarray
    accepted: np.ndarray
    step_fraction: np.ndarray
    n_samples: int


def run_policy_optimisation(
    theta0,
    sample: Callable,
    method: str,
    n_iter: int,
    rng: np.random.Generator,
    settings: UpdateSettings,
    evaluate: Callable,
    exact_fisher: Callable | None = None,
    valid: Callable | None = None,
) -> OptimisationRun:
    """Run one update rule for ``n_iter`` iterations, one fresh batch per iteration.

    Parameters
    ----------
    theta0 : array-like of shape (n,)
    sample : callable
        ``(theta, rng) -> PolicyBatch`` (e.g. a closure over :func:`tabular_batch`); the same
        number of rollouts per call for every method gives the equal sample budget.
    method : str
        One of :data:`METHODS`.
    n_iter : int
        >= 1.
    rng : numpy.random.Generator
    settings : UpdateSettings
    evaluate : callable
        ``theta -> float``, the return to record (e.g. the exact ``J``).
    exact_fisher, valid : callable, optional
        As :func:`policy_update`.

    Returns
    -------
    OptimisationRun

    Notes
    -----
    Used in ``notebooks/07_practical_npg.ipynb`` and ``notebooks/08_npg_on_cartpole.ipynb``.
    """
    theta = as_array(theta0, "theta0", ndim=1).copy()
    n_iter = check_int(n_iter, "n_iter")
    rng = check_rng(rng)
    thetas = np.empty((n_iter + 1, theta.size))
    returns = np.empty(n_iter + 1)
    kls = np.zeros(n_iter)
    accepted = np.zeros(n_iter, dtype=bool)
    fractions = np.zeros(n_iter)
    thetas[0], returns[0] = theta, evaluate(theta)
    n_samples = 0
    for t in range(n_iter):  # iterations of the algorithm
        batch = sample(theta, rng)
        n_samples += batch.n_samples
        theta, info = policy_update(method, batch, settings, exact_fisher, valid)
        kls[t], accepted[t], fractions[t] = info.kl, info.accepted, info.step_fraction
        thetas[t + 1], returns[t + 1] = theta, evaluate(theta)
    return OptimisationRun(thetas, returns, kls, accepted, fractions, n_samples)


def learning_curves(
    theta0,
    sample: Callable,
    methods: Sequence[str],
    n_seeds: int,
    n_iter: int,
    rng: np.random.Generator,
    settings: UpdateSettings | dict,
    evaluate: Callable,
    exact_fisher: Callable | None = None,
    valid: Callable | None = None,
) -> dict:
    """Run every method from ``theta0`` on ``n_seeds`` independent streams of ``rng``.

    The seeds are ``rng.spawn(n_seeds)``; seed ``i`` spawns one child stream per method, so
    all runs are independent and the whole table is fixed by the one top generator.

    Parameters
    ----------
    theta0, sample, n_iter, evaluate, exact_fisher, valid
        As :func:`run_policy_optimisation`.
    methods : sequence of str
        Subset of :data:`METHODS`.
    n_seeds : int
        >= 1.
    rng : numpy.random.Generator
    settings : UpdateSettings or dict
        One for all methods, or ``{method: UpdateSettings}``.

    Returns
    -------
    dict
        ``{method: list of n_seeds OptimisationRun}``.
    """
    rng = check_rng(rng)
    n_seeds = check_int(n_seeds, "n_seeds")
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"methods contains {m!r}; valid: names from {METHODS}")
    runs = {m: [] for m in methods}
    for seed_rng in rng.spawn(n_seeds):
        for m, method_rng in zip(methods, seed_rng.spawn(len(methods)), strict=True):
            s = settings[m] if isinstance(settings, dict) else settings
            runs[m].append(
                run_policy_optimisation(
                    theta0, sample, m, n_iter, method_rng, s, evaluate, exact_fisher, valid
                )
            )
    return runs


def step_size_sweep(
    theta0,
    sample: Callable,
    method: str,
    field: str,
    values: Sequence[float],
    n_seeds: int,
    n_iter: int,
    rng: np.random.Generator,
    settings: UpdateSettings,
    evaluate: Callable,
    exact_fisher: Callable | None = None,
    valid: Callable | None = None,
) -> np.ndarray:
    """Area under the learning curve for each value of one setting (e.g. ``eps`` or ``delta``).

    Parameters
    ----------
    theta0, sample, method, n_iter, evaluate, exact_fisher, valid
        As :func:`run_policy_optimisation`.
    field : str
        Name of the :class:`UpdateSettings` field to vary.
    values : sequence of float
    n_seeds : int
        Independent runs per value (``rng.spawn``).
    rng : numpy.random.Generator
    settings : UpdateSettings
        The other settings.

    Returns
    -------
    ndarray of shape (len(values), n_seeds)
        Mean of ``evaluate`` over the ``n_iter + 1`` iterates of each run; pick the value
        with the largest mean over seeds, then evaluate on fresh seeds.
    """
    fields = tuple(UpdateSettings.__dataclass_fields__)
    if field not in fields:
        raise ValueError(f"field={field!r} is invalid; valid: one of {fields}")
    rng = check_rng(rng)
    n_seeds = check_int(n_seeds, "n_seeds")
    out = np.empty((len(values), n_seeds))
    for i, (value, value_rng) in enumerate(zip(values, rng.spawn(len(values)), strict=True)):
        s = replace(settings, **{field: value})
        for j, seed_rng in enumerate(value_rng.spawn(n_seeds)):
            run = run_policy_optimisation(
                theta0, sample, method, n_iter, seed_rng, s, evaluate, exact_fisher, valid
            )
            out[i, j] = run.returns.mean()
    return out


@dataclass(frozen=True)
class CurveBand:
    """Mean and spread of learning curves over seeds (what the plotting layer draws).

    Attributes
    ----------
    iterations : ndarray of shape (T,)
    mean, lower, upper : ndarray of shape (T,)
    spread : str
        ``"std"`` (mean +- one standard deviation) or ``"minmax"``.
    """

    iterations: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    spread: str


def curve_band(curves, spread: str = "std") -> CurveBand:
    """Mean over seeds and a band: ``mean +- std`` (ddof=1) or ``[min, max]``.

    Parameters
    ----------
    curves : array-like of shape (n_seeds, T) or list of OptimisationRun
    spread : {"std", "minmax"}

    Returns
    -------
    CurveBand
    """
    if spread not in ("std", "minmax"):
        raise ValueError(f"spread={spread!r} is invalid; valid: 'std' or 'minmax'")
    if len(curves) and isinstance(curves[0], OptimisationRun):
        curves = np.stack([run.returns for run in curves])
    curves = as_array(curves, "curves", ndim=2)
    mean = curves.mean(axis=0)
    if spread == "std":
        std = curves.std(axis=0, ddof=1) if curves.shape[0] > 1 else np.zeros_like(mean)
        lower, upper = mean - std, mean + std
    else:
        lower, upper = curves.min(axis=0), curves.max(axis=0)
    return CurveBand(np.arange(curves.shape[1]), mean, lower, upper, spread)
