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


# --- damping and the line search, laid out for notebook 07, sections 3 and 4 -------------------


@dataclass(frozen=True)
class DampingSweep:
    """Result of :func:`damping_sweep`: one entry per damping ``lambda``.

    Attributes
    ----------
    damping : ndarray of shape (L,)
    condition : ndarray of shape (L,)
        ``(mu_max + lambda) / (mu_min + lambda)``; for ``lambda = 0`` the condition number of
        the nonzero part of ``F`` (the part conjugate gradient started at 0 works in).
    residual : ndarray of shape (L,)
        ``||g - (F + lambda I) x|| / ||g||`` after ``cg_iters`` CG iterations.
    cos_undamped : ndarray of shape (L,)
        Cosine between the exact damped solution ``(F + lambda I)^-1 g`` (``F^+ g`` at
        ``lambda = 0``) and the minimum-norm undamped one ``F^+ g``.
    cos_gradient : ndarray of shape (L,)
        Cosine between the exact damped solution and ``g`` (the vanilla direction).
    n_zero : int
        Number of zero eigenvalues of ``F`` (below ``1e-12`` times the largest).
    """

    damping: np.ndarray
    condition: np.ndarray
    residual: np.ndarray
    cos_undamped: np.ndarray
    cos_gradient: np.ndarray
    n_zero: int


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def damping_sweep(F, g, damping, cg_iters: int = 10, fvp: Callable | None = None) -> DampingSweep:
    """What damping ``F + lambda I`` does to conjugate gradient and to the natural direction.

    For each ``lambda``: the condition number ``kappa = (mu_max + lambda) / (mu_min + lambda)``
    of the damped matrix (eigenvalues ``mu`` of ``F``), the relative residual of
    ``cg_iters`` CG iterations on ``(F + lambda I) x = g``, and the cosines of the exact
    solution ``x_lambda = (F + lambda I)^-1 g`` to the undamped ``F^+ g`` and to ``g``. As
    ``lambda -> 0``, ``x_lambda -> F^+ g`` (for ``g`` in the range of ``F``); as
    ``lambda -> inf``, ``x_lambda -> g / lambda``, the vanilla direction.

    Parameters
    ----------
    F : array-like of shape (n, n)
        Symmetric positive semi-definite, e.g. the sampled Fisher ``F_hat``.
    g : array-like of shape (n,)
        The gradient (estimate), nonzero.
    damping : array-like of shape (L,)
        Values of ``lambda``, each >= 0.
    cg_iters : int, default 10
        CG iterations (MATH.md section 4), >= 1.
    fvp : callable, optional
        ``v -> F v`` used by CG (e.g. ``batch.fvp``, two passes over the samples); default
        ``F @ v``. The condition numbers and exact solutions always use the dense ``F``.

    Returns
    -------
    DampingSweep

    Notes
    -----
    CG's error after ``k`` iterations is at most ``2 ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^k``
    of the start. Derived in ``notebooks/07_practical_npg.ipynb``, section 3.

    Examples
    --------
    A singular ``F``: at ``lambda = 0`` the nonzero part counts (``1 / 0.1``), a damping of 0.1
    lifts the zero eigenvalue to 0.1 (``1.1 / 0.1``) and bends ``x`` towards ``g``.

    >>> out = damping_sweep(np.diag([0.0, 0.1, 1.0]), np.array([0.0, 1.0, 1.0]), [0.0, 0.1])
    >>> out.n_zero, np.round(out.condition, 4).tolist(), np.round(out.cos_gradient, 4).tolist()
    (1, [10.0, 11.0], [0.774, 0.8222])
    """
    F = as_array(F, "F", ndim=2)
    n = F.shape[0]
    if F.shape != (n, n) or not np.allclose(F, F.T, atol=1e-12 * max(1.0, np.abs(F).max())):
        raise ValueError(f"F has shape {F.shape} or is not symmetric; valid: symmetric (n, n)")
    g = as_array(g, "g", shape=(n,))
    if not np.any(g != 0.0):
        raise ValueError("g is zero everywhere; valid: a nonzero gradient")
    damping = check_in_range(damping, "damping", 0.0)
    if damping.ndim != 1 or damping.size == 0:
        raise ValueError(f"damping has shape {damping.shape}; valid: a 1-D array, >= 1 value")
    cg_iters = check_int(cg_iters, "cg_iters")
    product = fvp if fvp is not None else (lambda v: F @ v)
    mu = np.linalg.eigvalsh(F)
    nonzero = mu[mu > 1e-12 * mu[-1]]
    x_pinv = np.linalg.pinv(F, rcond=1e-12) @ g
    rows = []
    for lam in damping:
        x_cg, info = conjugate_gradient(lambda v, lam=lam: product(v) + lam * v, g, cg_iters)
        # lambda = 0: CG started at 0 stays in the range of F, where the nonzero part counts
        kappa = (mu[-1] + lam) / (mu[0] + lam) if lam > 0 else nonzero[-1] / nonzero[0]
        x = x_pinv if lam == 0 else np.linalg.solve(F + lam * np.eye(n), g)
        rows.append(
            (kappa, info.residual_norm / np.linalg.norm(g), _cosine(x, x_pinv), _cosine(x, g))
        )
    condition, residual, cos_undamped, cos_gradient = np.array(rows).T
    return DampingSweep(damping, condition, residual, cos_undamped, cos_gradient, n - nonzero.size)


