"""Instant feedback for the homework: compare a student's answer with the reference.

Every ``check_*`` function calls the student's function (or takes the student's value) on test
inputs, compares the result with the reference implementation in the math modules and then
either prints one friendly line starting with a check mark, or raises ``AssertionError`` with
a message that names the mistake. The common mistakes of this course are recognised by
computing each wrong variant on the same inputs and seeing whether the answer matches it:

- the sigma-score without its ``-1/sigma`` term (a common mistake, MATH.md section 5);
- ``F`` instead of ``F^-1`` in the natural step size (erratum 1);
- a dropped 1/2 in ``KL ~= 1/2 d^T F d`` (erratum 2), e.g. "1/2 d^T F d = 0.5 eps";
- a missing baseline in the REINFORCE estimate;
- a vanilla step normalised wrongly (``||d|| = eps`` instead of ``||d||^2 = eps``);

and several others (a summed instead of averaged Fisher, a swapped KL, steepest descent instead
of conjugate gradient, ...). A function that still raises ``NotImplementedError`` (nbgrader's
stub), returns ``None`` or returns the wrong shape gets an ``AssertionError`` that says so,
never a crash inside the check.

This is the homework layer: it imports the math modules only (never matplotlib, ipywidgets or
nbgrader). Used in ``notebooks/homework/source/hw1_score_and_fisher``,
``hw2_natural_step`` and ``hw3_npg_experiment``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import kl as _kl
from . import mdp as _mdp
from . import natural as _natural
from .gaussian import LinearGaussianLQR, gaussian_score
from .mdp import Trajectories

__all__ = [
    "check_score",
    "check_sampled_fisher",
    "check_fisher_estimate",
    "check_policy_kl",
    "check_kl_hessian",
    "check_kl_quadratic",
    "check_vanilla_step",
    "check_natural_step",
    "check_step_angles",
    "check_fisher_vector_product",
    "check_conjugate_gradient",
    "check_reinforce_terms",
    "check_sampled_natural_gradient",
    "check_natural_direction",
    "check_plateau_run",
    "check_escape_iterations",
    "plateau_gradient_and_fisher",
    "plateau_run",
]

PASS = "\u2713"  # the check mark that starts every pass message


# --- plumbing -------------------------------------------------------------------------------


def _passed(message: str) -> None:
    print(f"{PASS} {message}")


def _call(fn, name: str, *args, **kwargs):
    """Call the student's ``fn``; turn a stub, a missing function or any error into feedback."""
    if not callable(fn):
        raise AssertionError(
            f"{name} is not a function (it is {type(fn).__name__}); define it with "
            f"`def {name}(...)` and run that cell first"
        )
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        message = (
            f"{name} is not written yet: replace `raise NotImplementedError()` with your code "
            "and run its cell again"
        )
    except MemoryError:
        # raised after the except block, so that the frames holding the memory are freed
        message = (
            f"{name} ran out of memory (MemoryError): does it allocate without bound, for "
            "example a list that grows in a loop that never ends?"
        )
    except Exception as err:  # the student's bug, reported as feedback instead of a crash
        raise AssertionError(f"{name} raised {type(err).__name__}: {err}") from err
    raise AssertionError(message)


def _result(value, name: str, shape: tuple | None = None, hint: str = "") -> np.ndarray:
    """The student's value as a finite float array of the expected shape, or feedback."""
    if value is None:
        raise AssertionError(
            f"{name} is None: did you forget to `return` it, or to run the cell that computes it?"
        )
    if isinstance(value, tuple) and len(value) == 2 and shape is not None:
        first = np.asarray(value[0]) if not isinstance(value[0], tuple) else None
        if first is not None and first.shape == shape:
            raise AssertionError(f"{name} returned a pair (tuple); return the array only")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(
            f"{name} is not an array of numbers (it is {type(value).__name__})"
        ) from None
    if shape is not None and arr.shape != tuple(shape):
        raise AssertionError(f"{name} has shape {arr.shape}; expected shape {tuple(shape)}{hint}")
    if not np.all(np.isfinite(arr)):
        raise AssertionError(f"{name} contains NaN or infinity: {_fmt(arr)}")
    return arr


def _fmt(x) -> str:
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):.6g}"
    return np.array2string(arr, precision=6, suppress_small=False, max_line_width=90)


def _close(a, b, rtol: float = 1e-7, atol: float = 1e-12) -> bool:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape or not np.all(np.isfinite(b)):
        return False
    scale = max(float(np.max(np.abs(b), initial=0.0)), atol)
    return bool(np.max(np.abs(a - b), initial=0.0) <= rtol * scale + atol)


def _diagnose(answer, reference, name: str, mistakes, default: str, rtol: float = 1e-7):
    """Pass if ``answer`` matches ``reference``; else raise the first matching mistake's message."""
    if _close(answer, reference, rtol):
        return
    for candidate, message in mistakes:
        if candidate is not None and _close(answer, candidate, rtol):
            raise AssertionError(f"{name}: {message}")
    raise AssertionError(f"{name}: {default}")


def _cos(u, v) -> float:
    u = np.ravel(np.asarray(u, dtype=float))
    v = np.ravel(np.asarray(v, dtype=float))
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0.0 or nv == 0.0:
        return 0.0
    return float(np.clip(u @ v / (nu * nv), -1.0, 1.0))


def _spd(rng: np.random.Generator, eigenvalues) -> np.ndarray:
    """A random symmetric positive definite matrix with the given eigenvalues."""
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    Q, _ = np.linalg.qr(rng.normal(size=(eigenvalues.size, eigenvalues.size)))
    return (Q * eigenvalues) @ Q.T


# --- hw1: score, sampled Fisher, KL and its Hessian -------------------------------------------


