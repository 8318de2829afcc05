"""The homework round trip: release, autograde, feedback and the grading limits.

Everything runs in a temporary copy of ``notebooks/homework`` (the repository is never
touched): ``homework.py release`` writes the student versions, which must not leak solutions,
hidden tests or outputs; then one ``homework.py grade`` run autogrades a class of submissions
for the three assignments: the instructor version (full marks), the untouched student version
(0, with feedback), submissions with the common mistakes (each named by its check), two
bad submissions, one looping forever and one allocating without bound, which the limits stop
and score 0 while grading carries on with the next student, and a dishonest one that replaces
the checks and numpy's comparisons by functions that always pass: the judge (``judge.py``)
scores it 0 and flags it. The untouched hw1 submission carries an added cell that tries to read
the instructor's source, the gradebook and another student's submission from the grading
kernel: under bubblewrap it finds nothing (skipped where bubblewrap is missing, unless
``REQUIRE_SANDBOX=1``). A second, small class is graded with ``--jobs 2``: the same scores.

Every named mistake of the corpus (``tests/homework_corpus``) is graded in
``test_homework_corpus.py``; here one submission per assignment carries some of them, to show
that their messages and partial points reach the graded notebook and the gradebook. The
notebooks execute for real (about 1 minute on two cores); the bad submissions run with a short
per-cell time limit.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

REPO = Path(__file__).resolve().parents[1]
HOMEWORK = REPO / "notebooks" / "homework"
ASSIGNMENTS = sorted(p.name for p in (HOMEWORK / "source").iterdir() if p.is_dir())
CORPUS = REPO / "tests" / "homework_corpus"


def _points(name: str, code: bool) -> float:
    """Points of an assignment's graded code cells (``code``) or written answers."""
    nb = json.loads((HOMEWORK / "source" / name / f"{name}.ipynb").read_text())
    return sum(
        c["metadata"]["nbgrader"]["points"]
        for c in nb["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade") and (c["cell_type"] == "code") == code
    )


#: auto-graded and written points of each assignment
CODE_POINTS = {name: _points(name, True) for name in ASSIGNMENTS}
WRITTEN_POINTS = {name: _points(name, False) for name in ASSIGNMENTS}
GENERATED = ("release", "submitted", "autograded", "feedback", "gradebook.db")
TIMEOUT = 12  # s per cell while grading: 3x the slowest instructor cell (4 s, loaded machine)
MEMORY_MB = 1024

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)

# --- submissions with the common mistakes: taken from the corpus --------------------------

#: per assignment, solution cells replaced by a mistake of the corpus (cells whose grades do
#: not depend on each other, so that every other cell keeps full marks)
MISTAKE_CELLS = {
    "hw1_score_and_fisher": ["kl_quadratic", "fisher_log_std"],
    "hw2_natural_step": ["vanilla_step", "reinforce_terms"],
    "hw3_npg_experiment": ["escape"],
}


def _corpus_mistake(name: str, cell: str) -> dict:
    """The first mistake of the corpus for a solution cell: its code, test cell, points, message."""
    for path in sorted((CORPUS / name).glob(f"{cell}__*.py")):
        text = path.read_text()
        head = dict(re.findall(r"^# (cell|test|points|message): (.*)$", text, re.M))
        top = _cell_top(name, head["test"])
        delegation = "own implementation" in head.get("message", "")  # poisons later cells
        if float(head["points"]) < top and "message" in head and not delegation:
            return {"code": text, "test": head["test"], "points": float(head["points"]),
                    "message": head["message"].strip(), "file": path.name}  # fmt: skip
    raise AssertionError(f"no mistake with a message for {name}/{cell} in the corpus")


def _cell_top(name: str, test: str) -> float:
    nb = json.loads((HOMEWORK / "source" / name / f"{name}.ipynb").read_text())
    for c in nb["cells"]:
        if c["metadata"].get("nbgrader", {}).get("grade_id") == test:
            return float(c["metadata"]["nbgrader"]["points"])
    raise KeyError(test)


MISTAKES = {
    (name, cell): _corpus_mistake(name, cell)
    for name, cells in MISTAKE_CELLS.items()
    if name in ASSIGNMENTS
    for cell in cells
}

# sleeps rather than spins: the time limit is on the wall clock, and a spinning loop would
# take a core from the rest of the test suite for the whole limit
LOOPS_FOREVER = """
import time
def score(k, sigma, s, a):
    while True:
        time.sleep(0.1)
"""
# 500 x 8 MB = 4 GB: far beyond the grading limit, but bounded in case the limit failed
ALLOCATES = """
def score(k, sigma, s, a):
    hoard = []
    for _ in range(500):
        hoard.append(np.ones(10**6))
    return hoard
"""

