"""Release, collect and grade the course's homework: a thin wrapper around nbgrader.

Run it from anywhere; every path is relative to this file's folder (nbgrader's course root)::

    python notebooks/homework/homework.py release            # student versions -> release/
    python notebooks/homework/homework.py collect DOWNLOADS  # DOWNLOADS/<student>/**/<hw>.ipynb
                                                             #   -> submitted/<student>/<hw>/
    python notebooks/homework/homework.py grade              # autograde submitted/, print scores
    python notebooks/homework/homework.py grade --jobs 4     # four students at a time

It calls ``python -m nbgrader`` with the same interpreter and puts that interpreter's ``bin``
folder first on ``PATH`` (nbgrader runs ``alembic`` as a subprocess). The plain nbgrader
commands work as well from ``notebooks/homework`` (``nbgrader generate_assignment hw1_...``,
``nbgrader autograde hw1_...``), with the same configuration (``nbgrader_config.py``).

``grade`` runs ``nbgrader autograde`` (the kernel sandboxed by ``sandbox.py``), then the trusted
judge ``judge.py``, which re-runs every test cell that scored in the kernel outside the student's
process and compares the answer with the instructor's reference (``source/<hw>/reference.py``);
a cell's points are the least of the three, and a cell that scored more in the kernel than on
trusted code scores 0 and is reported as tampering suspected (the notebook is flagged).

This module also holds the grading limits that ``nbgrader_config.py`` installs:
:class:`LimitedExecute` (after a cell times out or the kernel dies, the rest of the notebook
is not run and scores 0) and :func:`kernel_memory_arguments` (an address-space limit for the
grading kernel).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
SUBMITTED = HERE / "submitted"
AUTOGRADED = HERE / "autograded"
GRADEBOOK = HERE / "gradebook.db"


# --- grading limits (imported by nbgrader_config.py) -------------------------------------------


def kernel_memory_arguments(memory_mb: int) -> list[str]:
    """Kernel command-line arguments that cap the grading kernel's address space at memory_mb.

    An ``exec_lines`` entry runs ``resource.setrlimit(RLIMIT_AS, ...)`` in the kernel before any
    student code, so that unbounded allocation raises ``MemoryError`` in the student's cell.
    Linux only (elsewhere, and for ``memory_mb <= 0``, no limit).
    """
    if memory_mb <= 0 or not sys.platform.startswith("linux"):
        return []
    limit = int(memory_mb) * 1024 * 1024
    code = f"import resource as _r; _r.setrlimit(_r.RLIMIT_AS, ({limit}, {limit})); del _r"
    return [f"--IPKernelApp.exec_lines={code}"]


def _limited_execute_class():
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat.v4 import new_output
    from nbgrader.preprocessors import Execute
    from traitlets import Dict

    def error(ename: str, evalue: str):
        return new_output(
            "error", ename=ename, evalue=evalue, traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"]
        )

    class LimitedExecute(Execute):
        """nbgrader's ``Execute``; once a cell times out or the kernel dies, stop running cells.

        nbgrader interrupts a cell that exceeds ``Execute.timeout`` and goes on with the next
        one, so a notebook whose cells all call a looping function costs one timeout per cell,
        and a kernel that ignores the interrupt stalls every later cell. Here the cell that timed
        out gets nbgrader's ``CellTimeoutError`` output and every later code cell an error output
        ``NotRun`` (scored 0), so a submission costs at most one timeout and grading carries on
        with the next one. The kernel runs with single-threaded BLAS and at most two malloc
        arenas (``kernel_env``): reproducible grading, and a small, machine-independent address
        space (about 0.4 GB instead of 1 GB, measured in the kernel) under the memory limit.
        """

        kernel_env = Dict(
            {
                "OPENBLAS_NUM_THREADS": "1",
                "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
                "MALLOC_ARENA_MAX": "2",
            },
            help="Environment variables set for the grading kernel.",
        ).tag(config=True)

        async def async_start_new_kernel(self, **kwargs):
            env = dict(kwargs.pop("env", os.environ))
            env.update(self.kernel_env)
            await super().async_start_new_kernel(env=env, **kwargs)

        # nbclient's synchronous setup (what nbgrader uses) calls the sync wrapper, which was
        # bound to the base class's coroutine: wrap ours, or the kernel never gets kernel_env
        start_new_kernel = run_sync(async_start_new_kernel)

        def preprocess(self, nb, resources=None, km=None):
            self._stopped_by = None
            return super().preprocess(nb, resources, km)

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code":
                return super().preprocess_cell(cell, resources, index)
            if self._stopped_by is not None:
                cell.outputs = [error("NotRun", f"not run: {self._stopped_by}")]
                cell.execution_count = None
                return cell, self.resources
            try:
                cell, resources = super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self._stopped_by = f"the kernel died in cell {index} (out of memory?)"
                cell.outputs.append(error("DeadKernelError", self._stopped_by))
                return cell, self.resources
            except CellTimeoutError:
                # raised (not recorded as an output) when the kernel stops sending output, as a
                # kernel that hit the memory limit can (seen with IPython 9.0)
                self._stopped_by = f"the kernel stopped answering in cell {index} (out of memory?)"
                cell.outputs.append(error("CellTimeoutError", self._stopped_by))
                return cell, self.resources
            if any(
                out.get("output_type") == "error" and out.get("ename") == "CellTimeoutError"
                for out in cell.outputs
            ):
                self._stopped_by = f"cell {index} ran longer than the {self.timeout} s time limit"
            return cell, resources

    return LimitedExecute


def limited_autograde_preprocessors() -> list:
    """nbgrader's autograde preprocessors with ``Execute`` replaced by :class:`LimitedExecute`."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    limited = _limited_execute_class()
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    return [limited if p is Execute else p for p in defaults]