def check_score(score: Callable, seed: int = 0) -> None:
    """Check ``score(k, sigma, s, a)``: the score of ``N(a; k s, sigma^2)`` in ``(k, sigma)``.

    Reference: :func:`course_utils.gaussian.gaussian_score`,
    ``((a - k s) s / sigma^2, ((a - k s)^2 - sigma^2) / sigma^3)`` stacked on the last axis.

    Parameters
    ----------
    score : callable
        The student's function; must broadcast over arrays ``s``, ``a`` of shape (n,) and
        return shape (n, 2).
    seed : int, default 0
        Seed of the random test points.

    Raises
    ------
    AssertionError
        Naming the mistake: the sigma-score without ``-1/sigma`` (a common mistake), a sign, a
        missing factor ``s``, the derivative in the variance or in ``log sigma``, swapped
        components, the wrong shape.
    """
    rng = np.random.default_rng(seed)
    k = float(rng.uniform(-1.5, -0.3))
    sigma = float(rng.uniform(0.3, 0.8))
    s = rng.normal(0.0, 1.0, size=8)
    a = k * s + sigma * rng.normal(size=8)
    out = _call(score, "score", k, sigma, s.copy(), a.copy())
    hint = ""
    arr = np.asarray(out, dtype=float) if out is not None else None
    if arr is not None and arr.shape == (2, 8):
        hint = (
            ": stack the two components on the LAST axis, np.stack([d_k, d_sigma], axis=-1), "
            "so that score(...)[..., 0] is d/dk and score(...)[..., 1] is d/dsigma"
        )
    out = _result(out, "score(k, sigma, s, a) for s, a of shape (8,)", (8, 2), hint)
    ref = gaussian_score(k, sigma, s, a)
    u = a - k * s
    if _close(out[:, 0], ref[:, 1]) and _close(out[:, 1], ref[:, 0]):
        raise AssertionError(
            "score: the two components are swapped; return (d/dk, d/dsigma) in this order"
        )
    _diagnose(
        out[:, 0],
        ref[:, 0],
        "score, k-component",
        [
            (
                -ref[:, 0],
                "wrong sign: d/dk log pi = +(a - k s) s / sigma^2 (you have (k s - a) s / sigma^2)",
            ),
            (
                u / sigma**2,
                "the factor s is missing: the mean k s depends on k through s, so "
                "d/dk log pi = (a - k s) s / sigma^2",
            ),
            (u * s / sigma, "wrong power of sigma: d/dk log pi = (a - k s) s / sigma^2"),
            (u * s / sigma**3, "wrong power of sigma: d/dk log pi = (a - k s) s / sigma^2"),
        ],
        "does not match (a - k s) s / sigma^2 (the derivative of -(a - k s)^2 / (2 sigma^2) in k)",
    )
    _diagnose(
        out[:, 1],
        ref[:, 1],
        "score, sigma-component",
        [
            (
                u**2 / sigma**3,
                "the sigma-score misses its -1/sigma term. log N(a; k s, sigma^2) = "
                "-(a - k s)^2 / (2 sigma^2) - log sigma + const, and the -log sigma gives "
                "-1/sigma: "
                "d/dsigma log pi = ((a - k s)^2 - sigma^2) / sigma^3, not (a - k s)^2 / sigma^3 "
                "(a common mistake: the -1/sigma hides in '+ const'). Without it the score's "
                "mean is 1/sigma, not 0",
            ),
            (-ref[:, 1], "wrong sign: d/dsigma log pi = ((a - k s)^2 - sigma^2) / sigma^3"),
            (
                (u**2 - sigma**2) / (2 * sigma**4),
                "that is the derivative in the variance sigma^2; the course's sigma is the "
                "standard deviation: d/dsigma log pi = ((a - k s)^2 - sigma^2) / sigma^3",
            ),
            (
                (u**2 - sigma**2) / sigma**2,
                "that is the derivative in log sigma (sigma * d/dsigma); divide by sigma once "
                "more: d/dsigma log pi = ((a - k s)^2 - sigma^2) / sigma^3",
            ),
            (
                u**2 / sigma**3 + 1 / sigma,
                "the sign of the 1/sigma term: d/dsigma (-log sigma) = -1/sigma",
            ),
        ],
        "does not match ((a - k s)^2 - sigma^2) / sigma^3 (differentiate "
        "-(a - k s)^2 / (2 sigma^2) - log sigma in sigma)",
    )
    _result(
        _call(score, "score", k, sigma, 0.5, k * 0.5 + sigma),
        "score(k, sigma, s, a) for scalar s, a",
        (2,),
        ": for scalar s and a return an array of shape (2,)",
    )
    _passed("score(k, sigma, s, a) is correct: both components match the reference.")


def check_sampled_fisher(sampled_fisher: Callable, seed: int = 0) -> None:
    """Check ``sampled_fisher(scores)``: ``F_hat = (1/N) sum_i psi_i psi_i^T`` for scores (N, n).

    Raises
    ------
    AssertionError
        Naming the mistake: a sum instead of a mean, ``N - 1``, a centred covariance, the
        diagonal only, ``scores @ scores.T``.
    """
    rng = np.random.default_rng(seed)
    N, n = 50, 3
    scores = rng.normal(size=(N, n)) + np.array([0.3, -0.2, 0.5])
    out = _call(sampled_fisher, "sampled_fisher", scores.copy())
    if out is not None:
        shape = np.shape(out)
        if shape == (n,):
            raise AssertionError(
                "sampled_fisher returned a vector of shape (n,): use the outer product "
                "psi psi^T, i.e. scores.T @ scores / N, not the squares of the scores"
            )
        if shape == (N, N):
            raise AssertionError(
                "sampled_fisher returned an (N, N) matrix, scores @ scores.T; the Fisher is "
                "(n, n): scores.T @ scores / N"
            )
    out = _result(out, "sampled_fisher(scores) for scores of shape (50, 3)", (n, n))
    ref = scores.T @ scores / N
    centred = scores - scores.mean(axis=0)
    _diagnose(
        out,
        ref,
        "sampled_fisher",
        [
            (
                scores.T @ scores,
                "you summed over the samples; the Fisher is the MEAN of psi psi^T: divide by N",
            ),
            (
                scores.T @ scores / (N - 1),
                "divide by N, not N - 1 (F is a mean, not an unbiased variance)",
            ),
            (
                centred.T @ centred / (N - 1),
                "you centred the scores (np.cov): the Fisher is the second moment E[psi psi^T], "
                "not the covariance; they agree only in expectation, where E[psi] = 0",
            ),
            (
                centred.T @ centred / N,
                "you centred the scores: the Fisher is the second moment E[psi psi^T], not the "
                "covariance; they agree only in expectation, where E[psi] = 0",
            ),
        ],
        "does not match scores.T @ scores / N",
    )
    _passed("sampled_fisher(scores) is correct: the mean of the outer products psi psi^T.")


