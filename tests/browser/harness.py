"""Drive the dashboards in a real browser: JupyterLab / Voila servers and headless Chromium.

Shared by ``tests/browser`` and ``benchmarks/widget_latency.py``. Servers are started as
subprocesses in their own session and stopped by their PID (never by name). Chromium is
Debian's ``/usr/bin/chromium``, driven by the ``playwright`` Python package (no browser
download).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXPLORERS = REPO / "notebooks" / "explorers"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NOTEBOOKS = (
    "k_sigma_explorer",
    "trust_region_explorer",
    "reparametrisation_explorer",
    "kl_quadratic_explorer",
)

#: selectors of the dashboard's parts (classes set in course_utils/widgets/_base.py)
DASHBOARD = ".cu-dashboard"
FIGURE = ".cu-figure"
SLIDER_HANDLE = ".widget-slider:not(.mod-disabled) .noUi-handle"
ERROR_OUTPUT = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
    ".cu-msg-internal"
)


def missing_prerequisites() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install playwright)"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)"
    for tool in ("jupyter-lab", "voila"):
        if shutil.which(tool, path=str(Path(sys.executable).parent)) is None and not shutil.which(
            tool
        ):
            return f"{tool} is not installed"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


class Server:
    """A server subprocess in its own session; :meth:`stop` ends it (and its kernels) by PID."""

    def __init__(self, cmd, url: str, ready_url: str, log_path: Path, env=None, cwd=None):
        self.url = url
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
        self._wait_ready(ready_url)

    def _wait_ready(self, ready_url: str, timeout: float = 90.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early; log: {self.log_tail()}")
            try:
                with urllib.request.urlopen(ready_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout:.0f} s; log: {self.log_tail()}")

    def log_tail(self, n: int = 3000) -> str:
        if not self._log.closed:
            self._log.flush()
        return Path(self.log_path).read_bytes()[-n:].decode(errors="replace")

    def stop(self):
        """SIGTERM to the server (it shuts its kernels down), then SIGKILL to its session."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:  # anything the server left behind in its own session (its kernels)
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)
        self._log.close()


def _server_env(workdir: Path) -> dict:
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        (workdir / name.lower()).mkdir(exist_ok=True)
    env.update(
        JUPYTER_CONFIG_DIR=str(workdir / "jupyter_config_dir"),
        JUPYTER_RUNTIME_DIR=str(workdir / "jupyter_runtime_dir"),
        IPYTHONDIR=str(workdir / "ipythondir"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("JUPYTER_DATA_DIR", None)  # keep the environment's labextensions visible
    env.pop("MPLBACKEND", None)
    return env


def copy_notebooks(dest: Path, names=NOTEBOOKS) -> Path:
    """Fresh copies of the explorer notebooks (the servers never write into the repo)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(EXPLORERS / f"{name}.ipynb", dest / f"{name}.ipynb")
    return dest


def start_jupyterlab(root_dir: Path, workdir: Path) -> Server:
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        _tool("jupyter-lab"),
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.open_browser=False",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.port_retries=0",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--ServerApp.disable_check_xsrf=False",
    ]
    server = Server(
        cmd,
        url=f"http://127.0.0.1:{port}",
        ready_url=f"http://127.0.0.1:{port}/api/status?token={token}",
        log_path=workdir / "jupyterlab.log",
        env=_server_env(workdir),
        cwd=str(root_dir),
    )
    server.token = token
    return server


def start_voila(root_dir: Path, workdir: Path) -> Server:
    port = free_port()
    cmd = [
        _tool("voila"),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.root_dir=" + str(root_dir),
        "--VoilaConfiguration.show_tracebacks=True",
        str(root_dir),
    ]
    server = Server(
        cmd,
        url=f"http://127.0.0.1:{port}",
        ready_url=f"http://127.0.0.1:{port}/",
        log_path=workdir / "voila.log",
        env=_server_env(workdir),
        cwd=str(root_dir),
    )
    server.token = ""
    return server


def launch_browser(playwright, user_data_dir: Path, width: int = 1280, height: int = 1400):
    """A persistent headless Chromium context with a fresh profile."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": width, "height": height},
    )


# --- JupyterLab -------------------------------------------------------------------------------


def open_in_lab(page, server: Server, name: str, timeout: float = 60_000):
    """Open ``name``.ipynb in JupyterLab, wait for its kernel, run all cells.

    The first call on a page loads JupyterLab (a workspace of its own: nothing restored from
    an earlier run); later calls open the notebook in the JupyterLab already loaded (the
    application loads once per page: :func:`close_notebooks` clears it between notebooks).
    """
    loaded = page.url.startswith(f"{server.url}/lab") and page.evaluate(
        "() => window.jupyterapp !== undefined"
    )
    if loaded:
        page.evaluate(
            "path => window.jupyterapp.commands.execute('docmanager:open', {path})",
            f"{name}.ipynb",
        )
    else:
        page.goto(
            f"{server.url}/lab/workspaces/{name}/tree/{name}.ipynb?reset&token={server.token}",
            timeout=timeout,
        )
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=timeout)
    page.wait_for_function(
        """path => {
            const panel = window.jupyterapp.shell.currentWidget;
            const kernel = panel && panel.context && panel.context.path === path
                && panel.sessionContext && panel.sessionContext.session
                && panel.sessionContext.session.kernel;
            return kernel && kernel.status === 'idle';
        }""",
        arg=f"{name}.ipynb",
        timeout=timeout,
    )
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden)", timeout=timeout)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    wait_for_dashboard(page, timeout)
    wait_for_stable_figure(page)


