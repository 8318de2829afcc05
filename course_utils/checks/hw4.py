"""Checks of homework 4 (``hw4_beta_policy``): the Beta policy's score, Fisher, natural gradient.

The policy is ``pi(a) = Beta(a; alpha, beta)`` on ``(0, 1)`` with ``alpha = exp(u)``,
``beta = exp(v)`` and ``theta = (u, v)``; the exercise states its log-density

    log pi(a) = (alpha - 1) log a + (beta - 1) log(1 - a) - log B(alpha, beta),
    log B(alpha, beta) = lgamma(alpha) + lgamma(beta) - lgamma(alpha + beta),

and the objective ``J(theta) = E_{a ~ pi}[-(a - a_target)^2]``. Every part tests a property the
student can see, computed from those two statements only: the score's mean is 0 by Monte Carlo
and it is the derivative of the log-density by central finite differences; the Fisher matrix is
the second moment of the student's own score (within its standard error) and the Hessian of
the KL divergence (the KL and ``J`` are integrals of the stated density, computed here by
Gauss-Jacobi-weighted quadrature, ``scipy.integrate.quad`` with ``weight="alg"``); the natural
gradient solves ``F w = g`` with the student's own ``F`` and ``g``; the ascent's steps have the
stated sizes and directions with the student's own functions. No part compares with a stored
answer: the reference is with the instructor's source and is used only when grading.

float32 policy, per exercise: ``score``, ``fisher``, ``objective``, ``objective_gradient``,
``natural_gradient`` and ``kl_vanilla`` may be float32 (relative tolerance
:data:`~course_utils.checks._core.FLOAT32_RTOL`, amplified by the condition number of ``F`` for
the natural gradient); ``ascent`` needs float64 (an iteration whose steps are checked to 1e-6:
single precision rounds each parameter at about 1e-7 relative and the errors accumulate).

Delegation: :data:`FORBIDDEN` names, per solution cell, the course functions that would do the
exercise (``course_utils.finite_diff`` for the derivations, ``course_utils.natural`` for the
natural gradient and the steps); a solution that calls one scores 0 for that exercise, here and
in the judge (the instructor's ``reference.py`` re-exports the table).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from ._core import (
    Fail,
    Part,
    Stop,
    as_array,
    call,
    close,
    fmt,
    forbid,
    grade,
    gradient_mismatch,
    mean_and_se,
    rel_error,
    value_given,
)

__all__ = [
    "FORBIDDEN",
    "score",
    "fisher",
    "objective",
    "objective_gradient",
    "natural_gradient",
    "ascent",
    "kl_vanilla",
]

_FD = ("course_utils.finite_diff.gradient", "course_utils.finite_diff.hessian")
_NATURAL = (
    "course_utils.natural.natural_gradient",
    "course_utils.natural.natural_step",
    "course_utils.natural.vanilla_step",
    "course_utils.natural.conjugate_gradient",
    "course_utils.natural.natural_step_cg",
)

#: the course's own implementations a solution must not call, per exercise (solution cell): the
#: exercises are the derivations (no numerical differentiation) and the steps themselves
FORBIDDEN = {
    "score": _FD,
    "fisher": _FD,
    "objective_gradient": _FD,
    "natural_gradient": _NATURAL,
    "ascent": _NATURAL,
}


# --- the stated log-density and integrals of it --------------------------------------------------


def _log_density(theta, a):
    """``log Beta(a; e^u, e^v)`` as the exercise states it (theta of shape (..., 2))."""
    theta = np.asarray(theta, dtype=float)
    alpha, beta = np.exp(theta[..., 0]), np.exp(theta[..., 1])
    log_b = gammaln(alpha) + gammaln(beta) - gammaln(alpha + beta)
    return (alpha - 1) * np.log(a) + (beta - 1) * np.log1p(-a) - log_b


def _fd_score(theta, a, h=1e-6):
    """Central finite differences of the log-density in u and in v, shape ``a.shape + (2,)``."""
    theta = np.asarray(theta, dtype=float)
    cols = []
    for e in np.eye(2):
        cols.append((_log_density(theta + h * e, a) - _log_density(theta - h * e, a)) / (2 * h))
    fd = np.stack(cols, axis=-1)
    return fd


def _expect(theta, weight="alg", f=None):
    """``E_theta[w(a) f(a)]`` by quadrature with the Beta kernel as the weight.

    ``weight="alg"`` integrates ``f``; ``"alg-loga"`` / ``"alg-logb"`` integrate ``f log a`` /
    ``f log(1 - a)``. Divided by the kernel's own integral, so it is an expectation.
    """
    from scipy.integrate import quad  # here: the checks' import stays light

    alpha, beta = np.exp(np.asarray(theta, dtype=float))
    wvar = (alpha - 1.0, beta - 1.0)
    one = quad(lambda x: 1.0, 0.0, 1.0, weight="alg", wvar=wvar, epsabs=0, epsrel=1e-13)[0]
    g = f if f is not None else (lambda x: 1.0)
    value = quad(g, 0.0, 1.0, weight=weight, wvar=wvar, epsabs=0, epsrel=1e-13, limit=200)[0]
    return value / one


def _kl(theta, theta_new):
    """``KL(pi_theta || pi_theta_new)`` from the stated log-density, by quadrature."""
    theta, theta_new = np.asarray(theta, dtype=float), np.asarray(theta_new, dtype=float)
    (alpha, beta), (alpha2, beta2) = np.exp(theta), np.exp(theta_new)
    mean_log_a = _expect(theta, "alg-loga")
    mean_log_b = _expect(theta, "alg-logb")
    log_b = gammaln(alpha) + gammaln(beta) - gammaln(alpha + beta)
    log_b2 = gammaln(alpha2) + gammaln(beta2) - gammaln(alpha2 + beta2)
    return float((alpha - alpha2) * mean_log_a + (beta - beta2) * mean_log_b - log_b + log_b2)


def _kl_hessian(theta, t=1e-3):
    """Hessian of ``theta' -> KL(pi_theta || pi_theta')`` at ``theta' = theta``, 2nd differences."""
    theta = np.asarray(theta, dtype=float)

    def form(u):
        u = np.asarray(u, dtype=float)
        return (_kl(theta, theta + t * u) + _kl(theta, theta - t * u)) / t**2

    e1, e2 = form([1.0, 0.0]), form([0.0, 1.0])
    off = (form([1.0, 1.0]) - e1 - e2) / 2
    return np.array([[e1, off], [off, e2]])