# A dishonest submission (issue 11): no solution written, and its first solution cell replaces
# the checks and numpy's comparisons by functions that always pass, before the stub
TAMPER = """
import numpy as np
from course_utils import checks as _checks

def _always_passes(*args, **kwargs):
    return True

for _module in (_checks.hw1, _checks.hw2, _checks.hw3, _checks.hw4):
    for _name in dir(_module):
        if callable(getattr(_module, _name)) and not _name.startswith("_"):
            setattr(_module, _name, _always_passes)
for _name in dir(np.testing):
    if _name.startswith("assert_"):
        setattr(np.testing, _name, _always_passes)
np.allclose = _always_passes
"""


#: the first solution cell of each assignment
def _first_solution(name: str) -> str:
    nb = json.loads((HOMEWORK / "source" / name / f"{name}.ipynb").read_text())
    return next(
        c["metadata"]["nbgrader"]["grade_id"]
        for c in nb["cells"]
        if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("solution")
    )


FIRST_SOLUTION = {name: _first_solution(name) for name in ASSIGNMENTS}
# An added cell that tries to read what grading must keep out of reach; {targets} is filled in
SPY = """
import os
for _path in {targets!r}:
    try:
        os.listdir(_path) if os.path.isdir(_path) else open(_path, "rb").read(16)
        print("FOUND", _path)
    except OSError:
        print("NOTHING", _path)
print("COURSE ROOT HOLDS", sorted(os.listdir({root!r})))
_env = os.environ.get
print("BLAS THREADS", _env("OPENBLAS_NUM_THREADS"), "ARENAS", _env("MALLOC_ARENA_MAX"))
"""
sys.path.insert(0, str(HOMEWORK))
import sandbox  # noqa: E402

REQUIRE_SANDBOX = os.environ.get("REQUIRE_SANDBOX") == "1"
needs_sandbox = pytest.mark.skipif(
    sandbox.available() is not None and not REQUIRE_SANDBOX,
    reason=f"{sandbox.available()}: grading runs without a sandbox",
)

#: student -> assignment -> (base version, replacements); a replacement "+code" prepends code
SUBMISSIONS = {
    "a_loops": {"hw1_score_and_fisher": ("release", {"score": LOOPS_FOREVER})},
    "b_allocates": {"hw1_score_and_fisher": ("release", {"score": ALLOCATES})},
    "instructor": {name: ("source", {}) for name in ASSIGNMENTS},
    "mistakes": {
        name: ("source", {cell: MISTAKES[(name, cell)]["code"] for cell in cells})
        for name, cells in MISTAKE_CELLS.items()
        if name in ASSIGNMENTS
    },
    "tamper": {name: ("release", {FIRST_SOLUTION[name]: "+" + TAMPER}) for name in ASSIGNMENTS},
    "untouched": {name: ("release", {}) for name in ASSIGNMENTS},
}
#: graded once more with --jobs 2 (a cheap class: one assignment, one student per job)
JOBS_CLASS = ("mistakes", "tamper")


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    if REQUIRE_SANDBOX:
        env["HOMEWORK_SANDBOX"] = "bwrap"  # grading fails instead of running unsandboxed
    return env


