"""data/reference_values.json equals what its script computes, and agrees with MATH.md."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "make_reference_values", ROOT / "data" / "make_reference_values.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stored():
    return json.loads((ROOT / "data" / "reference_values.json").read_text())


def _assert_close(a, b, path="root"):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float):
        assert np.isclose(a, b, rtol=1e-9, atol=1e-15), f"{path}: stored {a} vs recomputed {b}"
    else:
        assert a == b, path


def test_stored_file_matches_a_fresh_computation(stored):
    _assert_close(stored, json.loads(json.dumps(_load_script().compute())))


def test_optimal_gains_match_math_md(stored):
    gains = stored["optimal_gain"]
    assert round(gains["peters"], 4) == -0.9076
    assert round(gains["lecture"], 3) == -0.588
    assert round(gains["lecture_undiscounted"], 3) == -0.618
    assert gains["no_action_cost"] == pytest.approx(-1.0, abs=1e-12)


def test_arrow_angles_match_math_md(stored):
    point = stored["peters_points"][0]
    assert (point["k"], point["sigma"]) == (-1.5, 0.2)
    assert round(point["angle_vanilla_deg"]) == 62
    assert round(point["angle_natural_deg"]) == 9


def test_wrong_step_size_misses_eps_by_orders_of_magnitude(stored):
    ratios = stored["erratum1_wrong_step_ratio"]
    assert 0 < ratios["min_ratio"] < ratios["max_ratio"] < 0.05
