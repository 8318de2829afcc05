"""The trusted judge: re-runs each graded test cell in a process the student's code cannot touch.

nbgrader runs a submission's code and the test cells that grade it in one kernel, so a submission
can replace the functions the tests call (``course_utils.checks``, ``numpy.allclose``, ...) and
pass every test. After ``nbgrader autograde``, ``homework.py grade`` therefore runs this module in
a fresh interpreter, which judges every test cell that scored in the kernel once more:

- a sandboxed worker (``judge_worker.py`` under bubblewrap, a fresh process per submission, no
  network, nothing of the course in reach but the Python install) runs the student's solution
  cells, any cells the student added, and the locked cells they need, in the notebook's order;
- this process runs the test cells (visible checks and hidden tests, taken from the instructor's
  ``source/`` notebook, never from the submission) and the locked cells they need (taken from the
  source too), with the genuine ``course_utils`` and numpy. A name that a solution cell defines
  is bound to the worker's value: numbers and arrays are copied over as data, a function becomes
  a proxy that calls the student's function in the worker (with the judge's callables, such as a
  check's ``matvec``, called back here).

So the checks always run here, on values produced by the student's code; whatever that code
replaces, it replaces in the worker only. After a test cell ran here, the instructor's referee for
it (``REFEREES`` in ``source/<assignment>/reference.py``, loaded only here) compares the answer
with the reference; the worker, before any cell, makes the course's own implementation of each
exercise (``FORBIDDEN``) raise when that exercise's code calls it. A test cell's points are the
least of the kernel's, this run's and the referee's (partial credit: the value of the cell's last
expression, as nbgrader reads it); a cell that scores less here than in the kernel scores 0 and
is reported as "tampering suspected" (see ``homework.py grade``). Each cell has the kernel's time
limit here too (the worker is stopped, and the rest of the submission fails, when a call runs
longer), and the worker has the kernel's memory limit.

Run by ``homework.py``; by hand::

    python judge.py COURSE_ROOT KERNEL.json OUT.json [--timeout 60] [--memory-mb 2048]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import judge_worker as wire  # noqa: E402  (the codec shared with the worker)
import sandbox  # noqa: E402

STARTUP_LIMIT = 60.0  # s for the worker to start (bubblewrap, Python, numpy) on a loaded machine


class SubmissionStopped(Exception):
    """The worker was stopped (time limit, crash, protocol violation): later calls fail."""


# --- the worker, seen from here ------------------------------------------------------------


class StudentFunction:
    """A student's function, living in the worker: calling it runs it there."""

    def __init__(self, worker: Worker, handle: int, name: str):
        self._worker, self._handle, self.__name__ = worker, handle, name

    def __call__(self, *args, **kwargs):
        return self._worker.call(self._handle, args, kwargs)

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


