"""Checks of homework 3 (``hw3_npg_experiment``): natural vs vanilla ascent on Kakade's plateau.

Properties only (the damped system's residual, the first step of a run from the student's own
helpers and direction, prefixes of runs, consistency of the escape table with the student's
run); the reference run lives with the instructor's source. float32 policy:
``natural_direction`` may be float32; ``run`` needs float64 (hundreds of dependent iterations on
a nearly singular Fisher).
"""

from __future__ import annotations

import numpy as np

from ..mdp import PLATEAU_START
from ._core import Fail, Part, Stop, as_array, call, fmt, forbid, grade, rel_error, spd

__all__ = ["natural_direction", "run", "escape_iterations"]

_PLATEAU = "course_utils.practical.plateau."
#: the course's own implementations a solution must not call, per exercise (solution cell)
FORBIDDEN = {
    "natural_direction": (
        "course_utils.natural.natural_gradient",
        "course_utils.natural.natural_step",
        _PLATEAU + "plateau_natural_gradient",
    ),
    "run": (_PLATEAU + "plateau_ascent", _PLATEAU + "plateau_natural_gradient"),
}


def _system(seed):
    rng = np.random.default_rng(seed)
    F = spd(rng, [2.0, 1e-6])  # nearly singular, as on the plateau
    return F, rng.normal(size=2), float(rng.choice([1e-3, 1e-2]))


def natural_direction(fn, seeds=(0,)) -> float:
    """Check ``natural_direction(g, F, damping)``, the damped natural direction.

    Parts: shape of ``g`` (0.5 point); it solves ``(F + damping I) x = g`` for a nearly singular
    ``F``: relative residual below 1e-6 (1); a large damping turns it into ``g / damping``
    (0.5). Notebook ``07_practical_npg``.
    """

    def gate(seed):
        forbid(fn, "natural_direction", FORBIDDEN["natural_direction"], np.ones(2), np.eye(2), 0.1)

    def out(seed):
        F, g, lam = _system(seed)
        x, rtol = as_array(call(fn, "natural_direction", g, F, lam), "natural_direction(...)", (2,))
        return F, g, lam, x, rtol

    def shape(seed):
        out(seed)
        as_array(
            call(fn, "natural_direction", [1.0, 0.5], [[1.0, 0.0], [0.0, 2.0]], 0.1), "x", (2,)
        )
        return "shaped like g, from arrays or lists"

    def solves(seed):
        F, g, lam, x, rtol = out(seed)
        A = F + lam * np.eye(2)
        res = np.linalg.norm(A @ x - g) / np.linalg.norm(g)
        if res > max(1e-6, 100 * rtol):
            if rel_error(x, A @ g) < 1e-6:
                hint = "you multiplied g by the matrix; the direction solves the system"
            elif rel_error(x, g) < 1e-9:
                hint = "that is g itself, the vanilla direction"
            else:
                hint = "is the damping added to the diagonal only (damping times the identity)?"
            raise Fail(
                f"(F + damping I) x differs from g by {res:.3g} (relative) for a nearly "
                f"singular F: {hint}"
            )
        return "solves (F + damping I) x = g"

    def large_damping(seed):
        F, g, _, _, rtol = out(seed)
        lam = 1e6
        x, _ = as_array(call(fn, "natural_direction", g, F, lam), "natural_direction", (2,))
        if rel_error(x * lam, g) > max(1e-4, 100 * rtol):
            raise Fail(f"with damping 1e6 your direction times the damping is {fmt(x * lam, 4)}, "
                       f"not g = {fmt(g, 4)}")  # fmt: skip
        return "a large damping gives g / damping"

    parts = [Part("shape", 0.5, shape), Part("damped system", 1, solves)]
    parts.append(Part("large damping", 0.5, large_damping))
    return grade("natural_direction", parts, seeds, gate)


def _eta(value, name, n):
    return as_array(value, name, (n,), float32_ok=False)[0]