def close_notebooks(page, server: Server):
    """Close every document of the page's JupyterLab (unsaved changes discarded) and stop
    the server's kernels: the next notebook opens in a clean application."""
    page.evaluate(
        """() => {
            const app = window.jupyterapp;
            if (!app) return;
            for (const widget of Array.from(app.shell.widgets('main'))) {
                if (widget.context) widget.context.model.dirty = false;
                widget.dispose();
            }
        }"""
    )
    page.wait_for_function("() => !document.querySelector('.cu-dashboard')")
    shutdown_kernels(server)


def shutdown_kernels(server: Server):
    """Stop every kernel of a JupyterLab server (REST API), freeing the CPU between tests."""
    import json

    base = f"{server.url}/api/kernels"
    headers = {"Authorization": f"token {server.token}"}
    with urllib.request.urlopen(urllib.request.Request(base, headers=headers)) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/{kernel['id']}", headers=headers, method="DELETE")
        with urllib.request.urlopen(request):
            pass


def open_in_voila(page, server: Server, name: str, timeout: float = 90_000):
    """Open ``name``.ipynb rendered by Voila (code hidden) and wait for the dashboard."""
    page.goto(f"{server.url}/voila/render/{name}.ipynb", timeout=timeout)
    wait_for_dashboard(page, timeout)
    wait_for_stable_figure(page)


def wait_for_dashboard(page, timeout: float = 60_000):
    """The dashboard's widgets rendered and its figure painted (not blank)."""
    page.wait_for_selector(f"{DASHBOARD} {SLIDER_HANDLE}", timeout=timeout)
    page.wait_for_selector(f"{DASHBOARD} {FIGURE}", timeout=timeout)
    page.wait_for_function(
        f"""() => {{
            const fig = document.querySelector('{DASHBOARD} {FIGURE}');
            if (!fig) return false;
            const canvas = fig.querySelector('canvas');
            if (canvas) {{
                if (canvas.width < 50) return false;
                const d = canvas.getContext('2d').getImageData(0, 0, canvas.width,
                                                               canvas.height).data;
                for (let i = 0; i < d.length; i += 4) if (d[i] < 200) return true;
                return false;
            }}
            const img = fig.tagName === 'IMG' ? fig : fig.querySelector('img');
            return img && img.complete && img.naturalWidth > 50;
        }}""",
        timeout=timeout,
    )


def wait_for_stable_figure(page, quiet: float = 1.0, timeout: float = 30.0):
    """Wait until the figure's pixels stop changing for ``quiet`` seconds (start-up frames,
    settling renders)."""
    page.evaluate(_PROBE)
    last, since = None, time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = page.evaluate("() => window.__cuProbe.signature()")
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        page.wait_for_timeout(100)
    raise TimeoutError(f"the figure kept changing for {timeout:.0f} s")


def figure_png(page) -> bytes:
    """A screenshot of the dashboard's figure."""
    return page.locator(f"{DASHBOARD} {FIGURE}").first.screenshot()


def error_outputs(page) -> list[str]:
    """Texts of error / stderr outputs and internal-error messages on the page."""
    return page.eval_on_selector_all(ERROR_OUTPUT, "els => els.map(e => e.innerText)")


def dashboard_messages(page) -> list[str]:
    return page.eval_on_selector_all(f"{DASHBOARD} .cu-msg", "els => els.map(e => e.innerText)")


#: JavaScript: install a probe that times "key down on a slider -> figure pixels changed"
_PROBE = """() => {
    if (window.__cuProbe) return;
    const probe = window.__cuProbe = {t0: null, results: [], pending: false};
    const figure = () => document.querySelector('.cu-dashboard .cu-figure');
    probe.signature = () => {
        const fig = figure();
        const canvas = fig.querySelector('canvas');
        if (canvas) {
            const d = canvas.getContext('2d').getImageData(0, 0, canvas.width,
                                                           canvas.height).data;
            let h = 0;
            for (let i = 0; i < d.length; i += 8) h = (h * 31 + d[i] + 7 * d[i + 1]) | 0;
            return 'c' + h;
        }
        const img = fig.tagName === 'IMG' ? fig : fig.querySelector('img');
        return img ? 'i' + img.src.length + img.src.slice(-64) + img.complete : '';
    };
    document.addEventListener('keydown', () => {
        probe.t0 = performance.now();
        probe.before = probe.signature();
        probe.pending = true;
        const poll = () => {
            if (!probe.pending) return;
            const now = probe.signature();
            if (now !== probe.before) {
                probe.results.push(performance.now() - probe.t0);
                probe.firstFrame = now;
                probe.pending = false;
                return;
            }
            if (performance.now() - probe.t0 > 10000) {
                probe.results.push(null);
                probe.pending = false;
                return;
            }
            requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
    }, true);
}"""


def press_and_time(page, handle, key: str = "ArrowRight", timeout: float = 15.0):
    """Press ``key`` on a focused slider handle; milliseconds until the figure changed
    (measured in the page with performance.now()), or None if it did not change."""
    page.evaluate(_PROBE)
    handle.focus()
    count = page.evaluate("() => window.__cuProbe.results.length")
    page.keyboard.press(key)
    page.wait_for_function(
        f"() => window.__cuProbe.results.length > {count}", timeout=timeout * 1000
    )
    return page.evaluate("() => window.__cuProbe.results[window.__cuProbe.results.length - 1]")


def first_frame_is_final(page) -> bool:
    """Is the figure now (after the dashboard's settling full render) pixel-identical to the
    first frame that answered the last key press (a blitted one)?"""
    return page.evaluate("() => window.__cuProbe.signature() === window.__cuProbe.firstFrame")


def wait_idle(page, seconds: float = 0.3):
    """Let pending redraws land before the next measurement."""
    page.wait_for_timeout(seconds * 1000)


def make_workdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
