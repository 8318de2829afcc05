"""The grading sandbox: student code runs under bubblewrap with only what grading needs in reach.

Everything a student's code executes while grading (nbgrader's kernel, and the judge's worker in
``judge.py``) starts through :func:`bwrap_command`. The sandbox sees, read-only, the Python
installation (the virtual environment and its base interpreter, ``/usr``) and the course package
``course_utils``; read-write, the one folder of the submission being graded and a private
``/tmp``; nothing else. The instructor's ``source/``, ``gradebook.db``, ``submitted/`` of the
other students, the rest of the repository and the grader's home folder do not exist inside it.
The environment is cleared (a short list of variables is passed on), and the worker also runs
without network (the kernel keeps the loopback network: nbgrader talks to it over ZMQ/TCP).

bubblewrap is Linux only (Debian: ``apt-get install bubblewrap``). ``HOMEWORK_SANDBOX`` chooses:
``auto`` (default: bubblewrap if installed, else a warning and no sandbox), ``bwrap`` (required:
grading stops if it is missing) or ``none``.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

#: variables passed from the grader's environment into the sandbox (all others are dropped)
PASSED_ENV = (
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MALLOC_ARENA_MAX",
    "MPLBACKEND",
    "NBGRADER_EXECUTION",
    "PYDEVD_DISABLE_FILE_VALIDATION",
)
#: host files read-only inside the sandbox if they exist (dynamic loader cache, fonts, time zone)
ETC_FILES = ("/etc/ld.so.cache", "/etc/fonts", "/etc/localtime", "/etc/mime.types")


class SandboxUnavailable(RuntimeError):
    """``HOMEWORK_SANDBOX=bwrap`` was asked for but bubblewrap cannot run here."""


def mode() -> str:
    """``HOMEWORK_SANDBOX``: ``auto`` (default), ``bwrap`` or ``none``."""
    value = os.environ.get("HOMEWORK_SANDBOX", "auto").strip().lower() or "auto"
    if value not in ("auto", "bwrap", "none"):
        raise ValueError(f"HOMEWORK_SANDBOX={value!r}; valid: 'auto', 'bwrap', 'none'")
    return value


def bwrap_path() -> str | None:
    """The bubblewrap executable, or None (not installed, or not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=1)
def available() -> str | None:
    """None if bubblewrap runs here (a trial run of this Python inside it), else why not.

    bwrap can be installed and still refuse to run, for example where unprivileged user
    namespaces are switched off (some distributions' AppArmor or sysctl settings).
    """
    if bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed (Linux: apt-get install bubblewrap)"
    try:
        result = subprocess.run(
            bwrap_command([sys.executable, "-c", "import numpy"]),
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap does not run here: {err}"
    if result.returncode != 0:
        return f"bubblewrap does not run here: {result.stderr.strip()[-300:]}"
    return None


def enabled() -> bool:
    """Whether grading runs student code sandboxed (raises if required but unavailable)."""
    chosen = mode()
    if chosen == "none":
        return False
    reason = available()
    if reason is not None:
        if chosen == "bwrap":
            raise SandboxUnavailable(f"HOMEWORK_SANDBOX=bwrap but {reason}")
        return False
    return True


def _python_paths() -> list[str]:
    """Read-only folders the grading Python needs: the venv, its base interpreter, course_utils."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.add(str(Path(sys.executable).resolve().parent.parent))
    spec = importlib.util.find_spec("course_utils")
    if spec is not None and spec.submodule_search_locations:
        # an editable install maps the package to the repository: bind the package folder only
        paths.update(str(Path(p).resolve()) for p in spec.submodule_search_locations)
    paths = sorted(p for p in paths if p and os.path.isdir(p) and p != "/")
    # nested folders are covered by their parent's bind (an exact duplicate would be harmless,
    # but binding a parent after a child hides the child's bind)
    return [p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths)]


def bwrap_command(
    command: list[str],
    *,
    writable: list[str] = (),
    readable: list[str] = (),
    chdir: str | None = None,
    env: dict | None = None,
    network: bool = False,
    extra_env: dict | None = None,
) -> list[str]:
    """``bwrap ... -- command``: run command with only the Python install and the given paths.

    Parameters
    ----------
    command : list of str
        The program and its arguments (an absolute interpreter path).
    writable, readable : list of str
        Host paths bound at the same place, read-write or read-only.
    chdir : str, optional
        Working directory inside the sandbox (default ``/tmp``).
    env : dict, optional
        Environment to take the :data:`PASSED_ENV` variables from (default ``os.environ``).
    network : bool
        Keep the host's network namespace (the kernel's ZMQ sockets need loopback TCP).
    extra_env : dict, optional
        More variables to set inside.
    """
    exe = bwrap_path()
    if exe is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    argv = [exe, "--unshare-all", "--die-with-parent", "--new-session"]
    if network:
        argv.append("--share-net")
    # the private /tmp first: the paths bound below may lie under the host's /tmp (a clone or
    # a virtual environment there), and a tmpfs mounted after them would hide them
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for top in ("usr", "lib", "lib64", "lib32", "bin", "sbin"):
        host = Path("/" + top)
        if host.is_symlink():
            argv += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            argv += ["--ro-bind", str(host), str(host)]
    for path in ETC_FILES:
        argv += ["--ro-bind-try", path, path]
    for path in _python_paths():
        argv += ["--ro-bind", path, path]
    for path in readable:
        argv += ["--ro-bind", str(path), str(path)]
    for path in writable:
        argv += ["--bind", str(path), str(path)]
    argv += ["--chdir", str(chdir or "/tmp"), "--clearenv"]
    source = os.environ if env is None else env
    passed = {k: source[k] for k in PASSED_ENV if k in source}
    passed.update(
        PATH=str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        HOME="/tmp",
        IPYTHONDIR="/tmp/.ipython",
        MPLCONFIGDIR="/tmp/.matplotlib",
        XDG_CACHE_HOME="/tmp/.cache",
        PYTHONDONTWRITEBYTECODE="1",
    )
    passed.update(extra_env or {})
    for key, value in sorted(passed.items()):
        argv += ["--setenv", key, value]
    return [*argv, "--", *command]


def sandboxed_kernel_manager_class():
    """jupyter_client's ``AsyncKernelManager`` whose kernel starts inside :func:`bwrap_command`.

    The kernel sees its working directory (nbgrader's ``autograded/<student>/<assignment>/``,
    the student's own copy) read-write and its connection file read-only.
    """
    from jupyter_client.manager import AsyncKernelManager

    class SandboxedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            command = super().format_kernel_cmd(extra_arguments)
            launch = dict(self._launch_args or {})
            cwd = str(Path(launch.get("cwd") or os.getcwd()).resolve())
            return bwrap_command(
                command,
                writable=[cwd],
                readable=[os.path.realpath(self.connection_file)],
                chdir=cwd,
                env=launch.get("env"),
                network=True,
                # 1: ipykernel neither polls its parent (pid 1 is bwrap's init in the sandbox's
                # pid namespace) nor prints its "connect another client" banner
                extra_env={"JPY_PARENT_PID": "1"},
            )

    return SandboxedKernelManager
