"""Give notebooks 03-06 and the explorers a slide deck (cell metadata ``slideshow.slide_type``).

Usage (the project's venv python, from the repository root):

    python docs/apply_slides.py                  # the repository's notebooks, in place
    python docs/apply_slides.py --out DIR        # write copies into DIR instead
    python docs/apply_slides.py --check          # exit 1 if a notebook's deck would change

Only ``cell.metadata["slideshow"]`` is written: sources, outputs and every other key are left as
they are, so the stored outputs (nbval) do not change. The deck is derived from the content, not
from cell positions, so re-running after an edit of a notebook gives the deck of the new content:

- the title cell (``# ...``) and every section (a markdown cell with a ``## `` heading) start a
  slide; a ``### `` heading starts a sub-slide (arrow down in the deck);
- each live widget (a cell whose output is a widget, or that calls ``*_explorer()``) is a slide of
  its own, and what follows it starts a new sub-slide;
- the set-up cell (the first code cell: imports, ``%matplotlib``, the seeded generator; no
  output) is skipped;
- otherwise cells are packed onto the current (sub-)slide while they fit one projector screen
  (about ``BUDGET`` text lines; a figure counts as ``FIGURE_LINES``); a cell that does not fit
  starts a sub-slide, so long derivations and figures get a screen of their own;
- a code cell that follows a markdown cell on the same screen is a fragment: the claim shows
  first, the computation that checks it on the next key press.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = [
    "notebooks/03_taylor_and_trust_regions.ipynb",
    "notebooks/04_kl_and_fisher.ipynb",
    "notebooks/05_natural_gradient.ipynb",
    "notebooks/06_gaussian_k_sigma.ipynb",
    "notebooks/explorers/k_sigma_explorer.ipynb",
    "notebooks/explorers/trust_region_explorer.ipynb",
    "notebooks/explorers/reparametrisation_explorer.ipynb",
    "notebooks/explorers/kl_quadratic_explorer.ipynb",
]
BUDGET = 34  # text lines on one screen (1280 x 800 CSS pixels, JupyterLab's default font)
FIGURE_LINES = 24  # a stored figure, in text lines
OUTPUT_LINES_MAX = 20  # a long text output scrolls; count at most this many of its lines
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SECTION = re.compile(r"^## ", re.MULTILINE)
SUBSECTION = re.compile(r"^### ", re.MULTILINE)


def is_widget(cell) -> bool:
    if cell.cell_type != "code":
        return False
    if any(WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", [])):
        return True
    return re.search(r"^\w*_explorer\(\)\s*$", cell.source, re.MULTILINE) is not None


def is_setup(cell, first_code: bool) -> bool:
    return (
        first_code
        and cell.cell_type == "code"
        and not cell.get("outputs")
        and ("import " in cell.source or "%matplotlib" in cell.source)
    )


def weight(cell) -> float:
    """Height of a cell on a slide, in text lines (a rough count, enough for packing)."""
    lines = cell.source.splitlines()
    if cell.cell_type == "markdown":
        return sum(max(1, math.ceil(len(line) / 110)) for line in lines) + 2 * len(
            [line for line in lines if line.startswith("#")]
        )
    total = len(lines) + 1
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data or "image/svg+xml" in data:
            total += FIGURE_LINES
        elif out.get("output_type") == "stream":
            total += min(OUTPUT_LINES_MAX, len(out.get("text", "").splitlines()))
        elif "text/plain" in data:
            total += min(OUTPUT_LINES_MAX, len(data["text/plain"].splitlines()))
    return total


def deck(nb) -> list[str]:
    """The slide type of every cell of ``nb`` (see the module docstring)."""
    types: list[str] = []
    used = math.inf  # lines used on the current screen (inf: the next cell starts a new one)
    prev_kind = None  # "markdown", "code", "widget" or "skip"
    first_code = True
    for i, cell in enumerate(nb.cells):
        w = weight(cell)
        if i == 0 or (cell.cell_type == "markdown" and SECTION.search(cell.source)):
            kind, slide_type, used = "markdown", "slide", w
        elif is_setup(cell, first_code):
            kind, slide_type = "skip", "skip"
        elif is_widget(cell):
            kind, slide_type, used = "widget", "slide", math.inf
        elif cell.cell_type == "markdown" and SUBSECTION.search(cell.source):
            kind, slide_type, used = "markdown", "subslide", w
        elif prev_kind == "widget" or used + w > BUDGET:
            kind, slide_type, used = cell.cell_type, "subslide", w
        else:
            kind = cell.cell_type
            slide_type = "fragment" if kind == "code" and prev_kind == "markdown" else "-"
            used += w
        if cell.cell_type == "code":
            first_code = False
        if kind != "skip":
            prev_kind = kind
        types.append(slide_type)
    return types


def outline(nb, types) -> str:
    rows = []
    for i, (cell, slide_type) in enumerate(zip(nb.cells, types, strict=True)):
        first = cell.source.strip().splitlines()[0][:70] if cell.source.strip() else ""
        rows.append(f"  {i:3d} {slide_type:9s} {cell.cell_type:8s} {weight(cell):5.0f}  {first}")
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="default: notebooks 03-06 and the explorers")
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--out", type=Path, help="write copies here (flat) instead of in place")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or [args.repo / p for p in NOTEBOOKS]
    stale = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        types = deck(nb)
        changed = False
        for cell, slide_type in zip(nb.cells, types, strict=True):
            if cell.metadata.get("slideshow") != {"slide_type": slide_type}:
                cell.metadata["slideshow"] = {"slide_type": slide_type}
                changed = True
        if not args.quiet:
            counts = {t: types.count(t) for t in ("slide", "subslide", "fragment", "skip")}
            print(f"{path.name}: {counts}\n{outline(nb, types)}")
        if args.check:
            if changed:
                stale.append(path)
            continue
        target = args.out / path.name if args.out else path
        if changed or args.out:
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
    if stale:
        print("deck metadata missing or stale:", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
