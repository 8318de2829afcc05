"""The machinery of the homework checks: parts with points, the representation rules, feedback.

An exercise's check is a list of *parts*, each a property of the student's answer worth some
points (the shape; the score's mean is 0 by Monte Carlo; the derivative agrees with finite
differences; ...). :func:`grade` runs them in order, prints one line per part (a check mark
and what holds, or a cross, the student's number, the property it breaks and a hint where to
look) and returns the points earned as :class:`Points`, which nbgrader reads as the cell's
partial credit. A part never compares with a stored answer: the references live with the
instructor's source, and the autograder's judge compares with them (``notebooks/homework``).

The same parts run in the student's notebook (one set of inputs, ``seed=0``) and when grading
(the hidden tests run them on more inputs, ``seeds=...``): the rules (shapes, dtypes,
tolerances) are the same, so an answer that passes the visible check cannot fail the hidden one
for its representation alone.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

PASS, FAIL = "\u2713", "\u2717"  # check mark, cross

# relative tolerance of an answer computed in float32 (24-bit mantissa) through a few operations
FLOAT32_RTOL = 1e-4


class Points(float):
    """Points earned in a check; its ``repr`` is the plain number, which nbgrader reads."""

    def __repr__(self) -> str:
        return repr(float(self))


class Fail(AssertionError):
    """A part's property does not hold: the message shows the number and the property."""


class Stop(Fail):
    """A failure after which no later part can run (a stub, a crash, the wrong shape)."""


@dataclass
class Part:
    """One property of an answer, worth ``points``; ``run(seed)`` returns what holds."""

    label: str
    points: float
    run: Callable[[int], str]


def grade(title: str, parts: Sequence[Part], seeds: Iterable[int] = (0,), gate=None) -> Points:
    """Run the parts on every seed, print the report, return the points earned.

    A part earns its points if it holds for every seed (the first failure is reported). A
    :class:`Stop` in a part (or in ``gate``, run first) ends the check: that part and the later
    ones earn nothing. ``gate(seed)`` may raise :class:`Stop` (a stub, delegation, ...).
    """
    seeds = tuple(int(s) for s in seeds) or (0,)
    total = float(sum(p.points for p in parts))
    lines, earned, stopped, gated = [], 0.0, None, None
    if gate is not None:
        try:
            gate(seeds[0])
        except Fail as err:
            stopped = gated = str(err)
    for part in parts:
        if stopped is not None:
            lines.append(f"{FAIL} {part.label} [0 of {_pts(part.points)}]: not checked")
            continue
        try:
            message = ""
            for seed in seeds:
                message = part.run(seed)
        except Stop as err:
            stopped = str(err)
            lines.append(f"{FAIL} {part.label} [0 of {_pts(part.points)}]: {err}")
            continue
        except Fail as err:
            lines.append(f"{FAIL} {part.label} [0 of {_pts(part.points)}]: {err}")
            continue
        earned += part.points
        lines.append(f"{PASS} {part.label} [{_pts(part.points)}]: {message}")
    if gated is not None:
        lines.insert(0, f"{FAIL} {gated}")
    head = f"{title}: {_pts(earned)} of {_pts(total)} points"
    if earned == total:
        head += " " + PASS
    print("\n".join([head, *("  " + ln for ln in lines)]))
    sys.stdout.flush()
    return Points(earned)


def _pts(x: float) -> str:
    return f"{x:g}"


# --- calling the student's code ----------------------------------------------------------------


def call(fn, name: str, *args, **kwargs):
    """Call the student's ``fn``; a stub, a non-function or an error becomes a :class:`Stop`."""
    if not callable(fn):
        raise Stop(
            f"{name} is not a function (it is {type(fn).__name__}); define it with "
            f"`def {name}(...)` and run that cell first"
        )
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        message = f"{name} is not written yet: replace `raise NotImplementedError()` with your code"
    except MemoryError:
        message = f"{name} ran out of memory (MemoryError): does it allocate without bound?"
    except Fail:
        raise
    except Exception as err:  # the student's bug, reported as feedback instead of a crash
        raise Stop(f"{name} raised {type(err).__name__}: {err}") from None
    raise Stop(message)


def value_given(value, name: str) -> None:
    """A value the student's cell should have computed: not None."""
    if value is None:
        raise Stop(f"{name} is None: run the cell that computes it (after writing your code)")


