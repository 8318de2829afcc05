"""Fixtures of the browser tests: JupyterLab and Voila servers, headless Chromium.

The tests skip (with the reason) when playwright or Chromium is missing, unless
``REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which case a missing prerequisite fails them.
Servers run on free ports with their own temporary directories and are stopped by PID in
the fixture teardown.
"""

from __future__ import annotations

import os
import shutil

import harness
import pytest

REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "") == "1"
SCREENSHOTS = harness.REPO / "tests" / "browser" / "screenshots"


@pytest.fixture(scope="session")
def browser_prerequisites():
    reason = harness.missing_prerequisites()
    if reason is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")
        pytest.skip(f"browser tests skipped: {reason} (set REQUIRE_BROWSER=1 to make this fail)")


@pytest.fixture(scope="session")
def workdir(browser_prerequisites):
    path = harness.make_workdir("course-browser-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def notebooks_dir(workdir):
    return harness.copy_notebooks(workdir / "notebooks")


@pytest.fixture(scope="session")
def lab_server(workdir, notebooks_dir):
    server = harness.start_jupyterlab(notebooks_dir, workdir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def voila_server(workdir, notebooks_dir):
    server = harness.start_voila(notebooks_dir, workdir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(workdir):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    context = harness.launch_browser(playwright, workdir / "chromium-profile")
    yield context
    context.close()
    playwright.stop()


def _new_page(browser):
    page = browser.new_page()
    page.console_errors = []
    page.on("pageerror", lambda err: page.console_errors.append(str(err)))
    return page


@pytest.fixture
def page(browser):
    page = _new_page(browser)
    yield page
    page.close()


@pytest.fixture(scope="module")
def module_page(browser):
    """One page for a module's tests (JupyterLab loads once: ``harness.open_in_lab``)."""
    page = _new_page(browser)
    yield page
    page.close()