@dataclass(frozen=True)
class LineSearchCandidates:
    """Result of :func:`line_search_candidates`: one entry per candidate ``theta + c^j d``.

    Attributes
    ----------
    fraction : ndarray of shape (J,)
        ``c^j``.
    kl : ndarray of shape (J,)
        The true KL ``kl(theta + c^j d)``.
    quadratic : ndarray of shape (J,)
        Its quadratic model ``1/2 (c^j d)^T F (c^j d)``.
    predicted : ndarray of shape (J,)
        Surrogate gain ``surrogate(theta + c^j d) - surrogate(theta)``.
    true : ndarray of shape (J,)
        True gain ``evaluate(theta + c^j d) - evaluate(theta)``.
    accepted : ndarray of shape (J,), bool
        TRPO's test: ``kl <= delta`` and ``predicted >= 0``.
    """

    fraction: np.ndarray
    kl: np.ndarray
    quadratic: np.ndarray
    predicted: np.ndarray
    true: np.ndarray
    accepted: np.ndarray


def line_search_candidates(
    theta,
    full_step,
    surrogate: Callable,
    kl: Callable,
    evaluate: Callable,
    F,
    delta: float,
    n_tries: int = 4,
    backtrack_coeff: float = 0.8,
) -> LineSearchCandidates:
    """TRPO's first ``n_tries`` candidates ``theta + c^j d``, each with its KL check spelled out.

    What :func:`course_utils.natural.backtracking_line_search` tests, candidate by candidate,
    beside the quadratic model of the KL that chose the step and the true gain: the table of a
    line search. The line search itself accepts the first candidate with ``accepted`` True.

    Parameters
    ----------
    theta : array-like of shape (n,)
    full_step : array-like of shape (n,)
        ``d``, e.g. ``natural_step(g, F, delta)``.
    surrogate, kl, evaluate : callable
        ``theta_new -> float``: the surrogate ``Abar``, the KL to ``pi_theta``, the true ``J``.
    F : array-like of shape (n, n)
        The Fisher of the quadratic KL model.
    delta : float
        KL limit, > 0.
    n_tries : int, default 4
        Candidates ``j = 0, ..., n_tries - 1``, >= 1.
    backtrack_coeff : float, default 0.8
        ``c`` in (0, 1).

    Returns
    -------
    LineSearchCandidates

    Notes
    -----
    Derived in ``notebooks/07_practical_npg.ipynb``, section 4.
    """
    theta = as_array(theta, "theta", ndim=1)
    d = as_array(full_step, "full_step", shape=theta.shape)
    F = as_array(F, "F", shape=(theta.size, theta.size))
    delta = float(check_positive(delta, "delta"))
    n_tries = check_int(n_tries, "n_tries")
    c = float(
        check_in_range(backtrack_coeff, "backtrack_coeff", 0.0, 1.0, low_open=True, high_open=True)
    )
    fraction = c ** np.arange(n_tries)
    base_surrogate, base_return = float(surrogate(theta)), float(evaluate(theta))
    rows = []
    for f in fraction:
        candidate = theta + f * d
        kl_f = float(kl(candidate))
        predicted = float(surrogate(candidate)) - base_surrogate
        rows.append(
            (kl_f, 0.5 * f**2 * d @ F @ d, predicted, float(evaluate(candidate)) - base_return)
        )
    kl_, quadratic, predicted, true = np.array(rows).T
    accepted = (kl_ <= delta) & (predicted >= 0.0)
    return LineSearchCandidates(fraction, kl_, quadratic, predicted, true, accepted)