def as_array(value, name: str, shape=None, float32_ok: bool = True) -> tuple[np.ndarray, float]:
    """The student's value as a float64 array and the relative tolerance its dtype allows.

    Lists, tuples and numpy scalars are accepted wherever an array is asked for. ``shape`` may
    contain ``None`` for any length. float32 earns :data:`FLOAT32_RTOL` where ``float32_ok``;
    where the computation needs float64 (a finite difference, a long iteration), a float32
    answer is refused with a message that says so.
    """
    if value is None:
        raise Stop(f"{name} is None: did you forget to `return` it?")
    try:
        raw = np.asarray(value)
        arr = raw.astype(float)
    except (TypeError, ValueError):
        raise Stop(f"{name} is not an array of numbers (it is {type(value).__name__})") from None
    if raw.dtype.kind not in "biuf":
        raise Stop(f"{name} has dtype {raw.dtype}; numbers are needed")
    if shape is not None:
        shape = tuple(shape)
        ok = arr.ndim == len(shape) and all(
            e is None or e == n for e, n in zip(shape, arr.shape, strict=True)
        )
        if not ok:
            want = "(" + ", ".join("any" if e is None else str(e) for e in shape) + ")"
            raise Stop(f"{name} has shape {arr.shape}; expected {want}")
    if not np.all(np.isfinite(arr)):
        raise Stop(f"{name} contains NaN or infinity: {fmt(arr)}")
    rtol = 1e-9
    if raw.dtype.kind == "f" and raw.dtype.itemsize < 8:
        if not float32_ok:
            raise Stop(
                f"{name} is {raw.dtype}: float64 is needed here (this computation loses too "
                "many digits in single precision); remove the dtype or use np.float64"
            )
        rtol = FLOAT32_RTOL
    return arr, rtol


def fmt(x, digits: int = 6) -> str:
    """A number or an array, compactly."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):.{digits}g}"
    return np.array2string(arr, precision=digits, suppress_small=False, max_line_width=100)


def close(a, b, rtol: float, atol: float = 0.0) -> bool:
    """``|a - b| <= rtol * max|b| + atol`` elementwise-max, for equal shapes."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    scale = float(np.max(np.abs(b), initial=0.0))
    return bool(np.max(np.abs(a - b), initial=0.0) <= rtol * scale + atol)


def rel_error(a, b) -> float:
    """``max|a - b| / max|b|`` (the relative error of ``a`` against ``b``)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = float(np.max(np.abs(b), initial=0.0)) or 1.0
    return float(np.max(np.abs(a - b), initial=0.0)) / scale


def gradient_mismatch(arr, fd, names: str, tol: float, extra=None) -> tuple[str, str] | None:
    """The first component of a student's gradient (rows of ``arr``, shape ``(n, len(names))``)
    that differs from its finite differences ``fd``: ``(name, why)``, or None if all agree.

    ``why`` names the sign or a swap of components when that is the difference, else what
    ``extra(i)`` says (a check's own hint, or None), else the worst sample's two numbers.
    """
    for i, name in enumerate(names):
        if rel_error(arr[:, i], fd[:, i]) <= tol:
            continue
        if rel_error(arr[:, i], -fd[:, i]) <= tol:
            return name, "it has the opposite sign"
        swapped = [k for k in range(len(names)) if k != i and rel_error(arr[:, k], fd[:, i]) <= tol]
        if swapped:
            order = ", ".join(f"d/d{n}" for n in names)
            return name, f"the two components are swapped: return ({order})"
        hint = extra(i) if extra is not None else None
        if hint:
            return name, hint
        j = int(np.argmax(np.abs(arr[:, i] - fd[:, i])))
        return name, f"at sample {j} yours is {arr[j, i]:.6g}, the finite difference {fd[j, i]:.6g}"
    return None


def spd(rng: np.random.Generator, eigenvalues) -> np.ndarray:
    """A random symmetric positive definite matrix with the given eigenvalues."""
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    Q, _ = np.linalg.qr(rng.normal(size=(eigenvalues.size, eigenvalues.size)))
    return (Q * eigenvalues) @ Q.T


def mean_and_se(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample mean and its standard error along ``axis``."""
    x = np.asarray(x, dtype=float)
    return x.mean(axis=axis), x.std(axis=axis, ddof=1) / np.sqrt(x.shape[axis])


# --- delegation: a solution must not call the course's own implementation -----------------------


class Delegation(Exception):
    """Raised by a course function that the exercise asks the student to write."""


def resolve(qualname: str):
    """``(owner, attribute, object)`` of a dotted name: a module's function or a class's method."""
    import importlib

    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:-1]:
            owner = getattr(owner, name)
        return owner, parts[-1], getattr(owner, parts[-1])
    raise ValueError(f"forbidden must name module attributes, got {qualname!r}")


