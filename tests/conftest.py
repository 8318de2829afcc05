"""Shared fixtures and hypothesis settings for the course_utils test suite.

The default hypothesis profile ("course") is derandomised and keeps no example database, so
the suite gives the same result on every run and writes nothing into the working tree. Run
``HYPOTHESIS_PROFILE=thorough python -m pytest tests`` to search ten times as many random
examples when changing the package.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "course",
    deadline=None,
    max_examples=50,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=500,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))


@pytest.fixture
def rng():
    """A freshly seeded generator, so each test is deterministic on its own."""
    return np.random.default_rng(20240607)


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (the project's default): one worker per CPU the process may use, plus one.

    A good part of the suite waits rather than computes: the browser tests wait for pages,
    kernels and figures to settle, nbval and the grading run wait for kernels to start. With
    one worker per core those waits leave a core idle; one more worker fills them
    (measured on two cores: see the README, section "Running the tests").
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return cpus + 1
