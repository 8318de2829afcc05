"""The homework corpus: correct answers written differently get full marks, mistakes their
stated partial marks and messages, in the checks, the hidden tests and the reference comparison.

Each file of ``tests/homework_corpus/<assignment>/`` replaces one solution cell of the
instructor's notebook (header: the cell, the test cell, the expected points, a message the
report must contain). The notebook's code cells run in one namespace, as in a kernel, up to
that test cell (``%`` magics dropped, figures on the Agg backend); the test cell's last
expression is its points (nbgrader's partial credit); then the instructor's referee for that
cell (``source/<assignment>/reference.py``) runs on the same namespace; the grade is the least
of the two, as ``homework.py grade`` computes it. The correct variants are graded once more
through the trusted judge (``judge.judge_submission``: their code in a worker process, the
checks in this one): same points, nothing flagged. See ``tests/homework_corpus/README.md``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HOMEWORK = REPO / "notebooks" / "homework"
CORPUS = Path(__file__).resolve().parent / "homework_corpus"
HEADER = re.compile(r"^# (cell|test|points|message): (.*)$")

sys.path.insert(0, str(HOMEWORK))
import judge  # noqa: E402


def _variants() -> list[Path]:
    return sorted(CORPUS.glob("*/*.py"))


def _header(path: Path) -> dict:
    meta = {}
    for line in path.read_text().splitlines():
        m = HEADER.match(line)
        if not m:
            break
        meta[m.group(1)] = m.group(2).strip()
    for key in ("cell", "test", "points"):
        assert key in meta, f"{path.name}: header line '# {key}: ...' missing"
    meta["points"] = float(meta["points"])
    return meta


@cache
def _source(assignment: str) -> dict:
    return judge.read_notebook(HOMEWORK / "source" / assignment / f"{assignment}.ipynb")


@cache
def _reference(assignment: str) -> dict:
    return judge.load_reference(HOMEWORK, assignment)


def _referees(assignment: str) -> dict:
    return _reference(assignment)["REFEREES"]


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _run(source: str, namespace: dict):
    """Run a cell as a kernel would; the value of its last expression."""
    tree = ast.parse(judge.wire.strip_magics(source))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is not None:
        return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    return None


def grade_variant(assignment: str, cell: str, test: str, code: str):
    """``(kernel points, referee points or None, report)`` of one variant, in this process."""
    import matplotlib

    matplotlib.use("Agg")
    namespace = {"__name__": "__main__"}
    out = io.StringIO()
    top = None
    with contextlib.redirect_stdout(out):
        for c in _source(assignment)["cells"]:
            if c["cell_type"] != "code":
                continue
            gid = _grade_id(c)
            if gid == test:
                top = float(c["metadata"]["nbgrader"]["points"])
                try:
                    points = judge._cell_points(_run(c["source"], namespace), top)
                except Exception as err:  # the cell fails as it would in the kernel
                    print(f"{type(err).__name__}: {err}")
                    points = 0.0
                break
            _run(code if gid == cell else c["source"], namespace)
        assert top is not None, f"no test cell {test} in {assignment}"
        referee = None
        if points > 0 and test in _referees(assignment):
            referee = float(_referees(assignment)[test](namespace))
    import matplotlib.pyplot as plt

    plt.close("all")
    return points, referee, out.getvalue()


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", _variants(), ids=_id)
def test_variant_gets_its_points_and_message(path):
    meta = _header(path)
    points, referee, report = grade_variant(path.parent.name, meta["cell"], meta["test"],
                                            path.read_text())  # fmt: skip
    final = points if referee is None else min(points, referee)
    assert final == pytest.approx(meta["points"]), (
        f"expected {meta['points']} points, got {points} from the check"
        f" and {referee} from the reference:\n{report}"
    )
    if "message" in meta:
        assert meta["message"] in report, f"message {meta['message']!r} not in:\n{report}"


def test_corpus_covers_every_exercise():
    """At least three correct variants and two mistakes for every graded code cell."""
    for source in sorted((HOMEWORK / "source").glob("*/*.ipynb")):
        nb = judge.read_notebook(source)
        tests = {}
        for c in nb["cells"]:
            meta = c.get("metadata", {}).get("nbgrader", {})
            if c["cell_type"] == "code" and meta.get("grade"):
                tests[meta["grade_id"]] = float(meta["points"])
        correct = dict.fromkeys(tests, 0)
        wrong = dict.fromkeys(tests, 0)
        for path in (CORPUS / source.parent.name).glob("*.py"):
            meta = _header(path)
            assert meta["test"] in tests, f"{path.name}: no test cell {meta['test']}"
            if meta["points"] == tests[meta["test"]]:
                correct[meta["test"]] += 1
            else:
                wrong[meta["test"]] += 1
        thin = {t: (correct[t], wrong[t]) for t in tests if correct[t] < 3 or wrong[t] < 2}
        assert not thin, f"{source.parent.name}: (correct, mistakes) per test cell: {thin}"


def _correct_groups():
    """Per assignment, the correct variants dealt into submissions (one variant per cell)."""
    groups = {}
    for path in _variants():
        meta = _header(path)
        nb = _source(path.parent.name)
        top = next(
            float(c["metadata"]["nbgrader"]["points"])
            for c in nb["cells"]
            if _grade_id(c) == meta["test"]
        )
        if meta["points"] == top:
            slots = groups.setdefault(path.parent.name, [])
            used = [i for i, s in enumerate(slots) if meta["cell"] in s]
            index = len(used)
            while len(slots) <= index:
                slots.append({})
            slots[index][meta["cell"]] = path.read_text()
    return [(a, i, s) for a, slots in groups.items() for i, s in enumerate(slots)]


@pytest.mark.parametrize(
    "assignment,index,cells", _correct_groups(), ids=lambda v: v if isinstance(v, str) else None
)
def test_correct_variants_pass_the_judge(assignment, index, cells, tmp_path):
    source = _source(assignment)
    student = json.loads(json.dumps(source))
    for c in student["cells"]:
        if _grade_id(c) in cells:
            c["source"] = cells[_grade_id(c)]
    tops = {
        _grade_id(c): float(c["metadata"]["nbgrader"]["points"])
        for c in source["cells"]
        if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("grade")
    }
    results = judge.judge_submission(
        source, student, tops, tmp_path, 60.0, 2048, False, _reference(assignment)
    )
    for gid, top in tops.items():
        r = results[gid]
        got = min(r["judge"], top if r["referee"] is None else r["referee"])
        assert got == pytest.approx(top), f"{gid}: {got} of {top}\n{r['message']}"