def check_fisher_estimate(F_hat, k: float, sigma: float, s, a) -> None:
    """Check the student's sampled Fisher of ``N(a; k s, sigma^2)`` on the given samples.

    Reference: the mean of ``psi psi^T`` with ``psi = gaussian_score(k, sigma, s, a)``, the same
    samples; this catches a wrong score that survived into the Fisher.
    """
    F_hat = _result(F_hat, "F_hat", (2, 2))
    s = np.asarray(s, dtype=float)
    a = np.asarray(a, dtype=float)
    psi = gaussian_score(k, sigma, s, a).reshape(-1, 2)
    ref = psi.T @ psi / psi.shape[0]
    u = (a - k * s).ravel()
    wrong = np.stack([psi[:, 0], u**2 / sigma**3], axis=-1)
    _diagnose(
        F_hat,
        ref,
        "F_hat",
        [
            (
                wrong.T @ wrong / psi.shape[0],
                f"F_hat[1, 1] = {F_hat[1, 1]:.4f} is about 3/sigma^2 = {3 / sigma**2:.4f} instead "
                f"of 2/sigma^2 = {2 / sigma**2:.4f}: your sigma-score misses its -1/sigma term "
                "(a common mistake); fix score() and run the cells again",
            ),
        ],
        "does not match the mean of psi psi^T over these samples; does score() pass its check?",
        rtol=1e-6,
    )
    _passed("F_hat is the sampled Fisher of these samples.")


def check_policy_kl(policy_kl: Callable, seed: int = 0) -> None:
    """Check ``policy_kl(k, sigma, k_new, sigma_new, s)``.

    Reference: the mean over the states ``s`` of
    ``KL(N(k s, sigma^2) || N(k_new s, sigma_new^2))`` (:func:`course_utils.kl.kl_gaussian`).

    Raises
    ------
    AssertionError
        Naming the mistake: the arguments in the other order, a dropped 1/2 or -1/2, variances
        where standard deviations go, a sum over states instead of a mean.
    """
    rng = np.random.default_rng(seed)
    s = rng.normal(0.3, 1.0, size=20)
    for _ in range(3):
        k, k_new = rng.uniform(-1.2, -0.2, size=2)
        sigma, sigma_new = rng.uniform(0.3, 0.9, size=2)
        out = _result(
            _call(policy_kl, "policy_kl", k, sigma, k_new, sigma_new, s.copy()),
            "policy_kl(k, sigma, k_new, sigma_new, s)",
            (),
            ": return one number, the mean over the states s",
        )
        m1, m2 = k * s, k_new * s
        ref = float(np.mean(_kl.kl_gaussian(m1, sigma, m2, sigma_new)))
        log_ratio = np.log(sigma_new / sigma)
        _diagnose(
            out,
            ref,
            "policy_kl",
            [
                (
                    np.mean(_kl.kl_gaussian(m2, sigma_new, m1, sigma)),
                    "you computed KL(pi_new || pi_old); the course uses "
                    "KL(pi_theta || pi_theta'), the old policy first (same Hessian at d = 0, "
                    "not the same number)",
                ),
                (
                    np.mean(log_ratio + (sigma**2 + (m1 - m2) ** 2) / sigma_new**2 - 0.5),
                    "the 1/2 in (sigma^2 + (mu - mu')^2) / (2 sigma'^2) is missing",
                ),
                (
                    np.mean(log_ratio + (sigma**2 + (m1 - m2) ** 2) / (2 * sigma_new**2)),
                    "the constant -1/2 is missing (check: the KL of a policy with itself is 0)",
                ),
                (
                    np.mean(_kl.kl_gaussian(m1, sigma**2, m2, sigma_new**2)),
                    "you used the variance where the standard deviation goes (sigma is the std)",
                ),
                (
                    np.sum(_kl.kl_gaussian(m1, sigma, m2, sigma_new)),
                    "average the KL over the states (np.mean), do not sum it",
                ),
            ],
            f"{_fmt(out)} instead of {_fmt(ref)} at k={k:.3f}, sigma={sigma:.3f}, "
            f"k_new={k_new:.3f}, sigma_new={sigma_new:.3f}",
            rtol=1e-6,
        )
    same = _result(_call(policy_kl, "policy_kl", -0.5, 0.4, -0.5, 0.4, s.copy()), "policy_kl", ())
    if abs(float(same)) > 1e-12:
        raise AssertionError(f"policy_kl: the KL of a policy with itself is {_fmt(same)}, not 0")
    _passed("policy_kl is correct: the state-averaged KL(pi_theta || pi_theta').")


