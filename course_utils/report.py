"""Printed tables and threshold claims for the notebooks (standard library and numpy only).

A notebook cell should show a computation and its claim, not twenty lines of f-strings. The two
helpers here carry the formatting:

- :func:`table` lays out rows of numbers as an aligned text table, one format per column;
- :func:`claim` prints a noise-level quantity as a comparison with a threshold
  (``"relative error < 1e-08: True"``), the form in which a stored output reproduces on every
  machine (``README.md``, section "Stored outputs that reproduce on every machine").

Used in every notebook from ``notebooks/00_start_here.ipynb`` to
``notebooks/08_npg_on_cartpole.ipynb``.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

__all__ = ["table", "claim", "fmt_array"]

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _cell(value, fmt: str) -> str:
    """One table entry: numbers through ``fmt``, arrays elementwise, anything else as ``str``."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Number):
        return format(value, fmt)
    if isinstance(value, np.ndarray):
        return fmt_array(value, fmt)
    return str(value)


def table(rows, columns, fmt=".4f", *, title: str | None = None) -> str:
    """Rows of values as an aligned text table.

    Parameters
    ----------
    rows : iterable of sequences
        One sequence per row, as long as ``columns``. Numbers are formatted with the column's
        format, booleans print as ``True``/``False``, arrays elementwise, anything else as ``str``.
    columns : sequence of str
        Column headers.
    fmt : str or sequence of str, default ".4f"
        One format spec for every column, or one per column (``""`` for text columns).
    title : str, optional
        A line printed above the table.

    Returns
    -------
    str
        The header, a rule, and one line per row; columns right-aligned except the first.

    Raises
    ------
    ValueError
        If ``columns`` is empty, ``fmt`` has the wrong length or a row has the wrong length.

    Examples
    --------
    >>> print(table([["vanilla", 0.5, 3], ["natural", 0.25, 12]], ["rule", "J", "steps"],
    ...             [".0f", ".3f", "d"]))
    rule         J  steps
    -------  -----  -----
    vanilla  0.500      3
    natural  0.250     12
    """
    columns = [str(c) for c in columns]
    if not columns:
        raise ValueError("columns=[] is empty; valid: at least one column header")
    fmts = [fmt] * len(columns) if isinstance(fmt, str) else list(fmt)
    if len(fmts) != len(columns):
        raise ValueError(
            f"fmt={fmt!r} has {len(fmts)} entries; valid: one format string, or one per column "
            f"({len(columns)})"
        )
    body = []
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(columns):
            raise ValueError(
                f"rows[{i}]={row!r} has {len(row)} entries; valid: one per column ({len(columns)})"
            )
        body.append([_cell(v, f) for v, f in zip(row, fmts, strict=True)])
    widths = [max(len(r[j]) for r in [columns, *body]) for j in range(len(columns))]

    def line(cells):
        first = cells[0].ljust(widths[0])
        return "  ".join(
            [first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))]
        ).rstrip()

    lines = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in body)]
    return "\n".join(([title] if title else []) + lines)


def claim(label: str, value, op: str, threshold) -> str:
    """A noise-level quantity printed as a comparison with a threshold.

    ``claim("relative error", 3e-11, "<", 1e-8)`` gives ``"relative error < 1e-08: True"``;
    the value itself is not printed, since its last digits differ from machine to machine.

    Parameters
    ----------
    label : str
        What the value is.
    value : float or array-like
        The quantity; an array is compared elementwise and the claim holds if it holds for all.
    op : {"<", "<=", ">", ">="}
        The comparison.
    threshold : float
        The bound, printed with ``:g``.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``op`` is not one of the four comparisons.

    Examples
    --------
    >>> claim("max |F - F^T|", 2e-17, "<", 1e-12)
    'max |F - F^T| < 1e-12: True'
    >>> claim("angles (degrees)", [3.0, 50.0], "<", 45)
    'angles (degrees) < 45: False'
    """
    if op not in _OPS:
        raise ValueError(f"op={op!r} is not a comparison; valid: one of {sorted(_OPS)}")
    holds = bool(np.all(_OPS[op](np.asarray(value, dtype=float), threshold)))
    return f"{label} {op} {threshold:g}: {holds}"


def fmt_array(x, fmt: str = ".4f") -> str:
    """An array's entries with one format, ``[a b c]`` (nested for 2-D), for a printed line.

    Parameters
    ----------
    x : array-like
        Numbers.
    fmt : str, default ".4f"
        Format spec of each entry.

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_array([0.5, -1.25], ".2f")
    '[0.50 -1.25]'
    >>> fmt_array([[1, 2], [3, 4]], ".0f")
    '[[1 2] [3 4]]'
    """
    x = np.asarray(x)
    if x.ndim == 0:
        return format(x.item(), fmt)
    return "[" + " ".join(fmt_array(v, fmt) for v in x) + "]"