def _objective_by_quadrature(theta, a_target):
    return -_expect(theta, "alg", lambda x: (x - a_target) ** 2)


def _theta(seed, low=0.7, high=6.0):
    """A random policy: alpha and beta uniform in [low, high]."""
    rng = np.random.default_rng(seed)
    return rng, np.log(rng.uniform(low, high, size=2))


def _number(value, name, float32_ok=True):
    arr, rtol = as_array(value, name, float32_ok=float32_ok)
    if arr.size != 1:
        raise Stop(f"{name} has shape {arr.shape}; one number is expected")
    return float(arr.ravel()[0]), rtol


def _chain_rule_hint(mine, want_uv, theta):
    """If ``mine`` is the (alpha, beta)-version of a (u, v)-quantity, say so."""
    alpha_beta = np.exp(np.asarray(theta, dtype=float))
    if want_uv.ndim == mine.ndim and rel_error(mine * alpha_beta, want_uv) < 1e-4:
        return (
            "it is the derivative in (alpha, beta), not in theta = (u, v) = (log alpha, log beta):"
            " apply the chain rule"
        )
    return ""


# --- exercise 1: the score ----------------------------------------------------------------------


def score(fn, seeds=(0,)) -> float:
    """Check ``score(theta, a)``, the score of ``Beta(a; e^u, e^v)`` in ``theta = (u, v)``.

    Parts: the shape ``(..., 2)`` for ``a`` of shapes ``(8,)``, ``(3, 4)`` and ``()`` (1 point);
    the mean of each component is 0 under the policy, by Monte Carlo on 20,000 actions within 5
    standard errors (1 point); each component equals the derivative of the stated log-density
    by central finite differences, relative error <= 1e-6 (1 point). float32 is a correct
    answer. A solution that calls ``course_utils.finite_diff`` scores 0 (the exercise is the
    derivation). Homework ``hw4_beta_policy``, exercise 1.

    Parameters
    ----------
    fn : callable
        The student's ``score(theta, a)``: ``theta`` of shape (2,), ``a`` of shape (...)
        in (0, 1); returns shape (..., 2).
    seeds : iterable of int, default (0,)
        The inputs to test on: ``(0,)`` in the visible check, more in the hidden test.

    Returns
    -------
    Points
        The points earned (nbgrader reads them as the cell's partial credit).
    """

    def gate(seed):
        _, theta = _theta(seed)
        forbid(fn, "score", FORBIDDEN["score"], theta, np.array([0.3, 0.6]))

    def shapes(seed):
        rng, theta = _theta(seed)
        for shape in [(8,), (3, 4), ()]:
            a = rng.beta(*np.exp(theta), size=shape)
            out = call(fn, "score", theta, a)
            arr, _ = as_array(out, f"score(theta, a) for a of shape {shape}")
            if arr.shape != (*shape, 2):
                hint = "the two components go on a new LAST axis (np.stack(..., axis=-1))"
                if arr.shape == (2, *shape):
                    hint = "the components are on the first axis; they belong on the last"
                raise Stop(
                    f"for a of shape {shape} your score has shape {arr.shape}; expected "
                    f"{(*shape, 2)}: {hint}"
                )
        return "shape (..., 2) for a of shapes (8,), (3, 4) and ()"

    def mean_zero(seed):
        rng, theta = _theta(seed)
        a = rng.beta(*np.exp(theta), size=20_000)
        arr, _ = as_array(call(fn, "score", theta, a), "score", (20_000, 2))
        mean, se = mean_and_se(arr)
        z = np.abs(mean) / np.maximum(se, 1e-300)
        if np.max(z) > 5:
            i = int(np.argmax(z))
            raise Fail(
                f"at theta = {fmt(theta, 4)} the sample mean of the {'uv'[i]}-component over "
                f"20,000 actions a ~ pi is {mean[i]:.5g} +- {se[i]:.2g}, {z[i]:.0f} standard "
                "errors from 0, but every score has mean 0 under its own policy: a term of "
                "log pi that depends on theta is missing or wrong (the normaliser log B depends "
                "on both alpha and beta; and alpha, beta depend on u, v: the chain rule)"
            )
        return "each component has mean 0 under the policy (Monte Carlo, 5 SE)"

    def derivative(seed):
        rng, theta = _theta(seed)
        a = rng.beta(*np.exp(theta), size=6)
        arr, rtol = as_array(call(fn, "score", theta, a), "score", (6, 2))
        fd = _fd_score(theta, a)
        hint = lambda i: _chain_rule_hint(arr[:, i], fd[:, i], theta[i : i + 1])  # noqa: E731
        wrong = gradient_mismatch(arr, fd, "uv", max(rtol, 1e-6), hint)
        if wrong is not None:
            comp, why = wrong
            raise Fail(
                f"your {comp}-component is not the derivative of log pi in {comp} "
                f"(a central finite difference of the stated log-density) at theta = "
                f"{fmt(theta, 4)}: {why}"
            )
        return "both components equal the finite-difference derivatives of log pi"

    parts = [
        Part("shape", 1, shapes),
        Part("mean zero", 1, mean_zero),
        Part("derivative of log pi", 1, derivative),
    ]
    return grade("score", parts, seeds, gate)


