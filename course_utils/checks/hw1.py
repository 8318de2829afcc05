"""Checks of homework 1 (``hw1_score_and_fisher``): the score, the sampled Fisher, the KL.

Every part tests a property the student can see (the score's mean is 0 by Monte Carlo, it is
the derivative of the log-density by finite differences, the Hessian agrees with the student's
own KL by second differences, ...), never a stored answer. float32 policy: the score, the
sampled Fisher, ``F_hat`` and ``kl_quadratic`` may be float32 (tolerance
:data:`~course_utils.checks._core.FLOAT32_RTOL`); ``policy_kl`` and ``H`` need float64 (``H`` is
a finite difference of ``policy_kl``: single precision leaves about 2 correct digits).
"""

from __future__ import annotations

import numpy as np

from ._core import (
    Fail,
    Part,
    Stop,
    as_array,
    call,
    fmt,
    forbid,
    grade,
    gradient_mismatch,
    mean_and_se,
    rel_error,
)

__all__ = ["score", "sampled_fisher", "fisher_estimate", "policy_kl", "kl_hessian", "kl_quadratic"]
__all__ += ["fisher_log_std"]


#: the course's own implementations a solution must not call, per exercise (solution cell)
FORBIDDEN = {"score": ("course_utils.gaussian.gaussian_score",)}


def _log_density(k, sigma, s, a):
    # the policy's log-density as the exercise states it
    return -((a - k * s) ** 2) / (2 * sigma**2) - np.log(sigma) - 0.5 * np.log(2 * np.pi)


def _fd_log_density(k, sigma, s, a, h=1e-5):
    """Central finite differences of the log-density in k and in sigma, shape (..., 2)."""
    dk = (_log_density(k + h, sigma, s, a) - _log_density(k - h, sigma, s, a)) / (2 * h)
    ds = (_log_density(k, sigma + h, s, a) - _log_density(k, sigma - h, s, a)) / (2 * h)
    return np.stack([dk, ds], axis=-1)


def _policy(seed):
    rng = np.random.default_rng(seed)
    return rng, float(rng.uniform(-1.5, -0.3)), float(rng.uniform(0.3, 0.8))


