"""Rules that keep the stored notebook outputs portable (README: stored outputs that reproduce).

nbval compares every stored output strictly, except in cells tagged ``nbval-ignore-output``.
Such a cell holds the per-seed numbers of a chaotic experiment; it must say why in a comment,
and the cell after it must be a compared one that checks what those numbers show, so that a
regression (a natural step that stops learning) still fails the tests. Nothing else is exempt:
no ``nbval-skip``, no ``raises-exception``, no sanitiser file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p
    for p in (REPO / "notebooks").rglob("*.ipynb")
    if not {".ipynb_checkpoints", "release", "submitted", "autograded", "feedback"} & set(p.parts)
)
EXEMPTING = {"nbval-skip", "nbval-ignore-output", "raises-exception", "nbval-raises-exception"}


def _code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_ignored_outputs_are_explained_and_followed_by_a_check(path):
    cells = _code_cells(path)
    for i, cell in enumerate(cells):
        tags = _tags(cell)
        assert tags <= {"nbval-ignore-output"} | (tags - EXEMPTING), (
            f"{path.name} code cell {i}: exempt from nbval by {sorted(tags & EXEMPTING)}"
        )
        if "nbval-ignore-output" not in tags:
            continue
        source = "".join(cell["source"])
        assert source.startswith("# nbval-ignore-output"), (
            f"{path.name} code cell {i}: an ignored output must say why, in a first-line comment"
        )
        assert i + 1 < len(cells) and not (_tags(cells[i + 1]) & EXEMPTING), (
            f"{path.name} code cell {i}: the next code cell must be compared, checking the claim"
        )
        checked = "".join(cells[i + 1]["source"])
        assert "print" in checked, f"{path.name} code cell {i + 1} prints no checked claim"


def test_strict_nbval_without_a_sanitiser():
    config = (REPO / "pyproject.toml").read_text()
    assert '"--nbval --nbval-current-env' in config  # strict mode, in the test command
    assert "--nbval-lax" not in config and "--nbval-sanitize-with" not in config