class Worker:
    """One sandboxed ``judge_worker.py`` process; requests with a deadline per cell."""

    def __init__(self, cwd: Path, timeout: float, memory_mb: int, use_sandbox: bool):
        command = [sys.executable, "-I", str(HERE / "judge_worker.py"), "--memory-mb"]
        command.append(str(memory_mb))
        cwd = Path(cwd) if Path(cwd).is_dir() else Path(tempfile.gettempdir())
        if use_sandbox:  # as in the kernel: the student's own folder (read-only here), no more
            command = sandbox.bwrap_command(
                command, readable=[str(HERE / "judge_worker.py"), str(cwd)], chdir=str(cwd)
            )
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=_worker_env(),
        )
        self.timeout = timeout
        self.stopped: str | None = None
        self.callbacks: list = []
        self.delegations = 0  # calls that reached a course function the exercise forbids
        self._buffer = bytearray()
        # start-up (bubblewrap, Python, numpy) is not the student's time: a limit of its own
        self.deadline = time.monotonic() + max(STARTUP_LIMIT, timeout)
        try:
            if self._recv()["op"] != "ready":
                raise wire.ProtocolError("the worker did not start")
        except (TimeoutError, EOFError, OSError, ValueError, wire.ProtocolError) as err:
            self.stop(f"the worker did not start: {type(err).__name__}: {err}")
        self.deadline = time.monotonic() + timeout

    # the deadline of the cell being judged: every message must arrive before it
    def start_cell(self) -> None:
        self.deadline = time.monotonic() + self.timeout

    def stop(self, reason: str) -> None:
        if self.stopped is None:
            self.stopped = reason
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()

    def _read(self, n: int) -> bytes:
        fd = self.process.stdout.fileno()
        while len(self._buffer) < n:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError(f"ran longer than the time limit of {self.timeout:g} s")
            chunk = os.read(fd, max(n - len(self._buffer), 1 << 20))
            if not chunk:
                raise EOFError("the student's process died (out of memory?)")
            self._buffer += chunk  # a bytearray: appending is linear in the message's size
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def _recv(self) -> dict:
        (size,) = wire._HEADER.unpack(self._read(wire._HEADER.size))
        if size > wire.MAX_MESSAGE:
            raise wire.ProtocolError(f"message of {size} bytes is too large")
        message = json.loads(self._read(size))
        if not isinstance(message, dict) or not isinstance(message.get("op"), str):
            raise wire.ProtocolError("a message is a dict with an 'op'")
        return message

    def _ref(self, fn):
        if isinstance(fn, StudentFunction) and fn._worker is self:
            return {"__callable__": fn._handle}
        self.callbacks.append(fn)
        return {"__callback__": len(self.callbacks) - 1}

    def _callable_from(self, tag, ident):
        if tag != "__callable__":
            raise wire.ProtocolError("the worker cannot send callbacks")
        return StudentFunction(self, ident, "student function")

    def decode(self, data):
        return wire.decode(data, self._callable_from)

    def request(self, message: dict, expect: tuple[str, ...]) -> dict:
        """Send a request; serve the worker's callbacks until its answer arrives."""
        if self.stopped is not None:
            raise SubmissionStopped(self.stopped)
        try:
            wire.send(self.process.stdin, message)
            while True:
                reply = self._recv()
                if reply["op"] in expect:
                    return reply
                if reply["op"] != "callback":
                    raise wire.ProtocolError(f"unexpected {reply['op']!r}")
                self._serve_callback(reply)
        except (TimeoutError, EOFError, OSError, ValueError, wire.ProtocolError) as err:
            self.stop(f"{type(err).__name__}: {err}")
            raise SubmissionStopped(self.stopped) from None

    def _serve_callback(self, message: dict) -> None:
        ident = int(message["id"])
        if not 0 <= ident < len(self.callbacks):
            raise wire.ProtocolError("unknown callback")
        try:
            args = self.decode(message["args"])
            kwargs = self.decode(message["kwargs"])
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise wire.ProtocolError("bad callback arguments")
            value = self.callbacks[ident](*args, **{str(k): v for k, v in kwargs.items()})
            answer = {"op": "return", "value": wire.encode(value, self._ref)}
        except (SubmissionStopped, wire.ProtocolError):
            raise
        except Exception as err:
            answer = {"op": "raise", "error": [type(err).__name__, str(err)]}
        wire.send(self.process.stdin, answer)

    def exec_cell(self, source: str, cell: str) -> str | None:
        """Run a cell in the worker; its error as ``"Name: message"``, or None."""
        reply = self.request({"op": "exec", "source": source, "cell": cell}, ("done",))
        if reply.get("error") is None:
            return None
        self.delegations += reply["error"][0] == "Delegation"
        return ": ".join(map(str, reply["error"]))

    def get(self, names: list[str]) -> dict:
        reply = self.request({"op": "get", "names": sorted(names)}, ("values",))
        values = {}
        for name, data in reply["values"].items():
            value = self.decode(data)
            if isinstance(value, StudentFunction):
                value.__name__ = name
            values[str(name)] = value
        return values

    def call(self, handle: int, args: tuple, kwargs: dict):
        message = {
            "op": "call",
            "fn": handle,
            "args": wire.encode(list(args), self._ref),
            "kwargs": wire.encode(dict(kwargs), self._ref),
        }
        reply = self.request(message, ("return", "raise"))
        if reply["op"] == "raise":
            name, text = reply["error"]
            self.delegations += name == "Delegation"
            raise wire.error_class(name)(text)
        return self.decode(reply["value"])

    def close(self) -> None:
        if self.stopped is None and self.process.poll() is None:
            with contextlib.suppress(Exception):
                wire.send(self.process.stdin, {"op": "exit"})
                self.process.wait(timeout=5)
        self.stop("finished")