def check_kl_hessian(H, k: float, sigma: float, s) -> None:
    """Check ``H``, the finite-difference Hessian of the KL at ``d = 0``, against the Fisher.

    Reference: ``F = diag(mean(s^2) / sigma^2, 2 / sigma^2)``, the Fisher of ``N(k s, sigma^2)``
    averaged over the given states.
    """
    H = _result(H, "H", (2, 2))
    s = np.asarray(s, dtype=float)
    F = np.diag([np.mean(s * s) / sigma**2, 2.0 / sigma**2])
    _diagnose(
        H,
        F,
        "H",
        [
            (
                2 * F,
                "H = 2 F: your KL is twice the true one; did you drop the 1/2 in the Gaussian KL "
                "(KL ~= 1/2 d^T F d has Hessian F)?",
            ),
            (F / 2, "H = F / 2: your KL is half the true one"),
            (F * s.size, "H = N F: sum over the states instead of the mean"),
        ],
        f"H = {_fmt(H)} but the Fisher is F = {_fmt(F)}; is H the Hessian in (k_new, sigma_new) "
        "at (k_new, sigma_new) = (k, sigma), i.e. at d = 0?",
        rtol=1e-4,
    )
    _passed("H equals the Fisher matrix F: the KL's Hessian at d = 0 is F.")


def check_kl_quadratic(kl_quadratic: Callable, seed: int = 0) -> None:
    """Check ``kl_quadratic(d, F) = 1/2 d^T F d``, the second-order KL (erratum 2)."""
    rng = np.random.default_rng(seed)
    F = _spd(rng, [3.0, 0.5, 1.5])
    d = rng.normal(size=3)
    out = _result(
        _call(kl_quadratic, "kl_quadratic", d.copy(), F.copy()),
        "kl_quadratic(d, F)",
        (),
        ": return one number",
    )
    ref = 0.5 * d @ F @ d
    _diagnose(
        out,
        ref,
        "kl_quadratic",
        [
            (
                d @ F @ d,
                "your KL approximation is d^T F d, twice the second-order term: the exact KL "
                "divided by d^T F d tends to 1/2 as d -> 0. KL ~= 1/2 d^T F d -- did you drop the "
                "1/2 (erratum 2 of the lecture notes)?",
            ),
            (0.5 * d @ np.linalg.solve(F, d), "use F, not F^-1: KL ~= 1/2 d^T F d"),
            (0.5 * d @ d, "F is missing: KL ~= 1/2 d^T F d"),
            (np.sqrt(d @ F @ d), "no square root: KL ~= 1/2 d^T F d"),
        ],
        f"{_fmt(out)} instead of 1/2 d^T F d = {_fmt(ref)}",
    )
    _passed("kl_quadratic(d, F) = 1/2 d^T F d is correct.")


# --- hw2: vanilla and natural steps, FVP, CG, REINFORCE ---------------------------------------


def check_vanilla_step(vanilla_step: Callable, seed: int = 0) -> None:
    """Check ``vanilla_step(g, eps)``: ``d = sqrt(eps / g^T g) g``, so that ``||d||^2 = eps``.

    Raises
    ------
    AssertionError
        Naming the mistake, with the measured ``||d||^2 / eps``: ``||d|| = eps`` instead of
        ``||d||^2 = eps``, no normalisation, the natural step's 2, a descent step.
    """
    rng = np.random.default_rng(seed)
    g = rng.normal(size=3) * 2.5
    eps = 0.04
    d = _result(_call(vanilla_step, "vanilla_step", g.copy(), eps), "vanilla_step(g, eps)", (3,))
    ref = _natural.vanilla_step(g, eps)
    norm_g = np.linalg.norm(g)
    ratio = float(d @ d / eps)
    _diagnose(
        d,
        ref,
        "vanilla_step",
        [
            (-ref, "your step goes downhill: gradient ASCENT on J moves along +g"),
            (
                eps * g / norm_g,
                f"your step has ||d|| = eps, so ||d||^2 = eps^2 ({ratio:.4g} eps here): the "
                "trust region is d^T d <= eps, so d = sqrt(eps / g^T g) g with ||d||^2 = eps",
            ),
            (
                eps * g,
                f"your step is eps * g, not normalised (||d||^2 = {ratio:.4g} eps here): its "
                "length grows with ||g||; the trust-region step is d = sqrt(eps / g^T g) g",
            ),
            (
                np.sqrt(eps) * g,
                f"your step is sqrt(eps) * g: divide by ||g|| (||d||^2 = {ratio:.4g} eps here); "
                "d = sqrt(eps / g^T g) g",
            ),
            (
                np.sqrt(2 * eps / (g @ g)) * g,
                "your step has ||d||^2 = 2 eps: the 2 belongs to the natural step "
                "(1/2 d^T F d = eps); the vanilla constraint d^T d <= eps has no 1/2",
            ),
            (
                np.sqrt(eps / (2 * g @ g)) * g,
                "your step has ||d||^2 = eps / 2: the vanilla constraint is d^T d <= eps "
                "(no 1/2), d = sqrt(eps / g^T g) g",
            ),
        ],
        (
            f"your step points along g but has ||d||^2 = {ratio:.4g} eps instead of eps; "
            "d = sqrt(eps / g^T g) g"
            if _cos(d, g) > 1 - 1e-9
            else f"your step is not parallel to g (angle {np.degrees(np.arccos(_cos(d, g))):.1f} "
            "degrees); the steepest-ascent direction in the Euclidean ball is g itself"
        ),
    )
    _passed("vanilla_step(g, eps) is correct: along g with ||d||^2 = eps.")


