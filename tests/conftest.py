"""Shared fixtures and hypothesis settings for the course_utils test suite."""

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "course",
    deadline=None,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("course")


@pytest.fixture
def rng():
    """A freshly seeded generator, so each test is deterministic on its own."""
    return np.random.default_rng(20240607)
