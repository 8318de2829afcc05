"""Tests for course_utils.bandit."""

import numpy as np
import pytest