def _natural_step_feedback(d, g, F, eps) -> str | None:
    """The specific message for a wrong natural step ``d``, or None if ``d`` is right."""
    x = np.linalg.solve(F, g)
    ref = np.sqrt(2 * eps / (g @ x)) * x
    if _close(d, ref):
        return None
    kl2 = 0.5 * float(d @ F @ d)
    ratio = kl2 / eps
    if _cos(d, x) > 1 - 1e-9:
        wrong_f = 0.5 * (2 * eps / (g @ F @ g)) * (x @ F @ x) / eps
        if abs(ratio - wrong_f) <= 1e-6 * wrong_f:
            return (
                f"your step points along F^-1 g (good), but 1/2 d^T F d = {ratio:.4g} eps instead "
                "of eps: the step size uses g^T F g. The step size is sqrt(2 eps / (g^T F^-1 g)), "
                "with F^-1 (erratum 1 of the lecture notes)"
            )
        if abs(ratio - 0.5) < 1e-6:
            return (
                "your step has 1/2 d^T F d = 0.5 eps: you solved d^T F d = eps. Did you drop the "
                "1/2 of KL ~= 1/2 d^T F d? The step size is sqrt(2 eps / (g^T F^-1 g))"
            )
        if abs(ratio - 2.0) < 1e-6:
            return (
                "your step has 1/2 d^T F d = 2 eps: it is sqrt(2) times too long, as if a 2 were "
                "counted twice (sqrt(4 eps / ...)); dropping the 1/2 would give 0.5 eps instead. "
                "The constraint 1/2 d^T F d <= eps gives d = sqrt(2 eps / (g^T F^-1 g)) F^-1 g"
            )
        return (
            f"your step points along F^-1 g (good) but has 1/2 d^T F d = {ratio:.4g} eps instead "
            "of eps; the step size is sqrt(2 eps / (g^T F^-1 g))"
        )
    if _cos(d, -x) > 1 - 1e-9:
        return "your step goes downhill (along -F^-1 g): ascent moves along +F^-1 g"
    if _cos(d, g) > 1 - 1e-9:
        return (
            "your step is parallel to g, the vanilla direction; the natural direction is "
            "F^-1 g = np.linalg.solve(F, g)"
        )
    if _cos(d, F @ g) > 1 - 1e-9:
        return (
            "your direction is F g: you multiplied by F instead of solving with it; the natural "
            "direction is F^-1 g = np.linalg.solve(F, g)"
        )
    angle = np.degrees(np.arccos(_cos(d, x)))
    return f"your step is {angle:.1f} degrees away from F^-1 g (1/2 d^T F d = {ratio:.4g} eps)"


def check_natural_step(natural_step: Callable, seed: int = 0) -> None:
    """Check ``natural_step(g, F, eps)``: ``d = sqrt(2 eps / g^T F^-1 g) F^-1 g``.

    The test matrices are anisotropic (with ``F = c I`` the mistake ``g^T F g`` would go
    unnoticed). The feedback states ``1/2 d^T F d`` in units of ``eps``.

    Raises
    ------
    AssertionError
        Naming the mistake: ``F`` instead of ``F^-1`` in the step size (erratum 1), a dropped
        1/2 (ratio 0.5 or 2), the vanilla direction, ``F g``, a descent step.
    """
    rng = np.random.default_rng(seed)
    lqr = LinearGaussianLQR()
    cases = [
        (rng.normal(size=3), _spd(rng, [4.0, 0.05, 1.0]), 0.01),
        (lqr.gradient(-1.5, 0.2), lqr.fisher_information(-1.5, 0.2), 1e-3),
    ]
    for g, F, eps in cases:
        n = g.size
        d = _result(
            _call(natural_step, "natural_step", g.copy(), F.copy(), eps),
            f"natural_step(g, F, eps) for g of shape ({n},)",
            (n,),
        )
        message = _natural_step_feedback(d, g, F, eps)
        if message is not None:
            raise AssertionError(f"natural_step: {message}")
    _passed("natural_step(g, F, eps) is correct: along F^-1 g with 1/2 d^T F d = eps.")


def check_step_angles(angle_vanilla, angle_natural, k: float = -1.5, sigma: float = 0.2) -> None:
    """Check the angles (degrees) between the steps at ``(k, sigma)`` and the way to the optimum.

    Reference: :meth:`LinearGaussianLQR.angle_to_optimum` of ``g`` and ``F^-1 g`` in the default
    (Peters) setting: about 62 and 9 degrees at ``(-1.5, 0.2)``.
    """
    lqr = LinearGaussianLQR()
    ref_v = float(lqr.angle_to_optimum(k, sigma, lqr.gradient(k, sigma)))
    ref_n = float(lqr.angle_to_optimum(k, sigma, lqr.natural_gradient(k, sigma)))
    got = [
        float(_result(angle_vanilla, "angle_vanilla", ())),
        float(_result(angle_natural, "angle_natural", ())),
    ]
    refs = [ref_v, ref_n]
    if all(abs(a - r) < 0.05 for a, r in zip(got, refs, strict=True)):
        _passed(
            f"the angles are right: vanilla {ref_v:.1f} degrees, natural {ref_n:.1f} degrees "
            "away from the direction to the optimum."
        )
        return
    if all(abs(np.degrees(a) - r) < 0.05 for a, r in zip(got, refs, strict=True)):
        raise AssertionError("the angles are in radians; give them in degrees (np.degrees)")
    if abs(got[0] - ref_n) < 0.05 and abs(got[1] - ref_v) < 0.05:
        raise AssertionError("angle_vanilla and angle_natural are swapped")
    names = ["angle_vanilla", "angle_natural"]
    bad = [
        f"{nm} = {a:.2f}" for nm, a, r in zip(names, got, refs, strict=True) if abs(a - r) >= 0.05
    ]
    raise AssertionError(
        f"{', '.join(bad)} degrees: measure the angle between your step and (k*, 0) - (k, sigma) "
        "with lqr.angle_to_optimum(k, sigma, d); do your steps pass their checks?"
    )


def check_fisher_vector_product(fisher_vector_product: Callable, seed: int = 0) -> None:
    """Check ``fisher_vector_product(scores, v, weights) = scores^T (weights * (scores v))``.

    Reference: :func:`course_utils.natural.fisher_vector_product`.
    """
    rng = np.random.default_rng(seed)
    N, n = 40, 3
    scores = rng.normal(size=(N, n))
    v = rng.normal(size=n)
    weights = rng.uniform(0.1, 1.0, size=N) / 7.0
    out = _call(
        fisher_vector_product, "fisher_vector_product", scores.copy(), v.copy(), weights.copy()
    )
    if out is not None and np.shape(out) == (n, n):
        raise AssertionError(
            "fisher_vector_product returned a matrix: return the product F v (shape (n,)) and "
            "never form F; F v = scores.T @ (weights * (scores @ v))"
        )
    out = _result(out, "fisher_vector_product(scores, v, weights)", (n,))
    ref = _natural.fisher_vector_product(scores, v, weights=weights)
    _diagnose(
        out,
        ref,
        "fisher_vector_product",
        [
            (
                scores.T @ (scores @ v) / N,
                "you ignored the weights: F v = scores.T @ (weights * (scores @ v))",
            ),
            (
                scores.T @ (scores @ v),
                "you ignored the weights: F v = scores.T @ (weights * (scores @ v))",
            ),
            (
                scores.T @ (weights * (scores @ v)) / N,
                "the weights already carry the 1/N: do not divide again",
            ),
        ],
        "does not match scores.T @ (weights * (scores @ v))",
    )
    _passed("fisher_vector_product is correct: F v without forming F.")


