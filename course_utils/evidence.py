"""Conclusions of sampled experiments, computed with a margin (numpy only).

A training run on sampled batches is chaotic: one changed rounding (another BLAS, another CPU's
SIMD code path) flips a sampled action and from then on the run goes elsewhere. So the
per-seed numbers of notebooks 07 and 08 differ from machine to machine, while what they show,
over enough seeds, does not. The notebooks print per-seed numbers only where nbval does not
compare them, and state each conclusion as a comparison whose margin (in standard errors, or
in seeds) is wide enough to hold on every machine. These are the few statistics they use.

Used in ``notebooks/07_practical_npg.ipynb`` and ``notebooks/08_npg_on_cartpole.ipynb``.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array

__all__ = ["standard_error", "mean_se", "difference", "first_reach", "runs_table"]


def standard_error(x) -> float:
    """Standard error of the mean, ``std(x, ddof=1) / sqrt(n)``.

    Parameters
    ----------
    x : array-like of shape (n,)
        One value per seed, n >= 2.

    Returns
    -------
    float

    Examples
    --------
    >>> round(standard_error([1.0, 2.0, 3.0, 4.0]), 6)
    0.645497
    """
    x = as_array(x, "x", ndim=1)
    if x.size < 2:
        raise ValueError(f"x has {x.size} value(s); valid: at least 2 (one per seed)")
    return float(x.std(ddof=1) / np.sqrt(x.size))


def mean_se(x, fmt: str = ".4f") -> str:
    """Mean over seeds and its standard error as one table entry, ``"mean +- se"``.

    Parameters
    ----------
    x : array-like of shape (n,)
        One value per seed, n >= 2.
    fmt : str, default ".4f"
        Format spec of both numbers.

    Returns
    -------
    str
        ``format(mean(x), fmt) + " +- " + format(standard_error(x), fmt)``.

    Notes
    -----
    Used for the step-size table of ``notebooks/08_npg_on_cartpole.ipynb`` (section 8).

    Examples
    --------
    >>> mean_se([1.0, 2.0, 3.0, 4.0], ".2f")
    '2.50 +- 0.65'
    """
    se = standard_error(x)  # validates x
    return f"{format(float(np.mean(x)), fmt)} +- {format(se, fmt)}"


def difference(a, b, paired: bool = False) -> tuple[float, float]:
    """Mean of ``a`` minus mean of ``b`` over seeds, and its standard error.

    Parameters
    ----------
    a, b : array-like of shape (n,)
        One value per seed for each method, n >= 2.
    paired : bool, default False
        True when run ``i`` of both methods shares its random numbers (common random
        numbers, as in notebook 08): the standard error is then that of ``a - b``, usually
        smaller. False for independent runs: ``sqrt(se(a)^2 + se(b)^2)``.

    Returns
    -------
    mean : float
        ``mean(a) - mean(b)``.
    se : float
        Its standard error; ``mean / se`` is the margin in standard errors.

    Examples
    --------
    >>> mean, se = difference([3.0, 4.0, 5.0], [1.0, 2.0, 4.0], paired=True)
    >>> round(mean, 6), round(se, 6)
    (1.666667, 0.333333)
    """
    a = as_array(a, "a", ndim=1)
    b = as_array(b, "b", ndim=1)
    if paired and a.shape != b.shape:
        raise ValueError(f"b has shape {b.shape}; valid: the shape of a, {a.shape} (paired)")
    if paired:
        return float(np.mean(a - b)), standard_error(a - b)
    return float(a.mean() - b.mean()), float(np.hypot(standard_error(a), standard_error(b)))


def first_reach(curves, level: float) -> int | None:
    """First iteration at which the mean curve over seeds reaches ``level`` (None: never).

    Parameters
    ----------
    curves : array-like of shape (n_seeds, T)
    level : float

    Returns
    -------
    int or None

    Examples
    --------
    >>> first_reach([[0.0, 1.0, 3.0], [0.0, 3.0, 3.0]], 2.0)
    1
    """
    curves = as_array(curves, "curves", ndim=2)
    mean = curves.mean(axis=0)
    hits = np.flatnonzero(mean >= level)
    return int(hits[0]) if hits.size else None


def runs_table(values: dict, fmt: str = ".4f") -> str:
    """Per-seed values of several methods as a text table: one row per method.

    Parameters
    ----------
    values : dict
        ``{method: array-like of shape (n_seeds,)}``.
    fmt : str, default ".4f"
        Format of each number.

    Returns
    -------
    str
        Rows ``method | mean +- standard error | the values per seed``.
    """
    rows = []
    for name, v in values.items():
        v = as_array(v, f"values[{name!r}]", ndim=1)
        summary = mean_se(v, fmt) if v.size > 1 else f"{format(v.mean(), fmt)} +- nan"
        seeds = " ".join(format(x, fmt) for x in v)
        rows.append(f"{name:12s} | {summary} | {seeds}")
    return "\n".join(rows)
