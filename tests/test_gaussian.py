"""Tests for course_utils.gaussian."""

import numpy as np
import pytest