def score(fn, seeds=(0,)) -> float:
    """Check ``score(k, sigma, s, a)``, the score of ``N(a; k s, sigma^2)`` in ``(k, sigma)``.

    Parts: the shape ``(..., 2)`` for 1-D, 2-D and scalar inputs (1 point); the mean of each
    component is 0 under the policy, by Monte Carlo within 5 standard errors (1 point); each
    component equals the derivative of ``log pi`` by central finite differences (1 point).
    Derived in notebook ``04_kl_and_fisher``; the exercise in ``hw1_score_and_fisher``.
    """

    def gate(seed):
        _, k, sigma = _policy(seed)
        forbid(fn, "score", FORBIDDEN["score"], k, sigma, 0.3, 0.1)

    def shapes(seed):
        rng, k, sigma = _policy(seed)
        for shape in [(8,), (3, 4), ()]:
            s = rng.normal(size=shape)
            a = k * s + sigma * rng.normal(size=shape)
            out = call(fn, "score", k, sigma, s, a)
            arr, _ = as_array(out, f"score(k, sigma, s, a) for s, a of shape {shape}")
            if arr.shape != (*shape, 2):
                hint = ""
                if arr.shape == (2, *shape) or (len(shape) > 1 and arr.shape == (*shape[::-1], 2)):
                    hint = (
                        ": the two components must be on the LAST axis (np.stack(..., axis=-1));"
                        " `.T` of a stacked array reverses every axis, not only the first"
                    )
                error = Stop if shape == (8,) else Fail  # the later parts use 1-D inputs
                raise error(
                    f"for s, a of shape {shape} your score has shape {arr.shape}; expected "
                    f"{(*shape, 2)}{hint}"
                )
        return "shape (..., 2) for s, a of shape (8,), (3, 4) and ()"

    def mean_zero(seed):
        rng, k, sigma = _policy(seed)
        n = 40_000
        s = rng.normal(0.3, 1.0, size=n)
        a = k * s + sigma * rng.normal(size=n)
        arr, _ = as_array(call(fn, "score", k, sigma, s, a), "score", (n, 2))
        mean, se = mean_and_se(arr)
        for i, comp in enumerate(["k", "sigma"]):
            if abs(mean[i]) > 5 * se[i]:
                hint = (
                    " Every score has mean 0 under its own policy: E[d log pi] = d of the "
                    "integral of pi = 0. "
                )
                if comp == "sigma" and abs(mean[i] * sigma - 1) < 0.05:
                    hint += (
                        f"Yours is close to 1/sigma = {1 / sigma:.3f}: look for a term of log pi "
                        "that depends on sigma but not on the action."
                    )
                else:
                    hint += (
                        f"Look at the terms of your {comp}-component that do not vanish on average."
                    )
                raise Fail(
                    f"the {comp}-component of your score has sample mean {mean[i]:+.4f} "
                    f"+- {se[i]:.4f} over {n:,} draws (k = {k:.3f}, sigma = {sigma:.3f}): not 0."
                    + hint
                )
        return f"both components have mean 0 within 5 standard errors ({n:,} draws)"

    def derivative(seed):
        rng, k, sigma = _policy(seed)
        s = rng.normal(size=6)
        a = k * s + sigma * rng.normal(size=6)
        arr, rtol = as_array(call(fn, "score", k, sigma, s, a), "score", (6, 2))
        fd = _fd_log_density(k, sigma, s, a)
        wrong = gradient_mismatch(arr, fd, ("k", "sigma"), max(rtol, 1e-6))
        if wrong is not None:
            comp, why = wrong
            raise Fail(
                f"your {comp}-component is not the derivative of log pi in {comp} "
                f"(a central finite difference of the log-density above): {why}"
            )
        return "both components equal the finite-difference derivatives of log pi"

    parts = [
        Part("shape", 1, shapes),
        Part("mean zero", 1, mean_zero),
        Part("derivative of log pi", 1, derivative),
    ]
    return grade("score", parts, seeds, gate)


def _scores(seed, N=50, n=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, n)) + rng.normal(0.0, 0.5, size=n)


def sampled_fisher(fn, seeds=(0,)) -> float:
    """Check ``sampled_fisher(scores)``, the mean of ``psi_i psi_i^T`` over the rows.

    Parts: a symmetric ``(n, n)`` matrix for scores ``(N, n)``, as arrays or lists (1 point);
    the quadratic form: ``v^T F_hat v`` is the sample mean of ``(psi . v)^2`` for random ``v``,
    which defines the second moment (1 point). Notebook ``04_kl_and_fisher``.
    """

    def shape(seed):
        X = _scores(seed)
        for given in (X, X.tolist()):
            arr, _ = as_array(call(fn, "sampled_fisher", given), "sampled_fisher(scores)")
            if arr.shape != (3, 3):
                raise Stop(
                    f"for scores of shape (50, 3) your matrix has shape {arr.shape}; the "
                    "Fisher has one row and column per parameter: (3, 3)"
                )
            if rel_error(arr, arr.T) > 1e-6:
                raise Stop("your matrix is not symmetric; psi psi^T is")
        return "a symmetric (n, n) matrix for scores (N, n), from an array or a list"

    def quadratic_form(seed):
        X = _scores(seed)
        arr, rtol = as_array(call(fn, "sampled_fisher", X.copy()), "sampled_fisher", (3, 3))
        v = np.random.default_rng(seed + 1).normal(size=3)
        mine, want = float(v @ arr @ v), float(np.mean((X @ v) ** 2))
        if not abs(mine - want) <= max(rtol, 1e-9) * want:
            ratio = mine / want
            centred = float(np.var(X @ v))
            if abs(ratio - 50) < 1e-6 * 50:
                hint = "it is N times too large: the Fisher is a mean over the samples"
            elif abs(ratio - 50 / 49) < 1e-8:
                hint = "it is N / (N - 1) times too large: a mean divides by N"
            elif min(abs(mine - centred), abs(mine - centred * 50 / 49)) < 1e-8 * centred:
                hint = (
                    "it equals the sample VARIANCE of psi . v: you centred the scores; the "
                    "Fisher is the second moment (the two agree only in expectation)"
                )
            else:
                hint = "look at how psi_i psi_i^T is formed and averaged"
            raise Fail(
                f"for a random v, v^T F_hat v = {mine:.6g} but the sample mean of (psi . v)^2 "
                f"is {want:.6g}: {hint}"
            )
        return "v^T F_hat v is the sample mean of (psi . v)^2"

    parts = [Part("shape", 1, shape), Part("second moment", 1, quadratic_form)]
    return grade("sampled_fisher", parts, seeds)


