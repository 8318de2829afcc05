"""Tests for course_utils._validation."""

import numpy as np
import pytest