# --- exercise 2: the Fisher matrix --------------------------------------------------------------


def fisher(fn, seeds=(0,)) -> float:
    """Check ``fisher(theta)``, the closed-form Fisher matrix of the Beta policy in ``(u, v)``.

    Parts: a symmetric positive definite ``(2, 2)`` matrix (1 point); it is the second moment
    ``E[psi psi^T]`` of the score by Monte Carlo on 20,000 actions (scores by finite
    differences of the stated log-density, so that a slip in exercise 1 is not charged twice),
    every entry within 5 standard errors (1 point); it is the Hessian of
    ``theta' -> KL(pi_theta || pi_theta')`` at ``theta' = theta``: ``x^T F x`` equals the
    second difference of the KL (computed by quadrature of the stated density) along three
    directions, relative error <= 1e-4 (1 point). float32 is a correct answer. Homework
    ``hw4_beta_policy``, exercise 2.

    Parameters
    ----------
    fn : callable
        The student's ``fisher(theta)``, returning shape (2, 2).
    seeds : iterable of int, default (0,)
        The inputs to test on: ``(0,)`` in the visible check, more in the hidden test.

    Returns
    -------
    Points
        The points earned (nbgrader reads them as the cell's partial credit).
    """

    def gate(seed):
        _, theta = _theta(seed)
        forbid(fn, "fisher", FORBIDDEN["fisher"], theta)

    def form(seed):
        for s in (seed, seed + 1000):
            _, theta = _theta(s)
            arr, _ = as_array(call(fn, "fisher", theta), "fisher(theta)", (2, 2))
            if rel_error(arr, arr.T) > 1e-6:
                raise Stop(f"fisher(theta) = {fmt(arr, 5)} is not symmetric; E[psi psi^T] is")
            low = float(np.linalg.eigvalsh(arr)[0])
            if low <= 0:
                raise Fail(
                    f"at theta = {fmt(theta, 4)} your F = {fmt(arr, 5)} has an eigenvalue "
                    f"{low:.4g} <= 0, but a Fisher matrix of two identifiable parameters is "
                    "positive definite: look at the signs of the entries"
                )
        return "a symmetric positive definite 2 x 2 matrix"

    def second_moment(seed):
        rng, theta = _theta(seed)
        arr, rtol = as_array(call(fn, "fisher", theta), "fisher", (2, 2))
        a = rng.beta(*np.exp(theta), size=20_000)
        # scores by finite differences of the stated log-density, not the student's score: a
        # slip in exercise 1 is not charged again here
        psi = _fd_score(theta, a)
        outer = psi[:, :, None] * psi[:, None, :]
        mean, se = mean_and_se(outer)
        z = np.abs(arr - mean) / np.maximum(se, 1e-300)
        if np.max(z) > 5:
            i, j = np.unravel_index(int(np.argmax(z)), z.shape)
            hint = "look at each entry's derivation (the trigamma terms and the chain rule)"
            scale = np.outer(np.exp(theta), np.exp(theta))
            if np.max(np.abs(arr * scale - mean) / np.maximum(se, 1e-300)) <= 5:
                hint = (
                    "your matrix times alpha_i alpha_j (alpha_1 = alpha, alpha_2 = beta) would "
                    "agree: is F in (alpha, beta) rather than in theta = (u, v)?"
                )
            raise Fail(
                f"at theta = {fmt(theta, 4)}, F[{i}, {j}] = {arr[i, j]:.5g} but the sample "
                f"mean of psi_{i} psi_{j} (scores by finite differences of log pi) is "
                f"{mean[i, j]:.5g} +- "
                f"{se[i, j]:.2g} ({z[i, j]:.0f} standard errors away): {hint}"
            )
        return "agrees with the Monte Carlo second moment of the score (5 SE)"

    def kl_hessian(seed):
        _, theta = _theta(seed)
        arr, rtol = as_array(call(fn, "fisher", theta), "fisher", (2, 2))
        H = _kl_hessian(theta)
        tol = max(rtol, 1e-5) + 1e-4
        if not close(arr, H, tol):
            D = np.exp(theta)
            H_ab = H / D[:, None] / D[None, :]
            if close(arr, H_ab, 10 * tol):
                hint = (
                    "your matrix is the Hessian in (alpha, beta); the parameters are "
                    "theta = (u, v) = (log alpha, log beta): apply the chain rule to both sides"
                )
            elif close(np.diag(np.diag(arr)), np.diag(np.diag(H)), tol):
                hint = "the diagonal agrees, the off-diagonal entry does not"
            else:
                hint = "compare each entry with your derivation of E[psi psi^T]"
            worst = max(
                ([1.0, 0.0], [0.0, 1.0], [1.0, 1.0]),
                key=lambda x: abs(np.array(x) @ (arr - H) @ np.array(x)),
            )
            x = np.array(worst)
            raise Fail(
                f"at theta = {fmt(theta, 4)}, along x = {fmt(x, 1)} your x^T F x = "
                f"{float(x @ arr @ x):.6g}, but the second difference of KL(pi_theta || "
                f"pi_theta+tx) / t^2 (by quadrature) is {float(x @ H @ x):.6g}; the KL's "
                f"Hessian at theta' = theta is the Fisher matrix: {hint}"
            )
        return "equals the Hessian of the KL (second differences along three directions)"

    parts = [
        Part("symmetric positive definite", 1, form),
        Part("second moment of your score", 1, second_moment),
        Part("Hessian of the KL", 1, kl_hessian),
    ]
    return grade("fisher", parts, seeds, gate)


