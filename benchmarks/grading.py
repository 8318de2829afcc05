"""Grading a class: ``homework.py grade`` serially against ``--jobs 2``, in one process.

Builds a temporary copy of ``notebooks/homework`` with a synthetic class (default: 40 students,
one submission each of ``hw1_score_and_fisher``; a third with the instructor's answers, a third
untouched, a third with two named mistakes), then grades it with ``homework.py grade`` (nbgrader's
autograde in a sandboxed kernel, then the judge) serially and with ``--jobs 2``, alternating,
``--repeats`` times each. Prints the median wall time of each, seconds per student, the ratio
serial / jobs, and whether the two runs gave identical scores (they must).

The figure for a larger machine is an estimate, labelled so: this machine's serial seconds per
submission divided by the number of jobs, assuming each job has a free core (kernel start and
execution are one process per submission, so grading is parallel until memory or disk bound).
On a machine shared with other work, two jobs on two cores need not beat one.

Run: ``python benchmarks/grading.py`` (about 5 to 10 minutes on two idle cores; run it when the
machine is quiet). ``--students``, ``--assignments``, ``--repeats``, ``--jobs`` change the set-up.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
HOMEWORK = REPO / "notebooks" / "homework"
GENERATED = ("release", "submitted", "autograded", "feedback", "gradebook.db", "__pycache__")
# two named mistakes of hw1 (their checks name them): kept short, the point is grading time
MISTAKES = {
    "score": (
        "def score(k, sigma, s, a):\n"
        "    u = np.asarray(a) - k * np.asarray(s)\n"
        "    return np.stack([u * s / sigma**2, u * u / sigma**3], axis=-1)"
    ),
    "kl_quadratic": "def kl_quadratic(d, F):\n    return float(d @ F @ d)",
}


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return subprocess.run(
        [sys.executable, str(root / "homework.py"), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


def make_class(root: Path, n_students: int, names: list[str]) -> None:
    """A course copy with released assignments and n_students synthetic submissions."""
    shutil.copytree(HOMEWORK, root, ignore=shutil.ignore_patterns(*GENERATED))
    result = _run(root, "release", *names)
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    for i in range(n_students):
        student = f"student{i:03d}"
        for name in names:
            kind = ("full", "untouched", "mistakes")[i % 3]
            base = "release" if kind == "untouched" else "source"
            nb = nbformat.read(root / base / name / f"{name}.ipynb", as_version=4)
            if kind == "mistakes":
                for cell in nb.cells:
                    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                    if grade_id in MISTAKES:
                        cell.source = MISTAKES[grade_id]
            dest = root / "submitted" / student / name / f"{name}.ipynb"
            dest.parent.mkdir(parents=True)
            nbformat.write(nb, dest)


def grade_once(root: Path, names: list[str], jobs: int) -> tuple[float, list[dict]]:
    """Wall time of one grading run from a clean slate, and its score rows."""
    shutil.rmtree(root / "autograded", ignore_errors=True)
    scores = root / "scores.csv"
    start = time.perf_counter()
    result = _run(root, "grade", *names, "--jobs", str(jobs), "--csv", str(scores))
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stdout[-3000:] + result.stderr[-3000:])
    with open(scores) as fh:
        return elapsed, sorted(csv.DictReader(fh), key=lambda r: (r["student"], r["assignment"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--assignments", nargs="*", default=["hw1_score_and_fisher"])
    parser.add_argument("--repeats", type=int, default=1, help="runs of each (median)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cores", type=int, default=16, help="for the labelled estimate")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        root = Path(tmp) / "homework"
        make_class(root, args.students, args.assignments)
        n = args.students * len(args.assignments)
        times = {1: [], args.jobs: []}
        rows = {}
        for _ in range(args.repeats):
            for jobs in (1, args.jobs):  # alternating, so that load changes hit both alike
                elapsed, rows[jobs] = grade_once(root, args.assignments, jobs)
                times[jobs].append(elapsed)
                print(f"  --jobs {jobs}: {elapsed:6.1f} s", flush=True)
    serial = statistics.median(times[1])
    parallel = statistics.median(times[args.jobs])
    print(
        f"\n{n} submissions ({args.students} students x {args.assignments}), {os.cpu_count()} cores"
    )
    print(f"serial      : median {serial:6.1f} s  ({serial / n:.2f} s per submission)")
    print(
        f"--jobs {args.jobs}    : median {parallel:6.1f} s  ({parallel / n:.2f} s per submission)"
    )
    print(f"ratio serial / --jobs {args.jobs}: {serial / parallel:.2f}")
    print(f"identical scores: {rows[1] == rows[args.jobs]}")
    # one student's cost on one free core is at most the serial run's seconds per submission
    print(
        f"ESTIMATE (not measured): {args.cores} free cores, --jobs {args.cores}, 300 students: "
        f"about {300 * serial / n / args.cores / 60:.1f} min per assignment (300 x "
        f"{serial / n:.2f} s / {args.cores}), plus the start-up of one nbgrader and one judge"
    )
    return 0 if rows[1] == rows[args.jobs] else 1


if __name__ == "__main__":
    sys.exit(main())
