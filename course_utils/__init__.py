"""course_utils: the computations behind the natural policy gradient course.

Layers (a lower layer never imports a higher one):

1. math: :mod:`~course_utils.mdp`, :mod:`~course_utils.gaussian`, :mod:`~course_utils.kl`,
   :mod:`~course_utils.natural`, :mod:`~course_utils.finite_diff`, :mod:`~course_utils.report`
   (numpy, scipy at most);
2. plotting (matplotlib), 3. widgets (ipywidgets), 4. homework checks.

``import course_utils`` loads only the math layer, so it is fast and needs no display.
"""

from . import finite_diff, gaussian, kl, mdp, natural, report
from .gaussian import LinearGaussianLQR, optimal_gain
from .mdp import TabularMDP

__all__ = [
    "finite_diff",
    "gaussian",
    "kl",
    "mdp",
    "natural",
    "report",
    "LinearGaussianLQR",
    "TabularMDP",
    "optimal_gain",
]
__version__ = "0.1.0"
