"""Shared fixtures: one real build of the site, made with the author's own command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitecopy import copy_project, invoke


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project built by ``invoke build`` under LANG=C (no Italian locale)."""
    project = copy_project(tmp_path_factory.mktemp("site") / "project")
    result = invoke(project, "build", env={"LANG": "C", "LC_ALL": "C"})
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="session")
def site(built_project: Path) -> Path:
    """The built ``output/`` folder."""
    return built_project / "output"


@pytest.fixture(scope="session")
def site_url(site: Path):
    """Base URL of the built site served on 127.0.0.1."""
    from tests.browser_support import serve_directory

    with serve_directory(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh Italian browser context and page per test."""
    context = browser.new_context(locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def isso_site(site: Path, tmp_path_factory: pytest.TempPathFactory):
    """The built site and the real Isso server (temporary SQLite database, moderation
    on, isso/isso.cfg) on one origin of 127.0.0.1, ``/isso/`` proxied as in
    deploy/nginx.conf. One Isso per test module: yields ``(site server, Isso server)``."""
    from buildtools.comments import site_with_comments

    database = tmp_path_factory.mktemp("isso") / "comments.db"
    with site_with_comments(site, database) as servers:
        yield servers
