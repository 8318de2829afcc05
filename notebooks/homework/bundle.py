"""Build the student bundle: everything students receive, and nothing that holds a solution.

The public repository keeps the instructor's material: ``notebooks/homework/source/`` (the
instructor notebooks with their solutions, hidden tests and model answers, ``reference.py`` and
``RUBRIC.md``) and ``tests/`` (whose ``homework_corpus/`` holds student solutions). Students who
install that repository therefore hold every answer. An instructor who gives credit keeps a
private copy of the repository (a private fork, or a clone with ``source/`` and
``tests/homework_corpus/`` moved out of it) and publishes only this bundle, which students
install and use as its README says.

What students receive (``OUT_DIR/``)::

    README.md                 for students: install, open, how the checks work
    requirements.txt          the runtime requirements only (see STUDENT_REQUIREMENTS), and -e .
    pyproject.toml            copied, so that ``pip install -e .`` installs course_utils
    course_utils/             the course package: the math layer and the property checks
    ERRATA.md                 the errata of the lecture material (notebook 00 links to it)
    notebooks/*.ipynb         the lecture notebooks, notebooks/explorers/*.ipynb, notebooks/MATH.md
    homework/<a>/<a>.ipynb    the released assignments (``homework.py release``)

and never: ``notebooks/homework/source``, any ``reference.py`` or ``RUBRIC.md``, ``tests/``,
``benchmarks/``, ``docs/``, ``data/``, ``.git``, the gradebook, ``submitted/``, ``autograded/``,
``feedback/``, the grading code (``homework.py``, ``judge*.py``, ``sandbox.py``) and
``__pycache__``. The lecture notebooks and ``MATH.md`` are the course itself (two lecture lines
coincide with hw2 solution lines: the natural step and conjugate gradient, derived there; the
test lists them); ``course_utils.checks`` holds property
checks only (the references live with the instructor's source). ``tests/test_student_bundle.py``
greps the bundle for every line of the solutions.

Usage (from the repository root, after ``python notebooks/homework/homework.py release``)::

    python notebooks/homework/bundle.py OUT_DIR [--release DIR] [--zip] [--force]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

HOMEWORK = Path(__file__).resolve().parent
REPO = HOMEWORK.parents[1]
SOURCE = HOMEWORK / "source"
DEFAULT_RELEASE = HOMEWORK / "release"

#: The student requirements: an explicit allow-list of the repository's requirements.txt (the
#: version bounds are taken from there). JupyterLab runs the notebooks; numpy and scipy are
#: course_utils' dependencies; matplotlib, ipywidgets and ipympl draw the notebooks' figures and
#: widgets; IPython is the kernel's shell (its display tools are imported by the widgets);
#: gymnasium provides CartPole for notebook 08. Everything else in requirements.txt serves the
#: instructor or the developers (nbgrader, pytest and its plugins, nbval, hypothesis,
#: playwright, sphinx and its themes, voila, the slideshow extension, ruff, colorspacious) and is
#: left out. ``-e .`` installs course_utils from the bundle itself.
STUDENT_REQUIREMENTS = (
    "jupyterlab",
    "numpy",
    "scipy",
    "matplotlib",
    "ipywidgets",
    "ipympl",
    "ipython",
    "gymnasium",
)
#: those the bundle cannot do without: building fails if requirements.txt lacks one
REQUIRED = ("jupyterlab", "numpy", "scipy", "matplotlib", "ipywidgets")

#: names that must never appear anywhere in the bundle (checked after building)
FORBIDDEN_NAMES = {
    "source",
    "reference.py",
    "RUBRIC.md",
    "tests",
    "benchmarks",
    "docs",
    ".git",
    "gradebook.db",
    "submitted",
    "autograded",
    "feedback",
    "__pycache__",
    "homework_corpus",
}
#: text that must not appear in a released notebook
FORBIDDEN_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

STUDENT_README = """\
# Natural policy gradient: the course