def check_conjugate_gradient(conjugate_gradient: Callable, seed: int = 0) -> None:
    """Check ``conjugate_gradient(matvec, b, iters, tol)`` against a direct solve and against
    :func:`course_utils.natural.conjugate_gradient` after a few iterations.

    Also counts the calls of ``matvec``: one per iteration (forming the matrix from ``n``
    products, or using steepest descent, is reported).
    """
    rng = np.random.default_rng(seed)
    n = 8
    A = _spd(rng, np.geomspace(1.0, 100.0, n))
    b = rng.normal(size=n)
    calls = [0]

    def matvec(v):
        calls[0] += 1
        return A @ np.asarray(v, dtype=float)

    x = _result(
        _call(conjugate_gradient, "conjugate_gradient", matvec, b.copy(), iters=3, tol=1e-12),
        "conjugate_gradient(matvec, b, iters=3)",
        (n,),
    )
    if calls[0] > 4:
        raise AssertionError(
            f"conjugate_gradient called matvec {calls[0]} times for iters=3: do one product A p "
            "per iteration and stop after `iters` iterations (never form F from n products)"
        )
    ref3, _ = _natural.conjugate_gradient(lambda v: A @ v, b, iters=3, tol=1e-12)
    steepest = np.zeros(n)
    r = b.copy()
    for _ in range(3):  # steepest descent: the classic wrong variant (p = r every iteration)
        alpha = (r @ r) / (r @ A @ r)
        steepest = steepest + alpha * r
        r = b - A @ steepest
    _diagnose(
        x,
        ref3,
        "conjugate_gradient",
        [
            (-ref3, "wrong sign: CG solves A x = b starting from x = 0, r = p = b"),
            (
                steepest,
                "after 3 iterations you are at the steepest-descent iterate: the search "
                "directions must be conjugate, p <- r + (r_new^T r_new / r^T r) p",
            ),
            (
                np.linalg.solve(A, b),
                "you solved A x = b exactly in 3 iterations of an 8 x 8 "
                "problem: do exactly `iters` CG iterations with matvec only",
            ),
        ],
        "after iters=3 your x differs from 3 iterations of conjugate gradient (x = 0, r = p = b, "
        "alpha = r^T r / p^T A p, x += alpha p, r -= alpha A p, p = r + (r_new^T r_new / r^T r) p)",
        rtol=1e-6,
    )
    calls[0] = 0
    x = _result(
        _call(conjugate_gradient, "conjugate_gradient", matvec, b.copy(), iters=n, tol=1e-20),
        f"conjugate_gradient(matvec, b, iters={n})",
        (n,),
    )
    if not _close(x, np.linalg.solve(A, b), rtol=1e-6):
        raise AssertionError(
            f"conjugate_gradient: after iters={n} = n iterations x should solve A x = b "
            f"(relative error {np.linalg.norm(A @ x - b) / np.linalg.norm(b):.2e})"
        )
    _passed("conjugate_gradient is correct: solves F x = g with one matvec per iteration.")


def _reinforce_reference(states, actions, rewards, gamma, k, sigma, baseline, score=None):
    """Per-trajectory ``sum_t gamma^t psi_t (G_t - b_t)``, shape (n, 2)."""
    G = Trajectories(states, actions, rewards, gamma).rewards_to_go()
    discount = gamma ** np.arange(states.shape[1])
    psi = gaussian_score(k, sigma, states, actions) if score is None else score
    return np.einsum("nt,ntk->nk", discount * (G - baseline), psi)


