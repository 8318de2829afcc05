"""Build the course as a static website: ``python docs/build.py`` -> ``build/site/index.html``.

Sphinx + MyST-NB render every notebook with its stored outputs (never executed), plus MATH.md,
ERRATA.md, the homework README and the project README. Sphinx reads one source folder, so this
script first lays out the published files in a staging folder that mirrors the repository
(``build/site-cache/src``: notebooks/..., ERRATA.md, README.md, and the pages of ``docs/``), so
that every relative link between them works as it does on GitHub; ``docs/conf.py`` configures the
build. Copies keep their modification times, so a second build only re-reads what changed.
MyST-NB writes the notebooks' images to a folder beside the output (``build/jupyter_execute``).

Usage::

    python docs/build.py                  # -> build/site/
    python docs/build.py --out DIR        # another output folder (cache beside it: DIR-cache/)
    python docs/build.py --jobs 1         # sphinx-build -j (default: auto)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"

#: the course's notebooks in their order (the site's navigation follows docs/index.md)
COURSE_NOTEBOOKS = sorted(
    p.relative_to(REPO) for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")
)
EXPLORERS = sorted(p.relative_to(REPO) for p in (REPO / "notebooks" / "explorers").glob("*.ipynb"))
#: repository files published as pages, by their path in the repository
PUBLISHED = [
    *COURSE_NOTEBOOKS,
    *EXPLORERS,
    Path("notebooks/MATH.md"),
    Path("ERRATA.md"),
    Path("notebooks/homework/README.md"),
    Path("README.md"),
]
#: pages written for the site: docs/<file> -> its place in the staged tree
SITE_PAGES = {
    Path("index.md"): Path("index.md"),
    Path("explorers.md"): Path("notebooks/explorers/index.md"),
}


def pages() -> list[str]:
    """Names of the site's pages (``notebooks/06_gaussian_k_sigma`` -> ``....html``)."""
    names = [str(p.with_suffix("")) for p in PUBLISHED]
    names += [str(p.with_suffix("")) for p in SITE_PAGES.values()]
    return sorted(names)


def stage(src: Path) -> None:
    """Lay out the published files under ``src`` as they sit in the repository."""
    wanted = {src / p: REPO / p for p in PUBLISHED}
    wanted.update({src / dest: DOCS / page for page, dest in SITE_PAGES.items()})
    if src.exists():  # drop files no longer published (a renamed notebook)
        for path in sorted(src.rglob("*"), reverse=True):
            if path.is_file() and path not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for dest, origin in wanted.items():
        if dest.exists() and dest.stat().st_mtime_ns == origin.stat().st_mtime_ns:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, dest)


def build(out: Path, jobs: str = "auto", quiet: bool = False) -> int:
    """Stage, then run sphinx-build (html) into ``out``; the return code of sphinx-build."""
    out = out.resolve()
    cache = out.with_name(out.name + "-cache")
    stage(cache / "src")
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-j",
        str(jobs),
        "-c",
        str(DOCS),
        "-d",
        str(cache / "doctrees"),
        str(cache / "src"),
        str(out),
    ]
    if quiet:
        cmd.insert(3, "-q")
    return subprocess.call(cmd, cwd=REPO)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build" / "site")
    parser.add_argument("--jobs", default="auto", help="sphinx-build -j (default: auto)")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    code = build(args.out, args.jobs, args.quiet)
    if code == 0:
        seconds = time.perf_counter() - start
        print(f"site built in {seconds:.1f} s: open {args.out / 'index.html'}")
    return code


if __name__ == "__main__":
    sys.exit(main())