def _homework(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(root / "homework.py"), *args],
        cwd=root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=1800,
    )


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _make_submission(root: Path, name: str, base: str, replace: dict[str, str]):
    """The instructor ("source") or student ("release") version with solution cells replaced."""
    nb = _read(root / base / name / f"{name}.ipynb")
    found = set()
    for cell in nb.cells:
        grade_id = _grade_id(cell)
        if grade_id in replace:
            code = replace[grade_id]
            if code.startswith("+"):
                cell.source = code[1:].strip("\n") + "\n\n" + cell.source
            else:
                cell.source = code.strip("\n")
            found.add(grade_id)
    assert found == set(replace), f"no solution cells {set(replace) - found} in {name}"
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A copy of notebooks/homework with the student versions released."""
    root = tmp_path_factory.mktemp("course") / "homework"
    shutil.copytree(
        HOMEWORK,
        root,
        ignore=shutil.ignore_patterns(*GENERATED, "__pycache__", ".ipynb_checkpoints"),
    )
    result = _homework(root, "release")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def _spy_targets(course: Path) -> list[str]:
    """What the untouched hw1 submission tries to read while it is graded."""
    name = "hw1_score_and_fisher"
    return [
        str(course / "source"),
        str(course / "source" / name / f"{name}.ipynb"),
        str(course / "gradebook.db"),
        str(course / "submitted" / "instructor" / name / f"{name}.ipynb"),
        str(course / "autograded" / "instructor"),
        "../../../source",
        "../../../gradebook.db",
        str(HOMEWORK / "source"),
        str(REPO / "README.md"),
    ]


def _write_class(course: Path, students) -> None:
    for student in students:
        for name, (base, replace) in SUBMISSIONS[student].items():
            nb = _make_submission(course, name, base, replace)
            if (student, name) == ("untouched", "hw1_score_and_fisher"):
                spy = SPY.format(targets=_spy_targets(course), root=str(course))
                nb.cells.append(nbformat.v4.new_code_cell(spy.strip()))
            dest = course / "submitted" / student / name / f"{name}.ipynb"
            dest.parent.mkdir(parents=True)
            nbformat.write(nb, dest)


@pytest.fixture(scope="module")
def graded(course: Path):
    """One grading run over a class of submissions for all three assignments."""
    _write_class(course, SUBMISSIONS)
    start = time.perf_counter()
    result = _homework(
        course,
        "grade",
        "--timeout",
        str(TIMEOUT),
        "--memory-mb",
        str(MEMORY_MB),
        "--csv",
        str(course / "scores.csv"),
    )
    elapsed = time.perf_counter() - start
    print(f"\ngrading run: {elapsed:.0f} s for {sum(map(len, SUBMISSIONS.values()))} submissions")
    with open(course / "scores.csv") as fh:
        scores = {(r["student"], r["assignment"]): r for r in csv.DictReader(fh)}
    return result, scores


def _autograded(course: Path, student: str, name: str):
    return _read(course / "autograded" / student / name / f"{name}.ipynb")


def _errors(cell) -> str:
    return "\n".join(
        f"{out.get('ename')}: {out.get('evalue')}"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    )


def _cell_points(course: Path, student: str, name: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(name, name, student)
        return {g.name: g.score for g in notebook.grades if g.cell_type == "code"}


def _flagged(course: Path, student: str, name: str) -> bool:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return bool(gb.find_submission_notebook(name, name, student).flagged)


def _judged(course: Path) -> list[dict]:
    return json.loads((course / "autograded" / "judge.json").read_text())


def test_collect_copies_downloads_into_nbgraders_layout(tmp_path):
    root = tmp_path / "homework"
    shutil.copytree(HOMEWORK, root, ignore=shutil.ignore_patterns(*GENERATED, "__pycache__"))
    downloads = tmp_path / "downloads"
    for student, rel in [
        ("alice", "hw1_score_and_fisher.ipynb"),
        ("bob", "x/hw2_natural_step.ipynb"),
    ]:
        (downloads / student / rel).parent.mkdir(parents=True)
        (downloads / student / rel).write_text("{}")
    (downloads / "bob" / "notes.txt").write_text("not a notebook")
    result = _homework(root, "collect", str(downloads))
    assert result.returncode == 0, result.stderr
    submitted = sorted(p.relative_to(root).as_posix() for p in root.glob("submitted/**/*.*"))
    assert submitted == [
        "submitted/alice/hw1_score_and_fisher/hw1_score_and_fisher.ipynb",
        "submitted/bob/hw2_natural_step/hw2_natural_step.ipynb",
    ]


# --- the student versions ------------------------------------------------------------------


def _secrets(source) -> list[str]:
    """Distinctive lines of the solutions, hidden tests and model answers of a source notebook."""
    hidden_parts, public = [], []
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution"):
            hidden_parts.append(cell.source)
            continue
        parts = SOLUTION.findall(cell.source) + HIDDEN.findall(cell.source)
        hidden_parts += parts
        public.append(HIDDEN.sub("", SOLUTION.sub("", cell.source)))
    public_text = "\n".join(public)
    lines = {ln.strip() for part in hidden_parts for ln in part.splitlines()}
    return sorted(ln for ln in lines if len(ln) >= 12 and ln not in public_text)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_version_leaks_nothing(course, name):
    source = _read(course / "source" / name / f"{name}.ipynb")
    release = _read(course / "release" / name / f"{name}.ipynb")
    text = json.dumps(release)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    secrets = _secrets(source)
    assert len(secrets) > 10  # the comparison below is not vacuous
    leaked = [s for s in secrets if s in text]
    assert not leaked, f"solution text leaked into the student version: {leaked}"
    assert "Model answer" not in text
    n_solutions = 0
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        if meta.get("solution"):
            n_solutions += 1
            stub = "raise NotImplementedError()" if cell.cell_type == "code" else "YOUR ANSWER HERE"
            assert stub in cell.source
    assert n_solutions == sum(
        1 for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")
    )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_ships_the_notebook_only(course, name):
    # nbgrader copies every other file of source/<assignment>/ into the release: the grading
    # code (judge, sandbox) lives beside homework.py, and any reference code the judge may use
    # must not reach the release either
    shipped = sorted(p.name for p in (course / "release" / name).rglob("*") if p.is_file())
    assert shipped == [f"{name}.ipynb"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_points_are_as_announced(course, name):
    source = _read(course / "source" / name / f"{name}.ipynb")
    code = sum(
        c.metadata["nbgrader"]["points"]
        for c in source.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    )
    assert code == CODE_POINTS[name]
    assert f"**Points**: {code} for code" in source.cells[0].source


# --- grading ---------------------------------------------------------------------------------


def test_grading_run_completes(graded):
    result, scores = graded
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    expected = {(s, a) for s, work in SUBMISSIONS.items() for a in work}
    assert set(scores) == expected
    assert all(row["graded"] == "True" for row in scores.values())


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_instructor_version_gets_full_marks(graded, name):
    row = graded[1][("instructor", name)]
    assert float(row["code_score"]) == float(row["max_code_score"]) == CODE_POINTS[name]
    assert row["needs_manual_grade"] == "True"  # the written answers wait for a human


def _report(cell) -> str:
    """What a graded test cell printed (the check's report), and its error, if any."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")
    return text + _errors(cell)


def _result(cell) -> str | None:
    """The test cell's last value (nbgrader reads it as the cell's partial credit)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "execute_result":
            return out["data"]["text/plain"]
    return None


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_untouched_student_version_scores_zero_with_feedback(course, graded, name):
    assert float(graded[1][("untouched", name)]["code_score"]) == 0.0
    nb = _autograded(course, "untouched", name)
    tests = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    ]
    for cell in tests:  # feedback from the checks, not a NameError or a crash inside a check
        assert not _errors(cell), (_grade_id(cell), _errors(cell))
        assert float(_result(cell)) == 0.0 and "0 of" in _report(cell), _grade_id(cell)
    first = _report(tests[0])
    assert "not written yet" in first and "NotImplementedError()" in first


@pytest.mark.parametrize(("name", "cell"), sorted(MISTAKES))
def test_common_mistake_gets_its_message_and_points(course, graded, name, cell):
    mistake = MISTAKES[(name, cell)]
    nb = _autograded(course, "mistakes", name)
    (test_cell,) = [c for c in nb.cells if _grade_id(c) == mistake["test"]]
    assert mistake["message"] in _report(test_cell), (mistake["file"], _report(test_cell))
    assert _cell_points(course, "mistakes", name)[mistake["test"]] == mistake["points"]


@pytest.mark.parametrize("name", sorted(MISTAKE_CELLS))
def test_mistakes_cost_only_their_cells(course, graded, name):
    points = _cell_points(course, "mistakes", name)
    wrong = {m["test"]: m["points"] for (n, _), m in MISTAKES.items() if n == name}
    for test, got in points.items():
        assert got == wrong.get(test, _cell_top(name, test)), (test, got)
    assert 0 < sum(points.values()) < CODE_POINTS[name]


def test_infinite_loop_is_stopped_and_scores_zero(course, graded):
    assert float(graded[1][("a_loops", "hw1_score_and_fisher")]["code_score"]) == 0.0
    nb = _autograded(course, "a_loops", "hw1_score_and_fisher")
    (test_cell,) = [c for c in nb.cells if _grade_id(c) == "test_score"]
    assert "CellTimeoutError" in _errors(test_cell)
    later = nb.cells[nb.cells.index(test_cell) + 1 :]
    not_run = [c for c in later if c.cell_type == "code"]
    assert not_run and all("NotRun" in _errors(c) for c in not_run)


def test_unbounded_allocation_is_stopped_and_scores_zero(course, graded):
    assert float(graded[1][("b_allocates", "hw1_score_and_fisher")]["code_score"]) == 0.0
    nb = _autograded(course, "b_allocates", "hw1_score_and_fisher")
    (test_cell,) = [c for c in nb.cells if _grade_id(c) == "test_score"]
    assert "ran out of memory" in _report(test_cell), _report(test_cell)


def test_grading_carries_on_after_the_bad_submissions(graded):
    # nbgrader grades students in order: a_loops and b_allocates come before these
    _, scores = graded
    for student in ("instructor", "mistakes", "untouched"):
        assert scores[(student, "hw1_score_and_fisher")]["graded"] == "True"
    name = "hw1_score_and_fisher"
    assert float(scores[("instructor", name)]["code_score"]) == CODE_POINTS[name]


def test_score_table_is_printed(graded):
    out = graded[0].stdout
    assert "auto-graded points" in out
    hw1, hw2 = "hw1_score_and_fisher", "hw2_natural_step"
    c1, w1, c2 = CODE_POINTS[hw1], WRITTEN_POINTS[hw1], CODE_POINTS[hw2]
    assert re.search(
        rf"instructor\s+{c1:g} / {c1:g} \(\+{w1:g} written, to grade\)\s+{c2:g} / {c2:g}", out
    )
    assert re.search(rf"untouched\s+0 / {c1:g} \(written 0 / {w1:g}\)", out)


# --- a submission must not grade itself ------------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_tampering_submission_scores_zero_and_is_flagged(course, graded, name):
    row = graded[1][("tamper", name)]
    assert float(row["code_score"]) == 0.0
    assert all(score == 0 for score in _cell_points(course, "tamper", name).values())
    # the replaced checks let some test cells pass in the kernel: each of them is flagged
    cells = [c for c in _judged(course) if (c["student"], c["assignment"]) == ("tamper", name)]
    passed_in_kernel = {c["cell"] for c in cells if c["kernel_score"] > 0}
    assert passed_in_kernel, "the tampering did not fool the kernel: this test tests nothing"
    assert set(row["tampering_suspected"].split()) == passed_in_kernel
    assert not any(c["score"] for c in cells)
    assert _flagged(course, "tamper", name)
    assert re.search(rf"tamper / {name}: ", graded[0].stdout)


def test_honest_submissions_are_not_flagged(course, graded):
    _, scores = graded
    for (student, name), row in scores.items():
        if student != "tamper":
            assert row["tampering_suspected"] == "", (student, name)
            assert not _flagged(course, student, name)
    # the judge agreed with every test cell an honest submission passed in the kernel
    honest = [c for c in _judged(course) if c["student"] != "tamper"]
    assert sum(c["kernel_score"] > 0 for c in honest) >= 20
    assert all(c["judge_score"] == c["kernel_score"] for c in honest)
    assert all(c["score"] <= c["kernel_score"] and not c["tampering"] for c in honest)


@needs_sandbox
def test_grading_kernel_cannot_read_the_course(course, graded):
    nb = _autograded(course, "untouched", "hw1_score_and_fisher")
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    targets = _spy_targets(course)
    assert out.count("NOTHING") == len(targets), out
    assert "FOUND" not in out
    # the course folder holds only the path to the student's own autograded copy
    assert "COURSE ROOT HOLDS ['autograded']" in out


def test_grading_kernel_has_the_grading_environment(course, graded):
    """Single-threaded BLAS and two malloc arenas in the kernel (``LimitedExecute.kernel_env``):
    without them the kernel's address space is about 1 GB before any student code."""
    nb = _autograded(course, "untouched", "hw1_score_and_fisher")
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    assert "BLAS THREADS 1 ARENAS 2" in out, out


def test_jobs_give_the_serial_scores(course, graded, tmp_path):
    root = tmp_path / "homework"
    shutil.copytree(
        course,
        root,
        ignore=shutil.ignore_patterns("submitted", "autograded", "feedback", "gradebook.db"),
    )
    name = "hw1_score_and_fisher"
    shutil.copyfile(course / "gradebook.db", root / "gradebook.db")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:  # registered, nothing graded
        for student in SUBMISSIONS:
            gb.remove_student(student)
    for student in JOBS_CLASS:
        dest = root / "submitted" / student / name / f"{name}.ipynb"
        dest.parent.mkdir(parents=True)
        shutil.copyfile(course / "submitted" / student / name / f"{name}.ipynb", dest)
    result = _homework(
        root, "grade", name, "--jobs", "2", "--timeout", str(TIMEOUT), "--csv", "scores.csv"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with open(root / "scores.csv") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert set(rows) == set(JOBS_CLASS)
    for student in JOBS_CLASS:
        serial = graded[1][(student, name)]
        for field in ("code_score", "max_code_score", "tampering_suspected"):
            assert rows[student][field] == serial[field], (student, field)
        assert _cell_points(root, student, name) == _cell_points(course, student, name)
        assert _flagged(root, student, name) == _flagged(course, student, name)
        assert (root / "autograded" / student / name / f"{name}.ipynb").exists()
