"""The course website: ``python docs/build.py`` (Sphinx + MyST-NB), served on localhost and
read in Debian's Chromium.

A session fixture builds the site from the repository into a temporary folder (so the test
command builds it) and serves it with ``python -m http.server`` on a free port, stopped by PID.
Every page is visited: no console error, no request leaving the site, every image loaded, every
formula typeset, every same-site link (anchors included) answered with HTTP 200. The k/sigma page
shows the canonical figure and the explorer's static picture.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from types import SimpleNamespace

import harness
import pytest
from conftest import REQUIRE_BROWSER

BUILD_SCRIPT = harness.REPO / "docs" / "build.py"


def _load_build():
    spec = importlib.util.spec_from_file_location("course_site_build", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_script = _load_build()
#: every page of the site: the published files, the site's own pages, Sphinx's index and search
PAGES = build_script.pages() + ["genindex", "search"]
NOTEBOOK_PAGES = [str(p.with_suffix("")) for p in build_script.PUBLISHED if p.suffix == ".ipynb"]
#: the navigation's top level, in the course's order
NAVIGATION = [
    *(str(p.with_suffix("")) for p in build_script.COURSE_NOTEBOOKS),
    "notebooks/explorers/index",
    "notebooks/MATH",
    "ERRATA",
    "notebooks/homework/README",
    "README",
]

#: JavaScript: the text a reader sees outside code blocks and typeset formulas
VISIBLE_PROSE = """() => {
    const skip = new Set(['PRE', 'CODE', 'SCRIPT', 'STYLE', 'TEXTAREA', 'MJX-CONTAINER',
                          'NOSCRIPT']);
    const parts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
        acceptNode(node) {
            for (let el = node.parentElement; el; el = el.parentElement) {
                if (skip.has(el.tagName) || el.classList.contains('highlight')) {
                    return NodeFilter.FILTER_REJECT;
                }
            }
            return NodeFilter.FILTER_ACCEPT;
        }
    });
    while (walker.nextNode()) parts.push(walker.currentNode.textContent);
    return parts.join(' ');
}"""

#: JavaScript: wait until MathJax has typeset the page (pages without formulas do not load it)
MATH_DONE = """async () => {
    if (!document.querySelector('.math')) return 'no math';
    const t0 = performance.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
        if (performance.now() - t0 > 20000) return 'MathJax did not start';
        await new Promise(r => setTimeout(r, 50));
    }
    await MathJax.startup.promise;
    return 'typeset';
}"""


@pytest.fixture(scope="session")
def site(workdir):
    """The site, built from the repository's files into a temporary folder, and its build log."""
    for module in ("sphinx", "myst_nb", "furo"):
        if importlib.util.find_spec(module) is None:
            reason = f"{module} is not installed (pip install -r requirements.txt)"
            if REQUIRE_BROWSER:
                pytest.fail(f"REQUIRE_BROWSER=1 but the site cannot be built: {reason}")
            pytest.skip(f"site test skipped: {reason}")
    out = workdir / "site"
    proc = subprocess.run(
        # one Sphinx process: the test suite already keeps every core busy (xdist)
        [sys.executable, str(BUILD_SCRIPT), "--out", str(out), "--quiet", "--jobs", "1"],
        capture_output=True,
        text=True,
        cwd=harness.REPO,
        timeout=600,
    )
    assert proc.returncode == 0, f"site build failed:\n{proc.stdout}\n{proc.stderr}"
    return SimpleNamespace(root=out, log=proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def site_server(site, workdir):
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    server = harness.Server(
        [*cmd, "--directory", str(site.root)],
        url=url,
        ready_url=f"{url}/index.html",
        log_path=workdir / "site-server.log",
    )
    yield server
    server.stop()


class LinkChecker:
    """Fetches each same-site address once: its HTTP status and, for a page, its ids."""

    def __init__(self, base: str):
        self.base = base
        self.pages: dict[str, tuple[int, str]] = {}

    def fetch(self, address: str) -> tuple[int, str]:
        if address not in self.pages:
            try:
                with urllib.request.urlopen(address, timeout=10) as response:
                    body = response.read()
                    text = body.decode(errors="replace") if address.endswith(".html") else ""
                    self.pages[address] = (response.status, text)
            except urllib.error.HTTPError as err:
                self.pages[address] = (err.code, "")
        return self.pages[address]

    def problems(self, hrefs: list[str]) -> list[str]:
        found = []
        for href in sorted(set(hrefs)):
            if not href.startswith(self.base + "/"):
                continue
            address, _, fragment = href.partition("#")
            status, text = self.fetch(address)
            if status != 200:
                found.append(f"{href}: HTTP {status}")
            elif fragment and address.endswith(".html"):
                anchor = urllib.parse.unquote(fragment)
                if f'id="{anchor}"' not in text and f'name="{anchor}"' not in text:
                    found.append(f"{href}: no element with id {anchor!r}")
        return found


@pytest.fixture(scope="session")
def links(site_server):
    return LinkChecker(site_server.url)


def open_site_page(page, server, name: str) -> dict:
    """Open ``name``.html, record console errors and requests that leave the site, wait for the
    images and the formulas."""
    seen = {"console": [], "outside": [], "failed": []}

    def console(msg):
        if msg.type == "error":
            seen["console"].append(msg.text)

    def response(resp):
        if resp.status >= 400:
            seen["failed"].append(f"{resp.url}: HTTP {resp.status}")

    page.on("console", console)
    page.on("response", response)

    def route(request_route):
        url = request_route.request.url
        if url.startswith(server.url + "/") or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            seen["outside"].append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(f"{server.url}/{name}.html", wait_until="load")
    seen["math"] = page.evaluate(MATH_DONE)
    page.wait_for_function(
        "() => Array.from(document.images).every(img => img.complete)", timeout=20_000
    )
    return seen


def test_build_is_clean(site):
    warnings = [line for line in site.log.splitlines() if "WARNING:" in line or "ERROR:" in line]
    assert not warnings, "the site build warns:\n" + "\n".join(warnings)


def test_every_page_is_built(site):
    root = site.root
    built = {
        str(p.relative_to(root).with_suffix(""))
        for p in root.rglob("*.html")
        if not p.relative_to(root).parts[0].startswith("_")
    }
    assert built == set(PAGES)
    for name in NOTEBOOK_PAGES:  # the source, next to its page
        assert (root / f"{name}.ipynb").is_file(), name


def test_built_pages_load_nothing_from_the_network(site):
    """No script, style sheet or font comes from another host (static check of every file)."""
    import re

    remote = re.compile(
        r"<(?:script|img|iframe)[^>]*\ssrc=[\"']?(?:https?:)?//"
        r"|<link[^>]*\shref=[\"']?(?:https?:)?//"
        r"|@import\s+(?:url\()?[\"']?(?:https?:)?//"
        r"|url\([\"']?(?:https?:)?//",
        re.IGNORECASE,
    )
    offenders = [
        str(path.relative_to(site.root))
        for pattern in ("*.html", "*.css")
        for path in site.root.rglob(pattern)
        if remote.search(path.read_text(errors="replace"))
    ]
    assert not offenders


@pytest.mark.parametrize("name", PAGES)
def test_page(page, site_server, links, name):
    seen = open_site_page(page, site_server, name)
    assert not seen["outside"], f"requests that left the site: {seen['outside']}"
    assert not seen["failed"], "requests that failed"
    assert not seen["console"] + page.console_errors, "console errors"
    broken_images = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken_images
    # every formula typeset, none left raw in the prose
    assert seen["math"] in ("no math", "typeset"), seen["math"]
    untypeset = page.evaluate(
        "() => Array.from(document.querySelectorAll('.math'))"
        ".filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80))"
    )
    assert not untypeset
    prose = page.evaluate(VISIBLE_PROSE)
    for raw in ("$$", "\\frac", "\\(", "\\[", "\\begin{"):
        where = prose.find(raw)
        assert where < 0, f"raw {raw!r} on the page: ...{prose[max(where - 80, 0) :][:160]}"
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    assert not links.problems(hrefs)
    if name in NOTEBOOK_PAGES:  # where the source is and how to run it live
        box = page.locator(".cu-run-live")
        assert box.count() == 1
        source = box.locator(f'a[href$="{name.rsplit("/", 1)[-1]}.ipynb"]')
        assert source.count() == 1
        assert "Run it live" in box.inner_text()


def test_navigation_follows_the_course(page, site_server):
    open_site_page(page, site_server, "index")
    hrefs = page.eval_on_selector_all(
        ".sidebar-tree li.toctree-l1 > a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert [h.removesuffix(".html") for h in hrefs] == NAVIGATION


def test_search_finds_the_fisher_matrix(page, site_server):
    page.goto(f"{site_server.url}/search.html?q=Fisher", wait_until="load")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    found = page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert any("04_kl_and_fisher" in href for href in found)


def _cell_images(page, needle: str) -> list[dict]:
    """Images in the outputs of the cells whose code contains ``needle``."""
    return page.evaluate(
        """needle => Array.from(document.querySelectorAll('div.cell'))
            .filter(c => (c.querySelector('.cell_input') || {innerText: ''}).innerText
                         .includes(needle))
            .flatMap(c => Array.from(c.querySelectorAll('.cell_output img')))
            .map(img => ({natural: img.naturalWidth, shown: img.getBoundingClientRect().width}))
        """,
        needle,
    )


def test_k_sigma_page_shows_figure_and_explorer_picture(page, site_server, screenshots):
    open_site_page(page, site_server, "notebooks/06_gaussian_k_sigma")
    canonical = _cell_images(page, "draw_k_sigma_panel(")
    assert canonical, "no figure drawn by draw_k_sigma_panel on the k/sigma page"
    assert canonical[0]["natural"] > 0 and canonical[0]["shown"] > 300, canonical[0]
    explorer = _cell_images(page, "k_sigma_explorer()")
    page.locator("div.cell", has_text="k_sigma_explorer()").last.screenshot(
        path=screenshots / "site-k-sigma-explorer.png"
    )
    assert explorer, "the k/sigma explorer's output on the site has no picture"
    assert explorer[0]["natural"] > 0 and explorer[0]["shown"] > 300, explorer[0]
