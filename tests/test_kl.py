"""Tests for course_utils.kl."""

import numpy as np
import pytest