def _worker_env() -> dict:
    env = {k: os.environ[k] for k in sandbox.PASSED_ENV if k in os.environ}
    env.update(
        PATH=os.environ.get("PATH", ""),
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MALLOC_ARENA_MAX="2",
        MPLBACKEND="Agg",
    )
    return env


# --- which cells run where ---------------------------------------------------------------------


class _Names(ast.NodeVisitor):
    """Names a cell binds at top level (defs) and every name it reads anywhere (uses)."""

    def __init__(self):
        self.defs, self.uses = set(), set()
        self._depth = 0

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.uses.add(node.id)
        elif self._depth == 0:
            self.defs.add(node.id)

    def _scope(self, node, name=None):
        if name and self._depth == 0:
            self.defs.add(name)
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    def visit_FunctionDef(self, node):
        self._scope(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._scope(node, node.name)

    def visit_Lambda(self, node):
        self._scope(node)

    def visit_ListComp(self, node):
        self._scope(node)

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def visit_Import(self, node):
        if self._depth == 0:
            for alias in node.names:
                self.defs.add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import


def names(source: str) -> tuple[set, set]:
    try:
        tree = ast.parse(wire.strip_magics(source))
    except SyntaxError:
        return set(), set()
    visitor = _Names()
    visitor.visit(tree)
    return visitor.defs, visitor.uses


def _rng_names(sources: list[str]) -> set:
    """Names bound to a seeded generator (``rng = np.random.default_rng(SEED)``)."""
    found = set()
    for source in sources:
        with contextlib.suppress(SyntaxError):
            for node in ast.walk(ast.parse(wire.strip_magics(source))):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                    func = node.value.func
                    called = getattr(func, "attr", getattr(func, "id", ""))
                    if called in ("default_rng", "RandomState", "Generator"):
                        found |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return found


def plan(source_nb, student_nb) -> list[dict]:
    """The submission's cells in the student's order, each with its kind and trusted source.

    Locked and test cells come from the instructor's source notebook (matched by nbgrader's
    ``grade_id``); solution cells and cells the student added come from the submission. A test
    cell the submission lacks is appended (it fails: its names are missing).
    """
    by_id = {}
    for cell in source_nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("grade_id"):
            by_id[meta["grade_id"]] = (cell, meta)
    cells, seen = [], set()
    for cell in student_nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {})
        meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id in by_id and grade_id not in seen:
            seen.add(grade_id)
            trusted, meta = by_id[grade_id]
            if meta.get("solution"):
                cells.append({"kind": "solution", "id": grade_id, "source": str(cell["source"])})
            elif meta.get("grade"):
                points = float(meta.get("points", 0))
                cells.append(
                    {"kind": "test", "id": grade_id, "source": trusted["source"], "points": points}
                )
            else:
                cells.append({"kind": "locked", "id": grade_id, "source": trusted["source"]})
        else:
            source = str(cell.get("source", ""))
            cells.append({"kind": "extra", "id": f"added {len(cells)}", "source": source})
    for grade_id, (trusted, meta) in by_id.items():
        if meta.get("grade") and not meta.get("solution") and grade_id not in seen:
            cells.append(
                {"kind": "test", "id": grade_id, "source": trusted["source"], "missing": True}
            )
    for cell in cells:
        cell["defs"], cell["uses"] = names(cell["source"])
    return cells


def schedule(cells: list[dict], judged: set) -> None:
    """Mark which cells run here (``trusted``) and in the worker (``worker``), and which names
    the judge takes from the worker after a worker cell (``fetch``): a backward pass over the
    cells keeping the names later cells read (and the seeded generators they draw from)."""
    locked_defs = set().union(*(c["defs"] for c in cells if c["kind"] == "locked"))
    answer_defs = set().union(*(c["defs"] for c in cells if c["kind"] in ("solution", "extra")))
    rngs = _rng_names([c["source"] for c in cells])
    need_t, need_w, rng_t, rng_w = set(), set(), set(), set()
    for cell in reversed(cells):
        kind, defs, uses = cell["kind"], cell["defs"], cell["uses"]
        cell["trusted"] = cell["worker"] = False
        cell["fetch"] = set()
        if kind == "test":
            if cell["id"] in judged:
                cell["trusted"] = True
                need_t |= uses
            continue
        if kind == "locked":
            if defs & need_t or uses & rngs & rng_t:
                cell["trusted"] = True
                need_t |= uses
                rng_t |= uses & rngs
            if defs & need_w or uses & rngs & rng_w:
                cell["worker"] = True
                need_w |= uses
                rng_w |= uses & rngs
            continue
        cell["worker"] = True  # solution cells and cells the student added always run
        need_w |= uses
        rng_w |= uses & rngs
        cell["fetch"] = ((defs | answer_defs) - locked_defs) & need_t


