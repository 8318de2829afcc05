"""Portability check: strict nbval over ``notebooks/`` under conditions that imitate other machines.

The stored outputs of the notebooks are regression tests (``pytest --nbval``). They must
reproduce on every machine the course runs on, not only on the one that stored them. This script
re-runs strict nbval over ``notebooks/`` once per condition and prints a table of condition x
failed cells. Usage, from the repository root, in the course environment::

    python tests/portability.py                    # every condition (about 17 minutes on two cores)
    python tests/portability.py --list             # what each condition changes
    python tests/portability.py --conditions blas-1-thread,python3.13
    python tests/portability.py --conditions python3.12,lower-bounds --all-tests

Conditions:

- ``baseline``: this interpreter and environment as they are;
- ``simd-avx2``: numpy's SIMD dispatch limited to AVX2 (``NPY_DISABLE_CPU_FEATURES`` set to the
  dispatch targets above AVX2 that numpy reports this CPU has: AVX-512 code paths, what a typical
  laptop CPU lacks). On a CPU without AVX-512 there is nothing to disable and the row says so;
- ``simd-baseline``: every dispatched SIMD target disabled, numpy's compiled-in baseline only
  (SSE4.2 on x86-64): perturbs the rounding of numpy's vectorised loops on any x86 machine;
- ``blas-1-thread`` and ``blas-4-threads``: OpenBLAS (and OpenMP/MKL) thread counts;
- ``python3.X``: every other installed CPython at or above ``requires-python``, each in its own
  virtual environment under ``build/portability/`` with the newest packages that
  ``requirements.txt`` allows (made on first use, reused afterwards);
- ``lower-bounds``: the lower bounds that ``requirements.txt`` claims, installed exactly, in a
  virtual environment of this interpreter;
- ``ci-combined``: ``simd-baseline`` and ``blas-1-thread`` together (what ``.ci/run`` runs after
  the README's test command).

``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` are left as the machine sets them: on some
processors they are set because older OpenBLAS builds compute wrong results there.

Exit status 0 when every condition that ran passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENVS = REPO / "build" / "portability"
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# numpy's names for the SIMD levels above AVX2, across the numpy versions the course allows
# (numpy 2.0-2.2: AVX512F, AVX512_SKX, ...; numpy 2.3+: X86_V4, AVX512_ICL, AVX512_SPR)
ABOVE_AVX2 = re.compile(r"^(AVX512|X86_V4|AVX10)")


@dataclass
class Condition:
    name: str
    description: str
    python: str = sys.executable
    env: dict[str, str] = field(default_factory=dict)
    skip: str | None = None  # reason, when the condition cannot run or changes nothing here
    setup: object = None  # callable that makes the interpreter (a virtual environment)


def _cpu_dispatch(python: str, env: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(dispatch targets this CPU has, those of them that are enabled) as numpy reports them."""
    code = (
        "import json; from numpy._core import _multiarray_umath as m; "
        "has = [f for f in m.__cpu_dispatch__ if m.__cpu_features__.get(f) is not None]; "
        "print(json.dumps([[f for f in m.__cpu_dispatch__ if f in m.__cpu_features__], "
        "[f for f in m.__cpu_dispatch__ if m.__cpu_features__.get(f)]]))"
    )
    out = subprocess.run(
        [python, "-c", code],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    known, enabled = json.loads(out.strip().splitlines()[-1])
    return known, enabled


def _simd_env(python: str, above_avx2_only: bool) -> tuple[dict[str, str], str | None]:
    """NPY_DISABLE_CPU_FEATURES for a SIMD limit, computed from what numpy reports this CPU has."""
    _, enabled = _cpu_dispatch(python)
    targets = [f for f in enabled if ABOVE_AVX2.match(f)] if above_avx2_only else enabled
    if not targets:
        what = "above AVX2" if above_avx2_only else "beyond numpy's baseline"
        return {}, f"this CPU has no SIMD target {what}: same as baseline"
    env = {"NPY_DISABLE_CPU_FEATURES": " ".join(targets)}
    _, still = _cpu_dispatch(python, env)
    if any(t in still for t in targets):
        raise RuntimeError(f"NPY_DISABLE_CPU_FEATURES={env} did not disable {targets}")
    return env, None


def _requires_python() -> tuple[int, int]:
    text = (REPO / "pyproject.toml").read_text()
    major, minor = re.search(r'requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', text).groups()
    return int(major), int(minor)


def _other_pythons() -> dict[str, str]:
    """Other CPython interpreters at or above requires-python: {"3.12": path, ...}."""
    floor = _requires_python()
    candidates = [Path(shutil.which(f"python3.{m}") or "") for m in range(floor[1], 20)]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(pyenv.glob("3.*/bin/python3")) if pyenv.is_dir() else []
    found: dict[str, str] = {}
    for path in candidates:
        if not path.name or not path.is_file():
            continue
        try:
            version = subprocess.run(
                [str(path), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            continue
        major, minor = map(int, version.split("."))
        current = "{}.{}".format(*sys.version_info[:2])
        if (major, minor) >= floor and version != current and version not in found:
            found[version] = str(path)
    return dict(sorted(found.items(), key=lambda kv: tuple(map(int, kv[0].split(".")))))


def _lower_bounds() -> list[str]:
    """``name==low`` for every ``name>=low`` in requirements.txt (environment markers kept)."""
    pins = []
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([^,;\s]+)[^;]*(;.*)?$", line)
        if match:
            name, low, marker = match.groups()
            pins.append(f"{name}=={low}" + (f" {marker}" if marker else ""))
    return pins


def _venv(name: str, python: str, constraints: list[str] | None = None):
    """A callable that makes (or reuses) the virtual environment and returns its interpreter."""

    def setup() -> str:
        path = VENVS / name
        stamp = path / "requirements.sha256"
        wanted = hashlib.sha256(
            ((REPO / "requirements.txt").read_text() + "\n".join(constraints or [])).encode()
        ).hexdigest()
        interpreter = path / "bin" / "python"
        if interpreter.is_file() and stamp.is_file() and stamp.read_text() == wanted:
            return str(interpreter)
        shutil.rmtree(path, ignore_errors=True)
        print(f"  making {path.relative_to(REPO)} (pip install; a few minutes)...", flush=True)
        subprocess.run([python, "-m", "venv", str(path)], check=True)
        command = [str(interpreter), "-m", "pip", "install", "-q", "-r", "requirements.txt"]
        if constraints:
            pins = path / "lower-bounds.txt"
            pins.write_text("\n".join(constraints) + "\n")
            command += ["-c", str(pins)]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            noise = "is ignored: it is neither a file nor a directory"  # pip's local-index notes
            log = "\n".join(line for line in done.stderr.splitlines() if noise not in line)
            raise RuntimeError(f"pip install failed in {path}:\n{log[-3000:]}")
        stamp.write_text(wanted)
        return str(interpreter)

    return setup


def conditions() -> list[Condition]:
    """Every condition this machine can run, in the order of the table."""
    python = sys.executable
    avx2_env, avx2_skip = _simd_env(python, above_avx2_only=True)
    base_env, base_skip = _simd_env(python, above_avx2_only=False)
    one = dict.fromkeys(THREAD_VARIABLES, "1")
    rows = [
        Condition("baseline", "this interpreter and environment, unchanged"),
        Condition("simd-avx2", "numpy SIMD dispatch limited to AVX2", env=avx2_env, skip=avx2_skip),
        Condition("simd-baseline", "numpy SIMD dispatch off (baseline only)", env=base_env),
        Condition("blas-1-thread", "one BLAS/OpenMP thread", env=one),
        Condition(
            "blas-4-threads", "four BLAS/OpenMP threads", env=dict.fromkeys(THREAD_VARIABLES, "4")
        ),
    ]
    if base_skip:
        rows[2].skip = base_skip
    for version, path in _other_pythons().items():
        rows.append(
            Condition(
                f"python{version}",
                f"CPython {version}, newest allowed packages",
                setup=_venv(f"py{version}", path),
            )
        )
    rows.append(
        Condition(
            "lower-bounds",
            "the lower bounds of requirements.txt, CPython {}.{}".format(*sys.version_info[:2]),
            setup=_venv("lower-bounds", python, _lower_bounds()),
        )
    )
    rows.append(
        Condition(
            "ci-combined",
            "simd-baseline and one BLAS thread (run by .ci/run)",
            env={**base_env, **one},
        )
    )
    return rows


def run_nbval(
    python: str, env: dict[str, str], jobs: int, paths: tuple[str, ...] = ("notebooks",)
) -> tuple[int, list[str], str]:
    """Strict nbval over notebooks/ (or pytest over paths): (items run, failed, last line)."""
    command = [python, "-m", "pytest", *paths, "-q", "-rfE", "-p", "no:cacheprovider"]
    command += ["-n", str(jobs) if jobs > 1 else "0", "--dist", "loadfile"]
    done = subprocess.run(
        command, cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True
    )
    lines = done.stdout.splitlines()
    failed = [
        line.split(" ", 1)[1].split(" - ")[0]
        for line in lines
        if line.startswith(("FAILED ", "ERROR "))
    ]
    summary = next(
        (line for line in reversed(lines) if re.search(r"\d+ (passed|failed)", line)), ""
    )
    passed = sum(int(n) for n in re.findall(r"(\d+) (?:passed|failed|error)", summary))
    if done.returncode not in (0, 1) or (done.returncode == 1 and not failed):
        failed.append(f"pytest exited {done.returncode}: {(done.stdout + done.stderr)[-400:]}")
    return passed, failed, summary.strip("= ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conditions", help="comma-separated names (default: all)")
    parser.add_argument("--list", action="store_true", help="list the conditions and exit")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--all-tests",
        action="store_true",
        help="run the whole test suite under each condition, not only nbval over notebooks/ "
        "(how the lower bounds and Python versions in requirements.txt were checked)",
    )
    args = parser.parse_args(argv)

    rows = conditions()
    if args.list:
        for c in rows:
            env = " ".join(f"{k}={v!r}" for k, v in c.env.items())
            print(
                f"{c.name:16s} {c.description}"
                + (f"  [{env}]" if env else "")
                + (f"  (skipped: {c.skip})" if c.skip else "")
            )
        return 0
    if args.conditions:
        wanted = args.conditions.split(",")
        unknown = sorted(set(wanted) - {c.name for c in rows})
        if unknown:
            parser.error(f"unknown condition(s) {unknown}; valid: {[c.name for c in rows]}")
        rows = [c for c in rows if c.name in wanted]

    results = []
    for c in rows:
        if c.skip:
            results.append((c, None, [], c.skip, 0.0))
            print(f"{c.name}: skipped ({c.skip})", flush=True)
            continue
        print(f"{c.name}: {c.description} ...", flush=True)
        start = time.perf_counter()
        python = c.setup() if c.setup else c.python
        paths = ("tests", "notebooks") if args.all_tests else ("notebooks",)
        n, failed, summary = run_nbval(python, c.env, args.jobs, paths)
        seconds = time.perf_counter() - start
        results.append((c, n, failed, summary, seconds))
        print(f"  {summary} ({seconds:.0f} s)", flush=True)

    print("\ncondition        | cells | failed | failed cells")
    print("-----------------|-------|--------|-------------")
    for c, n, failed, summary, _ in results:
        if n is None:
            print(f"{c.name:16s} |     - |      - | skipped: {summary}")
        else:
            cells = "; ".join(failed) if failed else "-"
            print(f"{c.name:16s} | {n:5d} | {len(failed):6d} | {cells}")
    return 1 if any(failed for _, _, failed, _, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