def run(fn, gradient_and_fisher, reward_and_visitation, natural_direction_fn, seeds=(0,)) -> float:
    """Check ``run(x0, n_iter, natural, lr=1.0, damping=1e-3) -> (eta, visit_j)``; float64.

    Parts: two arrays of shape ``(n_iter + 1,)`` (0.5 point); entry 0 is the start,
    ``reward_and_visitation(x0)`` (0.5); entry 1 is one step ``x0 + lr * direction`` with
    ``g`` (vanilla) or the student's ``natural_direction(g, F, damping)`` (natural), from the
    notebook's ``gradient_and_fisher`` (1); a run of ``n`` iterations is the first ``n + 1``
    entries of a longer run, and a small vanilla step never lowers ``eta`` (1). Notebook
    ``07_practical_npg`` (Kakade's plateau).
    """

    def start(seed):
        rng = np.random.default_rng(seed)
        return PLATEAU_START + (rng.normal(0.0, 0.3, size=2) if seed else 0.0)

    def both(x0, n, natural, **kw):
        out = call(fn, "run", np.array(x0), n, natural, **kw)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Stop(f"run returned {type(out).__name__}; return the pair (eta, visit_j)")
        return _eta(out[0], "eta", n + 1), _eta(out[1], "visit_j", n + 1)

    def shapes(seed):
        both(start(seed), 5, True)
        both(start(seed), 0, False)
        return "two arrays of n_iter + 1 entries (one before any step)"

    def first(seed):
        x0 = start(seed)
        eta, visit = both(x0, 3, False)
        want = reward_and_visitation(x0)
        if abs(eta[0] - want[0]) > 1e-10 or abs(visit[0] - want[1]) > 1e-10:
            raise Fail(
                f"eta[0] = {eta[0]:.6f} and visit_j[0] = {visit[0]:.6f}, but at the start "
                f"eta = {want[0]:.6f}, d(j) = {want[1]:.6f}: entry 0 is the start, before any step"
            )
        return "entry 0 is the start"

    def one_step(seed):
        x0 = start(seed)
        g, F = gradient_and_fisher(x0)
        for natural, direction in [
            (False, np.asarray(g)),
            (True, call(natural_direction_fn, "natural_direction", g, F, 0.01)),
        ]:
            eta, _ = both(x0, 1, natural, lr=0.5, damping=0.01)
            want = reward_and_visitation(x0 + 0.5 * np.asarray(direction, dtype=float))[0]
            if abs(eta[1] - want) > 1e-9:
                kind = "natural" if natural else "vanilla"
                raise Fail(
                    f"{kind}, lr = 0.5, damping = 0.01: eta[1] = {eta[1]:.6f}, but one step "
                    f"x0 + lr * direction gives eta = {want:.6f}. Are lr and damping passed "
                    "on, and is the direction g (vanilla) or your natural_direction (natural)?"
                )
        return "entry 1 is one step along g (vanilla) or your natural direction (natural)"

    def whole(seed):
        x0 = start(seed)
        long, _ = both(x0, 12, True)
        short, _ = both(x0, 5, True)
        if rel_error(short, long[:6]) > 1e-12:
            raise Fail("run(x0, 5, True) is not the first 6 entries of run(x0, 12, True)")
        eta, _ = both(x0, 30, False, lr=0.2)
        drops = np.flatnonzero(np.diff(eta) < -1e-12)
        if drops.size:
            raise Fail(
                f"with lr = 0.2 the vanilla run lowers eta at iteration {drops[0] + 1}: a small "
                "gradient-ASCENT step never lowers the average reward"
            )
        return "consistent prefixes; small vanilla steps never lower eta"

    def gate(seed):
        forbid(fn, "run", FORBIDDEN["run"], np.array(PLATEAU_START), 2, True)

    parts = [Part("shapes", 0.5, shapes), Part("start", 0.5, first)]
    parts += [Part("one step", 1, one_step), Part("the whole run", 1, whole)]
    return grade("run", parts, seeds, gate)


def escape_iterations(escape, dampings, run_fn, n_iter: int = 100, level: float = 1.9) -> float:
    """Check the dict ``escape``: per damping, the first iteration with ``eta >= level``.

    Parts: one key per damping (0.5 point); each value an int in ``[0, n_iter]`` or None
    (0.5); each value is what the student's own ``run`` gives (1). Notebook
    ``07_practical_npg``.
    """

    def keys(seed):
        if not isinstance(escape, dict):
            raise Stop(f"escape is a {type(escape).__name__}; a dict is asked for")
        if sorted(map(float, escape)) != sorted(map(float, dampings)):
            raise Stop(f"escape has keys {sorted(escape)}; one key per damping {list(dampings)}")
        return "one key per damping"

    def values(seed):
        for lam, t in escape.items():
            ok = t is None or (isinstance(t, (int, np.integer)) and 0 <= int(t) <= n_iter)
            if not ok:
                raise Fail(f"escape[{lam}] = {t!r}: an iteration 0..{n_iter} (int) or None")
        return "iterations (int) or None"

    def consistent(seed):
        for lam in dampings:
            out = call(run_fn, "run", PLATEAU_START, n_iter, True, damping=lam)
            eta = _eta(out[0], "eta", n_iter + 1)
            first = next((t for t, value in enumerate(eta) if value >= level), None)
            if escape[lam] != first:
                hint = (
                    " (counted from 1? iteration 0 is the start)"
                    if isinstance(escape[lam], (int, np.integer))
                    and first is not None
                    and escape[lam] == first + 1
                    else " (the natural run, 100 iterations, from x0, with this damping?)"
                )
                raise Fail(
                    f"escape[{lam}] = {escape[lam]!r}, but your natural run with damping {lam} "
                    f"first has eta >= {level} at iteration {first!r}{hint}"
                )
        return "the first iterations of your runs"

    parts = [Part("keys", 0.5, keys), Part("values", 0.5, values)]
    parts.append(Part("your runs", 1, consistent))
    return grade("escape", parts)