# --- exercise 3: the objective, its gradient, the natural gradient -------------------------------


def _objective_setting(seed):
    rng, theta = _theta(seed, 0.3, 30.0)
    return theta, float(rng.uniform(0.05, 0.95))


def objective(fn, seeds=(0,)) -> float:
    """Check ``objective(theta, a_target)``, ``J = E[-(a - a_target)^2]`` in closed form.

    Part: one number equal to the expectation computed by quadrature of the stated density,
    relative error <= 1e-8, at policies with ``alpha, beta`` from 0.3 to 30 (1 point). float32
    is a correct answer (tolerance 1e-4). Homework ``hw4_beta_policy``, exercise 3.

    Parameters
    ----------
    fn : callable
        The student's ``objective(theta, a_target)``, returning one number.
    seeds : iterable of int, default (0,)
        The inputs to test on: ``(0,)`` in the visible check, more in the hidden test.

    Returns
    -------
    Points
        The points earned (nbgrader reads them as the cell's partial credit).
    """

    def expectation(seed):
        for s in (seed, seed + 1000):
            theta, a_target = _objective_setting(s)
            mine, rtol = _number(call(fn, "objective", theta, a_target), "objective(...)")
            want = _objective_by_quadrature(theta, a_target)
            if abs(mine - want) > max(rtol, 1e-8) * abs(want):
                shape_a, shape_b = np.exp(theta)
                mean = _expect(theta, "alg", lambda x: x)
                if abs(mine + (mean - a_target) ** 2) < 1e-6 * abs(want):
                    hint = (
                        "it is the reward of the MEAN action, -(E[a] - a_target)^2; J averages "
                        "the reward over the actions, and (a - a_target)^2 is not linear in a"
                    )
                elif abs(mine + want) < 1e-6 * abs(want):
                    hint = "it has the opposite sign: J is an expected reward, r = -(...)^2"
                else:
                    hint = "check the Beta's variance and how E[(a - c)^2] splits"
                raise Fail(
                    f"at alpha = {shape_a:.4f}, beta = {shape_b:.4f}, a_target = {a_target:.3f} "
                    f"your J is {mine:.8g}, but integrating -(a - a_target)^2 against the "
                    f"stated density gives {want:.8g}: {hint}"
                )
        return "equals E[-(a - a_target)^2] by quadrature"

    return grade("objective", [Part("expected reward", 1, expectation)], seeds)


