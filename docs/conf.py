"""Sphinx configuration of the course website. Build it with ``python docs/build.py``.

The two settings an instructor may change are at the top: where the notebooks run live
(``LIVE_URL``) and where the repository is browsed (``REPOSITORY_URL``). Everything else makes
the site build offline and show the notebooks as stored: MyST-NB never executes them, widget
outputs show their static picture, MathJax is served from the site itself (copied from the
``sphinx-mathjax-offline`` package) and the Furo theme uses the system's fonts.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))
# MyST-NB reads notebooks with nbformat, which imports jsonschema, which builds an IRI grammar at
# import (rfc3987_syntax, about 2.5 s of a 10 s build) for a format check no notebook needs. The
# build's process does without it (jsonschema treats it as not installed).
sys.modules.setdefault("rfc3987_syntax", None)

# --- set by the instructor ---------------------------------------------------------------------

#: Address that opens a notebook live on the course's JupyterHub or on Binder; ``{path}`` is
#: replaced by the notebook's path in the repository (``notebooks/06_gaussian_k_sigma.ipynb``).
#: None: each notebook page points to the README's set-up instead. Examples:
#: "https://mybinder.org/v2/gh/ORG/REPO/HEAD?labpath={path}"
#: "https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2FORG%2FREPO"
#: "&urlpath=lab%2Ftree%2FREPO%2F{path}&branch=main"
LIVE_URL: str | None = None
#: Web address of the repository's files (``{path}`` replaced as above), e.g.
#: "https://github.com/ORG/REPO/blob/main/{path}". None: no "view in the repository" links, and a
#: link to a repository file that the site does not publish is shown as plain text.
REPOSITORY_URL: str | None = None

# --- the site ---------------------------------------------------------------------------------

project = "The natural policy gradient, computed"
author = "the course authors"
copyright = "the course authors"  # noqa: A001 - Sphinx's name
html_title = project

extensions = ["myst_nb", "course_site"]
course_live_url = LIVE_URL
course_repository_url = REPOSITORY_URL

root_doc = "index"
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = []

# notebooks are shown with their stored outputs, never executed by the build
nb_execution_mode = "off"
# a widget output shows its static picture (image/png in the same output) on the site; without
# one, its text/plain line. The widget view itself needs a kernel, so it is never rendered, and
# no ipywidgets JavaScript (a CDN by default) is put on any page.
nb_mime_priority_overrides = [
    (builder, mime, priority)
    for builder in ("html", "dirhtml", "singlehtml")
    for mime, priority in (
        ("application/vnd.jupyter.widget-view+json", None),
        ("image/png", 5),
    )
]
nb_ipywidgets_js = {}
nb_merge_streams = True

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

html_theme = "furo"
html_copy_source = False  # the .ipynb itself is published next to each notebook page
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"
html_theme_options = {"navigation_with_keys": True}

# MathJax 3 from the site itself (course_site copies it into _static/mathjax). Formulas are
# found as JupyterLab finds them, on the whole page: also in raw HTML, such as the answers in
# <details> blocks, which Markdown leaves unparsed (MyST's default would typeset only the
# formulas it parsed). Code and outputs (pre, code) are never searched.
mathjax_path = "mathjax/tex-chtml.js"
myst_update_mathjax = False
mathjax3_config = {
    "tex": {
        "inlineMath": [["$", "$"], ["\\(", "\\)"]],
        "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
        "processEscapes": True,
    },
}

# notebooks that go from a title (H1) straight to H3 render fine; the warning is about style
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]
