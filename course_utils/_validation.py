"""Input checks shared by every public function.

Each check raises ``ValueError`` whose message names the argument, the offending value and
the valid range, so that a student who passes ``sigma=0`` reads what went wrong and what
would be right instead of meeting a NaN three cells later.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_array",
    "check_in_range",
    "check_positive",
    "check_int",
    "check_rng",
    "check_distribution",
]


def frozen(array) -> np.ndarray:
    """A read-only float copy of ``array``: module constants that no caller may change in place
    (a student's ``x0 += step`` on ``mdp.PLATEAU_START`` raises instead of corrupting every later
    use, including the homework checks)."""
    out = np.array(array, dtype=float)
    out.setflags(write=False)
    return out


def _show(value) -> str:
    """Short text of a (possibly array) value for an error message."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(arr.item()) if arr.dtype.kind in "biufc" else repr(value)
    return np.array2string(arr.ravel()[:6], precision=6, threshold=6) + (
        f" (shape {arr.shape})" if arr.size > 6 or arr.ndim > 1 else ""
    )


def as_array(value, name: str, *, ndim: int | None = None, shape: tuple | None = None):
    """Convert ``value`` to a float array; reject NaN/inf and wrong dimensions."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}={value!r} is not numeric; valid: real numbers") from err
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)] if arr.ndim else arr
        raise ValueError(
            f"{name}={_show(bad)} contains NaN or infinity; valid: finite real numbers"
        )
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} has shape {arr.shape} ({arr.ndim}-D); valid: a {ndim}-D array")
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} has shape {arr.shape}; valid: shape {tuple(shape)}")
    return arr


def check_in_range(
    value,
    name: str,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
):
    """Return ``value`` as a float array after checking ``low <= value <= high`` elementwise.

    ``low_open`` / ``high_open`` make the corresponding end exclusive.
    """
    arr = as_array(value, name)
    ok = (arr > low if low_open else arr >= low) & (arr < high if high_open else arr <= high)
    if not np.all(ok):
        bad = arr[~ok] if arr.ndim else arr
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name}={_show(bad)} is out of range; valid range: {interval}")
    return arr


def check_positive(value, name: str):
    """Return ``value`` as a float array after checking that it is > 0 everywhere."""
    return check_in_range(value, name, 0.0, np.inf, low_open=True, high_open=True)


def check_int(value, name: str, low: int = 1, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking ``low <= value (<= high)``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}={value!r} is not an integer; valid: an integer >= {low}")
    if value < low or (high is not None and value > high):
        upper = f", <= {high}" if high is not None else ""
        raise ValueError(f"{name}={value!r} is out of range; valid: an integer >= {low}{upper}")
    return int(value)


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Require a ``numpy.random.Generator`` (the course never uses global random state)."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"{name}={rng!r} is not a numpy.random.Generator; valid: numpy.random.default_rng(seed)"
        )
    return rng


def check_distribution(value, name: str, *, axis: int = -1, atol: float = 1e-9):
    """Check non-negative entries summing to 1 along ``axis``; return the float array."""
    arr = as_array(value, name)
    if arr.ndim == 0:
        raise ValueError(f"{name}={_show(arr)} is a scalar; valid: an array of probabilities")
    if np.any(arr < 0):
        raise ValueError(f"{name} has negative entries {_show(arr[arr < 0])}; valid range: [0, 1]")
    sums = arr.sum(axis=axis)
    if not np.allclose(sums, 1.0, rtol=0, atol=atol):
        raise ValueError(
            f"{name} does not sum to 1 along axis {axis} (sums {_show(sums)}); "
            "valid: probabilities summing to 1"
        )
    return arr
