"""notebooks/MATH.md, the course's math reference, stays identical to the project's reference page.

The notebooks and docstrings cite MATH.md; the copy beside the notebooks is what a student who
clones the course can open. The project's reference page lives in ``../shared/MATH.md`` next to
a development checkout (and in CI); without it this comparison cannot run and is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "notebooks" / "MATH.md"
REFERENCE = ROOT.parent / "shared" / "MATH.md"


def test_shipped_math_reference_exists_and_has_the_sections_the_notebooks_cite():
    text = SHIPPED.read_text(encoding="utf-8")
    for heading in (
        "## 1. Conventions",
        "## 2. Tabular MDPs",
        "## 3. The 1-D Gaussian",
        "## 4. Practical NPG",
        "## 5. Errata",
    ):
        assert heading in text


@pytest.mark.skipif(not REFERENCE.exists(), reason="no ../shared/MATH.md beside this checkout")
def test_shipped_copy_equals_the_reference():
    assert SHIPPED.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8"), (
        "notebooks/MATH.md differs from ../shared/MATH.md: copy it again "
        "(cp ../shared/MATH.md notebooks/MATH.md) and check the notebooks still agree"
    )
