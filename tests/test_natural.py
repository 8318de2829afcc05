"""Tests for course_utils.natural."""

import numpy as np
import pytest
