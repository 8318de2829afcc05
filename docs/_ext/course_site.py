"""Sphinx extension of the course website (loaded by docs/conf.py).

- MathJax 3 is copied from the ``sphinx-mathjax-offline`` package into ``_static/mathjax``, so
  formulas are typeset without a CDN.
- Each notebook page gets a box under its title: where its source is (the ``.ipynb``, published
  next to the page, and the repository if ``course_repository_url`` is set) and how to run it live
  (``course_live_url``, or the README's set-up).
- Links between published files resolve as on GitHub (the staged tree mirrors the repository);
  a link to a folder goes to its page (``explorers/`` -> the explorers' index); a link to a
  repository file the site does not publish goes to the repository, or becomes plain text.
"""

from __future__ import annotations

import posixpath
import shutil
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: the parts of MathJax's distribution that tex-chtml.js loads (extensions by autoload, its fonts,
#: the menu's accessibility options); the other combined components and the SVG output are left
MATHJAX_PARTS = ("tex-chtml.js", "input", "output/chtml", "a11y", "ui", "adaptors", "sre")
README_SETUP = "README"  # the page whose section "Two commands" says how to set up
SETUP_ANCHOR = "two-commands"


def mathjax_source() -> Path:
    """The MathJax 3 folder shipped by the ``sphinx-mathjax-offline`` distribution."""
    try:
        dist = metadata.distribution("sphinx-mathjax-offline")
    except metadata.PackageNotFoundError as exc:
        raise RuntimeError(
            "sphinx-mathjax-offline is not installed (pip install -r requirements.txt): the site "
            "serves MathJax from its files"
        ) from exc
    for file in dist.files or ():
        if file.name == "tex-chtml.js" and file.parent.name == "mathjax":
            return Path(dist.locate_file(file)).parent
    raise RuntimeError("sphinx-mathjax-offline has no mathjax/tex-chtml.js")


def copy_mathjax(app: Sphinx, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    source, dest = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, dest / part, dirs_exist_ok=True)
        else:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, dest / part)


def publish_notebooks(app: Sphinx, exc) -> None:
    """Each notebook's .ipynb next to its page (``notebooks/06_x.html`` + ``06_x.ipynb``)."""
    if exc is not None or app.builder.format != "html":
        return
    for docname in app.env.found_docs:
        source = Path(app.env.doc2path(docname))
        if source.suffix == ".ipynb":
            dest = Path(app.outdir) / f"{docname}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)


def _link(text: str, uri: str) -> nodes.reference:
    return nodes.reference(text, text, refuri=uri)


def _run_box(app: Sphinx, docname: str) -> nodes.Element:
    """The "source and run it live" box of a notebook page."""
    path = f"{docname}.ipynb"  # the staged tree mirrors the repository
    name = posixpath.basename(path)
    live, repo = app.config.course_live_url, app.config.course_repository_url
    setup_uri = app.builder.get_relative_uri(docname, README_SETUP) + "#" + SETUP_ANCHOR

    source = nodes.paragraph()
    source += nodes.strong("Source: ", "Source: ")
    source += _link(name, name)
    if repo:
        source += nodes.Text(" (")
        source += _link("in the repository", repo.format(path=path))
        source += nodes.Text(")")
    source += nodes.Text(
        ". This page shows it with its stored outputs; figures and explorers move only in a "
        "live kernel."
    )

    run = nodes.paragraph()
    run += nodes.strong("Run it live: ", "Run it live: ")
    if live:
        run += _link("open it on the course's server", live.format(path=path))
        run += nodes.Text(", or on your computer: ")
    else:
        run += nodes.Text("on your computer, ")
    run += nodes.Text("set up the course as in the ")
    run += _link("README", setup_uri)
    run += nodes.Text(" (")
    run += nodes.literal("pip install -r requirements.txt", "pip install -r requirements.txt")
    run += nodes.Text(", then ")
    run += nodes.literal("jupyter lab notebooks/", "jupyter lab notebooks/")
    run += nodes.Text(") and open ")
    run += nodes.literal(path, path)
    run += nodes.Text(".")

    box = nodes.container(classes=["cu-run-live", "admonition", "tip"])
    box += source
    box += run
    return box


def add_run_box(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if Path(app.env.doc2path(docname)).suffix != ".ipynb":
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        logger.warning("notebook %s has no title: run box put first", docname, location=docname)
        doctree.insert(0, _run_box(app, docname))
        return
    section.insert(1, _run_box(app, docname))


def _folder_page(env, folder: str) -> str | None:
    """The page of a folder: its index or its README."""
    for name in ("index", "README"):
        docname = posixpath.join(folder, name) if folder else name
        if docname in env.found_docs:
            return docname
    return None


class RepositoryLinks(SphinxPostTransform):
    """Links that are not pages, before MyST resolves them (priority 8 < MyST's 9): a folder
    link goes to the folder's page; a repository file the site does not publish goes to the
    repository (``course_repository_url``) or becomes plain text."""

    default_priority = 8

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") == "doc":
                continue
            replacement = self.replacement(node)
            if replacement is not None:
                node.replace_self(replacement)

    def replacement(self, node) -> nodes.Element | None:
        target = node.get("reftarget", "")
        if "/" not in target and not posixpath.splitext(target)[1]:
            return None  # a label or a heading, not a path
        if "://" in target or target.startswith("#"):
            return None
        refdoc = node.get("refdoc", self.env.docname)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(refdoc), target))
        if path.startswith("..") or posixpath.splitext(path)[0] in self.env.found_docs:
            return None
        contnode = node[0].deepcopy()
        page = _folder_page(self.env, path)
        if page is not None:  # a :doc: reference, resolved by Sphinx after this transform
            xref = addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget="/" + page, refexplicit=True
            )
            xref["refdoc"] = refdoc
            xref += contnode
            return xref
        repo = self.config.course_repository_url
        if repo:
            return nodes.reference("", "", contnode, refuri=repo.format(path=path))
        return nodes.inline("", "", contnode, classes=["cu-repo-file"], title=path)


def setup(app: Sphinx):
    app.add_config_value("course_live_url", None, "env")
    app.add_config_value("course_repository_url", None, "env")
    app.connect("doctree-read", add_run_box)
    app.add_post_transform(RepositoryLinks)
    # MathJax on every page, not only on pages with formulas: the navigation shows titles with
    # formulas (the explorers') on every page
    app.set_html_assets_policy("always")
    app.connect("build-finished", copy_mathjax)
    app.connect("build-finished", publish_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
