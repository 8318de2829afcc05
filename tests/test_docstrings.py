"""The ``Examples`` sections of the math layer's docstrings run as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

import course_utils
from course_utils import (
    actor_critic,
    bandit,
    cartpole,
    checks,
    evidence,
    finite_diff,
    kl,
    natural,
    report,
)
from course_utils.gaussian import closed_forms, formulas, paths, policy_kl
from course_utils.gaussian import sampling as gaussian_sampling
from course_utils.mdp import core, gradients, improvement, optimal, sampling, stationary
from course_utils.practical import batches, comparison, diagnostics, objectives, plateau, updates

MODULES = [
    actor_critic,
    bandit,
    cartpole,
    checks,
    evidence,
    finite_diff,
    kl,
    natural,
    report,
]
# course_utils.practical, one module per concept
MODULES += [batches, comparison, diagnostics, objectives, plateau, updates]
MODULES += [core, gradients, improvement, optimal, sampling, stationary]  # course_utils.mdp
MODULES += [closed_forms, formulas, gaussian_sampling, paths, policy_kl]  # course_utils.gaussian


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    # a submodule's examples may use its package's other names (mdp.random_mdp in gradients)
    package = importlib.import_module(module.__name__.rsplit(".", 1)[0])
    result = doctest.testmod(
        module, extraglobs=vars(package), optionflags=doctest.NORMALIZE_WHITESPACE
    )
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
