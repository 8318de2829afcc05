"""Instructor's references for homework 1, used by the judge when grading; never released.

``REFEREES`` maps a test cell's ``grade_id`` to a function of the namespace after that cell
ran in the judge (the student's functions and values under their names, the locked cells'
names); it compares the student's answer with these references on hidden inputs and returns
the points, out of the cell's, that the agreement earns (the judge keeps the least of these,
the visible check's and the hidden tests'). Nothing here reaches students
(``nbgrader_config.py`` ignores this file when releasing).
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


def score(k, sigma, s, a):
    s = np.asarray(s, dtype=float)
    u = np.asarray(a, dtype=float) - k * s
    return np.stack([u * s / sigma**2, (u * u - sigma**2) / sigma**3], axis=-1)


def sampled_fisher(scores):
    scores = np.asarray(scores, dtype=float)
    return scores.T @ scores / scores.shape[0]


def policy_kl(k, sigma, k_new, sigma_new, s):
    mu, mu_new = k * np.asarray(s, dtype=float), k_new * np.asarray(s, dtype=float)
    kl = np.log(sigma_new / sigma) + (sigma**2 + (mu - mu_new) ** 2) / (2 * sigma_new**2) - 0.5
    return float(np.mean(kl))


def fisher_log_std(sigma, second_moment):
    return np.diag([second_moment / sigma**2, 2.0])


def _cases_score():
    rng = np.random.default_rng(101)
    return [(-0.3, 1.7, rng.normal(size=(4, 5)), rng.normal(size=(4, 5))), (-1.1, 0.4, 0.2, -0.5)]


def referee_score(ns):
    parts = [agrees("score", ns["score"], score, _cases_score(), 0.5, c) for c in (0, 1)]
    return at_stake("score (reference)", 3, parts)


def referee_sampled_fisher(ns):
    cases = [(np.random.default_rng(102).normal(size=(30, 4)),)]
    return at_stake(
        "sampled_fisher (reference)",
        2,
        [agrees("sampled_fisher", ns["sampled_fisher"], sampled_fisher, cases, 1)],
    )


def referee_F_hat(ns):
    # error carried forward: compared with the reference only where the student's score and
    # sampled_fisher are right (otherwise the visible check's consistency part decides)
    def run(seed):
        F_hat, _ = as_array(ns["F_hat"], "F_hat", (2, 2))
        args = (ns["k"], ns["sigma"], ns["s"], ns["a"])
        if not matches(ns["score"], score, *args):
            return "your score differs from the reference: judged by consistency alone"
        want = sampled_fisher(score(*args))
        if rel_error(F_hat, want) > 1e-4:
            raise Fail("F_hat is not the sampled Fisher of these samples")
        return "the sampled Fisher of these samples"

    return at_stake("F_hat (reference)", 1, [Part("reference", 0.5, run)])


def referee_policy_kl(ns):
    rng = np.random.default_rng(103)
    cases = [
        (-0.2, 0.7, -0.5, 0.5, rng.normal(size=40)),
        (-1.0, 0.3, -0.9, 0.35, rng.normal(size=7)),
    ]
    return at_stake(
        "policy_kl (reference)", 2, [agrees("policy_kl", ns["policy_kl"], policy_kl, cases, 1)]
    )


def referee_H(ns):
    def run(seed):
        H, _ = as_array(ns["H"], "H", (2, 2))
        s = np.asarray(ns["s"], dtype=float)
        args = (ns["k"], ns["sigma"], ns["k"] + 0.01, ns["sigma"] - 0.01, s)
        if not matches(ns["policy_kl"], policy_kl, *args):
            return "your policy_kl differs from the reference: judged by consistency alone"
        F = np.diag([np.mean(s * s) / ns["sigma"] ** 2, 2.0 / ns["sigma"] ** 2])
        if rel_error(H, F) > 1e-4:
            raise Fail("H is not the Fisher of these states")
        return "H is the Fisher of these states"

    return at_stake("H (reference)", 2, [Part("reference", 1, run)])


def referee_kl_quadratic(ns):
    rng = np.random.default_rng(104)
    B = rng.normal(size=(3, 3))
    cases = [(rng.normal(size=3), B @ B.T + np.eye(3))]
    ref = lambda d, F: 0.5 * d @ F @ d  # noqa: E731
    return at_stake(
        "kl_quadratic (reference)", 1, [agrees("kl_quadratic", ns["kl_quadratic"], ref, cases, 0.5)]
    )


def referee_fisher_log_std(ns):
    cases = [(0.3, 1.5), (1.7, 0.2), (0.05, 3.0)]
    part = agrees("fisher_log_std", ns["fisher_log_std"], fisher_log_std, cases, 1.5)
    return at_stake("fisher_log_std (reference)", 2, [part])


#: the course functions each solution must not call (also checked, in the student's process, by
#: the visible check); the judge makes them raise in the worker when called by that solution
FORBIDDEN = checks.hw1.FORBIDDEN

REFEREES = {
    "test_score": referee_score,
    "test_sampled_fisher": referee_sampled_fisher,
    "test_F_hat": referee_F_hat,
    "test_policy_kl": referee_policy_kl,
    "test_H": referee_H,
    "test_kl_quadratic": referee_kl_quadratic,
    "test_fisher_log_std": referee_fisher_log_std,
}