# --- judging -----------------------------------------------------------------------------------


def _cell_points(value, max_points: float) -> float:
    """A test cell's points from the value of its last expression, as nbgrader reads them:
    a number is partial credit (capped at the cell's points), anything else full credit."""
    if value is None:
        return max_points
    try:
        points = float(repr(value))
    except (TypeError, ValueError):
        return max_points
    return min(max(points, 0.0), max_points) if points >= 0 else max_points


def _run_trusted(source: str, namespace: dict, worker: Worker):
    """Run a cell here with its output captured: ``(error or None, last value, output)``."""
    worker.start_cell()
    out = io.StringIO()
    value = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            tree = ast.parse(wire.strip_magics(source))
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, "<test cell>", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<test cell>", "eval"), namespace)
        except Exception as err:
            return f"{type(err).__name__}: {str(err)[:2000]}", None, out.getvalue()
    return None, value, out.getvalue()


def _referee(referees: dict, grade_id: str, namespace: dict, worker: Worker, top: float):
    """The instructor's reference comparison of a test cell: ``(points or None, report)``."""
    if grade_id not in referees:
        return None, ""
    worker.start_cell()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            points = float(referees[grade_id](namespace))
        except Exception as err:
            return 0.0, f"{out.getvalue()}reference comparison failed: {type(err).__name__}: {err}"
    return min(max(points, 0.0), top), out.getvalue()


def load_reference(root: Path, assignment: str) -> dict:
    """``source/<assignment>/reference.py``, the instructor's references: ``{"REFEREES":
    {test grade_id: referee}, "FORBIDDEN": {solution grade_id: [course functions]}}``."""
    path = Path(root) / "source" / assignment / "reference.py"
    if not path.exists():
        return {"REFEREES": {}, "FORBIDDEN": {}}
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"reference_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {
        "REFEREES": dict(getattr(module, "REFEREES", {})),
        "FORBIDDEN": {k: list(v) for k, v in getattr(module, "FORBIDDEN", {}).items()},
    }


def judge_submission(
    source_nb,
    student_nb,
    kernel_scores: dict,
    cwd: Path,
    timeout: float,
    memory_mb: int,
    use_sandbox: bool,
    reference: dict | None = None,
) -> dict:
    """Judge the test cells that scored in the kernel (``kernel_scores``: grade_id -> points).

    Each is run here (``judge``: its points from trusted code on the student's values) and
    compared with the instructor's reference (``referee``, where ``referees`` has the cell);
    ``{grade_id: {"judge", "referee", "message"}}``.
    """
    reference = reference or {}
    referees = reference.get("REFEREES", {})
    cells = plan(source_nb, student_nb)
    tests = {c["id"]: c for c in cells if c["kind"] == "test"}
    results = {gid: {"judge": 0.0, "referee": None, "message": "0 in the kernel"} for gid in tests}
    judged = {
        gid
        for gid, points in kernel_scores.items()
        if points > 0 and gid in tests and not tests[gid].get("missing")
    }
    for gid in set(tests) - judged:
        if tests[gid].get("missing"):
            results[gid]["message"] = "the test cell is missing from the submission"
    if not judged:
        return results
    schedule(cells, judged)
    worker = Worker(cwd, timeout, memory_mb, use_sandbox)
    namespace = {"__name__": "__main__"}
    delegated = False  # a forbidden course function was called: scores fall, not tampering
    try:
        if reference.get("FORBIDDEN"):
            with contextlib.suppress(SubmissionStopped):
                worker.request({"op": "forbid", "forbidden": reference["FORBIDDEN"]}, ("done",))
        for cell in cells:
            if cell["worker"]:
                worker.start_cell()
                with contextlib.suppress(SubmissionStopped):
                    worker.exec_cell(cell["source"], cell["id"])
                    if cell["fetch"]:
                        namespace.update(worker.get(sorted(cell["fetch"])))
            if not cell["trusted"]:
                continue
            error, value, output = _run_trusted(cell["source"], namespace, worker)
            delegated = delegated or worker.delegations > 0
            if cell["kind"] != "test":
                continue
            top = float(cell.get("points", 0.0))
            if worker.stopped and worker.stopped != "finished":
                error = error or f"SubmissionStopped: {worker.stopped}"
            points = 0.0 if error else _cell_points(value, top)
            referee, report = (None, "")
            if not error:
                referee, report = _referee(referees, cell["id"], namespace, worker, top)
            results[cell["id"]] = {
                "judge": points,
                "referee": referee,
                "delegated": delegated,
                "message": (error or output.strip()[-3000:])
                + (f"\nreference: {report.strip()[-2000:]}" if report else ""),
            }
    finally:
        worker.close()
    return results


