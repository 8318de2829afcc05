"""Latency of the dashboards (course_utils.widgets): in-place updates against a naive re-plot.

For every dashboard, over ``--moves`` moves (default 24) of its epsilon slider, in one run:

(a) Python side: from the value change to the figure drawn (``canvas.draw`` or the blit),
    for the dashboard (Agg canvas) and for the naive way, a callback that re-plots the same
    figure from scratch (:meth:`Dashboard.render_from_scratch`: new figure, all math without
    caches, layout, full render);
(b) end to end in a real browser: JupyterLab in headless Chromium, a key press on the slider
    until the figure's pixels change, timed inside the page with ``performance.now()`` and a
    ``requestAnimationFrame`` poll of the canvas / image. "ours" is the explorer notebook
    (ipympl canvas); "naive" is ``ipywidgets.interactive`` with the inline backend calling
    ``display(dash.render_from_scratch())``.

Median and 90th percentile in milliseconds. Target (issue 5): in-browser median <= 100 ms for
the k / sigma explorer and at least 2x faster than the naive re-plot.

    python benchmarks/widget_latency.py                # everything (about 3-4 minutes)
    python benchmarks/widget_latency.py --python-only  # (a) only, no browser
    python benchmarks/widget_latency.py --only k_sigma_explorer --moves 30

Results are also written to ``benchmarks/results/widget_latency.json`` (git-ignored). The
numbers depend on the machine and its load; the tests never assert timings.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

import harness  # noqa: E402  (tests/browser/harness.py: servers and the in-page probe)

CLASSES = {
    "k_sigma_explorer": "KSigmaExplorer",
    "trust_region_explorer": "TrustRegionExplorer",
    "reparametrisation_explorer": "ReparametrisationExplorer",
    "kl_quadratic_explorer": "KLQuadraticExplorer",
}
#: the slider moved in every measurement: right ``SWING`` steps, left ``SWING`` steps, ...
CONTROL = "eps"
SWING = 4
WARMUP = 2


def stats(samples) -> dict:
    arr = np.asarray([s for s in samples if s is not None], dtype=float)
    return {
        "n": int(arr.size),
        "median_ms": float(np.median(arr)) if arr.size else float("nan"),
        "p90_ms": float(np.percentile(arr, 90)) if arr.size else float("nan"),
        "lost": int(sum(s is None for s in samples)),
    }


def swing_values(control, moves: int):
    """Slider values of ``moves`` key presses: SWING steps up, SWING down, ... (log sliders
    step in the exponent)."""
    log = hasattr(control, "base")
    position = np.log10(control.value) if log else control.value
    values = []
    for i in range(moves):
        direction = 1 if (i // SWING) % 2 == 0 else -1
        position = position + direction * control.step
        values.append(float(10.0**position) if log else float(position))
    return values


# --- (a) Python side --------------------------------------------------------------------------


def python_side(name: str, moves: int) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    from course_utils import widgets

    dash = getattr(widgets, CLASSES[name])(backend="agg")
    control = dash.controls[CONTROL]
    ours, naive = [], []
    for i, value in enumerate(swing_values(control, moves + WARMUP)):
        control.value = value  # the observer refreshes: update artists, blit / draw
        if i >= WARMUP:
            ours.append(dash.last_update_seconds * 1e3)
    for i, value in enumerate(swing_values(control, moves + WARMUP)):
        control.value = value
        start = time.perf_counter()
        dash.render_from_scratch()
        if i >= WARMUP:
            naive.append((time.perf_counter() - start) * 1e3)
    dash.close()
    return {"ours": stats(ours), "naive": stats(naive)}


# --- (b) in the browser -----------------------------------------------------------------------

NAIVE_CELL = """\
%matplotlib inline
import ipywidgets as widgets
from IPython.display import display
from course_utils.widgets import {cls}

dash = {cls}(backend="agg")  # only its controls and its drawing code are used
for control in dash.controls.values():
    control.unobserve(dash._on_change, names="value")


def naive(**values):
    display(dash.render_from_scratch())  # a new figure every move, as a plain interact does


ui = widgets.interactive(naive, {control}=dash.controls["{control}"])
ui.add_class("cu-dashboard")
ui.children[-1].add_class("cu-figure")
display(ui)
"""


def write_naive_notebooks(root: Path, names) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    for name in names:
        nb = new_notebook()
        nb.cells = [new_code_cell(NAIVE_CELL.format(cls=CLASSES[name], control=CONTROL))]
        nb.metadata = {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        }
        nbformat.write(nb, root / f"naive_{name}.ipynb")


def measure_in_page(page, moves: int) -> list:
    handle = page.locator(f"{harness.DASHBOARD} {harness.SLIDER_HANDLE}").first
    samples = []
    for i in range(moves + WARMUP):
        key = "ArrowRight" if (i // SWING) % 2 == 0 else "ArrowLeft"
        latency = harness.press_and_time(page, handle, key=key)
        harness.wait_idle(page, 0.5)  # a student's pace: half a second between key presses
        if i >= WARMUP:
            samples.append(latency)
    return samples


def browser_side(names, moves: int) -> dict:
    from playwright.sync_api import sync_playwright

    reason = harness.missing_prerequisites()
    if reason:
        raise SystemExit(f"cannot run the browser part: {reason}")
    workdir = harness.make_workdir("course-latency-")
    root = harness.copy_notebooks(workdir / "notebooks", names)
    write_naive_notebooks(root, names)
    server = harness.start_jupyterlab(root, workdir)
    results = {}
    try:
        with sync_playwright() as playwright:
            context = harness.launch_browser(playwright, workdir / "chromium-profile")
            for name in names:
                results[name] = {}
                for variant, notebook in (("ours", name), ("naive", f"naive_{name}")):
                    page = context.new_page()
                    try:
                        harness.open_in_lab(page, server, notebook)
                        harness.wait_idle(page, 1.0)
                        results[name][variant] = stats(measure_in_page(page, moves))
                    finally:
                        page.close()
                        harness.shutdown_kernels(server)
                    print(f"  {name:28s} {variant:5s} {fmt(results[name][variant])}", flush=True)
            context.close()
    finally:
        server.stop()
    return results


def fmt(s: dict) -> str:
    lost = f" ({s['lost']} lost)" if s["lost"] else ""
    return f"median {s['median_ms']:7.1f} ms   p90 {s['p90_ms']:7.1f} ms   n={s['n']}{lost}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=24, help="measured moves (>= 20)")
    parser.add_argument("--only", nargs="*", choices=list(CLASSES), default=list(CLASSES))
    parser.add_argument("--python-only", action="store_true", help="skip the browser part")
    args = parser.parse_args(argv)
    result = {"moves": args.moves, "python": {}, "browser": {}}
    print(f"(a) Python side: value change -> figure drawn, {args.moves} moves of '{CONTROL}'")
    for name in args.only:
        result["python"][name] = python_side(name, args.moves)
        for variant in ("ours", "naive"):
            print(f"  {name:28s} {variant:5s} {fmt(result['python'][name][variant])}")
    if not args.python_only:
        print("(b) in the browser (JupyterLab, headless Chromium): key press -> pixels changed")
        result["browser"] = browser_side(args.only, args.moves)
    print("speed-up (naive median / ours median):")
    for part in ("python", "browser"):
        for name, r in result[part].items():
            ratio = r["naive"]["median_ms"] / r["ours"]["median_ms"]
            print(f"  {part:8s} {name:28s} {ratio:5.1f}x")
    out = REPO / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "widget_latency.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
