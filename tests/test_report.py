"""Tests of course_utils.report: the printed tables and threshold claims of the notebooks."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils.report import claim, fmt_array, table

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(st.lists(st.tuples(st.text("abc", min_size=1, max_size=8), finite, finite), min_size=1))
def test_table_lines_are_aligned_and_keep_every_value(rows):
    text = table(rows, ["name", "x", "y"], ["", ".3f", ".2e"])
    lines = text.split("\n")
    assert len(lines) == len(rows) + 2
    assert set(lines[1]) <= {"-", " "}
    for line, (name, x, y) in zip(lines[2:], rows, strict=True):
        assert line.startswith(name)
        assert line.endswith(format(y, ".2e"))  # right-aligned last column
        assert f" {format(x, '.3f')} " in line
    # right alignment: every row ends in the same column as the header and the rule
    assert len({len(line) for line in lines[1:]}) == 1


def test_table_formats_booleans_arrays_and_title():
    text = table([["a", True, np.array([1.0, 2.0])]], ["k", "ok", "v"], ".1f", title="T")
    assert text.split("\n")[0] == "T"
    assert text.split("\n")[-1] == "a  True  [1.0 2.0]"


@pytest.mark.parametrize(
    ("rows", "columns", "fmt", "argument"),
    [
        ([[1.0]], [], ".1f", "columns"),
        ([[1.0, 2.0]], ["a", "b"], [".1f"], "fmt"),
        ([[1.0]], ["a", "b"], ".1f", "rows[0]"),
    ],
)
def test_table_rejects_inconsistent_shapes(rows, columns, fmt, argument):
    with pytest.raises(ValueError, match="^" + re.escape(argument) + "="):
        table(rows, columns, fmt)


@given(finite, finite, st.sampled_from(["<", "<=", ">", ">="]))
def test_claim_states_the_comparison(value, threshold, op):
    expected = {"<": value < threshold, "<=": value <= threshold}.get(op)
    if expected is None:
        expected = value > threshold if op == ">" else value >= threshold
    assert claim("q", value, op, threshold) == f"q {op} {threshold:g}: {expected}"


def test_claim_on_arrays_needs_every_entry_and_rejects_unknown_operators():
    assert claim("e", [1e-12, 1e-9], "<", 1e-10).endswith("False")
    assert claim("e", [1e-12, 1e-11], "<", 1e-10).endswith("True")
    with pytest.raises(ValueError, match="op='=='"):
        claim("e", 1.0, "==", 1.0)


@given(st.lists(finite, min_size=1, max_size=6))
def test_fmt_array_round_trips_at_its_precision(values):
    text = fmt_array(values, ".6e")
    parsed = [float(t) for t in text.strip("[]").split()]
    np.testing.assert_allclose(parsed, values, rtol=1e-6, atol=0)