def objective_gradient(fn, objective_fn, seeds=(0,)) -> float:
    """Check ``objective_gradient(theta, a_target)``, the exact gradient of ``J`` in ``(u, v)``.

    Parts: shape ``(2,)`` and float (0.5 point); it equals the central finite difference of
    ``J`` (``J`` by quadrature of the stated density), relative error <= 1e-6, at three
    policies with ``alpha, beta`` from 0.3 to 30 (1.5 points). float32 is a correct answer. A
    solution that calls ``course_utils.finite_diff`` scores 0 (the exercise is the exact
    derivative). Homework ``hw4_beta_policy``, exercise 3.

    Parameters
    ----------
    fn : callable
        The student's ``objective_gradient(theta, a_target)``, returning shape (2,).
    objective_fn : callable
        The student's ``objective`` (only to say, on a failure, whether the gradient is that of
        the student's own objective).
    seeds : iterable of int, default (0,)
        The inputs to test on: ``(0,)`` in the visible check, more in the hidden test.

    Returns
    -------
    Points
        The points earned (nbgrader reads them as the cell's partial credit).
    """

    def gate(seed):
        theta, a_target = _objective_setting(seed)
        forbid(fn, "objective_gradient", FORBIDDEN["objective_gradient"], theta, a_target)

    def shape(seed):
        theta, a_target = _objective_setting(seed)
        as_array(call(fn, "objective_gradient", theta, a_target), "objective_gradient", (2,))
        return "shape (2,)"

    def derivative(seed):
        h = 1e-5
        for s in (seed, seed + 1000, seed + 2000):
            theta, a_target = _objective_setting(s)
            out = call(fn, "objective_gradient", theta, a_target)
            arr, rtol = as_array(out, "objective_gradient", (2,))
            fd = np.array(
                [
                    (
                        _objective_by_quadrature(theta + h * e, a_target)
                        - _objective_by_quadrature(theta - h * e, a_target)
                    )
                    / (2 * h)
                    for e in np.eye(2)
                ]
            )
            if rel_error(arr, fd) > max(rtol, 1e-6):
                if rel_error(arr, -fd) < 1e-6:
                    hint = "it has the opposite sign: ascend J, do not descend the squared error"
                elif hint := _chain_rule_hint(arr, fd, theta):
                    pass
                elif _consistent_with(objective_fn, arr, theta, a_target):
                    hint = (
                        "it is the derivative of YOUR objective, which fails its own check: fix "
                        "the objective first"
                    )
                else:
                    hint = "differentiate J through E[a] and the variance, term by term"
                raise Fail(
                    f"at theta = {fmt(theta, 4)}, a_target = {a_target:.3f} your gradient is "
                    f"{fmt(arr, 6)}, but a central finite difference of J (by quadrature) is "
                    f"{fmt(fd, 6)}: {hint}"
                )
        return "equals the finite-difference gradient of J at three policies"

    parts = [Part("shape", 0.5, shape), Part("derivative of J", 1.5, derivative)]
    return grade("objective_gradient", parts, seeds, gate)


def _consistent_with(objective_fn, g, theta, a_target, h=1e-5):
    try:
        fd = [
            (
                float(np.ravel(objective_fn(theta + h * e, a_target))[0])
                - float(np.ravel(objective_fn(theta - h * e, a_target))[0])
            )
            / (2 * h)
            for e in np.eye(2)
        ]
    except Exception:  # the student's objective crashing is reported by its own check
        return False
    return rel_error(g, np.array(fd)) < 1e-5