def fisher_estimate(F_hat, score_fn, sampled_fisher_fn, k, sigma, s, a) -> float:
    """Check ``F_hat``: the student's sampled Fisher of ``N(a; k s, sigma^2)`` on ``s``, ``a``.

    Parts: it is what the student's own ``score`` and ``sampled_fisher`` give on these samples
    (0.5 point); it lies within 5 standard errors of the exact Fisher
    ``diag(E[s^2] / sigma^2, 2 / sigma^2)`` stated in the exercise, with ``E[s^2]`` the
    states' second moment (0.5 point). The value itself is the student's estimate: no stored
    answer. Notebook ``04_kl_and_fisher``.
    """
    s, a = np.asarray(s, dtype=float), np.asarray(a, dtype=float)

    def consistent(seed):
        if F_hat is None:
            raise Stop("F_hat is None: run the cell that computes it")
        arr, rtol = as_array(F_hat, "F_hat", (2, 2))
        psi = call(score_fn, "score", k, sigma, s, a)
        mine, _ = as_array(call(sampled_fisher_fn, "sampled_fisher", psi), "sampled_fisher", (2, 2))
        if rel_error(arr, mine) > max(rtol, 1e-9):
            raise Fail(
                f"F_hat = {fmt(arr, 5)} is not sampled_fisher(score(k, sigma, s, a)) = "
                f"{fmt(mine, 5)} on these samples"
            )
        return "F_hat is your sampled_fisher of your scores on these samples"

    def unbiased(seed):
        arr, _ = as_array(F_hat, "F_hat", (2, 2))
        # finite-difference scores (accurate to ~1e-9) give the standard error of each entry
        psi = _fd_log_density(k, sigma, s, a)
        outer = psi[:, :, None] * psi[:, None, :]
        _, se = mean_and_se(outer)
        exact = np.diag([np.mean(s * s) / sigma**2, 2.0 / sigma**2])
        z = np.abs(arr - exact) / se
        if np.max(z) > 5:
            i, j = np.unravel_index(int(np.argmax(z)), z.shape)
            raise Fail(
                f"F_hat[{i}, {j}] = {arr[i, j]:.4f} is {z[i, j]:.0f} standard errors from the "
                f"exact Fisher's {exact[i, j]:.4f}: an estimate that far off has a biased score; "
                "does your score pass all its parts?"
            )
        return "F_hat is within 5 standard errors of the exact Fisher"

    parts = [Part("your functions", 0.5, consistent), Part("unbiased", 0.5, unbiased)]
    return grade("F_hat", parts)


def _kl_monte_carlo(k, sigma, k_new, sigma_new, s, rng, n=20_000):
    """E over the states and a ~ N(k s, sigma^2) of log pi_old - log pi_new, and its SE."""
    a = k * s[:, None] + sigma * rng.normal(size=(s.size, n))
    diff = _log_density(k, sigma, s[:, None], a) - _log_density(k_new, sigma_new, s[:, None], a)
    per_state = diff.mean(axis=1)
    se = np.sqrt(np.sum(diff.var(axis=1, ddof=1) / n)) / s.size
    return float(per_state.mean()), float(se)


