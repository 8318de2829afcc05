"""Thin cells: a lecturer can project a cell and a student can see the idea in it.

The plumbing (table formatting, experiment loops, figure layout) lives in ``course_utils``; a
notebook cell shows one computation and its claim. Measured here, for every course notebook and
explorer (the homework notebooks follow nbgrader's layout and are not counted):

- the median code cell, the import cell included, has at most 15 lines;
- a code cell over 25 lines says why in a comment line starting with ``# long cell:``;
- a markdown cell holds at most 3,000 characters (short paragraphs beside the numbers they
  discuss, not walls of text).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb")) + sorted(
    (REPO / "notebooks" / "explorers").glob("*.ipynb")
)
MEDIAN_LINES, LONG_LINES, MARKDOWN_CHARS = 15, 25, 3000


def _cells(path: Path, kind: str) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == kind]


def test_the_course_has_notebooks_to_measure():
    assert len(NOTEBOOKS) >= 13


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_thin(path):
    lengths = [len(src.splitlines()) for src in _cells(path, "code")]
    assert statistics.median(lengths) <= MEDIAN_LINES, (
        f"{path.name}: median code cell {statistics.median(lengths)} lines > {MEDIAN_LINES}"
    )
    for i, src in enumerate(_cells(path, "code")):
        if len(src.splitlines()) > LONG_LINES:
            assert "# long cell:" in src, (
                f"{path.name} code cell {i}: {len(src.splitlines())} lines > {LONG_LINES} "
                "without a '# long cell: <reason>' comment"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_cells_are_short(path):
    for i, src in enumerate(_cells(path, "markdown")):
        assert len(src) <= MARKDOWN_CHARS, (
            f"{path.name} markdown cell {i}: {len(src)} characters > {MARKDOWN_CHARS}"
        )