def natural_gradient(fn, fisher_fn, objective_gradient_fn, seeds=(0,)) -> float:
    """Check ``natural_gradient(theta, a_target)``, ``w`` solving ``F w = g``.

    Parts: shape ``(2,)`` (0.5 point); ``F w = g`` with the student's own ``fisher`` and
    ``objective_gradient`` at three policies, relative residual ``|F w - g| / |g|`` at most
    ``1e-8`` (float64) or ``10 * 1e-4 * cond(F)`` (float32) (1.5 points). float32 is a correct
    answer. A solution that calls ``course_utils.natural`` (``natural_gradient``,
    ``natural_step``, ``conjugate_gradient``, ...) scores 0. Homework ``hw4_beta_policy``,
    exercise 3.

    Parameters
    ----------
    fn : callable
        The student's ``natural_gradient(theta, a_target)``, returning shape (2,).
    fisher_fn, objective_gradient_fn : callable
        The student's ``fisher`` and ``objective_gradient``.
    seeds : iterable of int, default (0,)
        The inputs to test on: ``(0,)`` in the visible check, more in the hidden test.

    Returns
    -------
    Points
        The points earned (nbgrader reads them as the cell's partial credit).
    """

    def gate(seed):
        theta, a_target = _objective_setting(seed)
        forbid(fn, "natural_gradient", FORBIDDEN["natural_gradient"], theta, a_target)

    def shape(seed):
        theta, a_target = _objective_setting(seed)
        as_array(call(fn, "natural_gradient", theta, a_target), "natural_gradient", (2,))
        return "shape (2,)"

    def solves(seed):
        for s in (seed, seed + 1000, seed + 2000):
            theta, a_target = _objective_setting(s)
            out = call(fn, "natural_gradient", theta, a_target)
            w, rtol = as_array(out, "natural_gradient", (2,))
            F, _ = as_array(call(fisher_fn, "fisher", theta), "fisher", (2, 2))
            g, _ = as_array(
                call(objective_gradient_fn, "objective_gradient", theta, a_target),
                "objective_gradient",
                (2,),
            )
            cond = float(np.linalg.cond(F))
            tol = 1e-8 if rtol < 1e-6 else 10 * rtol * cond
            residual = float(np.linalg.norm(F @ w - g) / np.linalg.norm(g))
            if residual > tol:
                Fw = F @ w
                cos = float(Fw @ g / (np.linalg.norm(Fw) * np.linalg.norm(g)))
                if rel_error(w, F @ g) < 1e-6:
                    hint = "w = F g: the natural gradient undoes F, it does not apply it"
                elif rel_error(w, g / np.diag(F)) < 1e-6:
                    hint = "you divided by the diagonal of F only; F is not diagonal here"
                elif cos > 1 - 1e-9:
                    c = float(np.linalg.norm(Fw) / np.linalg.norm(g))
                    hint = (
                        f"F w points along g but is {c:.4g} times g: return the natural "
                        "gradient itself, not a step scaled to a trust region"
                    )
                elif cos < -1 + 1e-9:
                    hint = "F w points along -g: the natural gradient is an ascent direction"
                else:
                    hint = "F w and g are not parallel: solve the linear system with your F"
                raise Fail(
                    f"at theta = {fmt(theta, 4)} your w = {fmt(w, 6)} gives |F w - g| / |g| = "
                    f"{residual:.3g} with your fisher and objective_gradient: {hint}"
                )
        return "F w = g with your fisher and objective_gradient"

    parts = [Part("shape", 0.5, shape), Part("solves F w = g", 1.5, solves)]
    return grade("natural_gradient", parts, seeds, gate)


# --- exercise 4: vanilla and natural ascent -----------------------------------------------------


def _ascent_setting(seed):
    rng = np.random.default_rng(seed)
    theta0 = np.log(rng.uniform(0.6, 1.6, size=2))
    return theta0, float(rng.uniform(0.15, 0.85)), float(rng.uniform(0.005, 0.03))


