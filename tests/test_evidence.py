"""course_utils.evidence: the statistics behind the notebooks' conclusions of sampled runs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_utils import evidence

finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(arrays(float, st.integers(2, 30), elements=finite))
def test_standard_error_is_std_over_sqrt_n(x):
    assert evidence.standard_error(x) == pytest.approx(np.std(x, ddof=1) / np.sqrt(x.size))


def test_standard_error_of_means_matches_their_spread_by_monte_carlo(rng):
    # 4000 experiments of 25 seeds: the spread of the means is the standard error's mean
    data = rng.normal(3.0, 2.0, size=(4000, 25))
    se = np.array([evidence.standard_error(row) for row in data])
    spread = data.mean(axis=1).std(ddof=1)
    # the spread estimate itself has a relative standard error of about 1/sqrt(2 * 4000)
    assert se.mean() == pytest.approx(spread, rel=4 / np.sqrt(2 * 4000) + 0.01)


@given(
    arrays(float, 12, elements=st.floats(-100, 100)),
    arrays(float, 12, elements=st.floats(-100, 100)),
)
def test_difference_paired_and_unpaired(a, b):
    mean_p, se_p = evidence.difference(a, b, paired=True)
    mean_u, se_u = evidence.difference(a, b)
    assert mean_p == pytest.approx(mean_u, abs=1e-9)
    assert se_p == pytest.approx(evidence.standard_error(a - b), abs=1e-12)
    assert se_u == pytest.approx(
        np.sqrt(evidence.standard_error(a) ** 2 + evidence.standard_error(b) ** 2), abs=1e-9
    )


def test_common_random_numbers_shrink_the_paired_standard_error(rng):
    noise = rng.normal(size=40)  # shared by both methods' runs
    a, b = noise + 1.0 + 0.1 * rng.normal(size=40), noise + 0.1 * rng.normal(size=40)
    mean, se_paired = evidence.difference(a, b, paired=True)
    _, se_unpaired = evidence.difference(a, b)
    assert se_paired < se_unpaired / 5
    assert abs(mean - 1.0) < 4 * se_paired


def test_first_reach():
    curves = np.array([[0.0, 1.0, 2.0, 5.0], [0.0, 3.0, 2.0, 5.0]])
    assert evidence.first_reach(curves, 2.0) == 1
    assert evidence.first_reach(curves, 4.0) == 3
    assert evidence.first_reach(curves, 6.0) is None


@given(arrays(float, st.integers(2, 30), elements=finite))
def test_mean_se_formats_the_mean_and_its_standard_error(x):
    text = evidence.mean_se(x, ".3e")
    mean, se = (float(part) for part in text.split(" +- "))
    assert mean == pytest.approx(np.mean(x), rel=1e-3, abs=1e-300)
    assert se == pytest.approx(evidence.standard_error(x), rel=1e-3, abs=1e-300)


def test_mean_se_agrees_with_the_runs_table():
    x = [275.0, 281.5, 262.25]
    assert f"| {evidence.mean_se(x, '.1f')} |" in evidence.runs_table({"vanilla": x}, ".1f")


def test_runs_table_lists_every_method_and_seed():
    text = evidence.runs_table({"vanilla": [1.0, 2.0], "natural": [3.0, 5.0]}, fmt=".1f")
    lines = text.splitlines()
    assert lines[0].startswith("vanilla") and "1.5 +- 0.5 | 1.0 2.0" in lines[0]
    assert lines[1].startswith("natural") and "4.0 +- 1.0 | 3.0 5.0" in lines[1]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: evidence.standard_error([1.0]), "x has 1"),
        (lambda: evidence.standard_error([1.0, np.nan]), "x="),
        (lambda: evidence.mean_se([1.0]), "x has 1"),
        (lambda: evidence.mean_se([[1.0, 2.0]]), "x"),
        (lambda: evidence.difference([1.0, 2.0], [1.0, 2.0, 3.0], paired=True), "b has shape"),
        (lambda: evidence.first_reach([1.0, 2.0], 1.0), "curves"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