def check_reinforce_terms(reinforce_terms: Callable, seed: int = 0) -> None:
    """Check ``reinforce_terms(states, actions, rewards, gamma, k, sigma, baseline)``.

    Reference: one row per trajectory, ``sum_t gamma^t psi(s_t, a_t) (G_t - b(s_t))`` with the
    Gaussian score ``psi`` (:func:`~course_utils.gaussian.gaussian_score`), the reward to go
    ``G_t`` and the baseline values ``b(s_t)``.

    Raises
    ------
    AssertionError
        Naming the mistake: a missing baseline, the whole return instead of the reward to go,
        no ``gamma^t``, the baseline added, the sigma-score without ``-1/sigma``, a mean over
        trajectories instead of one row each.
    """
    rng = np.random.default_rng(seed)
    lqr = LinearGaussianLQR()
    k, sigma, n, horizon = -0.8, 0.4, 6, 5
    traj = lqr.sample_trajectories(k, sigma, n, horizon, rng)
    baseline = lqr.value_function(traj.states, k, sigma)
    args = (
        traj.states.copy(),
        traj.actions.copy(),
        traj.rewards.copy(),
        lqr.gamma,
        k,
        sigma,
        baseline.copy(),
    )
    out = _call(reinforce_terms, "reinforce_terms", *args)
    if out is not None and np.shape(out) == (2,):
        raise AssertionError(
            "reinforce_terms returned shape (2,), a mean: return one row per trajectory, "
            "shape (n, 2); the notebook takes the mean and the standard error"
        )
    out = _result(out, f"reinforce_terms(...) for {n} trajectories", (n, 2))
    ref = _reinforce_reference(
        traj.states, traj.actions, traj.rewards, lqr.gamma, k, sigma, baseline
    )
    zero = np.zeros_like(baseline)
    G0 = np.repeat(traj.discounted_return()[:, None], horizon, axis=1)
    discount = lqr.gamma ** np.arange(horizon)
    psi = gaussian_score(k, sigma, traj.states, traj.actions)
    G = traj.rewards_to_go()
    u = traj.actions - k * traj.states
    psi_wrong = np.stack([psi[..., 0], u**2 / sigma**3], axis=-1)
    _diagnose(
        out,
        ref,
        "reinforce_terms",
        [
            (
                _reinforce_reference(
                    traj.states, traj.actions, traj.rewards, lqr.gamma, k, sigma, zero
                ),
                "the baseline is missing: your terms are sum_t gamma^t psi_t G_t. Subtract the "
                "baseline b(s_t) from G_t: it leaves the mean unchanged and cuts the spread "
                "(without it the spread grows like 1/sigma as sigma -> 0)",
            ),
            (
                _reinforce_reference(
                    traj.states, traj.actions, traj.rewards, lqr.gamma, k, sigma, -baseline
                ),
                "you added the baseline: use G_t - b(s_t)",
            ),
            (
                np.einsum("nt,ntk->nk", discount * (G0 - baseline), psi),
                "you used the whole return G_0 at every step; use the reward to go G_t "
                "(rewards before t do not depend on a_t)",
            ),
            (
                np.einsum("nt,ntk->nk", G - baseline, psi),
                "the discount gamma^t is missing: weight step t by gamma^t",
            ),
            (
                _reinforce_reference(
                    traj.states,
                    traj.actions,
                    traj.rewards,
                    lqr.gamma,
                    k,
                    sigma,
                    baseline,
                    psi_wrong,
                ),
                "your sigma-score misses its -1/sigma term: ((a - k s)^2 - sigma^2) / sigma^3 "
                "(a common mistake: the -1/sigma hides in '+ const')",
            ),
        ],
        "does not match sum_t gamma^t psi(s_t, a_t) (G_t - b(s_t)) per trajectory",
        rtol=1e-6,
    )
    _passed("reinforce_terms is correct: sum_t gamma^t psi_t (G_t - b(s_t)) per trajectory.")


def check_sampled_natural_gradient(x_hat, scores, weights, g_hat, damping: float) -> None:
    """Check ``x_hat``, the solution of ``(F_hat + damping I) x = g_hat`` by CG with FVPs.

    Reference: the direct solve with ``F_hat = scores^T diag(weights) scores`` (for two
    parameters CG reaches it in two iterations).
    """
    g_hat = _result(g_hat, "g_hat (the mean of your reinforce_terms)", None)
    x_hat = _result(x_hat, "x_hat", g_hat.shape)
    scores = np.asarray(scores, dtype=float)
    weights = np.asarray(weights, dtype=float)
    F = scores.T @ (weights[:, None] * scores)
    eye = np.eye(g_hat.size)
    ref = np.linalg.solve(F + damping * eye, g_hat)
    _diagnose(
        x_hat,
        ref,
        "x_hat",
        [
            (g_hat, "x_hat is g_hat itself, the vanilla direction; solve (F + damping I) x = g"),
            ((F + damping * eye) @ g_hat, "you multiplied by F; CG solves (F + damping I) x = g"),
            (np.linalg.solve(F, g_hat), "the damping is missing: matvec is v -> F v + damping v"),
        ],
        "does not solve (F_hat + damping I) x = g_hat",
        rtol=1e-5,
    )
    _passed("x_hat solves (F_hat + damping I) x = g_hat: the sampled natural gradient.")


# --- hw3: natural vs vanilla on Kakade's two-state plateau ---------------------------------------


def check_natural_direction(natural_direction: Callable, seed: int = 0) -> None:
    """Check ``natural_direction(g, F, damping) = (F + damping I)^-1 g``.

    Reference: :func:`course_utils.natural.natural_gradient`. The test Fisher is nearly
    singular, as on the plateau, so that a missing damping shows.
    """
    rng = np.random.default_rng(seed)
    F = _spd(rng, [2.0, 1e-6])
    g = rng.normal(size=2)
    damping = 1e-3
    out = _result(
        _call(natural_direction, "natural_direction", g.copy(), F.copy(), damping),
        "natural_direction(g, F, damping)",
        (2,),
    )
    ref = _natural.natural_gradient(g, F, damping)
    _diagnose(
        out,
        ref,
        "natural_direction",
        [
            (
                (F + damping * np.eye(2)) @ g,
                "you multiplied by F + damping I; solve with it instead",
            ),
            (F @ g, "you multiplied by F; the natural direction solves (F + damping I) d = g"),
            (
                np.linalg.solve(F + damping, g),
                "add the damping to the diagonal only: F + damping * np.eye(n)",
            ),
            (np.linalg.pinv(F) @ g, "the damping is missing: solve (F + damping I) d = g"),
            (g, "that is g itself, the vanilla direction"),
        ],
        "does not match np.linalg.solve(F + damping * I, g)",
        rtol=1e-6,
    )
    _passed("natural_direction is correct: (F + damping I)^-1 g.")


def plateau_gradient_and_fisher(x) -> tuple[np.ndarray, np.ndarray]:
    """Exact average-reward gradient and Fisher of Kakade's plateau in the sigmoid parameters.

    ``P(stay | s) = sigmoid(x_s)``; the gradient is column 0 of
    :func:`course_utils.mdp.average_reward_gradient` at :func:`~course_utils.mdp.sigmoid_theta`,
    the Fisher the matching entries of :func:`~course_utils.mdp.average_reward_fisher`.

    Parameters
    ----------
    x : array-like of shape (2,)

    Returns
    -------
    g : ndarray of shape (2,)
    F : ndarray of shape (2, 2)
        Diagonal, ``d(s) p_s (1 - p_s)``.
    """
    mdp = _mdp.two_state_mdp()
    theta = _mdp.sigmoid_theta(x)
    g = _mdp.average_reward_gradient(mdp, theta)[:, 0]
    idx = np.arange(mdp.n_states) * mdp.n_actions  # the entries of theta[s, 0]
    F = _mdp.average_reward_fisher(mdp, theta)[np.ix_(idx, idx)]
    return g, F


