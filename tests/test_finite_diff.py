"""Tests for course_utils.finite_diff."""

import numpy as np
import pytest