def policy_kl(fn, seeds=(0,)) -> float:
    """Check ``policy_kl(k, sigma, k_new, sigma_new, s)``, the state-averaged KL, old first.

    Parts: one number, 0 for the same policy, float64 (0.5 point); the average over states:
    the KL over ``s`` is the mean of the KLs of single states (0.5 point); the KL equals
    ``E_{a ~ pi_old}[log pi_old - log pi_new]`` by Monte Carlo within 5 standard errors, which
    fixes the direction and every constant (1 point). Notebook ``04_kl_and_fisher``.
    """

    def setting(seed):
        rng = np.random.default_rng(seed)
        k, k_new = rng.uniform(-1.2, -0.2, size=2)
        sigma, sigma_new = rng.uniform(0.4, 0.9, size=2)
        return rng, float(k), float(sigma), float(k_new), float(sigma_new), rng.normal(0.3, 1, 5)

    def number(seed):
        _, k, sigma, k_new, sigma_new, s = setting(seed)
        out = call(fn, "policy_kl", k, sigma, k_new, sigma_new, s)
        arr, _ = as_array(out, "policy_kl(...)", float32_ok=False)
        if arr.size != 1:
            raise Stop(f"policy_kl returned shape {arr.shape}: return one number, the mean over s")
        same, _ = as_array(
            call(fn, "policy_kl", k, sigma, k, sigma, s), "policy_kl", float32_ok=False
        )
        if abs(float(same.ravel()[0])) > 1e-12:
            raise Fail(
                f"the KL of a policy with itself is {float(same.ravel()[0]):.4g}, not 0: "
                "look at the constant terms"
            )
        return "one number; 0 for the same policy"

    def averaged(seed):
        _, k, sigma, k_new, sigma_new, s = setting(seed)
        whole = float(np.ravel(call(fn, "policy_kl", k, sigma, k_new, sigma_new, s))[0])
        singles = [
            float(np.ravel(call(fn, "policy_kl", k, sigma, k_new, sigma_new, s[i : i + 1]))[0])
            for i in range(s.size)
        ]
        if abs(whole - np.mean(singles)) > 1e-9 * max(abs(whole), 1e-12):
            what = (
                "the sum" if abs(whole - np.sum(singles)) <= 1e-9 * abs(whole) else "not the mean"
            )
            raise Fail(
                f"over 5 states your KL is {whole:.6g}, the mean of the single-state KLs is "
                f"{np.mean(singles):.6g} ({what}): D averages over the states"
            )
        return "the mean over the states of the single-state KLs"

    def monte_carlo(seed):
        rng, k, sigma, k_new, sigma_new, s = setting(seed)
        mine = float(np.ravel(call(fn, "policy_kl", k, sigma, k_new, sigma_new, s))[0])
        mc, se = _kl_monte_carlo(k, sigma, k_new, sigma_new, s, rng)
        if abs(mine - mc) > 5 * se:
            back, _ = _kl_monte_carlo(k_new, sigma_new, k, sigma, s, rng)
            hint = (
                "it matches KL(new || old): the course's KL has the OLD policy first"
                if abs(mine - back) < 5 * se
                else "check each term against the Gaussian KL formula (standard deviations, "
                "not variances; the 1/2s)"
            )
            raise Fail(
                f"at k = {k:.3f}, sigma = {sigma:.3f} -> k' = {k_new:.3f}, sigma' = "
                f"{sigma_new:.3f} your KL is {mine:.5f}; E_old[log pi_old - log pi_new] by "
                f"Monte Carlo is {mc:.5f} +- {se:.5f}: {hint}"
            )
        return "equals E_old[log pi_old - log pi_new] by Monte Carlo"

    parts = [
        Part("one number", 0.5, number),
        Part("average over states", 0.5, averaged),
        Part("KL(old || new)", 1, monte_carlo),
    ]
    return grade("policy_kl", parts, seeds)


