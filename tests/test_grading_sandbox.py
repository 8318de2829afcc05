"""The judge's pieces without nbgrader: the value codec, the sandboxed worker, the cell schedule.

``test_homework.py`` grades whole classes (the tampering submission scores 0 and is flagged, the
grading kernel reads nothing of the course); here each piece runs on its own in about a second:
values cross the worker boundary unchanged and only as data, a worker that tampers with its own
numpy and checks cannot change what the judge's process computes, the worker finds nothing of
the course under bubblewrap, and a worker that loops is stopped at the time limit.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat")

REPO = Path(__file__).resolve().parents[1]
HOMEWORK = REPO / "notebooks" / "homework"
sys.path.insert(0, str(HOMEWORK))

import judge  # noqa: E402
import judge_worker as wire  # noqa: E402
import sandbox  # noqa: E402

SANDBOX = sandbox.available() is None
needs_sandbox = pytest.mark.skipif(
    not SANDBOX and os.environ.get("REQUIRE_SANDBOX") != "1",
    reason=f"{sandbox.available()}: the worker runs without a sandbox",
)


def _roundtrip(value):
    refs = []
    data = wire.encode(value, lambda fn: refs.append(fn) or {"__callable__": len(refs) - 1})
    return wire.decode(data, lambda tag, ident: refs[ident])


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.array([[1.5, -2.0]]).T,
        np.array([1 + 2j]),
        np.float32(0.1),
        np.int64(-3),
        [[0.1, 0.2], [0.3, 0.4]],
        [0.1, -0.0, float("inf"), 5e-324, 1.0 / 3.0],  # packed: exact, still a list of floats
        [1.0, 2, True, 0.5],  # mixed: element by element, types kept
        [float("nan"), 2.0],
        [np.float64(0.1), np.float64(-2.5)],  # numpy scalars of one type: packed, types kept
        [np.float32(0.1), np.float32(2), np.float32(-0.0)],
        [np.int64(3), np.int64(-7)],
        [np.float32(1.0), np.int64(2)],  # mixed numpy types: element by element
        [[0.5, 1.5], [2.5, -1.0], [0.0, 1e300]],  # a rectangular nest of floats: packed
        [[0.5, 1.5], [2.5]],  # ragged: element by element
        [[0.5, 1.5], (2.5, 1.0)],  # a tuple inside: element by element
        [[[1.0, 2.0]], [[3.0, 4.0]]],
        (np.zeros(2), 3),
        {1e-3: 4, 0.1: None},
        {"nested": [(1, 2.5), {"x": True}]},
        float("nan"),
        2**70,
        "text",
    ],
)
def test_values_cross_the_boundary_unchanged(value):
    back = _roundtrip(value)
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape
        assert np.array_equal(back, value)
    elif isinstance(value, float) and value != value:
        assert back != back
    else:
        assert repr(back) == repr(value)


def test_long_lists_of_floats_are_packed():
    # a student's answer as a list of 10^5 floats: one base64 string, not 10^5 tagged values
    value = np.random.default_rng(0).normal(size=100_000).tolist()
    data = wire.encode(value, None)
    assert set(data) == {"__floats__", "shape"} and len(json.dumps(data)) < 9 * len(value) * 1.4
    assert _roundtrip(value) == value
    nest = wire.encode(np.ones((1000, 2)).tolist(), None)
    assert (
        nest["shape"] == [1000, 2] and _roundtrip(np.ones((1000, 2)).tolist()) == [[1.0] * 2] * 1000
    )
    scalars = wire.encode(list(np.arange(10, dtype=np.float32)), None)
    assert set(scalars) == {"__scalars__", "data"}
    with pytest.raises(wire.ProtocolError):
        wire.decode({"__floats__": "AAAA", "shape": [1]}, None)  # 3 bytes, not a float64
    with pytest.raises(wire.ProtocolError):
        wire.decode({"__scalars__": "|O", "data": ""}, None)


def test_only_data_is_decoded():
    assert isinstance(_roundtrip(object()), wire.Unsupported)
    assert isinstance(_roundtrip(np.array([object()], dtype=object)), wire.Unsupported)
    for bad in ({"__nd__": "|O", "shape": [1], "data": ""}, {"__nd__": "V8", "shape": [1]}):
        with pytest.raises(wire.ProtocolError):
            wire.decode(bad, None)
    with pytest.raises(wire.ProtocolError):
        wire.decode({"__import__": "os"}, None)
    assert wire.error_class("NotImplementedError") is NotImplementedError
    assert wire.error_class("SystemExit").__name__ == "SystemExit"  # not the real one
    assert not issubclass(wire.error_class("SystemExit"), SystemExit)


@pytest.fixture
def worker(tmp_path):
    w = judge.Worker(tmp_path, timeout=20.0, memory_mb=1024, use_sandbox=SANDBOX)
    yield w
    w.close()


def test_tampering_in_the_worker_stays_in_the_worker(worker):
    tamper = (
        "import numpy as np\n"
        "from course_utils import checks\n"
        "np.allclose = lambda *a, **k: True\n"
        "checks.hw1.score = lambda *a, **k: 3.0\n"
        "def score(k, sigma, s, a):\n"
        "    raise NotImplementedError()\n"
        "def twice(f, x):\n"
        "    return 2 * f(x)\n"
    )
    assert worker.exec_cell(tamper, "tamper") is None
    values = worker.get(["score", "twice", "missing"])
    assert set(values) == {"score", "twice"}
    from course_utils import checks

    assert not np.allclose(1.0, 2.0)  # the judge's numpy is untouched
    assert checks.hw1.score(values["score"]) == 0  # the genuine check, on the student's function
    # a callable of the judge is called back from the worker, with arrays both ways
    out = values["twice"](lambda v: v @ np.eye(2), np.array([1.0, 3.0]))
    assert out.dtype == np.float64 and np.array_equal(out, [2.0, 6.0])
    error = worker.exec_cell("print(undefined_name)", "cell")
    assert error.startswith("NameError")


def test_delegation_raises_in_the_worker_for_its_exercise_only(worker):
    from course_utils import checks

    worker.request({"op": "forbid", "forbidden": checks.hw1.FORBIDDEN}, ("done",))
    code = (
        "from course_utils.gaussian import gaussian_score\n"
        "def score(k, sigma, s, a):\n"
        "    mod = __import__('course_utils.gaussian', fromlist=['x'])\n"
        "    return getattr(mod, 'gaussian_' + 'score')(k, sigma, s, a)\n"
    )
    assert worker.exec_cell(code, "score") is None
    assert (
        worker.exec_cell("def other(k):\n    return gaussian_score(k, 1.0, 1.0, 1.0)", "x") is None
    )
    values = worker.get(["score", "other"])
    with pytest.raises(Exception, match="the course's own implementation") as err:
        values["score"](-0.5, 0.4, 1.0, 0.0)
    assert type(err.value).__name__ == "Delegation"
    assert values["other"](-0.5).shape == (2,)  # another cell may use it
    assert checks.hw1.score(values["score"]) == 0  # and the check says why


@needs_sandbox
def test_the_worker_finds_nothing_of_the_course(tmp_path):
    own, other = tmp_path / "own", tmp_path / "other" / "hw.ipynb"
    own.mkdir()
    (own / "mine.txt").write_text("the student's own folder: readable")
    other.parent.mkdir()
    other.write_text("another student's submission")
    w = judge.Worker(own, timeout=20.0, memory_mb=1024, use_sandbox=True)
    try:
        targets = [
            str(HOMEWORK / "source"),
            str(HOMEWORK / "homework.py"),
            str(REPO / "README.md"),
            str(REPO / "tests"),
            str(REPO / ".git"),
            str(other),
            str(other.parent),
        ]
        spy = (
            "import os, socket\n"
            f"found = [p for p in {targets!r} if os.path.exists(p) and os.listdir(p) "
            "if os.path.isdir(p)] + [p for p in "
            f"{targets!r} if os.path.isfile(p)]\n"
            "try:\n"
            "    socket.create_connection(('127.0.0.1', 22), timeout=1)\n"
            "    network = 'connected'\n"
            "except OSError as err:\n"
            "    network = type(err).__name__\n"
            "import course_utils.checks\n"
            "mine = open('mine.txt').read()\n"
        )
        assert w.exec_cell(spy, "spy") is None
        values = w.get(["found", "network", "mine"])
        assert values["found"] == []
        assert values["mine"].startswith("the student's own folder")
        assert values["network"] != "connected"
    finally:
        w.close()


def test_a_worker_that_loops_is_stopped(tmp_path):
    w = judge.Worker(tmp_path, timeout=1.0, memory_mb=1024, use_sandbox=SANDBOX)
    try:  # (the worker's start-up has its own, longer limit)
        w.exec_cell(
            "import time\ndef score(*args):\n    while True:\n        time.sleep(0.05)", "c"
        )
        score = w.get(["score"])["score"]
        w.start_cell()
        start = time.monotonic()
        with pytest.raises(judge.SubmissionStopped, match="time limit"):
            score(1.0)
        assert time.monotonic() - start < 10
        assert w.process.poll() is not None  # killed
        with pytest.raises(judge.SubmissionStopped):
            w.exec_cell("x = 1", "later")
    finally:
        w.close()


def test_schedule_runs_what_the_tests_need():
    cells = [
        ("locked", "setup", "import numpy as np\nrng = np.random.default_rng(1)\nk = 0.5"),
        ("solution", "f", "def f(x):\n    return k * x"),
        ("test", "test_f", "assert f(2.0) == 1.0"),
        ("locked", "plot", "import matplotlib.pyplot as plt\nplt.plot([1])"),
        ("locked", "draw", "s = rng.normal(size=3)"),
        ("locked", "unused_draw", "u = rng.normal(size=3)"),
        ("solution", "ans", "answer = f(s)"),
        ("test", "test_ans", "assert np.allclose(answer, k * s)"),
    ]
    plan = [
        {"kind": kind, "id": gid, "source": src, "defs": judge.names(src)[0]}
        for kind, gid, src in cells
    ]
    for cell in plan:
        cell["uses"] = judge.names(cell["source"])[1]
    judge.schedule(plan, {"test_f", "test_ans"})
    runs = {c["id"]: (c["trusted"], c["worker"]) for c in plan}
    assert runs["setup"] == (True, True)
    assert runs["plot"] == (False, False)
    assert runs["draw"] == (True, True)
    assert runs["unused_draw"] == (False, False)  # after the last draw that matters
    assert runs["test_f"] == (True, False)
    fetched = {c["id"]: c["fetch"] for c in plan}
    assert "f" in fetched["f"] and "answer" in fetched["ans"]
    assert "k" not in fetched["f"]  # a locked cell's name is never taken from the worker
