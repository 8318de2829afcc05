"""The course's palette stays readable for colour-blind viewers.

Every pair of colours that one figure draws together (``DISTINGUISHED_PAIRS`` of
``course_utils.plotting``, e.g. vanilla / natural / optimum in the k/sigma figure) is simulated
with colorspacious at full severity for deuteranopia, protanopia and tritanopia (Machado et
al. 2009, severity 100 = dichromacy), and for normal vision, then compared in CAM02-UCS.

Threshold 15, as issue 12 asks: in CAM02-UCS a distance of about 1 is a just-noticeable
difference, so 15 is a difference seen at a glance on thin lines and small markers, not only
side by side. For scale: the old palette's red and green (natural arrows, optimum star) are 59
apart for normal vision and 5 for a deuteranope (checked below). The same threshold guards
each line colour against the white page.
"""

from __future__ import annotations

import itertools

import colorspacious
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from course_utils import plotting
from course_utils.plotting import COLORS, DISTINGUISHED_PAIRS

THRESHOLD = 15.0
DEFICIENCIES = ("deuteranomaly", "protanomaly", "tritanomaly")


def simulate(colour: str, deficiency: str | None) -> np.ndarray:
    """sRGB in [0, 1] as a viewer with the full-severity ``deficiency`` sees it (None: normal)."""
    rgb = np.asarray(to_rgb(colour))
    if deficiency is None:
        return rgb
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(colorspacious.cspace_convert(rgb, space, "sRGB1"), 0.0, 1.0)


def distance(a: str, b: str, deficiency: str | None) -> float:
    """CAM02-UCS distance between two colours as seen with ``deficiency``."""
    ucs = [
        colorspacious.cspace_convert(simulate(c, deficiency), "sRGB1", "CAM02-UCS") for c in (a, b)
    ]
    return float(np.linalg.norm(ucs[0] - ucs[1]))


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
@pytest.mark.parametrize("first, second, where", DISTINGUISHED_PAIRS)
def test_colours_drawn_together_stay_apart(first, second, where, deficiency):
    d = distance(COLORS[first], COLORS[second], deficiency)
    assert d >= THRESHOLD, (
        f"{first} {COLORS[first]} and {second} {COLORS[second]} ({where}) are {d:.1f} apart "
        f"in CAM02-UCS for {deficiency or 'normal vision'}; need >= {THRESHOLD}"
    )


def test_the_pairs_name_known_concepts_and_cover_the_main_ones():
    names = {name for pair in DISTINGUISHED_PAIRS for name in pair[:2]}
    assert names <= set(COLORS)
    # the k/sigma figure's three colours, every pair of them
    for pair in itertools.combinations(("vanilla", "natural", "optimum"), 2):
        assert pair in {p[:2] for p in DISTINGUISHED_PAIRS} | {
            p[1::-1] for p in DISTINGUISHED_PAIRS
        }


def test_one_concept_one_colour():
    """No two concepts share a colour, and the module constants are the dictionary's."""
    concepts = {k: v.lower() for k, v in COLORS.items()}
    assert len(set(concepts.values())) == len(concepts)
    for name in ("vanilla", "natural", "optimum", "exact", "estimate", "trust_region"):
        assert getattr(plotting, name.upper()).lower() == concepts[name]


def test_simulation_tells_a_confusable_pair_apart_from_a_safe_one():
    """The check can fail: classic red and green, far apart for normal vision, fall below the
    threshold for a deuteranope; blue and orange stay apart."""
    red, green = "#d62728", "#2ca02c"
    assert distance(red, green, None) > 3 * THRESHOLD
    assert distance(red, green, "deuteranomaly") < THRESHOLD
    assert distance("#0072b2", "#e69f00", "deuteranomaly") > THRESHOLD
