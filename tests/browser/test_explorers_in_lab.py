"""The explorer notebooks in JupyterLab (run all cells), in a real browser, and the k/sigma
explorer presented as slides.

The dashboard renders as a live ipympl canvas and its first slider, moved with the keyboard,
changes the figure (``sliders.move_every_slider``). Every slider is moved in Voila
(``test_explorers_in_voila.py``); in JupyterLab, where the same kernel code runs behind another
front end, the first slider and the fast moves show that the live canvas responds (moving
every slider there too would repeat the Voila test, about 10 s per explorer). The two front
ends are two test files so that pytest-xdist runs them side by side.

All the tests of this module share one page: JupyterLab loads once, and each test opens its
notebook in it, runs it with a fresh kernel, and closes it (``harness.open_in_lab``,
``harness.close_notebooks``).

The slides (jupyterlab-slideshow; why not RISE: ``test_slides.py``), the lecturer's steps: run
the k/sigma explorer, select the first cell, press the toolbar's deck button; the title slide
shows without the dashboard; the right arrow key moves to the next slide, the explorer's; a
slider moved with the keyboard on that slide changes the figure's pixels; a click on the slide's
text gives the keys back to the deck, and the down arrow moves on to the sub-slide below.
"""

from __future__ import annotations

import json
import time

import harness
import pytest
from sliders import move_every_slider, pixels


@pytest.mark.parametrize("name", harness.NOTEBOOKS)
def test_explorer_in_jupyterlab(module_page, lab_server, screenshots, name):
    page = module_page
    page.console_errors.clear()
    try:
        harness.open_in_lab(page, lab_server, name)
        move_every_slider(page, name, "lab", screenshots, first_only=True)
        # the dashboard is a live ipympl canvas (not the image fallback) in JupyterLab
        assert page.locator(f"{harness.DASHBOARD} {harness.FIGURE} canvas").count() >= 1
    finally:
        harness.close_notebooks(page, lab_server)


# --- the k/sigma explorer as slides ----------------------------------------------------------

NAME = "k_sigma_explorer"
DECK_BUTTON = '.jp-NotebookPanel-toolbar [data-command="deck:toggle"]'
ONSCREEN = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'))
    .map((cell, i) => cell.classList.contains('jp-deck-mod-onscreen') ? i : -1)
    .filter(i => i >= 0)"""


def _slide_types(path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [cell["metadata"].get("slideshow", {}).get("slide_type", "-") for cell in cells]


def _press(page, key: str | None, expect, timeout: float = 10.0):
    """Press ``key`` (if any) with the deck focused; wait until the cells on screen satisfy
    ``expect``."""
    if key is not None:
        page.keyboard.press(key)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        onscreen = page.evaluate(ONSCREEN)
        if expect(onscreen):
            return onscreen
        page.wait_for_timeout(100)
    raise AssertionError(f"after {key} the deck shows cells {onscreen}")


def _figure_after_key(page, handle, before: bytes, timeout: float = 10.0) -> bytes:
    """Press ArrowRight on a slider handle; the figure's screenshot once it differs."""
    handle.focus()
    page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        after = harness.figure_png(page)
        if pixels(after) != pixels(before):
            return after
        page.wait_for_timeout(100)
    raise AssertionError("moving the slider on the slide left the figure unchanged")


def test_explorer_slide_has_a_live_widget(module_page, lab_server, notebooks_dir, screenshots):
    page = module_page
    page.console_errors.clear()
    types = _slide_types(notebooks_dir / f"{NAME}.ipynb")
    widget = 1  # the cell that calls k_sigma_explorer()
    assert types[0] == "slide", f"the title cell is not a slide: {types}"
    assert types[widget] == "slide", f"the explorer is not a slide of its own: {types}"
    below = next(i for i, t in enumerate(types) if i > widget and t != "skip")
    assert types[below] == "subslide", f"no sub-slide below the explorer: {types}"
    dashboard = page.locator(harness.DASHBOARD).first
    try:
        harness.open_in_lab(page, lab_server, NAME)  # runs all cells, waits for the figure
        # present: select the first cell, press the deck button in the notebook's toolbar
        page.locator(".jp-Notebook .jp-Cell").first.click(position={"x": 5, "y": 5})
        page.locator(DECK_BUTTON).first.click()
        page.wait_for_selector("body[data-jp-deck-mode='presenting']", state="attached")
        _press(page, None, lambda cells: cells == [0])
        assert not dashboard.is_visible(), "the dashboard shows on the title slide"

        _press(page, "ArrowRight", lambda cells: cells == [widget])
        assert dashboard.is_visible(), "the explorer's slide does not show the dashboard"
        # the figure has settled after its first renders: two screenshots 1 s apart agree
        before = harness.figure_png(page)
        for _ in range(30):
            page.wait_for_timeout(1000)
            now, before = before, harness.figure_png(page)
            if pixels(now) == pixels(before):
                break
        handle = page.locator(f"{harness.DASHBOARD} {harness.SLIDER_HANDLE}").first
        label = handle.evaluate(
            "h => h.closest('.widget-slider').querySelector('.widget-readout').innerText"
        )
        after = _figure_after_key(page, handle, before)
        moved = handle.evaluate(
            "h => h.closest('.widget-slider').querySelector('.widget-readout').innerText"
        )
        assert moved != label, f"the slider's readout stayed at {label}"
        assert page.evaluate(ONSCREEN) == [widget], "moving the slider changed the slide"
        (screenshots / f"slides-{NAME}-figure-moved.png").write_bytes(after)
        page.screenshot(path=str(screenshots / f"slides-{NAME}-widget-slide.png"))

        # a click on the slide's text hands the arrow keys back to the deck
        dashboard.get_by_text("k / sigma explorer").first.click()
        _press(page, "ArrowDown", lambda cells: bool(cells) and cells[0] == below)
        assert not dashboard.is_visible(), "the dashboard still shows on the next sub-slide"
        page.keyboard.press("Escape")
        page.wait_for_selector("body:not([data-jp-deck-mode='presenting'])", state="attached")
        assert page.console_errors == [], f"JavaScript errors: {page.console_errors}"
    except Exception:
        page.screenshot(path=str(screenshots / f"slides-{NAME}-failure.png"))
        raise
    finally:
        # the deck's "active" setting persists: never leave the server's other tests in a deck
        page.evaluate("() => window.jupyterapp && window.jupyterapp.commands.execute('deck:stop')")
        harness.close_notebooks(page, lab_server)