# --- the commands ---------------------------------------------------------------------------


def assignments() -> list[str]:
    """The assignments: every ``source/<name>/<name>.ipynb``."""
    return sorted(p.parent.name for p in SOURCE.glob("*/*.ipynb") if p.stem == p.parent.name)


def _nbgrader(*args: str, env: dict | None = None) -> int:
    """Run ``python -m nbgrader ARGS`` in the course root, with this Python's bin on PATH."""
    environ = dict(os.environ if env is None else env)
    bin_dir = os.path.dirname(sys.executable)
    environ["PATH"] = bin_dir + os.pathsep + environ.get("PATH", "")
    print(f"$ nbgrader {' '.join(args)}", flush=True)
    command = [sys.executable, "-m", "nbgrader", *args]
    return subprocess.run(command, cwd=HERE, env=environ).returncode


def _check_names(names: list[str]) -> list[str]:
    known = assignments()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown assignment(s) {unknown}; valid: {known}")
    return names or known


def release(names: list[str]) -> int:
    """Write the student versions to ``release/<assignment>/`` (solutions, hidden tests and
    outputs removed) and register the assignments in the gradebook."""
    names = _check_names(names)
    failed = 0
    for pattern in ["*"] if names == assignments() else names:  # one nbgrader process if it can
        failed += _nbgrader("generate_assignment", pattern, "--force") != 0
    if not failed:
        print(f"student versions written to {HERE.name}/release/<assignment>/<assignment>.ipynb")
    return 1 if failed else 0


def collect(downloads: str) -> int:
    """Copy ``DOWNLOADS/<student>/**/<assignment>.ipynb`` to ``submitted/<student>/<assignment>/``.

    The layout of an LMS export unzipped into one folder per student; for nbgrader's own
    collection from JupyterHub use ``nbgrader collect``, for zip files ``nbgrader zip_collect``.
    """
    root = Path(downloads)
    if not root.is_dir():
        raise SystemExit(f"{downloads} is not a folder of <student>/ folders")
    copied = 0
    for student_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for name in assignments():
            found = sorted(
                p for p in student_dir.rglob(f"{name}.ipynb") if ".ipynb_checkpoints" not in p.parts
            )
            if not found:
                continue
            dest = SUBMITTED / student_dir.name / name / f"{name}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(found[0], dest)
            copied += 1
            print(f"{student_dir.name}: {name}")
    print(f"collected {copied} notebook(s) into {HERE.name}/submitted/")
    return 0


def _registered(name: str) -> bool:
    if not GRADEBOOK.exists():
        return False
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{GRADEBOOK}") as gb:
        try:
            gb.find_assignment(name)
        except MissingEntry:
            return False
    return True


