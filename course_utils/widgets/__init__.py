"""Interactive dashboards for lectures and self-study (layer 3: wires plotting to controls).

Each dashboard is one matplotlib figure whose artists are updated in place when a control
moves; it computes nothing itself (the numbers come from the math modules, the drawing from
:mod:`course_utils.plotting`) and shows a message instead of a traceback when a setting makes
no sense. In a notebook, one line builds and shows a dashboard::

    from course_utils.widgets import k_sigma_explorer; k_sigma_explorer()

=================================  ==============================================  ==========
function                           what it shows                                   notebooks
=================================  ==============================================  ==========
:func:`k_sigma_explorer`           the k / sigma arrow field, live; both paths     06
:func:`trust_region_explorer`      circle, exact KL region, ellipse; both steps     03, 05
:func:`reparametrisation_explorer` theta = A phi + b: vanilla path moves, natural  05
                                   path does not
:func:`kl_quadratic_explorer`      exact KL of the natural step vs 1/2 d^T F d      04
=================================  ==============================================  ==========

The figure is an ipympl canvas when ipympl is installed and a kernel runs (fast: a move
re-renders only the artists that changed); otherwise the same figure is redrawn into an image.
Importing this package is cheap: ipywidgets and matplotlib load with the first dashboard.
"""

from __future__ import annotations

import importlib

__all__ = [
    "KSigmaExplorer",
    "k_sigma_explorer",
    "TrustRegionExplorer",
    "trust_region_explorer",
    "ReparametrisationExplorer",
    "reparametrisation_explorer",
    "KLQuadraticExplorer",
    "kl_quadratic_explorer",
]

_MODULE_OF = {
    "KSigmaExplorer": "k_sigma",
    "k_sigma_explorer": "k_sigma",
    "TrustRegionExplorer": "trust_region",
    "trust_region_explorer": "trust_region",
    "ReparametrisationExplorer": "reparametrisation",
    "reparametrisation_explorer": "reparametrisation",
    "KLQuadraticExplorer": "kl_quadratic",
    "kl_quadratic_explorer": "kl_quadratic",
}


def __getattr__(name: str):
    """Import the dashboard's module (and with it ipywidgets and matplotlib) on first use."""
    if name in _MODULE_OF:
        module = importlib.import_module(f".{_MODULE_OF[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
