"""Widgets that leave a picture behind: every dashboard output stored in a notebook also
carries a static PNG of the figure, in the same output.

JupyterLab and Voila render the widget view; GitHub, nbviewer, nbconvert and the course website
have no kernel and fall back to the picture. The mime bundle itself is unit-tested in
tests/test_widgets.py.
"""

from __future__ import annotations

import base64
import io
import pathlib

import nbformat
import pytest
from PIL import Image

from course_utils.plotting import FIGURE_DPI

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(
    ROOT.glob("notebooks/explorers/*.ipynb")
)
WIDGET = "application/vnd.jupyter.widget-view+json"
#: notebooks that show a dashboard (03-06 embed the explorers)
WITH_DASHBOARDS = {
    "03_taylor_and_trust_regions.ipynb",
    "04_kl_and_fisher.ipynb",
    "05_natural_gradient.ipynb",
    "06_gaussian_k_sigma.ipynb",
    "k_sigma_explorer.ipynb",
    "kl_quadratic_explorer.ipynb",
    "reparametrisation_explorer.ipynb",
    "trust_region_explorer.ipynb",
}


def widget_outputs(path):
    """(cell index, output data) of every output that holds a widget view."""
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if WIDGET in output.get("data", {}):
                yield index, output


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_widget_output_carries_a_static_picture(path):
    outputs = list(widget_outputs(path))
    if path.name in WITH_DASHBOARDS:
        assert outputs, f"{path.name} shows a dashboard but stores no widget output"
    for index, output in outputs:
        # a cell ending in ``k_sigma_explorer()`` stores an execute_result, ``display(...)`` a
        # display_data: both are one output with a mime bundle, rendered the same way
        assert output["output_type"] in ("execute_result", "display_data"), f"cell {index}"
        data = output["data"]
        assert "image/png" in data, f"cell {index}: a widget view without a static picture"
        image = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
        assert image.format == "PNG"
        assert min(image.info["dpi"]) >= FIGURE_DPI - 0.01, f"cell {index}"
        # the figure, not a blank canvas: many distinct colours
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 100, f"cell {index}"
        assert data["text/plain"].endswith(
            "(interactive: run the notebook in JupyterLab or Voila to use it)"
        )
