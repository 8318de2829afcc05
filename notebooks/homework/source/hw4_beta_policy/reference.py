"""Reference solutions of homework 4 (``hw4_beta_policy``) and the judge's referees.

INSTRUCTOR ONLY: this file lives with the instructor's source and is never released
(``nbgrader_config.py`` ignores it when releasing). The trusted judge imports it and, for each
test cell, calls ``REFEREES[grade_id](ns)``, where ``ns`` is the namespace after the test cell
ran (the student's functions and values under their names, plus the locked cells' names). A
referee compares the student's answer with the reference on hidden inputs, with the same
representation rules as the visible checks (lists accepted, float32 within ten times
:data:`~course_utils.checks._core.FLOAT32_RTOL` where the exercise allows it), and returns
:class:`~course_utils.checks._core.Points` out of the cell's points; the judge keeps
the smaller of the cell's score and the referee's.

The policy: ``pi(a) = Beta(a; alpha, beta)`` on ``(0, 1)`` with ``alpha = exp(u)``,
``beta = exp(v)``, ``theta = (u, v)``; the objective ``J(theta) = E[-(a - a_target)^2]``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, polygamma

from course_utils.checks import hw4 as checks_hw4
from course_utils.checks._core import Fail, Part, as_array, at_stake, call, matches, rel_error

# --- reference implementations ------------------------------------------------------------------


def score_ref(theta, a):
    """Score of ``Beta(a; e^u, e^v)`` in ``(u, v)``; shape ``(..., 2)``."""
    alpha, beta = np.exp(np.asarray(theta, dtype=float))
    a = np.asarray(a, dtype=float)
    psi_sum = digamma(alpha + beta)
    du = alpha * (np.log(a) - digamma(alpha) + psi_sum)
    dv = beta * (np.log1p(-a) - digamma(beta) + psi_sum)
    return np.stack([du, dv], axis=-1)


def fisher_ref(theta):
    """Fisher matrix in ``(u, v)``: ``D F_ab D`` with ``D = diag(alpha, beta)``."""
    alpha, beta = np.exp(np.asarray(theta, dtype=float))
    t = polygamma(1, alpha + beta)
    F_ab = np.array([[polygamma(1, alpha) - t, -t], [-t, polygamma(1, beta) - t]])
    D = np.array([alpha, beta])
    return D[:, None] * F_ab * D[None, :]


def objective_ref(theta, a_target):
    """``J = -(Var[a] + (E[a] - a_target)^2)``."""
    alpha, beta = np.exp(np.asarray(theta, dtype=float))
    kappa = alpha + beta
    m = alpha / kappa
    var = m * (1 - m) / (kappa + 1)
    return float(-(var + (m - a_target) ** 2))


def objective_gradient_ref(theta, a_target):
    """Exact ``dJ/d(u, v)``, through ``m`` and ``kappa``."""
    alpha, beta = np.exp(np.asarray(theta, dtype=float))
    kappa = alpha + beta
    m = alpha / kappa
    dJ_dm = -((1 - 2 * m) / (kappa + 1) + 2 * (m - a_target))
    dJ_dkappa = m * (1 - m) / (kappa + 1) ** 2
    # dm/du = m (1 - m), dm/dv = -m (1 - m); dkappa/du = alpha, dkappa/dv = beta
    return np.array(
        [dJ_dm * m * (1 - m) + dJ_dkappa * alpha, -dJ_dm * m * (1 - m) + dJ_dkappa * beta]
    )


def natural_gradient_ref(theta, a_target):
    """``F^-1 g`` with the reference Fisher and gradient."""
    return np.linalg.solve(fisher_ref(theta), objective_gradient_ref(theta, a_target))


def ascent_ref(theta0, a_target, eps, n_steps, natural):
    """Trust-region ascent: vanilla ``||d||^2 = eps``, natural ``1/2 d^T F d = eps``."""
    theta = np.array(theta0, dtype=float)
    path = [theta.copy()]
    for _ in range(n_steps):
        g = objective_gradient_ref(theta, a_target)
        if natural:
            x = natural_gradient_ref(theta, a_target)
            d = np.sqrt(2 * eps / (g @ x)) * x
        else:
            d = np.sqrt(eps / (g @ g)) * g
        theta = theta + d
        path.append(theta.copy())
    return np.array(path)


def step_kl_ref(path):
    """Second-order KL ``1/2 d_t^T F(theta_t) d_t`` of each step of ``path``."""
    path = np.asarray(path, dtype=float)
    d = np.diff(path, axis=0)
    return np.array([0.5 * dt @ fisher_ref(th) @ dt for dt, th in zip(d, path[:-1], strict=True)])


# --- referees -----------------------------------------------------------------------------------
# Each referee puts at stake exactly the points of the visible check's *correctness* parts (the
# score's derivative, the Fisher's KL Hessian, ...) and re-judges them against the reference on
# hidden inputs (``at_stake``: the structural parts, shape and the like, are left to the check).
# So a mistake the visible check catches loses the same points here (the judge's minimum equals
# the check's score), and an answer that is right on the visible inputs only loses them here.
# Exercises built on the student's own earlier functions are compared with the reference only
# where those functions agree with it (error carried forward); otherwise the visible check's
# consistency parts decide.

HIDDEN_SEEDS = (101, 202, 303)


def _theta(seed, low=0.7, high=6.0):
    rng = np.random.default_rng(seed)
    return rng, np.log(rng.uniform(low, high, size=2))


def _agree(student, want, name, rtol):
    if rel_error(student, want) > rtol:
        raise Fail(f"{name} differs from the reference on a hidden input")


def _upstream_ok(ns, theta, a_target) -> bool:
    return matches(ns.get("fisher"), fisher_ref, theta) and matches(
        ns.get("objective_gradient"), objective_gradient_ref, theta, a_target
    )


def referee_score(ns):
    fn = ns.get("score")

    def run(seed):
        for s in HIDDEN_SEEDS:
            rng, theta = _theta(s)
            a = rng.beta(*np.exp(theta), size=(3, 4))
            arr, rtol = as_array(call(fn, "score", theta, a), "score", (3, 4, 2))
            _agree(arr, score_ref(theta, a), "score", max(10 * rtol, 1e-7))
            # actions near the ends of (0, 1), alpha and beta from 0.2 to 200
            _, theta = _theta(s, 0.2, 200.0)
            a = np.array([1e-6, 0.5, 1 - 1e-6])
            arr, rtol = as_array(call(fn, "score", theta, a), "score", (3, 2))
            _agree(arr, score_ref(theta, a), "score", max(10 * rtol, 1e-6))
        return "agrees with the reference on hidden inputs"

    return at_stake("score (reference)", 3, [Part("reference (derivative of log pi)", 1, run)])


def referee_fisher(ns):
    fn = ns.get("fisher")

    def run(seed):
        for s in HIDDEN_SEEDS:
            for low, high in [(0.7, 6.0), (0.2, 200.0)]:
                _, theta = _theta(s, low, high)
                arr, rtol = as_array(call(fn, "fisher", theta), "fisher", (2, 2))
                _agree(arr, fisher_ref(theta), "fisher", max(10 * rtol, 1e-7))
        return "agrees with the reference on hidden inputs"

    return at_stake("fisher (reference)", 3, [Part("reference (Hessian of the KL)", 1, run)])


def _settings(low=0.2, high=50.0):
    out = []
    for s in HIDDEN_SEEDS:
        rng, theta = _theta(s, low, high)
        out.append((theta, float(rng.uniform(0.05, 0.95))))
    return out


def referee_objective(ns):
    fn = ns.get("objective")

    def run(seed):
        for theta, a_target in _settings():
            arr, rtol = as_array(call(fn, "objective", theta, a_target), "objective")
            if arr.size != 1:
                raise Fail(f"objective returned shape {arr.shape}; one number is expected")
            _agree(arr.ravel()[0], objective_ref(theta, a_target), "J", max(10 * rtol, 1e-9))
        return "agrees with the reference on hidden inputs"

    return at_stake("objective (reference)", 1, [Part("reference", 1, run)])


def referee_objective_gradient(ns):
    fn = ns.get("objective_gradient")

    def run(seed):
        for theta, a_target in _settings():
            out = call(fn, "objective_gradient", theta, a_target)
            arr, rtol = as_array(out, "objective_gradient", (2,))
            want = objective_gradient_ref(theta, a_target)
            _agree(arr, want, "objective_gradient", max(10 * rtol, 1e-8))
        return "agrees with the reference on hidden inputs"

    part = Part("reference (derivative of J)", 1.5, run)
    return at_stake("objective_gradient (reference)", 2, [part])


def referee_natural_gradient(ns):
    fn = ns.get("natural_gradient")

    def run(seed):
        for theta, a_target in _settings(0.5, 20.0):
            if not _upstream_ok(ns, theta, a_target):
                return "your fisher or gradient differs from the reference: see the check"
            out = call(fn, "natural_gradient", theta, a_target)
            arr, rtol = as_array(out, "natural_gradient", (2,))
            cond = float(np.linalg.cond(fisher_ref(theta)))
            want = natural_gradient_ref(theta, a_target)
            # the student's own fisher and gradient may be float32 (accepted): their errors,
            # amplified by the condition number, bound a correct answer's
            upstream = rel_error(ns["fisher"](theta), fisher_ref(theta)) + rel_error(
                ns["objective_gradient"](theta, a_target), objective_gradient_ref(theta, a_target)
            )
            _agree(arr, want, "natural_gradient", max(10 * (rtol + upstream) * cond, 1e-7))
        return "agrees with the reference on hidden inputs"

    part = Part("reference (solves F w = g)", 1.5, run)
    return at_stake("natural_gradient (reference)", 2, [part])


def referee_ascent(ns):
    """Each step of the student's path against the reference step taken from the same point."""
    fn = ns.get("ascent")

    # upstream functions count as right within 1e-4 (float32 is accepted there), so the steps
    # built on them are compared at that tolerance; a wrong step rule is off by far more
    tol = 1e-4

    def steps(natural, with_path=False):
        for s in HIDDEN_SEEDS:
            rng, theta0 = _theta(s, 0.6, 1.6)
            a_target, eps = float(rng.uniform(0.15, 0.85)), float(rng.uniform(0.005, 0.03))
            out = call(fn, "ascent", theta0.copy(), a_target, eps, 12, natural)
            path, _ = as_array(out, "ascent(...)", (13, 2), float32_ok=False)
            for theta in path[:-1]:
                if not _upstream_ok(ns, theta, a_target):
                    return None
            want = [
                np.diff(ascent_ref(th, a_target, eps, 1, natural), axis=0)[0] for th in path[:-1]
            ]
            out = (np.diff(path, axis=0), np.array(want))
            yield (*out, path[:-1]) if with_path else out

    def vanilla(seed):
        for d, want in steps(False):
            _agree(d, want, "a vanilla step", tol)
        return "every vanilla step agrees with the reference step from the same point"

    def natural_size(seed):
        # the step's second-order KL in the reference's metric, against the reference step's
        for d, want, path in steps(True, with_path=True):
            kl = [0.5 * dt @ fisher_ref(th) @ dt for dt, th in zip(d, path, strict=False)]
            kl_want = [0.5 * dt @ fisher_ref(th) @ dt for dt, th in zip(want, path, strict=False)]
            _agree(np.array(kl), np.array(kl_want), "a natural step's KL", tol)
        return "every natural step's second-order KL agrees with the reference"

    def natural_direction(seed):
        for d, want in steps(True):
            unit = d / np.linalg.norm(d, axis=1, keepdims=True)
            unit_want = want / np.linalg.norm(want, axis=1, keepdims=True)
            _agree(unit, unit_want, "a natural step's direction", tol)
        return "every natural step's direction agrees with the reference"

    parts = [
        Part("reference (vanilla steps)", 1, vanilla),
        Part("reference (natural step size)", 1, natural_size),
        Part("reference (natural direction)", 1, natural_direction),
    ]
    return at_stake("ascent (reference)", 4, parts)