def ascent(fn, objective_fn, objective_gradient_fn, fisher_fn, seeds=(0,)) -> float:
    """Check ``ascent(theta0, a_target, eps, n_steps, natural)``, the path of trust-region steps.

    Parts: shape ``(n_steps + 1, 2)``, float64, starting at ``theta0`` (0.5 point); every
    vanilla step has ``||d||^2 = eps`` and points along the student's ``objective_gradient``
    (1 point); every natural step has ``1/2 d^T F d = eps`` with the student's ``fisher`` at the
    step's start (1 point) and ``F d`` points along the student's gradient there (1 point); for
    a small ``eps`` the student's ``objective`` increases at every step of both paths (0.5
    point). Steps are checked to relative 1e-6. float64 is needed (a float32 path is refused).
    A solution that calls ``course_utils.natural`` scores 0. Homework ``hw4_beta_policy``,
    exercise 4.

    Parameters
    ----------
    fn : callable
        The student's ``ascent(theta0, a_target, eps, n_steps, natural)``, returning shape
        (n_steps + 1, 2).
    objective_fn, objective_gradient_fn, fisher_fn : callable
        The student's ``objective``, ``objective_gradient`` and ``fisher``.
    seeds : iterable of int, default (0,)
        The inputs to test on: ``(0,)`` in the visible check, more in the hidden test.

    Returns
    -------
    Points
        The points earned (nbgrader reads them as the cell's partial credit).
    """

    def run(seed, natural, n_steps=8, eps=None):
        theta0, a_target, eps0 = _ascent_setting(seed)
        eps = eps0 if eps is None else eps
        out = call(fn, "ascent", theta0.copy(), a_target, eps, n_steps, natural)
        kind = "natural" if natural else "vanilla"
        path, _ = as_array(out, f"the {kind} path", float32_ok=False)
        return path, theta0, a_target, eps

    def gate(seed):
        theta0, a_target, eps = _ascent_setting(seed)
        for natural in (False, True):
            forbid(fn, "ascent", FORBIDDEN["ascent"], theta0.copy(), a_target, eps, 2, natural)

    def shape(seed):
        for natural in (False, True):
            path, theta0, _, _ = run(seed, natural, n_steps=5)
            if path.shape != (6, 2):
                hint = ""
                if path.shape == (5, 2):
                    hint = ": include theta0 as the first row"
                raise Stop(
                    f"ascent(..., n_steps=5, natural={natural}) has shape {path.shape}; "
                    f"expected (6, 2), theta0 and the 5 iterates{hint}"
                )
            if not np.allclose(path[0], theta0, rtol=0, atol=1e-12):
                if np.all(path == path[-1]):
                    raise Stop(
                        "every row of the path is the same point: did you update theta in place "
                        "(theta += d) and store the same array each time? Store a copy"
                    )
                raise Stop(
                    f"the path starts at {fmt(path[0], 6)}, not at theta0 = {fmt(theta0, 6)}"
                )
        return "shape (n_steps + 1, 2), starting at theta0"

    def vanilla(seed):
        path, _, a_target, eps = run(seed, False)
        for t, d in enumerate(np.diff(path, axis=0)):
            size = float(d @ d)
            if abs(size / eps - 1) > 1e-6:
                hint = ""
                if abs(size / eps**2 - 1) < 1e-6:
                    hint = ": ||d|| = eps; the trust region is d^T d <= eps, so ||d|| = sqrt(eps)"
                raise Fail(
                    f"vanilla step {t} has ||d||^2 = {size:.6g} = {size / eps:.4g} eps, "
                    f"not eps{hint}"
                )
            g, _ = as_array(
                call(objective_gradient_fn, "objective_gradient", path[t], a_target),
                "objective_gradient",
                (2,),
            )
            cos = float(d @ g / (np.linalg.norm(d) * np.linalg.norm(g)))
            if cos < 1 - 1e-9:
                raise Fail(
                    f"vanilla step {t}: cos(d, g) = {cos:.6f} with your objective_gradient at "
                    "the step's start; the vanilla step points along +g"
                )
        return "||d||^2 = eps along your gradient at every vanilla step"

    def natural_size(seed):
        path, _, _, eps = run(seed, True)
        F0, _ = as_array(call(fisher_fn, "fisher", path[0]), "fisher", (2, 2))
        for t, d in enumerate(np.diff(path, axis=0)):
            F, _ = as_array(call(fisher_fn, "fisher", path[t]), "fisher", (2, 2))
            kl = 0.5 * float(d @ F @ d)
            if abs(kl / eps - 1) > 1e-6:
                ratio = kl / eps
                if abs(ratio - 0.5) < 1e-6:
                    hint = (
                        "half of eps: the constraint is 1/2 d^T F d <= eps; did you drop the 1/2?"
                    )
                elif abs(ratio - 2) < 1e-6:
                    hint = "twice eps: the step size has one factor 2 too many"
                elif (
                    t > 0
                    and abs(
                        0.5 * float(np.diff(path, axis=0)[0] @ F0 @ np.diff(path, axis=0)[0]) / eps
                        - 1
                    )
                    <= 1e-6
                ):
                    hint = (
                        "step 0 is right but this one is not: are g and F computed again at "
                        "the current theta at every step?"
                    )
                else:
                    hint = (
                        "which quadratic form of g belongs in the step size, g^T F g or "
                        "g^T F^-1 g? (erratum 1 of the lecture notes)"
                    )
                raise Fail(
                    f"natural step {t} has 1/2 d^T F d = {kl:.6g} = {ratio:.4g} eps with your "
                    f"fisher at the step's start, not eps: {hint}"
                )
        return "1/2 d^T F d = eps with your fisher at every natural step"

    def natural_direction(seed):
        path, _, a_target, _ = run(seed, True)
        for t, d in enumerate(np.diff(path, axis=0)):
            F, _ = as_array(call(fisher_fn, "fisher", path[t]), "fisher", (2, 2))
            g, _ = as_array(
                call(objective_gradient_fn, "objective_gradient", path[t], a_target),
                "objective_gradient",
                (2,),
            )
            Fd = F @ d
            cos = float(Fd @ g / (np.linalg.norm(Fd) * np.linalg.norm(g)))
            if cos < 1 - 1e-9:
                cos_g = float(d @ g / (np.linalg.norm(d) * np.linalg.norm(g)))
                hint = (
                    "the step points along g itself: that is the vanilla direction"
                    if cos_g > 1 - 1e-9
                    else "the natural direction d satisfies F d parallel to +g"
                )
                raise Fail(
                    f"natural step {t}: cos(F d, g) = {cos:.6f} with your fisher and "
                    f"objective_gradient at the step's start: {hint}"
                )
        return "F d points along your gradient at every natural step"

    def increasing(seed):
        for natural in (False, True):
            path, _, a_target, eps = run(seed, natural, n_steps=10, eps=0.002)
            J = np.array(
                [
                    _number(call(objective_fn, "objective", th, a_target), "objective")[0]
                    for th in path
                ]
            )
            dJ = np.diff(J)
            if np.any(dJ <= 0):
                t = int(np.argmax(dJ <= 0))
                raise Fail(
                    f"with eps = 0.002 your objective goes from {J[t]:.6g} to {J[t + 1]:.6g} at "
                    f"{'natural' if natural else 'vanilla'} step {t}: small ascent steps must "
                    "increase J (is the step along +g, and do the iterates feed back?)"
                )
        return "J increases at every small step of both paths"

    parts = [
        Part("shape", 0.5, shape),
        Part("vanilla steps", 1, vanilla),
        Part("natural step size", 1, natural_size),
        Part("natural direction", 1, natural_direction),
        Part("J increases", 0.5, increasing),
    ]
    return grade("ascent", parts, seeds, gate)