def kl_hessian(H, policy_kl_fn, k, sigma, s) -> float:
    """Check ``H``, the Hessian of ``theta' -> D(theta, theta')`` at ``theta' = theta``.

    Parts: a symmetric ``2 x 2`` float64 matrix (1 point); ``u^T H u`` equals the second
    difference of the student's own ``policy_kl`` at ``theta`` along ``u`` for three
    directions, which fixes ``H`` (1 point). Notebook ``04_kl_and_fisher``.
    """

    def form(seed):
        arr, _ = as_array(H, "H", (2, 2), float32_ok=False)
        if rel_error(arr, arr.T) > 1e-5:
            raise Stop(f"H = {fmt(arr, 5)} is not symmetric; a Hessian is")
        return "a symmetric 2 x 2 matrix"

    def second_differences(seed):
        arr, _ = as_array(H, "H", (2, 2), float32_ok=False)
        t = 1e-3
        for u in ([1.0, 0.0], [0.0, 1.0], [1.0, 1.0]):
            u = np.array(u)
            plus = float(
                np.ravel(
                    call(policy_kl_fn, "policy_kl", k, sigma, *(np.array([k, sigma]) + t * u), s)
                )[0]
            )
            minus = float(
                np.ravel(
                    call(policy_kl_fn, "policy_kl", k, sigma, *(np.array([k, sigma]) - t * u), s)
                )[0]
            )
            want = (plus + minus) / t**2  # D(theta, theta) = 0
            mine = float(u @ arr @ u)
            if abs(mine - want) > 1e-4 * abs(want):
                raise Fail(
                    f"along u = {u}, u^T H u = {mine:.5g} but your policy_kl's second "
                    f"difference at theta' = theta is {want:.5g}: is H the Hessian in "
                    "(k_new, sigma_new), at (k_new, sigma_new) = (k, sigma), with all the states?"
                )
        return "u^T H u equals the second difference of your policy_kl along three directions"

    parts = [Part("symmetric matrix", 1, form), Part("Hessian of your KL", 1, second_differences)]
    return grade("H", parts)


def kl_quadratic(fn, seeds=(0,)) -> float:
    """Check ``kl_quadratic(d, F)``, the second-order KL of a step.

    Parts: one number, quadratic in ``d`` and linear in ``F`` (0.5 point); the second-order
    term of the exact KL: for ``N(mu, s^2)`` with its Fisher ``diag(1/s^2, 2/s^2)`` in
    ``(mu, s)``, ``kl_quadratic(t d, F) / KL -> 1`` as ``t -> 0`` (0.5 point). Notebook
    ``04_kl_and_fisher``; the 1/2 is erratum 2 of seed 002.
    """

    def form(seed):
        rng = np.random.default_rng(seed)
        from ._core import spd

        F = spd(rng, [3.0, 0.5, 1.5])
        d = rng.normal(size=3)
        q = [
            as_array(call(fn, "kl_quadratic", dd, FF), "kl_quadratic(d, F)")[0]
            for dd, FF in [(d, F), (2 * d, F), (-d, F), (d, 3 * F)]
        ]
        if any(x.size != 1 for x in q):
            raise Stop("kl_quadratic must return one number")
        q = [float(x.ravel()[0]) for x in q]
        if not (abs(q[1] - 4 * q[0]) <= 1e-4 * abs(q[1]) and abs(q[2] - q[0]) <= 1e-4 * abs(q[0])):
            raise Fail(
                f"doubling d multiplies your value by {q[1] / q[0]:.4g} and flipping it by "
                f"{q[2] / q[0]:.4g}: a second-order term is quadratic in d (4 and 1)"
            )
        if abs(q[3] - 3 * q[0]) > 1e-4 * abs(q[3]):
            raise Fail(f"tripling F multiplies your value by {q[3] / q[0]:.4g}, not 3")
        return "quadratic in d, linear in F"

    def second_order(seed):
        mu, s = 0.3, 0.7
        F = np.diag([1 / s**2, 2 / s**2])
        d = np.array([0.6, -0.8])
        t = 1e-3
        step = t * d
        m2, s2 = mu + step[0], s + step[1]
        exact = np.log(s2 / s) + (s**2 + (mu - m2) ** 2) / (2 * s2**2) - 0.5
        mine = float(np.ravel(as_array(call(fn, "kl_quadratic", step, F), "kl_quadratic")[0])[0])
        ratio = mine / exact
        if abs(ratio - 1) > 1e-2:
            hint = (
                " The Taylor expansion of a function whose value and gradient vanish at d = 0 "
                "starts with its second-order term: which factor comes with the Hessian?"
                if abs(ratio - 2) < 0.05
                else ""
            )
            raise Fail(
                f"for a step of size {t:g} of N(mu, s^2), kl_quadratic / exact KL = {ratio:.4f}, "
                f"not -> 1.{hint}"
            )
        return "matches the exact KL to second order (ratio -> 1)"

    parts = [Part("quadratic form", 0.5, form), Part("second-order KL", 0.5, second_order)]
    return grade("kl_quadratic", parts, seeds)


