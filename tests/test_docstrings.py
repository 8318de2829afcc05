"""The ``Examples`` sections of the math layer's docstrings run as doctests."""

from __future__ import annotations

import doctest

import pytest

import course_utils
from course_utils import (
    actor_critic,
    bandit,
    cartpole,
    checks,
    evidence,
    finite_diff,
    gaussian,
    kl,
    mdp,
    natural,
)
from course_utils.practical import batches, objectives, plateau, updates

MODULES = [
    actor_critic,
    bandit,
    cartpole,
    checks,
    evidence,
    finite_diff,
    gaussian,
    kl,
    mdp,
    natural,
]
MODULES += [batches, objectives, plateau, updates]  # course_utils.practical, one per concept


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_import_stays_light():
    """``import course_utils`` must not pull in the plotting or widget stacks."""
    import subprocess
    import sys

    code = (
        "import sys, course_utils; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'gymnasium') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert course_utils.__version__
