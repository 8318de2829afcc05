"""A notebook presented as slides in JupyterLab (jupyterlab-slideshow), with its widget live.

The lecturer's steps, in Chromium: run the k/sigma explorer, select the first cell, press the
toolbar's deck button; the title slide shows without the dashboard; the right arrow key moves to
the next slide, the explorer's; a slider moved with the keyboard on that slide changes the
figure's pixels; a click on the slide's text gives the keys back to the deck, and the down arrow
moves on to the sub-slide below. The deck is the notebooks' cell metadata
(``slideshow.slide_type``); ``test_notebook_is_a_deck`` checks its rules in notebooks 03-06 and
the explorers without a browser.

Why jupyterlab-slideshow and not JupyterLab's RISE extension: ``jupyterlab-rise`` (0.43.1, the
newest) serves the slides as a separate application built on its own copy of JupyterLab 4.3; the
widget manager of ipywidgets 8 in this environment needs a newer JupyterLab and fails to load
there ("Shared module @jupyterlab/console doesn't exist in shared scope"), so every widget shows
as its text fallback (upstream: jupyterlab-contrib/rise issues 119 and 126). jupyterlab-slideshow
presents the notebook inside JupyterLab itself, with JupyterLab's widget manager.
"""

from __future__ import annotations

import io
import json
import re
import time

import harness
import pytest

NAME = "k_sigma_explorer"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
DECK_BUTTON = '.jp-NotebookPanel-toolbar [data-command="deck:toggle"]'
ONSCREEN = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'))
    .map((cell, i) => cell.classList.contains('jp-deck-mod-onscreen') ? i : -1)
    .filter(i => i >= 0)"""


def _pixels(png: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB").tobytes()


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
        if _pixels(after) != _pixels(before):
            return after
        page.wait_for_timeout(100)
    raise AssertionError("moving the slider on the slide left the figure unchanged")


DECKS = [
    "03_taylor_and_trust_regions",
    "04_kl_and_fisher",
    "05_natural_gradient",
    "06_gaussian_k_sigma",
    *(f"explorers/{name}" for name in harness.NOTEBOOKS),
]
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


@pytest.mark.parametrize("name", DECKS)
def test_notebook_is_a_deck(name):
    """The deck's rules hold in the stored notebook (no browser needed): every cell has a slide
    type; the title, each section (a ``## `` heading) and each widget start a slide; the cell
    after a widget starts a new screen; a skipped cell shows nothing (no output)."""
    cells = json.loads((harness.REPO / "notebooks" / f"{name}.ipynb").read_text("utf-8"))["cells"]
    types = [cell["metadata"].get("slideshow", {}).get("slide_type") for cell in cells]
    assert set(types) <= SLIDE_TYPES, f"{name}: cells without a slide type: {types}"
    assert types[0] == "slide", f"{name}: the title cell is not a slide"
    widgets = 0
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        outputs = cell.get("outputs", [])
        if cell["cell_type"] == "markdown" and re.search(r"^## ", source, re.MULTILINE):
            assert types[i] == "slide", f"{name}: section cell {i} is not a slide"
        if any(WIDGET_MIME in out.get("data", {}) for out in outputs):
            widgets += 1
            assert types[i] == "slide", f"{name}: widget cell {i} is not a slide of its own"
            if i + 1 < len(cells):
                after = types[i + 1]
                assert after in ("slide", "subslide"), f"{name}: cell {i + 1} is on its slide"
        if types[i] == "skip":
            assert not outputs, f"{name}: cell {i} has output but is skipped in the deck"
    assert widgets >= 1, f"{name}: no widget output found"


def test_explorer_slide_has_a_live_widget(page, lab_server, notebooks_dir, screenshots):
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
            if _pixels(now) == _pixels(before):
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
        harness.shutdown_kernels(lab_server)