def score_table(names: list[str], judged: list[dict] | None = None) -> list[dict]:
    """One row per (student, assignment) found in ``submitted/``, with scores from the gradebook
    and the cells where the judge suspects tampering (more points in the kernel than in the
    judge)."""
    from nbgrader.api import Gradebook, MissingEntry

    suspected: dict = {}
    for cell in judged or []:
        if cell["tampering"]:
            suspected.setdefault((cell["student"], cell["assignment"]), []).append(cell["cell"])
    rows = []
    with Gradebook(f"sqlite:///{GRADEBOOK}") as gb:
        for name in names:
            for sub_dir in sorted(SUBMITTED.glob(f"*/{name}")):
                student = sub_dir.parent.name
                graded = (AUTOGRADED / student / name / f"{name}.ipynb").exists()
                row = {"student": student, "assignment": name, "graded": graded}
                try:
                    sub = gb.find_submission(name, student)
                except MissingEntry:
                    row["graded"] = False
                else:
                    row.update(
                        code_score=float(sub.code_score),
                        max_code_score=float(sub.max_code_score),
                        written_score=float(sub.written_score),
                        max_written_score=float(sub.max_written_score),
                        needs_manual_grade=bool(sub.needs_manual_grade),
                        tampering_suspected=" ".join(sorted(suspected.get((student, name), []))),
                    )
                rows.append(row)
    return rows


def _print_table(rows: list[dict], names: list[str]) -> None:
    students = sorted({r["student"] for r in rows})
    cell = {(r["student"], r["assignment"]): r for r in rows}
    width = max([len("student")] + [len(s) for s in students])
    cols = [max(len(n), 30) for n in names]
    print("\nauto-graded points (written answers: grade them in formgrader)")
    print("student".ljust(width), *(n.ljust(w) for n, w in zip(names, cols, strict=True)), sep="  ")
    for s in students:
        parts = []
        for n, w in zip(names, cols, strict=True):
            r = cell.get((s, n))
            if r is None:
                text = "-"
            elif not r["graded"] or "code_score" not in r:
                text = "NOT GRADED (see log above)"
            else:
                text = f"{r['code_score']:g} / {r['max_code_score']:g}"
                if r["tampering_suspected"]:
                    text += " TAMPERING SUSPECTED"
                elif r["needs_manual_grade"]:
                    text += f" (+{r['max_written_score']:g} written, to grade)"
                elif r["max_written_score"]:
                    text += f" (written {r['written_score']:g} / {r['max_written_score']:g})"
            parts.append(text.ljust(w))
        print(s.ljust(width), *parts, sep="  ")
    flagged = [r for r in rows if r.get("tampering_suspected")]
    if flagged:
        print(
            "\nTAMPERING SUSPECTED: these test cells scored more in the grading kernel than in "
            "the judge, which re-ran them outside the student's process (they score 0; the "
            "submission is flagged in formgrader):"
        )
        for r in flagged:
            print(f"  {r['student']} / {r['assignment']}: {r['tampering_suspected']}")


# --- grading: nbgrader's autograde, then the trusted judge, in one or several jobs -------------


def _code_grades(gradebook: Path, names: list[str], students: list[str]):
    """``(student, assignment, [code-cell grades])`` of every graded submission in a gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{gradebook}") as gb:
        for student in students:
            for name in names:
                try:
                    notebook = gb.find_submission_notebook(name, name, student)
                except MissingEntry:
                    continue
                yield student, name, [g for g in notebook.grades if g.cell_type == "code"]


def _kernel_scores(root: Path, names: list[str], students: list[str]) -> list[dict]:
    """Per submission, each test cell's score in the grading kernel (from root's gradebook)."""
    return [
        {
            "student": student,
            "assignment": name,
            "scores": {g.name: [float(g.auto_score or 0.0), float(g.max_score)] for g in grades},
        }
        for student, name, grades in _code_grades(root / "gradebook.db", names, students)
    ]


def _judge(root: Path, names: list[str], students: list[str], env: dict, out: Path) -> int:
    """Run ``judge.py`` (a fresh interpreter) on the autograded submissions under ``root``."""
    kernel = out.with_name("kernel-scores.json")
    kernel.write_text(json.dumps(_kernel_scores(root, names, students)))
    command = [sys.executable, str(HERE / "judge.py"), str(root), str(kernel), str(out)]
    command += ["--timeout", env.get("HOMEWORK_TIMEOUT", "60")]
    command += ["--memory-mb", env.get("HOMEWORK_MEMORY_MB", "2048")]
    # the kernel's numerics: single-threaded BLAS, so the judge's checks compute what the
    # kernel's did (to the last bit)
    judge_env = {**env, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    judge_env["MKL_NUM_THREADS"] = "1"
    return subprocess.run(command, cwd=HERE, env=judge_env).returncode


def _grade_group(root: Path, names: list[str], students: list[str], env: dict) -> tuple:
    """Autograde and judge the given students' submissions in course folder ``root``."""
    env = {**env, "HOMEWORK_COURSE_ROOT": str(root)}
    status = 0
    # One nbgrader process for all the assignments when it can ("*" matches every
    # submitted/<student>/<assignment>/): importing nbgrader costs seconds per process.
    # nbgrader exits non-zero if some submission could not be graded; it grades the rest.
    for pattern in ["*"] if names == assignments() else names:
        status |= _nbgrader("autograde", pattern, "--force", env=env) != 0
    with tempfile.TemporaryDirectory(prefix="homework-judge-") as tmp:
        out = Path(tmp) / "judged.json"
        if _judge(root, names, students, env, out) != 0 or not out.exists():
            print("the judge failed: no code points count for these submissions")
            return 1, None
        return status, json.loads(out.read_text())