def plateau_run(
    x0,
    n_iter: int,
    natural: bool,
    lr: float = 1.0,
    damping: float = 1e-3,
    product_with_F: bool = False,
):
    """Reference run of gradient ascent on Kakade's plateau: ``x <- x + lr * direction``.

    Direction ``g`` (vanilla) or ``(F + damping I)^-1 g`` (natural). Records the average
    reward ``eta`` and the stationary probability of state ``j`` before every step.

    Parameters
    ----------
    x0 : array-like of shape (2,)
    n_iter : int
    natural : bool
    lr : float, default 1.0
    damping : float, default 1e-3
    product_with_F : bool, default False
        The classic mistake (``F g`` instead of ``F^-1 g``), for feedback.

    Returns
    -------
    eta, visit_j : ndarray of shape (n_iter + 1,)
    """
    mdp = _mdp.two_state_mdp()
    x = np.asarray(x0, dtype=float).copy()
    eta = np.empty(n_iter + 1)
    visit_j = np.empty(n_iter + 1)
    for t in range(n_iter + 1):  # the iterates depend on each other: the loop is the algorithm
        theta = _mdp.sigmoid_theta(x)
        eta[t] = _mdp.average_reward(mdp, theta)
        visit_j[t] = _mdp.stationary_distribution(mdp, _mdp.softmax_policy(theta))[1]
        if t == n_iter:
            break
        g, F = plateau_gradient_and_fisher(x)
        if natural:
            F = F + damping * np.eye(2)
            d = F @ g if product_with_F else np.linalg.solve(F, g)
        else:
            d = g
        x = x + lr * d
    return eta, visit_j


def check_plateau_run(run: Callable, n_iter: int = 30) -> None:
    """Check ``run(x0, n_iter, natural, lr=1.0, damping=1e-3) -> (eta, visit_j)``.

    Reference: :func:`plateau_run` from :data:`course_utils.mdp.PLATEAU_START`, vanilla and
    natural.
    """
    x0 = _mdp.PLATEAU_START
    for natural in (False, True):
        label = f"run(x0, {n_iter}, natural={natural})"
        out = _call(run, "run", x0.copy(), n_iter, natural)
        if out is None or not isinstance(out, tuple) or len(out) != 2:
            raise AssertionError(
                f"{label} must return a pair (eta, visit_j); got {type(out).__name__}"
            )
        eta = _result(out[0], f"eta of {label}", None)
        visit = _result(out[1], f"visit_j of {label}", None)
        ref_eta, ref_visit = plateau_run(x0, n_iter, natural)
        if eta.shape == (n_iter,) and _close(eta, ref_eta[1:], 1e-6):
            raise AssertionError(
                f"{label}: eta[0] must be the average reward at the start x0: record eta before "
                f"each update, n_iter + 1 = {n_iter + 1} values"
            )
        for name, arr in (("eta", eta), ("visit_j", visit)):
            if arr.shape != (n_iter + 1,):
                raise AssertionError(
                    f"{label}: {name} has shape {arr.shape}; expected ({n_iter + 1},): the start "
                    "and the point after every step"
                )
        if natural:
            wrong, _ = plateau_run(x0, n_iter, True, product_with_F=True)
            mistakes = [(wrong, "your natural step multiplies by F; solve (F + damping I) d = g")]
            mistakes.append(
                (plateau_run(x0, n_iter, False)[0], "natural=True ran plain gradient ascent")
            )
        else:
            mistakes = [
                (
                    plateau_run(x0, n_iter, True)[0],
                    "natural=False must be plain gradient ascent, x <- x + lr g",
                )
            ]
        mistakes.append(
            (
                ref_eta[np.minimum(np.arange(n_iter + 1) + 1, n_iter)],
                "eta[0] must be the average reward at the start x0 (record before each update)",
            )
        )
        _diagnose(
            eta,
            ref_eta,
            f"eta of {label}",
            mistakes,
            f"eta differs from the reference run: eta[-1] = {eta[-1]:.6f} instead of "
            f"{ref_eta[-1]:.6f}",
            rtol=1e-6,
        )
        _diagnose(
            visit,
            ref_visit,
            f"visit_j of {label}",
            [],
            "visit_j must be the stationary probability of state j at each iterate",
            rtol=1e-6,
        )
    _passed(f"run is correct: vanilla and natural match the reference for {n_iter} iterations.")


def check_escape_iterations(escape, dampings, n_iter: int, level: float = 1.9) -> None:
    """Check ``escape[damping]``: the first iteration with ``eta >= level`` (None if never).

    Reference: :func:`plateau_run` with each damping, natural direction, ``n_iter`` steps.
    """
    if not isinstance(escape, dict):
        raise AssertionError(
            f"escape must be a dict {{damping: iteration}}, got {type(escape).__name__}"
        )
    for damping in dampings:
        if damping not in escape:
            raise AssertionError(f"escape has no entry for damping = {damping:g}")
        eta, _ = plateau_run(_mdp.PLATEAU_START, n_iter, True, damping=damping)
        hits = np.flatnonzero(eta >= level)
        ref = int(hits[0]) if hits.size else None
        got = escape[damping]
        if ref is None and got is not None:
            raise AssertionError(
                f"escape[{damping:g}] = {got}, but eta never reaches {level} in {n_iter} steps: "
                "use None"
            )
        if ref is not None and (got is None or int(got) != ref):
            raise AssertionError(
                f"escape[{damping:g}] = {got}; the first iteration t with eta[t] >= {level} is a "
                "different one (eta[0] is the start)"
            )
    _passed("escape is correct for every damping.")
