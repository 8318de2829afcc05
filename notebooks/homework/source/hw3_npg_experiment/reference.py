"""Instructor's references for homework 3, used by the judge when grading; never released.

``REFEREES`` maps a test cell's ``grade_id`` to a function of the judge's namespace after that
cell ran; it returns the points the agreement with these references earns (the judge keeps the
least of these and the cell's own). The escape table is compared with the reference only where
the student's run agrees with it (error carried forward).
"""

from __future__ import annotations

import numpy as np

from course_utils import checks, mdp
from course_utils.checks._core import Fail, Part, as_array, at_stake, call, rel_error

PLATEAU = mdp.two_state_mdp()


def gradient_and_fisher(x):
    theta = mdp.sigmoid_theta(x)
    g = mdp.average_reward_gradient(PLATEAU, theta)[:, 0]
    F = mdp.average_reward_fisher(PLATEAU, theta)[np.ix_([0, 2], [0, 2])]
    return g, F


def reward_and_visitation(x):
    theta = mdp.sigmoid_theta(x)
    d = mdp.stationary_distribution(PLATEAU, mdp.softmax_policy(theta))
    return mdp.average_reward(PLATEAU, theta), d[1]


def natural_direction(g, F, damping):
    g = np.asarray(g, dtype=float)
    return np.linalg.solve(F + damping * np.eye(g.size), g)


def run(x0, n_iter, natural, lr=1.0, damping=1e-3):
    x = np.array(x0, dtype=float)
    eta, visit_j = np.empty(n_iter + 1), np.empty(n_iter + 1)
    for t in range(n_iter + 1):
        eta[t], visit_j[t] = reward_and_visitation(x)
        if t < n_iter:
            g, F = gradient_and_fisher(x)
            x = x + lr * (natural_direction(g, F, damping) if natural else g)
    return eta, visit_j


def referee_natural_direction(ns):
    def check(seed):
        cases = [
            (np.array([0.2, 0.024]), np.diag([0.13, 0.016]), 0.01),
            (np.array([1.0, -1.0]), np.array([[2.0, 0.01], [0.01, 1e-4]]), 1e-3),  # nearly singular
        ]
        for g, F, lam in cases:
            mine, rtol = as_array(
                call(ns["natural_direction"], "natural_direction", g, F, lam), "d", (2,)
            )
            if rel_error(mine, natural_direction(g, F, lam)) > max(100 * rtol, 1e-7):
                raise Fail("natural_direction differs from the reference on a hidden input")
        return "agrees with the reference"

    return at_stake("natural_direction (reference)", 2, [Part("reference", 1, check)])


def referee_run(ns):
    def check(seed):
        x0 = np.array([0.5, -1.0])
        for natural in (False, True):
            out = call(ns["run"], "run", x0, 12, natural, lr=0.5, damping=0.01)
            want = run(x0, 12, natural, lr=0.5, damping=0.01)
            for mine, ref in zip(out, want, strict=True):
                # 1e-5: a float32 natural_direction (accepted) moves a correct run by ~1e-8;
                # a wrong rule (lr, damping, direction) moves it by far more
                if rel_error(as_array(mine, "run", ref.shape, float32_ok=False)[0], ref) > 1e-5:
                    raise Fail("run differs from the reference run")
        return "agrees with the reference run"

    return at_stake("run (reference)", 3, [Part("reference", 1, check)])


def referee_escape(ns):
    def check(seed):
        dampings = ns["dampings"]
        for lam in dampings:
            mine = call(ns["run"], "run", mdp.PLATEAU_START, 100, True, damping=lam)
            ref = run(mdp.PLATEAU_START, 100, True, damping=lam)
            if rel_error(np.asarray(mine[0], dtype=float), ref[0]) > 1e-5:
                return "your run differs from the reference: judged by consistency alone"
            hits = np.flatnonzero(ref[0] >= 1.9)
            if ns["escape"].get(lam) != (int(hits[0]) if hits.size else None):
                raise Fail(f"escape[{lam}] differs from the reference")
        return "the reference escape iterations"

    return at_stake("escape (reference)", 2, [Part("reference", 1, check)])


#: the course functions each solution must not call (also checked, in the student's process, by
#: the visible check); the judge makes them raise in the worker when called by that solution
FORBIDDEN = checks.hw3.FORBIDDEN

REFEREES = {
    "test_natural_direction": referee_natural_direction,
    "test_run": referee_run,
    "test_escape": referee_escape,
}