def _job_folder(base: Path, students: list[str]) -> Path:
    """A course folder for one job: the shared source/ and autograded/, its own gradebook."""
    base.mkdir(parents=True)
    (base / "source").symlink_to(SOURCE, target_is_directory=True)
    (base / "autograded").symlink_to(AUTOGRADED, target_is_directory=True)
    for student in students:
        (base / "submitted").mkdir(exist_ok=True)
        (base / "submitted" / student).symlink_to(SUBMITTED / student, target_is_directory=True)
    shutil.copyfile(GRADEBOOK, base / "gradebook.db")
    return base


def _merge_gradebook(job_db: Path, pairs: list[tuple[str, str]]) -> None:
    """Copy the submissions (student, assignment) of a job's gradebook into the course's."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{job_db}") as src, Gradebook(f"sqlite:///{GRADEBOOK}") as dst:
        for student, name in pairs:
            try:
                sub = src.find_submission(name, student)
            except MissingEntry:
                continue
            dst.update_or_create_student(student)
            dst.update_or_create_submission(name, student, timestamp=sub.timestamp)
            for nb in sub.notebooks:
                target = dst.find_submission_notebook(nb.name, name, student)
                target.flagged = nb.flagged
                for g in nb.grades:
                    t = dst.find_grade(g.name, nb.name, name, student)
                    t.auto_score, t.manual_score = g.auto_score, g.manual_score
                    t.extra_credit, t.needs_manual_grade = g.extra_credit, g.needs_manual_grade
                for c in nb.comments:
                    t = dst.find_comment(c.name, nb.name, name, student)
                    t.auto_comment, t.manual_comment = c.auto_comment, c.manual_comment
            dst.db.commit()


def _unjudged(students: list[str], names: list[str]) -> list[dict]:
    """Cells of submissions the judge could not judge: they score 0 (never the kernel's score)."""
    return [
        {
            "student": student,
            "assignment": name,
            "cell": g.name,
            "max_score": float(g.max_score),
            "kernel_score": float(g.auto_score or 0.0),
            "judge_score": 0.0,
            "referee_score": None,
            "score": 0.0,
            "tampering": False,
            "message": "not judged (the judge failed)",
        }
        for student, name, grades in _code_grades(GRADEBOOK, names, students)
        for g in grades
    ]


def _apply_judgement(cells: list[dict]) -> None:
    """The scores that count (the judge's ``score``: the least of the kernel's, the trusted
    re-run's and the reference comparison's); a cell that scored less on trusted code than in
    the kernel scores 0 and flags its notebook (tampering suspected)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{GRADEBOOK}") as gb:
        for cell in cells:
            student, name = cell["student"], cell["assignment"]
            grade = gb.find_grade(cell["cell"], name, name, student)
            grade.auto_score = float(cell["score"])
            if cell["tampering"]:
                gb.find_submission_notebook(name, name, student).flagged = True
        gb.db.commit()


def grade(
    names: list[str],
    timeout: int | None,
    memory_mb: int | None,
    csv_path: str | None,
    feedback: bool,
    jobs: int = 1,
) -> int:
    """Autograde and judge every ``submitted/<student>/<assignment>/``; print a score table.

    ``jobs`` > 1 grades the students in that many groups at once, each in its own course folder
    (its own copy of the gradebook, which is one SQLite file), then merges the gradebooks: the
    scores are those of the serial run.
    """
    names = _check_names(names)
    if jobs < 1:
        raise SystemExit(f"--jobs must be >= 1, got {jobs}")
    env = dict(os.environ)
    if timeout is not None:
        env["HOMEWORK_TIMEOUT"] = str(timeout)
    if memory_mb is not None:
        env["HOMEWORK_MEMORY_MB"] = str(memory_mb)
    import sandbox

    try:
        sandboxed = sandbox.enabled()
    except sandbox.SandboxUnavailable as err:
        raise SystemExit(str(err)) from None
    if not sandboxed:
        print(
            "WARNING: grading without a sandbox (bubblewrap missing or HOMEWORK_SANDBOX=none): "
            "student code can read every file this user can read"
        )
    start = time.perf_counter()
    status = 0
    graded = []
    for name in names:
        if not any(SUBMITTED.glob(f"*/{name}/*.ipynb")):
            print(f"{name}: no submissions in {HERE.name}/submitted/<student>/{name}/")
            continue
        if not _registered(name):
            print(f"{name}: not in the gradebook yet, generating it first")
            if _nbgrader("generate_assignment", name, "--force", env=env) != 0:
                status = 1
                continue
        graded.append(name)
    if not graded:
        return status
    students = sorted({p.parent.name for n in graded for p in SUBMITTED.glob(f"*/{n}")})
    jobs = min(jobs, len(students))
    judged: list[dict] = []
    if jobs == 1:
        code, result = _grade_group(HERE, graded, students, env)
        status |= code
        judged = result["cells"] if result else []
    else:
        from concurrent.futures import ThreadPoolExecutor

        AUTOGRADED.mkdir(exist_ok=True)
        groups = [students[i::jobs] for i in range(jobs)]  # alphabetical, round robin
        with tempfile.TemporaryDirectory(prefix="homework-jobs-") as tmp:
            folders = [_job_folder(Path(tmp) / f"job{i}", g) for i, g in enumerate(groups)]
            with ThreadPoolExecutor(jobs) as pool:
                runs = [
                    pool.submit(_grade_group, f, graded, g, env)
                    for f, g in zip(folders, groups, strict=True)
                ]
                results = [run.result() for run in runs]
            for folder, group, (code, result) in zip(folders, groups, results, strict=True):
                status |= code
                _merge_gradebook(folder / "gradebook.db", [(s, n) for s in group for n in graded])
                judged += result["cells"] if result else _unjudged(group, graded)
    if jobs == 1 and not judged:
        judged = _unjudged(students, graded)
    _apply_judgement(judged)
    (AUTOGRADED / "judge.json").write_text(json.dumps(judged, indent=1))
    if feedback:
        for pattern in ["*"] if graded == assignments() else graded:
            status |= _nbgrader("generate_feedback", pattern, "--force", env=env) != 0
    rows = score_table(graded, judged)
    _print_table(rows, graded)
    if csv_path:
        fields = [
            "student",
            "assignment",
            "graded",
            "code_score",
            "max_code_score",
            "written_score",
            "max_written_score",
            "needs_manual_grade",
            "tampering_suspected",
        ]
        with open(csv_path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        print(f"scores written to {csv_path}")
    print(f"graded {len(rows)} submission(s) in {time.perf_counter() - start:.0f} s")
    return int(status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="homework.py", description="Release, collect and grade the course's homework."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="write the student versions to release/")
    p.add_argument("assignments", nargs="*", help="default: all of source/")
    p = sub.add_parser(
        "collect", help="copy DOWNLOADS/<student>/**/<assignment>.ipynb to submitted/"
    )
    p.add_argument("downloads")
    p = sub.add_parser("grade", help="autograde submitted/ and print a score table")
    p.add_argument("assignments", nargs="*", help="default: all of source/")
    p.add_argument("--timeout", type=int, help="seconds per cell (default 60)")
    p.add_argument("--memory-mb", type=int, help="kernel memory limit in MB (default 2048)")
    p.add_argument("--csv", help="also write the scores to this CSV file")
    p.add_argument("--feedback", action="store_true", help="also write HTML feedback to feedback/")
    p.add_argument("--jobs", type=int, default=1, help="grade this many students at once")
    p.add_argument(
        "--sandbox",
        choices=["auto", "bwrap", "none"],
        help="run student code under bubblewrap (default: HOMEWORK_SANDBOX, else auto)",
    )
    args = parser.parse_args(argv)
    if args.command == "release":
        return release(args.assignments)
    if args.command == "collect":
        return collect(args.downloads)
    if args.sandbox:
        os.environ["HOMEWORK_SANDBOX"] = args.sandbox
    return grade(args.assignments, args.timeout, args.memory_mb, args.csv, args.feedback, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