This folder is what you need for the course: the lecture notebooks (`notebooks/`), the
interactive explorers (`notebooks/explorers/`), the derivations (`notebooks/MATH.md`), the
errata of the lecture material (`ERRATA.md`), the homework (`homework/`) and the course's Python
package `course_utils`, which the notebooks import.

## Install (once)

You need Python 3.11 or newer. In this folder:

```bash
python -m venv .venv
source .venv/bin/activate        # Windows: .venv\\Scripts\\activate
pip install -r requirements.txt  # JupyterLab, numpy, scipy, matplotlib, ... and course_utils
```

## Open

```bash
source .venv/bin/activate        # in every new terminal
jupyter lab
```

Start with `notebooks/00_start_here.ipynb`. The homework is in
`homework/<assignment>/<assignment>.ipynb`: {assignments}.

## Homework: how the checks work

Each exercise has a cell for your code (`# YOUR CODE HERE`: delete the
`raise NotImplementedError()` line and write your answer) and, below it, a cell that runs the
check of `course_utils.checks` on your answer. The check does not compare your answer with a
stored solution: it tests properties of your answer that you can verify yourself (a score has
mean 0 under the policy, a natural step of size eps has 1/2 d^T F d = eps, the conjugate-gradient
residual is small, your functions agree with each other), part by part, and prints one line per
part: a check mark and what holds, or a cross, your number, the property it breaks and a hint
where to look. Each part that holds earns its share of the points (partial credit), so one slip
does not cost the whole exercise. A function that is not written yet, returns `None`, raises an
error or returns the wrong shape stops the check there.

When your work is graded, the same checks run again in a fresh kernel, top to bottom, together
with hidden tests, and once more in a separate process that calls your functions: what your code
changes in its own process changes nothing there. A solution that only calls the course's own
implementation of the thing the exercise asks for (for example `course_utils.natural`'s natural
step) scores 0 in the hidden tests. Before you submit, run *Kernel -> Restart Kernel and Run All
Cells* and make sure every check passes; a cell that runs longer than a minute is stopped. Written
answers are graded by hand.
"""


def source_assignments(source: Path = SOURCE) -> list[str]:
    """The assignments of the instructor's source: the folders ``<a>/`` holding ``<a>.ipynb``."""
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())


def released_notebooks(release: Path, assignments: list[str]) -> dict[str, Path]:
    """The released notebook of every assignment; exits with a clear message if any is missing.

    ``assignments`` are those of the ``source/`` folder beside the release folder. With no
    instructor source to list them (a copy without ``source/``), every
    ``<a>/<a>.ipynb`` found in the release folder is taken, and there must be at least one.
    """
    hint = "run `python notebooks/homework/homework.py release` first"
    if not release.is_dir():
        sys.exit(f"bundle: no release folder {release}: {hint}")
    if not assignments:
        assignments = source_assignments(release)
        if not assignments:
            sys.exit(f"bundle: the release folder {release} holds no assignment: {hint}")
    notebooks = {a: release / a / f"{a}.ipynb" for a in assignments}
    missing = [a for a, path in notebooks.items() if not path.is_file()]
    if missing:
        sys.exit(
            f"bundle: the release folder {release} is incomplete (no student version of "
            f"{', '.join(missing)}): {hint}"
        )
    return notebooks


def student_requirements(requirements: Path = REPO / "requirements.txt") -> str:
    """The lines of the repository's requirements.txt on the allow-list, and ``-e .``."""
    kept: dict[str, str] = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if match and not line.startswith("-"):
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            if name in STUDENT_REQUIREMENTS:
                kept[name] = line
    missing = [name for name in REQUIRED if name not in kept]
    if missing:
        sys.exit(f"bundle: {requirements} has no line for {', '.join(missing)}")
    header = (
        "# What the course needs to run (the instructor's and developers' tools are left out).\n"
        "# Install with: pip install -r requirements.txt\n"
    )
    lines = [kept[name] for name in STUDENT_REQUIREMENTS if name in kept]
    return header + "-e .\n" + "\n".join(lines) + "\n"


