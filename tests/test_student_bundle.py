"""The student bundle (``notebooks/homework/bundle.py``): all students need, and no solution.

Once per module, ``homework.py release`` runs in a temporary copy of ``notebooks/homework`` (the
repository is never touched) and ``bundle.py`` builds the bundle from that release into a
temporary folder. The tests then check that the bundle has the released notebook of every
assignment in ``source/``, the package, the student README and requirements; that nothing
forbidden is in it (the instructor source, ``reference.py``, ``RUBRIC.md``, ``tests/``, ...);
that the released notebooks hold no hidden test and no output; and, the point of it all, that
no line of any solution occurs in any file of the bundle.

The solution lines are every line between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in
the instructor notebooks, the model answers (markdown cells with nbgrader ``solution: true``)
and the bodies of the reference implementations of every ``source/*/reference.py`` (its public
module-level functions, found with ``ast``; its grading code, the ``referee_*`` functions and
private helpers, is grepped in the released notebooks with the hidden tests). They are
normalised: stripped, without blank lines, comments, docstrings, lines shorter than
``MIN_LENGTH`` and generic lines (imports, ``return x``, ``x = np.asarray(x)``, ...), and
without lines that the instructor notebook also shows outside its solutions (the release gives
those to students by design); they are compared without whitespace, a leading ``return`` or a
``.0`` on integers. They are grepped in every file of the bundle except the math layer of
``course_utils`` (every module outside ``course_utils/checks/``: it may implement the same
formulas; a solution that delegates to it is caught by the hidden tests), and every hit is
reported with its file and line, except the few lecture lines listed in ``NOT_A_LEAK`` with
their reasons. A negative control plants solution lines in a copy of the bundle and shows that
the grep reports them.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")

REPO = Path(__file__).resolve().parents[1]
HOMEWORK = REPO / "notebooks" / "homework"
BUNDLE_PY = HOMEWORK / "bundle.py"
GENERATED = ("release", "submitted", "autograded", "feedback", "gradebook.db")

MIN_LENGTH = 20  # shorter lines are too generic to be a solution (`return F / n`, `d = g`)
GENERIC = [
    re.compile(p)
    for p in (
        r"^(import|from) [\w.]+( import [\w., ()]+)?( as \w+)?$",  # imports
        r"^return [\w.]+$",  # return x
        r"^[\w.]+ = (None|0|0\.0|\[\]|\{\}|\(\))$",  # x = None
        r"^(\w+) = np\.(asarray|array)\(\1(, dtype=\w+)?\)$",  # x = np.asarray(x, dtype=float)
        r"^for [\w, ]+ in (range|enumerate|zip)\([\w, .+-]*\):$",  # for _ in range(iters):
        r"^alpha, beta = np\.exp\(.*theta.*\)$",  # hw4's stated policy family: (log a, log b)
        r"^raise NotImplementedError(\(\))?$",
        r"^(pass|else:|try:|finally:|continue|break)$",
        r"^[\s)\]}:,]*$",  # closing brackets
        r"^[\s*_#>|`$-]*$",  # markdown punctuation: rules, emphasis, fences
    )
]
#: Lines of the bundle that match a solution line but are not a leak: (bundle file, the line
#: without its comment) -> why. Everything else the grep finds fails the test. Delete an entry to
#: make the grep strict there again.
NOT_A_LEAK = {
    ("notebooks/05_natural_gradient.ipynb", "x = np.linalg.solve(F, g)"): (
        "the natural gradient F^-1 g, derived in section 1 of the lecture"
    ),
    ("notebooks/05_natural_gradient.ipynb", "d_by_hand = np.sqrt(2 * eps / (g @ x)) * x"): (
        "the closed-form natural step derived in section 1 of the lecture, written out to check "
        "course_utils.natural_step: the lecture's result, which hw2's natural_step implements"
    ),
    ("notebooks/05_natural_gradient.ipynb", "d_natural = natural_step(g, F, eps)"): (
        "a call (of course_utils.natural_step in the lecture, of the student's own function in "
        "hw2), not an implementation"
    ),
    ("notebooks/05_natural_gradient.ipynb", "d_vanilla = vanilla_step(g, eps)"): (
        "a call, as above"
    ),
    ("notebooks/07_practical_npg.ipynb", "rr, rr_old = r @ r, rr"): (
        "KNOWN: lecture 07 teaches conjugate gradient with a cg() of its own, which is hw2's "
        "conjugate_gradient up to names: the exercise can be copied from the lecture"
    ),
    ("notebooks/07_practical_npg.ipynb", "p = r + (rr / rr_old) * p"): "the same cg(), as above",
}
#: what a forbidden path is called (any depth of the bundle)
FORBIDDEN = {
    "source",
    "reference.py",
    "RUBRIC.md",
    "tests",
    "homework_corpus",
    "benchmarks",
    "docs",
    ".git",
    "gradebook.db",
    "submitted",
    "autograded",
    "feedback",
    "__pycache__",
    "homework.py",
    "judge.py",
    "judge_worker.py",
    "sandbox.py",
    "nbgrader_config.py",
}
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


# --- building (once per module) ---------------------------------------------------------------


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def _run(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A copy of notebooks/homework with the student versions released."""
    root = tmp_path_factory.mktemp("course") / "homework"
    shutil.copytree(
        HOMEWORK,
        root,
        ignore=shutil.ignore_patterns(*GENERATED, "__pycache__", ".ipynb_checkpoints"),
    )
    result = _run(root / "homework.py", "release", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="module")
