"""Shared fixtures: one real build of the site, made with the author's own command, one
Chromium, and one run of every ``invoke check`` checker over the whole site.

Every test module states its markers (``pytestmark``, or a decorator on the tests of a
module that mixes quick and whole-site tests), so that ``-m "not browser and not slow"``
leaves out every test that builds the whole site or starts Chromium:

- ``slow``: builds the whole site or renders the whole kit (``built_project`` and the
  fixtures on top of it, ``copy_project`` + ``invoke``, ``LiveServer``, ``session_build``);
- ``browser``: drives Chromium.

Collection stops with a usage error if a test uses ``built_project`` without ``slow`` or
``browser`` without ``browser`` (the markers are checked, never guessed).

Order under pytest-xdist (``invoke test``: ``--dist loadfile``): xdist's own, whole modules,
those with the most tests first. Replayed on the module durations of a full run, it ends
within 1 % of longest-first, so no list of timings is kept here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitecopy import copy_project, invoke, share_caches_in

# A fixture that needs a marker, and that marker: a test using it (directly or through
# another fixture) without the marker would slip into the quick subset.
MARKED_FIXTURES = {"built_project": "slow", "browser": "browser"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = [
        f"{item.nodeid} uses {fixture!r}: mark it @pytest.mark.{marker}"
        for item in items
        for fixture, marker in MARKED_FIXTURES.items()
        if fixture in getattr(item, "fixturenames", ()) and item.get_closest_marker(marker) is None
    ]
    if unmarked:
        raise pytest.UsageError("Missing markers:\n" + "\n".join(unmarked))


@pytest.fixture(scope="session", autouse=True)
def _shared_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One folder where the project copies of every process of this run share their kit,
    card and template caches (tests/sitecopy.py): under pytest-xdist, beside the workers'
    own temporary folders (their common parent, as pytest-xdist documents)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    share_caches_in(base / "shared-caches")
    yield
    share_caches_in(None)


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project built by ``invoke build`` under LANG=C (no Italian locale)."""
    project = copy_project(tmp_path_factory.mktemp("site") / "project")
    result = invoke(project, "build", env={"LANG": "C", "LC_ALL": "C"})
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="session")
def site(built_project: Path) -> Path:
    """The built ``output/`` folder (the versioned folder it points to, if a symlink)."""
    return (built_project / "output").resolve()


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
def fresh_page(browser):
    """A page in an Italian browser context of its own (an empty cache, no cookies)."""
    context = browser.new_context(locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(fresh_page):
    """A fresh Italian browser context and page per test (a module may share one
    context instead: tests/test_search.py)."""
    return fresh_page


@pytest.fixture(scope="session")
def site_report(built_project: Path, site: Path, browser):
    """Every checker of ``invoke check`` (links, drafts, CSP, weight, Nu Html Checker,
    axe-core light and dark) over the whole built site, once per test session.

    It fills the project's check memo (``.cache/controlli/memo.json``), so an
    ``invoke check`` later in the session re-checks only the pages that differ."""
    from blog.build.settings import settings_file_values
    from blog.checks import run_checks

    siteurls = [str(settings_file_values(built_project / name).get("SITEURL", ""))
                for name in ("pelicanconf.py", "publishconf.py")]
    return run_checks(site, content=built_project / "content", siteurl=siteurls,
                      memo=built_project / ".cache" / "controlli" / "memo.json",
                      browser=browser, say=lambda _line: None)


@pytest.fixture(scope="module")
def isso_site(site: Path, tmp_path_factory: pytest.TempPathFactory):
    """The built site and the real Isso server (temporary SQLite database, moderation
    on, isso/isso.cfg) on one origin of 127.0.0.1, ``/isso/`` proxied as in
    deploy/nginx.conf. One Isso per test module: yields ``(site server, Isso server)``."""
    from blog.comments.isso import site_with_comments

    database = tmp_path_factory.mktemp("isso") / "comments.db"
    with site_with_comments(site, database) as servers:
        yield servers
