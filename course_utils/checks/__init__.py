"""Instant feedback for the homework: properties of a student's answer, part by part.

One module per assignment (``hw1`` ... ``hw4``); each exercise's check takes the student's
function or value, tests properties the student can see (the score's mean is 0 by Monte Carlo,
``1/2 d^T F d = eps``, the CG residual is small, the answer agrees with the student's own other
functions), prints one line per part and returns the points earned (:class:`Points`, read by
nbgrader as partial credit). No check compares with a stored answer, and nothing here is a
reference solution: the references live with the instructor's source
(``notebooks/homework/source/<assignment>/reference.py``, never released) and the autograder's
judge compares with them. A solution that calls the course's own implementation of the
exercise (``natural.natural_step``, ``gaussian.gaussian_score``, ...) scores 0 with a message.

This is the homework layer: it imports the math modules only (never matplotlib, ipywidgets or
nbgrader). The machinery (parts, the dtype and shape rules, delegation) is in ``_core``.
"""

from . import hw1, hw2, hw3, hw4
from ._core import FLOAT32_RTOL, Delegation, Fail, Part, Points, Stop, grade

__all__ = ["hw1", "hw2", "hw3", "hw4", "grade", "Part", "Points", "Fail", "Stop", "Delegation"]
__all__ += ["FLOAT32_RTOL"]