def fisher_log_std(fn, seeds=(0,)) -> float:
    """Check ``fisher_log_std(sigma, second_moment)``, the Fisher in ``(k, rho = log sigma)``.

    The derivation exercise of homework 1: the student derives the Fisher matrix of
    ``N(a; k s, sigma^2)`` in the parameters ``(k, rho)`` with ``sigma = exp(rho)`` (no formula
    in the text). Parts: a symmetric ``2 x 2`` matrix (0.5 point); it equals the Monte Carlo
    second moment of the score in ``(k, rho)`` (finite differences of the stated log-density)
    within 5 standard errors, for three ``(sigma, E[s^2])`` (1.5). float32 is accepted.
    """

    def form(seed):
        arr, _ = as_array(call(fn, "fisher_log_std", 0.5, 1.2), "fisher_log_std(0.5, 1.2)", (2, 2))
        if rel_error(arr, arr.T) > 1e-6:
            raise Stop(f"fisher_log_std(0.5, 1.2) = {fmt(arr, 4)} is not symmetric")
        return "a symmetric 2 x 2 matrix"

    def monte_carlo(seed):
        rng = np.random.default_rng(seed + 50)
        n, h = 100_000, 1e-5
        for sigma, mean_s in [(0.5, 0.3), (0.05, 1.0), (2.0, 0.0)]:
            k, rho = -0.7, np.log(sigma)
            s = rng.normal(mean_s, 1.0, size=n)
            a = k * s + sigma * rng.normal(size=n)
            dk = (_log_density(k + h, sigma, s, a) - _log_density(k - h, sigma, s, a)) / (2 * h)
            up, down = np.exp(rho + h), np.exp(rho - h)
            dr = (_log_density(k, up, s, a) - _log_density(k, down, s, a)) / (2 * h)
            psi = np.stack([dk, dr], axis=-1)
            mean, se = mean_and_se(psi[:, :, None] * psi[:, None, :])
            second = mean_s**2 + 1.0
            arr, _ = as_array(call(fn, "fisher_log_std", sigma, second), "fisher_log_std", (2, 2))
            z = np.abs(arr - mean) / se
            if np.max(z) > 5:
                i, j = np.unravel_index(int(np.argmax(z)), z.shape)
                raise Fail(
                    f"at sigma = {sigma}, E[s^2] = {second:.2f} your entry [{i}, {j}] is "
                    f"{arr[i, j]:.5g}, but the Monte Carlo mean of psi_{i} psi_{j} (scores in "
                    f"(k, log sigma) by finite differences) is {mean[i, j]:.5g} +- {se[i, j]:.2g}: "
                    "differentiate log pi in rho = log sigma (chain rule: d/drho = sigma d/dsigma)"
                )
        return "equals E[psi psi^T] by Monte Carlo for three (sigma, E[s^2])"

    return grade(
        "fisher_log_std", [Part("shape", 0.5, form), Part("Monte Carlo", 1.5, monte_carlo)], seeds
    )
