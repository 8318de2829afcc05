"""Instructor's references for homework 2, used by the judge when grading; never released.

``REFEREES`` maps a test cell's ``grade_id`` to a function of the judge's namespace after that
cell ran; it returns the points the agreement with these references earns (the judge keeps the
least of these and the cell's own). Value exercises are compared with the reference only where
the student's upstream functions agree with theirs (error carried forward).
"""

from __future__ import annotations

import numpy as np

from course_utils import checks
from course_utils.checks._core import (
    Fail,
    Part,
    agrees,
    as_array,
    at_stake,
    matches,
    rel_error,
)
from course_utils.gaussian import gaussian_score


def vanilla_step(g, eps):
    g = np.asarray(g, dtype=float)
    return np.sqrt(eps / (g @ g)) * g


def natural_step(g, F, eps):
    g = np.asarray(g, dtype=float)
    x = np.linalg.solve(F, g)
    return np.sqrt(2.0 * eps / (g @ x)) * x


def fisher_vector_product(scores, v, weights):
    scores = np.asarray(scores, dtype=float)
    return scores.T @ (weights * (scores @ v))


def conjugate_gradient(matvec, b, iters=10, tol=1e-10):
    b = np.asarray(b, dtype=float)
    x, r = np.zeros_like(b), b.copy()
    p, rr = b.copy(), b @ b
    for _ in range(iters):
        if rr < tol:
            break
        Ap = matvec(p)
        alpha = rr / (p @ Ap)
        x, r = x + alpha * p, r - alpha * Ap
        rr, rr_old = r @ r, rr
        p = r + (rr / rr_old) * p
    return x


def reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline):
    discount = gamma ** np.arange(states.shape[1])
    G = np.cumsum((rewards * discount)[:, ::-1], axis=1)[:, ::-1] / discount
    psi = gaussian_score(k, sigma, states, actions)
    return np.einsum("nt,ntk->nk", discount * (G - baseline), psi)


def _spd(seed, n):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(n, n))
    return B @ B.T + 0.1 * np.eye(n), rng.normal(size=n)


def referee_vanilla_step(ns):
    cases = [(np.array([0.3, -2.0, 1.1, 0.05]), 0.7), (np.array([1e-3, 2e-3]), 1e-4)]
    return at_stake(
        "vanilla_step (reference)",
        2,
        [agrees("vanilla_step", ns["vanilla_step"], vanilla_step, cases, 0.75)],
    )


def referee_natural_step(ns):
    F, g = _spd(201, 4)
    cases = [(g, F, 0.02), (np.array([1.0, -6.0]), np.diag([1.3, 250.0]), 1e-3)]
    return at_stake(
        "natural_step (reference)",
        3,
        [agrees("natural_step", ns["natural_step"], natural_step, cases, 1.5)],
    )


def referee_angles(ns):
    def run(seed):
        lqr, k, sigma, eps = ns["lqr"], ns["k"], ns["sigma"], ns["eps"]
        g, F = lqr.gradient(k, sigma), lqr.fisher_information(k, sigma)
        pairs = [
            ("angle_vanilla", ns["vanilla_step"], vanilla_step, (g, eps)),
            ("angle_natural", ns["natural_step"], natural_step, (g, F, eps)),
        ]
        for name, fn, ref, args in pairs:
            if not matches(fn, ref, *args):
                continue  # error carried forward: the visible consistency part decides
            want = float(lqr.angle_to_optimum(k, sigma, ref(*args)))
            if abs(float(np.ravel(ns[name])[0]) - want) > 1e-3:
                raise Fail(f"{name} differs from the reference angle")
        return "the reference angles"

    return at_stake("angles (reference)", 1, [Part("reference", 0.5, run)])


def referee_fisher_vector_product(ns):
    rng = np.random.default_rng(202)
    cases = [(rng.normal(size=(25, 5)), rng.normal(size=5), rng.uniform(size=25))]
    fn = ns["fisher_vector_product"]
    return at_stake(
        "fisher_vector_product (reference)",
        2,
        [agrees("fisher_vector_product", fn, fisher_vector_product, cases, 1)],
    )


def referee_conjugate_gradient(ns):
    rng = np.random.default_rng(203)
    Q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    A = (Q * np.geomspace(1.0, 30.0, 6)) @ Q.T
    b = rng.normal(size=6)
    cases = [(lambda v: A @ v, b, 4, 1e-14), (lambda v: A @ v, b, 10, 1e-10)]
    fn = ns["conjugate_gradient"]
    return at_stake(
        "conjugate_gradient (reference)",
        3,
        [agrees("conjugate_gradient", fn, conjugate_gradient, cases, 1)],
    )


def referee_reinforce_terms(ns):
    lqr = ns["lqr"]
    t = lqr.sample_trajectories(-0.7, 0.3, 50, 20, np.random.default_rng(204))
    b = lqr.value_function(t.states, -0.7, 0.3)
    cases = [(t.states, t.actions, t.rewards, lqr.gamma, -0.7, 0.3, b)]
    fn = ns["reinforce_terms"]
    return at_stake(
        "reinforce_terms (reference)",
        2,
        [agrees("reinforce_terms", fn, reinforce_terms, cases, 0.5)],
    )


def referee_x_hat(ns):
    def run(seed):
        x, _ = as_array(ns["x_hat"], "x_hat", np.shape(ns["g_hat"]))
        psi, w, g_hat, lam = ns["psi"], ns["weights"], ns["g_hat"], ns["damping"]
        F = psi.T @ (w[:, None] * psi) + lam * np.eye(psi.shape[1])
        product = np.asarray(ns["fisher_vector_product"](psi, g_hat, w))
        tol = 1e-4 if product.dtype.itemsize < 8 else 1e-6  # float32 products are accepted
        if rel_error(x, np.linalg.solve(F, g_hat)) > tol:
            raise Fail("x_hat is not the damped natural gradient of these samples")
        return "the damped natural gradient of these samples"

    return at_stake("x_hat (reference)", 2, [Part("reference", 1, run)])


#: the course functions each solution must not call (also checked, in the student's process, by
#: the visible check); the judge makes them raise in the worker when called by that solution
FORBIDDEN = checks.hw2.FORBIDDEN

REFEREES = {
    "test_vanilla_step": referee_vanilla_step,
    "test_natural_step": referee_natural_step,
    "test_angles": referee_angles,
    "test_fisher_vector_product": referee_fisher_vector_product,
    "test_conjugate_gradient": referee_conjugate_gradient,
    "test_reinforce_terms": referee_reinforce_terms,
    "test_x_hat": referee_x_hat,
}
