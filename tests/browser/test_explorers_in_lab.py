"""The explorer notebooks in JupyterLab (run all cells), in a real browser.

The dashboard renders as a live ipympl canvas and its first slider, moved with the keyboard,
changes the figure (``sliders.move_every_slider``). Every slider is moved in Voila
(``test_explorers_in_voila.py``); in JupyterLab, where the same kernel code runs behind another
front end, the first slider and the fast moves show that the live canvas responds (moving
every slider there too would repeat the Voila test, about 10 s per explorer). The two front
ends are two test files so that pytest-xdist runs them side by side.
"""

from __future__ import annotations

import harness
import pytest
from sliders import move_every_slider


@pytest.mark.parametrize("name", harness.NOTEBOOKS)
def test_explorer_in_jupyterlab(page, lab_server, screenshots, name):
    try:
        harness.open_in_lab(page, lab_server, name)
        move_every_slider(page, name, "lab", screenshots, first_only=True)
        # the dashboard is a live ipympl canvas (not the image fallback) in JupyterLab
        assert page.locator(f"{harness.DASHBOARD} {harness.FIGURE} canvas").count() >= 1
    finally:
        harness.shutdown_kernels(lab_server)
