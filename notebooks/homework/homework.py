"""Release, collect and grade the course's homework: a thin wrapper around nbgrader.

Run it from anywhere; every path is relative to this file's folder (nbgrader's course root)::

    python notebooks/homework/homework.py release            # student versions -> release/
    python notebooks/homework/homework.py collect DOWNLOADS  # DOWNLOADS/<student>/**/<hw>.ipynb
                                                             #   -> submitted/<student>/<hw>/
    python notebooks/homework/homework.py grade              # autograde submitted/, print scores

It calls ``python -m nbgrader`` with the same interpreter and puts that interpreter's ``bin``
folder first on ``PATH`` (nbgrader runs ``alembic`` as a subprocess). The plain nbgrader
commands work as well from ``notebooks/homework`` (``nbgrader generate_assignment hw1_...``,
``nbgrader autograde hw1_...``), with the same configuration (``nbgrader_config.py``).

This module also holds the grading limits that ``nbgrader_config.py`` installs:
:class:`LimitedExecute` (after a cell times out or the kernel dies, the rest of the notebook
is not run and scores 0) and :func:`kernel_memory_arguments` (an address-space limit for the
grading kernel).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
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
        space (about 0.35 GB instead of 0.9 GB) under the memory limit.
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


def score_table(names: list[str]) -> list[dict]:
    """One row per (student, assignment) found in ``submitted/``, with scores from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

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
                if r["needs_manual_grade"]:
                    text += f" (+{r['max_written_score']:g} written, to grade)"
                elif r["max_written_score"]:
                    text += f" (written {r['written_score']:g} / {r['max_written_score']:g})"
            parts.append(text.ljust(w))
        print(s.ljust(width), *parts, sep="  ")


def grade(
    names: list[str],
    timeout: int | None,
    memory_mb: int | None,
    csv_path: str | None,
    feedback: bool,
) -> int:
    """Autograde every ``submitted/<student>/<assignment>/`` and print a score table."""
    names = _check_names(names)
    env = dict(os.environ)
    if timeout is not None:
        env["HOMEWORK_TIMEOUT"] = str(timeout)
    if memory_mb is not None:
        env["HOMEWORK_MEMORY_MB"] = str(memory_mb)
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
    # One nbgrader process for all the assignments when it can ("*" matches every
    # submitted/<student>/<assignment>/): importing nbgrader costs seconds per process.
    # nbgrader exits non-zero if some submission could not be graded; it grades the rest.
    for pattern in ["*"] if graded == assignments() else graded:
        status |= _nbgrader("autograde", pattern, "--force", env=env) != 0
        if feedback:
            status |= _nbgrader("generate_feedback", pattern, "--force", env=env) != 0
    rows = score_table(graded)
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
    args = parser.parse_args(argv)
    if args.command == "release":
        return release(args.assignments)
    if args.command == "collect":
        return collect(args.downloads)
    return grade(args.assignments, args.timeout, args.memory_mb, args.csv, args.feedback)


if __name__ == "__main__":
    sys.exit(main())