def _referrers(targets: dict, modules: Iterable, fn) -> list:
    """Every place that holds one of ``targets``' functions: ``(setter, qualname)`` pairs, from
    the course's modules, the student's namespace (``fn.__globals__``) and ``fn``'s closure."""
    found = []
    spaces = [vars(m) for m in modules]
    if isinstance(getattr(fn, "__globals__", None), dict):
        spaces.append(fn.__globals__)
    for space in spaces:
        for key, value in list(space.items()):
            for qualname, target in targets.items():
                if value is target:
                    found.append((lambda v, s=space, k=key: s.__setitem__(k, v), qualname))
    for cell in getattr(fn, "__closure__", None) or ():
        with contextlib.suppress(ValueError):  # an empty cell
            for qualname, target in targets.items():
                if cell.cell_contents is target:
                    found.append((lambda v, c=cell: setattr(c, "cell_contents", v), qualname))
    return found


@contextlib.contextmanager
def _tripwires(targets: dict, fn):
    hits: list[str] = []

    def wire(qualname):
        def tripped(*args, **kwargs):
            hits.append(qualname)
            raise Delegation(qualname)

        return tripped

    modules = [m for n, m in list(sys.modules.items()) if n.split(".")[0] == "course_utils"]
    swapped = _referrers(targets, modules, fn)
    for qualname in targets:  # a method lives on its class, not in a module's namespace
        owner, attr, _ = resolve(qualname)
        if isinstance(owner, type):
            swapped.append((lambda v, o=owner, a=attr: setattr(o, a, v), qualname))
    wires = {q: wire(q) for q in targets}
    for setter, qualname in swapped:
        setter(wires[qualname])
    try:
        yield hits
    finally:
        for setter, qualname in swapped:
            setter(targets[qualname])


def forbid(fn, name: str, forbidden: Sequence[str], *args, **kwargs) -> None:
    """Raise :class:`Stop` if ``fn(*args)`` calls one of the course's ``forbidden`` functions.

    ``forbidden`` holds qualified names (``"course_utils.gaussian.gaussian_score"``). While
    ``fn`` runs once, every reference to those functions in ``course_utils``' modules, in the
    student's namespace (``fn.__globals__``) and in ``fn``'s closure is a tripwire; the
    references are restored after. (The judge, where ``fn`` runs in another process, relies on
    the kernel's verdict for this: the points that count are the least of the two.)
    """
    targets = {qualname: resolve(qualname)[2] for qualname in forbidden}
    with _tripwires(targets, fn) as hits:
        try:
            fn(*args, **kwargs)
        except Exception as err:  # in the judge, the worker's tripwire raises "Delegation"
            if type(err).__name__ == "Delegation" and not hits:
                hits.append(str(err).split(":")[0] or "a forbidden function")
    if hits:
        raise Stop(
            f"{name} calls {hits[0]}, the course's own implementation of this exercise: the "
            "exercise is to write it yourself (this scores 0 when graded)"
        )


def at_stake(title: str, top: float, parts: Sequence[Part]) -> Points:
    """A reference comparison (the instructor's, when grading) that puts only its parts' points
    at stake: the rest of the cell's ``top`` is left to the visible check's properties, so that
    the least of the two never takes the same points twice."""
    stake = float(sum(p.points for p in parts))
    if stake < top:
        # first, so that a Stop in a compared part cannot take these points too
        parts = [Part("the other parts", top - stake, lambda seed: "judged by the check"), *parts]
    return grade(title, parts)


# --- the instructor's reference comparison (used by source/<assignment>/reference.py) ----------


def agrees(name: str, fn, ref, cases, points: float, component=None, floor: float = 1e-7) -> Part:
    """A part of a reference comparison: the student's ``fn`` agrees with the reference ``ref``
    on the hidden ``cases`` (argument tuples), within the tolerance of the answer's dtype
    (``10 *`` :func:`as_array`'s, at least ``floor``); ``component`` selects a last-axis entry."""

    def run(seed):
        for args in cases:
            want = np.asarray(ref(*args), dtype=float)
            mine, rtol = as_array(call(fn, name, *args), name, want.shape)
            if component is not None:
                mine, want = mine[..., component], want[..., component]
            if rel_error(mine, want) > max(10 * rtol, floor):
                raise Fail(f"{name} differs from the reference on a hidden input")
        return "agrees with the reference on hidden inputs"

    return Part(f"reference ({name})", points, run)


def matches(fn, ref, *args, rtol: float = 1e-4) -> bool:
    """Whether a student's upstream function agrees with the reference on these inputs (to
    ``rtol``, which a float32 answer meets): values built on it are then compared with the
    reference; otherwise the check's consistency parts alone judge them (error carried forward)."""
    try:
        mine = np.asarray(fn(*args), dtype=float)
    except Exception:
        return False
    want = np.asarray(ref(*args), dtype=float)
    return mine.shape == want.shape and rel_error(mine, want) < rtol