def read_notebook(path: Path) -> dict:
    """A notebook as plain JSON (nbformat's import costs seconds; v4 is all the judge reads)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb


def judge_course(
    root: Path, kernel: list[dict], timeout: float, memory_mb: int, use_sandbox: bool
) -> list[dict]:
    """Judge the submissions listed in ``kernel`` (with their points in the kernel, per test
    cell, read from nbgrader's gradebook by ``homework.py``); one row per test cell, with the
    points that count: the least of the kernel's, the judge's and the reference comparison's.
    A cell that scores less here than in the kernel is suspected of tampering."""
    rows, sources, references = [], {}, {}
    for entry in kernel:
        student, assignment = entry["student"], entry["assignment"]
        scores = {gid: (float(score), float(top)) for gid, (score, top) in entry["scores"].items()}
        if assignment not in sources:
            sources[assignment] = read_notebook(
                root / "source" / assignment / f"{assignment}.ipynb"
            )
            references[assignment] = load_reference(root, assignment)
        kernel_points = {gid: score for gid, (score, top) in scores.items() if top > 0}
        try:
            student_nb = read_notebook(
                root / "submitted" / student / assignment / f"{assignment}.ipynb"
            )
            results = judge_submission(
                sources[assignment],
                student_nb,
                kernel_points,
                root / "autograded" / student / assignment,
                timeout,
                memory_mb,
                use_sandbox,
                references[assignment],
            )
        except Exception:  # an unreadable submission: nothing it passed counts
            message = "judge error: " + traceback.format_exc(limit=2)[-500:]
            results = {gid: {"judge": 0.0, "referee": None, "message": message} for gid in scores}
        for gid, (kernel_score, top) in sorted(scores.items()):
            result = results.get(gid, {"judge": 0.0, "referee": None, "message": "not judged"})
            counted = [kernel_score, result["judge"]]
            # lower here than in the kernel: tampering, unless the submission called a course
            # function its exercise forbids (a tripwire only the worker has), which scores 0 too
            lower = result["judge"] < kernel_score - 1e-9
            delegated = lower and result.get("delegated", False)
            if result["referee"] is not None:
                counted.append(result["referee"])
            rows.append(
                {
                    "student": student,
                    "assignment": assignment,
                    "cell": gid,
                    "max_score": top,
                    "kernel_score": kernel_score,
                    "judge_score": result["judge"],
                    "referee_score": result["referee"],
                    "score": 0.0 if lower else min(counted),
                    "tampering": lower and not delegated,
                    "delegated": delegated,
                    "message": result["message"],
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="judge.py", description=__doc__.splitlines()[0])
    parser.add_argument("root", help="the course folder (with source/, submitted/, autograded/)")
    parser.add_argument(
        "kernel",
        help='JSON list of {"student", "assignment", "scores": {grade_id: [score, max]}}',
    )
    parser.add_argument("out", help="JSON file for the results")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--memory-mb", type=int, default=2048)
    args = parser.parse_args(argv)
    kernel = json.loads(Path(args.kernel).read_text())
    use_sandbox = sandbox.enabled()
    root = Path(args.root).resolve()
    rows = judge_course(root, kernel, args.timeout, args.memory_mb, use_sandbox)
    Path(args.out).write_text(json.dumps({"sandbox": use_sandbox, "cells": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