def check_released(notebook: Path) -> None:
    """Exit if a released notebook still holds solution or hidden-test markers, or outputs."""
    text = notebook.read_text(encoding="utf-8")
    found = [marker for marker in FORBIDDEN_MARKERS if marker in text]
    outputs = any(
        cell.get("outputs") or cell.get("execution_count") is not None
        for cell in json.loads(text)["cells"]
        if cell["cell_type"] == "code"
    )
    if found or outputs:
        sys.exit(
            f"bundle: {notebook} is not a student version ({', '.join(found) or 'outputs'}): "
            "run `python notebooks/homework/homework.py release` again"
        )


def copy_package(out: Path) -> None:
    """course_utils without caches, compiled files and the old checks module."""
    shutil.copytree(
        REPO / "course_utils",
        out / "course_utils",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "reference.py"),
    )


def copy_course(out: Path) -> None:
    """The lecture notebooks, the explorers, MATH.md and ERRATA.md (the course, no homework)."""
    notebooks = REPO / "notebooks"
    for pattern in ("*.ipynb", "explorers/*.ipynb", "MATH.md"):
        for path in sorted(notebooks.glob(pattern)):
            target = out / "notebooks" / path.relative_to(notebooks)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    if (REPO / "ERRATA.md").is_file():
        shutil.copy2(REPO / "ERRATA.md", out / "ERRATA.md")


def verify(out: Path) -> None:
    """Exit if anything on the forbidden list ended up in the bundle."""
    bad = [p for p in out.rglob("*") if p.name in FORBIDDEN_NAMES]
    if bad:
        sys.exit(f"bundle: forbidden paths in {out}: {', '.join(map(str, bad))}")


def build(out: Path, release: Path = DEFAULT_RELEASE, *, force: bool = False) -> list[str]:
    """Write the student bundle to ``out``; return the assignments it holds."""
    # the assignments of the course folder the release belongs to (notebooks/homework by default)
    notebooks = released_notebooks(release, source_assignments(release.parent / "source"))
    for notebook in notebooks.values():
        check_released(notebook)
    if out.exists():
        if not force and any(out.iterdir()):
            sys.exit(f"bundle: {out} exists and is not empty (--force replaces it)")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_package(out)
    shutil.copy2(REPO / "pyproject.toml", out / "pyproject.toml")
    (out / "requirements.txt").write_text(student_requirements())
    copy_course(out)
    for name, notebook in notebooks.items():
        (out / "homework" / name).mkdir(parents=True)
        shutil.copy2(notebook, out / "homework" / name / notebook.name)
    listing = ", ".join(f"`{a}`" for a in notebooks)
    (out / "README.md").write_text(STUDENT_README.replace("{assignments}", listing))
    verify(out)
    return list(notebooks)


def make_zip(out: Path) -> Path:
    """``OUT_DIR.zip`` beside the bundle, with the bundle's folder at its top."""
    archive = shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
    return Path(archive)


def main(argv: list[str] | None = None) -> int:
    """The command line: build the bundle, optionally zip it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("out", type=Path, help="the folder to write the bundle to")
    parser.add_argument(
        "--release",
        type=Path,
        default=DEFAULT_RELEASE,
        help="the released assignments (default: notebooks/homework/release)",
    )
    parser.add_argument("--zip", action="store_true", help="also write OUT_DIR.zip")
    parser.add_argument("--force", action="store_true", help="replace an existing OUT_DIR")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    for copied in (REPO, REPO / "course_utils", REPO / "notebooks"):
        if out == copied or (copied != REPO and copied in out.parents):
            sys.exit(f"bundle: {out} is (inside) a folder the bundle copies: write it elsewhere")
    assignments = build(out, args.release.resolve(), force=args.force)
    print(f"student bundle written to {out} ({', '.join(assignments)})")
    if args.zip:
        print(f"and zipped to {make_zip(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