def kl_vanilla(value, path_vanilla, fisher_fn) -> float:
    """Check ``kl_vanilla``: ``1/2 d_t^T F(theta_t) d_t`` for each step of ``path_vanilla``.

    Parts: shape ``(n_steps,)``, one entry per step (0.5 point); each entry is the second-order
    KL of that step with the student's own ``fisher`` at the step's start, relative error
    <= 1e-6 (0.5 point). float32 is a correct answer. The value itself is the student's: no
    stored answer. Homework ``hw4_beta_policy``, exercise 5.

    Parameters
    ----------
    value : array-like of shape (n_steps,)
        The student's ``kl_vanilla``.
    path_vanilla : array-like of shape (n_steps + 1, 2)
        The vanilla path it was computed on.
    fisher_fn : callable
        The student's ``fisher``.

    Returns
    -------
    Points
        The points earned (nbgrader reads them as the cell's partial credit).
    """

    def shape(seed):
        value_given(value, "kl_vanilla")
        value_given(path_vanilla, "path_vanilla")
        path, _ = as_array(path_vanilla, "path_vanilla", (None, 2))
        arr, _ = as_array(value, "kl_vanilla")
        if arr.shape != (path.shape[0] - 1,):
            raise Stop(
                f"kl_vanilla has shape {arr.shape}; expected ({path.shape[0] - 1},), one entry "
                f"per step of path_vanilla ({path.shape[0]} points)"
            )
        return "one entry per step"

    def consistent(seed):
        path, _ = as_array(path_vanilla, "path_vanilla", (None, 2))
        arr, rtol = as_array(value, "kl_vanilla", (path.shape[0] - 1,))
        for t, d in enumerate(np.diff(path, axis=0)):
            F, _ = as_array(call(fisher_fn, "fisher", path[t]), "fisher", (2, 2))
            mine = 0.5 * float(d @ F @ d)
            if abs(arr[t] - mine) > max(rtol, 1e-6) * mine:
                hint = ""
                if abs(arr[t] / mine - 2) < 1e-4:
                    hint = ": it is d^T F d, without the 1/2 of the second-order KL"
                else:
                    F1, _ = as_array(call(fisher_fn, "fisher", path[t + 1]), "fisher", (2, 2))
                    if abs(arr[t] - 0.5 * float(d @ F1 @ d)) <= 1e-6 * abs(arr[t]):
                        hint = ": F is taken at the step's end; take it at the step's start"
                raise Fail(
                    f"kl_vanilla[{t}] = {arr[t]:.6g}, but 1/2 d^T F d of step {t} with your "
                    f"fisher at its start is {mine:.6g}{hint}"
                )
        return "1/2 d^T F d of each step with your fisher"

    parts = [Part("shape", 0.5, shape), Part("your fisher on your path", 0.5, consistent)]
    return grade("kl_vanilla", parts)