def bundle(course, tmp_path_factory) -> Path:
    """The student bundle built from the copy's release (and zipped)."""
    out = tmp_path_factory.mktemp("bundle") / "npg-course"
    result = _run(BUNDLE_PY, out, "--release", course / "release", "--zip", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _assignments(course: Path) -> list[str]:
    source = course / "source"
    return sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())


def _notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


# --- the solution lines ----------------------------------------------------------------------


def _without_comment(line: str) -> str:
    """The line up to a ``#`` that is not inside a string."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def normalise(line: str, code: bool = True) -> str | None:
    """A line as compared (whitespace collapsed), or None for a line too generic to count."""
    line = " ".join(line.split())
    if code:
        if line.startswith("#"):
            return None
        line = _without_comment(line).strip()
    if len(line) < MIN_LENGTH or any(p.match(line) for p in GENERIC):
        return None
    return line


def _docstring_lines(code: str) -> set[int]:
    """The 1-based line numbers of the docstrings in ``code`` (none if it does not parse)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def _between(code: str, begin: str, end: str) -> list[str]:
    """The lines of ``code`` between the markers, without docstrings."""
    docstrings = _docstring_lines(code)
    inside, found = False, []
    for number, line in enumerate(code.splitlines(), start=1):
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and number not in docstrings:
            found.append(line)
    return found


def _public_text(nb: dict) -> str:
    """What the instructor notebook shows outside its solutions and hidden tests."""
    parts = []
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and (
            cell["cell_type"] == "markdown"
        ):
            continue
        code = _source(cell)
        code = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "", code, flags=re.S)
        code = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", code, flags=re.S)
        parts.append(" ".join(code.split()))
    return "\n".join(parts)


def _function_bodies(path: Path, harness: bool = False) -> list[str]:
    """The body lines of the reference implementations of a ``reference.py``, without docstrings.

    The reference implementations are its public module-level functions (and what they nest);
    with ``harness=True``, the grading code instead: the ``referee_*`` functions and the private
    helpers (``_*``), which compare a student's answer with the references.
    """
    code = path.read_text(encoding="utf-8")
    lines = code.splitlines()
    docstrings = _docstring_lines(code)
    numbers = set()
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            grading = node.name.startswith(("referee_", "_"))
            if grading == harness:
                numbers.update(range(node.body[0].lineno, node.end_lineno + 1))
    return [lines[n - 1] for n in sorted(numbers - docstrings)]


