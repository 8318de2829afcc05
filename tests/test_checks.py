"""The machinery of the homework checks (``course_utils.checks._core``).

The exercises' checks themselves are tested on the homework corpus (correct answers written
differently, named mistakes): ``tests/test_homework_corpus.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils import checks, gaussian, natural
from course_utils.checks import _core
from course_utils.checks._core import Fail, Part, Points, Stop, as_array, at_stake, forbid, grade


def _part(label, points, outcome):
    def run(seed):
        if outcome == "fail":
            raise Fail(f"{label} fails")
        if outcome == "stop":
            raise Stop(f"{label} stops")
        return f"{label} holds"

    return Part(label, points, run)


@given(
    st.lists(
        st.tuples(st.sampled_from([0.5, 1.0, 2.0]), st.sampled_from(["pass", "fail", "stop"])),
        min_size=1,
        max_size=6,
    )
)
def test_points_are_the_parts_that_hold_before_a_stop(spec):
    parts = [_part(f"p{i}", pts, out) for i, (pts, out) in enumerate(spec)]
    want = 0.0
    for pts, out in spec:
        if out == "stop":
            break
        want += pts if out == "pass" else 0.0
    got = grade("t", parts)
    assert isinstance(got, Points) and got == pytest.approx(want)
    assert float(repr(got)) == pytest.approx(want)  # what nbgrader reads as partial credit


def test_a_part_must_hold_for_every_seed(capsys):
    def run(seed):
        if seed == 3:
            raise Fail("seed 3 breaks it")
        return "holds"

    assert grade("t", [Part("p", 1, run)], seeds=(0, 1)) == 1
    assert grade("t", [Part("p", 1, run)], seeds=(0, 3)) == 0
    assert "seed 3 breaks it" in capsys.readouterr().out


def test_report_lines_show_marks_and_points(capsys):
    grade("demo", [_part("a", 1, "pass"), _part("b", 0.5, "fail")])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "demo: 1 of 1.5 points"
    assert out[1].strip().startswith("\u2713 a [1]")
    assert out[2].strip().startswith("\u2717 b [0 of 0.5]: b fails")


def test_at_stake_only_risks_its_parts():
    assert at_stake("r", 3, [_part("ref", 1, "fail")]) == 2
    assert at_stake("r", 3, [_part("ref", 1, "pass")]) == 3


@pytest.mark.parametrize(
    "value,shape,ok",
    [([1.0, 2.0], (2,), True), (np.ones((3, 2)), (None, 2), True), (np.ones(3), (2,), False)],
)
def test_as_array_accepts_lists_and_checks_shapes(value, shape, ok):
    if ok:
        arr, rtol = as_array(value, "x", shape)
        assert arr.dtype == float and rtol == 1e-9
    else:
        with pytest.raises(Stop, match=r"x has shape \(3,\); expected \(2\)"):
            as_array(value, "x", shape)


def test_float32_has_its_tolerance_or_is_refused():
    x = np.ones(2, dtype=np.float32)
    assert as_array(x, "x")[1] == _core.FLOAT32_RTOL
    with pytest.raises(Stop, match="float64 is needed"):
        as_array(x, "x", float32_ok=False)
    with pytest.raises(Stop, match="None"):
        as_array(None, "x")
    with pytest.raises(Stop, match="NaN"):
        as_array([np.nan], "x")


def test_call_turns_stubs_and_crashes_into_feedback():
    def stub(*args):
        raise NotImplementedError()

    with pytest.raises(Stop, match="not written yet"):
        _core.call(stub, "f")
    with pytest.raises(Stop, match="raised ZeroDivisionError"):
        _core.call(lambda: 1 / 0, "f")
    with pytest.raises(Stop, match="not a function"):
        _core.call(3, "f")


def test_delegation_is_caught_however_the_function_is_reached():
    alias = natural.natural_step

    def direct(g, F, eps):
        return natural.natural_step(g, F, eps)

    def through_alias(g, F, eps):
        return alias(g, F, eps)

    def honest(g, F, eps):
        x = np.linalg.solve(F, g)
        return np.sqrt(2 * eps / (g @ x)) * x

    args = (np.ones(2), np.eye(2), 0.1)
    for fn in (direct, through_alias):
        with pytest.raises(Stop, match="course_utils.natural.natural_step"):
            forbid(fn, "natural_step", ["course_utils.natural.natural_step"], *args)
    forbid(honest, "natural_step", ["course_utils.natural.natural_step"], *args)
    # every reference is restored afterwards
    assert natural.natural_step is alias and alias(*args) is not None
    assert gaussian.gaussian_score.__name__ == "gaussian_score"


def test_delegating_score_scores_zero(capsys):
    def score(k, sigma, s, a):
        return gaussian.gaussian_score(k, sigma, s, a)

    assert checks.hw1.score(score) == 0
    assert "the course's own implementation" in capsys.readouterr().out


def test_checks_hold_no_reference_solutions():
    """The checks import only the math layer (numpy, scipy, course_utils' math modules), never
    the instructor's references, and define none of the old reference helpers. (The grep for
    every solution line is ``tests/test_student_bundle.py``.)"""
    import ast
    import inspect

    allowed = ("numpy", "scipy", "__future__", "collections", "contextlib", "dataclasses", "sys")
    allowed += ("importlib", "math")
    for module in (checks.hw1, checks.hw2, checks.hw3, checks.hw4, _core):
        tree = ast.parse(inspect.getsource(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                roots = ["." if node.level else (node.module or "").split(".")[0]]
            else:
                continue
            for root in roots:
                assert root == "." or root in allowed, (module.__name__, ast.unparse(node))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert not names & {"plateau_run", "plateau_gradient_and_fisher", "gaussian_score"}