def referee_kl_vanilla(ns):
    def run(seed):
        arr, rtol = as_array(ns.get("kl_vanilla"), "kl_vanilla", (None,))
        path, _ = as_array(ns.get("path_vanilla"), "path_vanilla", (None, 2))
        if not all(matches(ns.get("fisher"), fisher_ref, th) for th in path[::5]):
            return "your fisher differs from the reference: judged by consistency"
        want = step_kl_ref(path)
        if arr.shape != want.shape:
            raise Fail(f"kl_vanilla has shape {arr.shape}; expected {want.shape}")
        _agree(arr, want, "kl_vanilla", max(10 * rtol, 1e-6))
        return "agrees with the reference on your path"

    return at_stake("kl_vanilla (reference)", 1, [Part("reference", 0.5, run)])


#: the course functions each solution must not call (also checked, in the student's process, by
#: the visible check); the judge makes them raise in the worker when called by that solution
FORBIDDEN = checks_hw4.FORBIDDEN

REFEREES = {
    "test_score": referee_score,
    "test_fisher": referee_fisher,
    "test_objective": referee_objective,
    "test_objective_gradient": referee_objective_gradient,
    "test_natural_gradient": referee_natural_gradient,
    "test_ascent": referee_ascent,
    "test_kl_vanilla": referee_kl_vanilla,
}