def solution_lines(source: Path) -> dict[str, str]:
    """Every normalised solution line of the instructor's source -> where it comes from."""
    found: dict[str, str] = {}
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        public = ""
        notebook = folder / f"{folder.name}.ipynb"
        if notebook.is_file():
            nb = _notebook(notebook)
            public = _public_text(nb)
            for index, cell in enumerate(nb["cells"]):
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if cell["cell_type"] == "markdown" and meta.get("solution"):
                    raw = [(ln, False) for ln in _source(cell).splitlines()]
                elif cell["cell_type"] == "code":
                    raw = [
                        (ln, True)
                        for ln in _between(_source(cell), "BEGIN SOLUTION", "END SOLUTION")
                    ]
                else:
                    continue
                for line, code in raw:
                    norm = normalise(line, code)
                    if norm and norm not in public:
                        found.setdefault(norm, f"{notebook.name} cell {index}")
        reference = folder / "reference.py"
        if reference.is_file():
            for line in _function_bodies(reference):
                norm = normalise(line)
                if norm and norm not in public:
                    found.setdefault(norm, f"{folder.name}/reference.py")
    return found


def grading_lines(source: Path) -> dict[str, str]:
    """Every normalised line of the hidden tests and of the grading code of ``reference.py``.

    Without the lines the instructor notebook shows outside its solutions and hidden tests.
    """
    found = {}
    for notebook in sorted(source.glob("*/*.ipynb")):
        nb = _notebook(notebook)
        public = _public_text(nb)
        for index, cell in enumerate(nb["cells"]):
            for line in _between(_source(cell), "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
                norm = normalise(line)
                if norm and norm not in public:
                    found.setdefault(norm, f"{notebook.name} cell {index}")
    for reference in sorted(source.glob("*/reference.py")):
        notebook = reference.parent / f"{reference.parent.name}.ipynb"
        public = _public_text(_notebook(notebook)) if notebook.is_file() else ""
        for line in _function_bodies(reference, harness=True):
            norm = normalise(line)
            if norm and norm not in public:
                found.setdefault(norm, f"{reference.parent.name}/reference.py (grading)")
    return found


# --- the grep ----------------------------------------------------------------------------------


def is_math_layer(relative: Path) -> bool:
    """course_utils' modules outside checks/: they may implement the same formulas."""
    parts = relative.parts
    return parts[0] == "course_utils" and (len(parts) < 3 or parts[1] != "checks")


def bundle_lines(root: Path):
    """(file, place, line) for every text line of the bundle outside the math layer."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if is_math_layer(relative):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix == ".ipynb":
            for index, cell in enumerate(json.loads(text)["cells"]):
                texts = [("source", _source(cell))]
                for output in cell.get("outputs", []):
                    for key in ("text", "data"):
                        value = output.get(key)
                        if isinstance(value, dict):
                            value = value.get("text/plain", "")
                        texts.append(("output", "".join(value) if value else ""))
                for kind, chunk in texts:
                    for number, line in enumerate(chunk.splitlines(), start=1):
                        yield relative, f"cell {index} {kind} line {number}", line
        else:
            for number, line in enumerate(text.splitlines(), start=1):
                yield relative, f"line {number}", line


def compact(line: str) -> str:
    """The form lines are compared in: no whitespace, no leading ``return``, ``2.0`` as ``2``.

    So a solution line is found however it is spaced, and as ``x = expr`` where it reads
    ``return expr``.
    """
    line = re.sub(r"\s+", "", line)
    line = re.sub(r"(?<![\w.])(\d+)\.0(?![\d])", r"\1", line)
    return line.removeprefix("return")


def grep(root: Path, needles: dict[str, str], allowed=NOT_A_LEAK) -> list[str]:
    """Every occurrence of a needle in the bundle, as 'file place: line  <- origin'.

    The lines listed in ``allowed`` (each with its reason) are left out.
    """
    compacted = {compact(needle): origin for needle, origin in needles.items()}
    hits = []
    for relative, place, line in bundle_lines(root):
        flat = " ".join(line.split())
        if len(flat) < MIN_LENGTH:
            continue
        code = flat if relative.suffix == ".md" else " ".join(_without_comment(flat).split())
        if (relative.as_posix(), code) in allowed:
            continue
        text = compact(code)
        for key, origin in compacted.items():
            if key in text:
                hits.append(f"{relative.as_posix()} {place}: {flat!r}  <- {origin}")
    return hits


# --- the tests -----------------------------------------------------------------------------------


def test_bundle_has_what_students_need(course, bundle):
    for name in _assignments(course):
        assert (bundle / "homework" / name / f"{name}.ipynb").is_file(), name
    for path in ("course_utils/__init__.py", "course_utils/checks/__init__.py", "pyproject.toml"):
        assert (bundle / path).is_file(), path
    lectures = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    assert lectures and sorted(p.name for p in (bundle / "notebooks").glob("*.ipynb")) == lectures
    assert (bundle / "notebooks" / "MATH.md").is_file()
    assert list((bundle / "notebooks" / "explorers").glob("*.ipynb"))
    readme = (bundle / "README.md").read_text()
    for step in ("python -m venv .venv", "pip install -r requirements.txt", "jupyter lab"):
        assert step in readme
    assert "partial credit" in readme and "hidden tests" in readme
    requirements = (bundle / "requirements.txt").read_text().splitlines()
    names = {re.match(r"[\w.-]+", ln).group(0).lower() for ln in requirements if ln[:1].isalpha()}
    assert "-e ." in requirements
    assert {"jupyterlab", "numpy", "scipy", "matplotlib", "ipywidgets"} <= names
    for tool in ("nbgrader", "pytest", "pytest-xdist", "nbval", "playwright", "sphinx", "ruff"):
        assert tool not in names


def _requirement_closure(names: set[str]) -> set[str]:
    """The installed distributions the named ones need, transitively (without extras)."""
    seen, todo = set(), list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo += [re.match(r"[\w.-]+", r).group(0) for r in requires if "extra ==" not in r]
    return seen


def _imports(code: str) -> set[str]:
    code = "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_student_requirements_cover_every_import(bundle):
    # the allow-list is short on purpose: what the bundle's notebooks and package import must
    # still be installed by it (directly or as a dependency)
    requirements = (bundle / "requirements.txt").read_text().splitlines()
    listed = {re.match(r"[\w.-]+", ln).group(0) for ln in requirements if ln[:1].isalpha()}
    closure = _requirement_closure(listed)
    modules = set()
    for path in bundle.rglob("*.py"):
        modules |= _imports(path.read_text(encoding="utf-8"))
    for path in bundle.rglob("*.ipynb"):
        for cell in _notebook(path)["cells"]:
            if cell["cell_type"] == "code":
                modules |= _imports(_source(cell))
    distributions = importlib.metadata.packages_distributions()
    uncovered = {}
    for module in sorted(modules - set(sys.stdlib_module_names) - {"course_utils"}):
        dists = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(module, [module])}
        if not dists & closure:
            uncovered[module] = sorted(dists)
    assert not uncovered, f"imported but not installed by requirements.txt: {uncovered}"


def test_no_forbidden_path(bundle):
    bad = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.name in FORBIDDEN]
    assert not bad, f"forbidden paths in the student bundle: {bad}"


def test_no_solution_code_in_the_bundle(course, bundle):
    needles = solution_lines(course / "source")
    # not vacuous: every assignment contributes solution lines
    origins = {o.split()[0].split("/")[0].removesuffix(".ipynb") for o in needles.values()}
    assert set(_assignments(course)) <= origins, origins
    assert len(needles) >= 30, len(needles)
    hits = grep(bundle, needles)
    assert not hits, "solution code in the student bundle:\n" + "\n".join(hits)


def test_the_grep_finds_a_planted_solution(course, bundle, tmp_path):
    # negative control: the test above can fail
    needles = solution_lines(course / "source")
    planted = tmp_path / "bundle"
    shutil.copytree(bundle, planted)
    line = next(iter(needles))
    name = _assignments(course)[0]
    notebook = planted / "homework" / name / f"{name}.ipynb"
    nb = _notebook(notebook)
    index = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    nb["cells"][index]["source"] = _source(nb["cells"][index]) + "\n    " + line
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    # spaced differently: still found
    with open(planted / "course_utils" / "checks" / "__init__.py", "a") as f:
        f.write(f"\nif False:\n    {line.replace(' ', '')}\n")
    with open(planted / "course_utils" / "natural.py", "a") as f:  # the math layer: exempt
        f.write(f"\nif False:\n    {line}\n")
    hits = grep(planted, {line: needles[line]})
    assert any(h.startswith(f"homework/{name}/{name}.ipynb cell {index} source") for h in hits)
    assert any(h.startswith("course_utils/checks/__init__.py line ") for h in hits)
    assert not any(h.startswith("course_utils/natural.py") for h in hits)
    assert len(hits) == 2, hits
    # and a reference.py body counts: planted the same way, found the same way
    reference = tmp_path / "source" / "hw_x"
    reference.mkdir(parents=True)
    (reference / "reference.py").write_text(
        'def natural(g, F, eps):\n    """Docstring, not a solution line."""\n'
        "    step_size = np.sqrt(2 * eps / (g @ np.linalg.solve(F, g)))\n"
        "    return step_size\n"
    )
    assert list(solution_lines(tmp_path / "source")) == [
        "step_size = np.sqrt(2 * eps / (g @ np.linalg.solve(F, g)))"
    ]


def test_released_notebooks_have_no_hidden_tests_and_no_outputs(course, bundle):
    hidden = grading_lines(course / "source")
    assert hidden  # the comparison below is not vacuous
    for name in _assignments(course):
        path = bundle / "homework" / name / f"{name}.ipynb"
        text = path.read_text(encoding="utf-8")
        for marker in MARKERS:
            assert marker not in text, (name, marker)
        for cell in _notebook(path)["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, name
    hits = [h for h in grep(bundle, hidden) if h.startswith("homework/")]
    assert not hits, "hidden tests in the released notebooks:\n" + "\n".join(hits)


def test_zip_holds_the_bundle(bundle):
    archive = bundle.parent / f"{bundle.name}.zip"
    with zipfile.ZipFile(archive) as zf:
        zipped = {n.rstrip("/") for n in zf.namelist() if not n.endswith("/")}
    files = {f"{bundle.name}/{p.relative_to(bundle).as_posix()}" for p in bundle.rglob("*")}
    assert zipped == {f for f in files if (bundle.parent / f).is_file()}


def test_missing_or_incomplete_release_fails_clearly(course, tmp_path):
    result = _run(BUNDLE_PY, tmp_path / "out", "--release", tmp_path / "nothing", cwd=REPO)
    assert result.returncode != 0 and "homework.py release" in result.stderr, result.stderr
    partial = tmp_path / "course" / "release"  # beside the source/ that lists the assignments
    shutil.copytree(course / "release", partial)
    (partial.parent / "source").symlink_to(course / "source")
    missing = _assignments(course)[-1]
    shutil.rmtree(partial / missing)
    result = _run(BUNDLE_PY, tmp_path / "out", "--release", partial, cwd=REPO)
    assert result.returncode != 0, result.stdout
    assert "incomplete" in result.stderr and missing in result.stderr, result.stderr
    assert "homework.py release" in result.stderr
    assert not (tmp_path / "out").exists()
