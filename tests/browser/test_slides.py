"""The notebooks as slide decks (jupyterlab-slideshow): the deck's rules, without a browser.

The deck is the notebooks' cell metadata (``slideshow.slide_type``); ``test_notebook_is_a_deck``
checks its rules in notebooks 03-06 and the explorers. The deck presented in Chromium, with the
k/sigma explorer live on its slide, is ``test_explorer_slide_has_a_live_widget`` in
``test_explorers_in_lab.py`` (it runs on the JupyterLab page of the explorers' tests).

Why jupyterlab-slideshow and not JupyterLab's RISE extension: ``jupyterlab-rise`` (0.43.1, the
newest) serves the slides as a separate application built on its own copy of JupyterLab 4.3; the
widget manager of ipywidgets 8 in this environment needs a newer JupyterLab and fails to load
there ("Shared module @jupyterlab/console doesn't exist in shared scope"), so every widget shows
as its text fallback (upstream: jupyterlab-contrib/rise issues 119 and 126). jupyterlab-slideshow
presents the notebook inside JupyterLab itself, with JupyterLab's widget manager.
"""

from __future__ import annotations

import json
import re

import harness
import pytest

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


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
